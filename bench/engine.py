"""`make bench`, engine part: Darkroom's upload job side by side with the peers, interleaved.

Run through bench/run (which installs the tools and builds Darkroom). Writes bench/results/engine.json
and bench/results/engine.md and prints the table. Environment:
  BENCH_QUICK=1       a fast check of the harness (2 inputs, 1 round, short throughput runs)
  BENCH_ROUNDS=N      latency rounds over all inputs (default 5; quick 1)
  BENCH_THROUGHPUT_S  target seconds per jobs/s measurement (default 3; quick 0.8)
  BENCH_ROWS=a,b      only these rows (ids as in the table: darkroom-jpeg, pyvips-full, ...)
  BENCH_INPUTS=dir    the photos (default ../shared/benchimages); *.jpg in it
  DARKROOM_BIN=path   the darkroom binary (default .build/release/darkroom); missing -> rows n/a
"""
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time

import pyvips

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jobs  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
WORK = os.path.join(BENCH, "work")
RESULTS = os.path.join(BENCH, "results")
QUICK = os.environ.get("BENCH_QUICK") == "1"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1" if QUICK else "5"))
THROUGHPUT_S = float(os.environ.get("BENCH_THROUGHPUT_S", "0.8" if QUICK else "3"))
INPUT_DIR = os.environ.get("BENCH_INPUTS", os.path.join(os.path.dirname(ROOT), "shared", "benchimages"))
DARKROOM = os.environ.get("DARKROOM_BIN", os.path.join(ROOT, ".build", "release", "darkroom"))
DARKROOM_BUILD_FAILED = os.environ.get("BENCH_DARKROOM_BUILD_FAILED", "")  # set by bench/run: the build log
TIMED = "up12mp_rot6.jpg"  # the 12 MP, orientation-6 photo every headline figure is measured on
DARKROOM_REPEAT = 3  # jobs per darkroom process in the latency rounds (in-process CPU per job)


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------------------------------------
# Running things and measuring them
# ---------------------------------------------------------------------------------------------
class Measured:
    def __init__(self, ok=True, wall_ms=0.0, cpu_ms=0.0, maxrss_kb=0, error="", samples=None, t0=0.0, t1=0.0):
        self.ok, self.wall_ms, self.cpu_ms, self.maxrss_kb, self.error = ok, wall_ms, cpu_ms, maxrss_kb, error
        self.samples = samples or []  # in-process per-job (wall_ms, cpu_ms), when the tool reports them
        self.t0, self.t1 = t0, t1
        self.stdout = ""


def run_procs(cmds, capture=False):
    """Runs the commands one after another; CPU = user+sys of each process (os.wait4), RSS = the largest."""
    m = Measured(t0=time.time())
    rss_file = os.path.join(WORK, "rss.%d.%d" % (os.getpid(), threading.get_ident()))
    for cmd in cmds:
        t = time.perf_counter()
        p = subprocess.Popen(timed(cmd, rss_file), stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        out_chunks, err_chunks = [], []
        readers = []
        for stream, sink in ((p.stdout, out_chunks), (p.stderr, err_chunks)):
            if stream is not None:
                th = threading.Thread(target=lambda s=stream, k=sink: k.append(s.read()))
                th.start()
                readers.append(th)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        for th in readers:
            th.join()
        m.wall_ms += (time.perf_counter() - t) * 1000
        m.cpu_ms += (ru.ru_utime + ru.ru_stime) * 1000
        m.maxrss_kb = max(m.maxrss_kb, read_rss(rss_file))
        if capture:
            m.stdout += b"".join(out_chunks).decode(errors="replace")
        if p.returncode != 0:
            m.ok = False
            m.error = "%s exited %d: %s" % (os.path.basename(cmd[0]), p.returncode,
                                            b"".join(err_chunks).decode(errors="replace").strip()[-300:])
            break
    m.t1 = time.time()
    return m


def timed(cmd, rss_file):
    """Runs cmd under GNU time, which forks it from a small process and writes the child's own peak
    RSS: ru_maxrss of a child of this (large) driver would include the driver's pages."""
    return ["/usr/bin/time", "-f", "%M", "-o", rss_file] + cmd


def read_rss(rss_file):
    try:
        with open(rss_file) as f:
            return int(f.read().split()[-1])
    except (OSError, ValueError, IndexError):
        return 0


class Worker:
    """A persistent Python process doing jobs in-process (pyvips, Pillow)."""

    def __init__(self, peer, python):
        self.rss_file = os.path.join(WORK, "rss.worker.%s.%d" % (peer, id(self)))
        self.p = subprocess.Popen(timed([python, "-B", os.path.join(BENCH, "jobs.py"), "worker", peer], self.rss_file),
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.read()

    def send(self, req):
        self.p.stdin.write(json.dumps(req) + "\n")
        self.p.stdin.flush()

    def read(self):
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError("worker died")
        return json.loads(line)

    def job(self, path, out, formats, info, n=1):
        self.send({"op": "job", "input": path, "out": out, "formats": formats, "info": info, "n": n})
        r = self.read()
        if not r["ok"]:
            return Measured(ok=False, error=r["error"])
        return Measured(wall_ms=r["wall_ms"], cpu_ms=r["cpu_ms"], t0=r["t0"], t1=r["t1"])

    def maxrss_kb(self):
        self.send({"op": "rss"})
        return self.read()["maxrss_kb"]

    def close(self):
        try:
            self.send({"op": "quit"})
        except BrokenPipeError:
            pass
        self.p.wait()


# The EXIF tags libvips 8.14 writes on its own (from the image's size and resolution) even when the source
# had none (webpsave cannot be stopped from writing them; Orientation 1 too, allowed below); anything
# else in a rendition came from the upload (camera, time, GPS, its thumbnail) and is a leak.
GENERATED_EXIF = {"XResolution", "YResolution", "ResolutionUnit", "YCbCrPositioning", "ExifVersion",
                  "ComponentsConfiguration", "FlashpixVersion", "ColorSpace", "PixelXDimension", "PixelYDimension"}


def darkroom_samples(stdout):
    """Per-job (wall_ms, cpu_ms) from `darkroom render --json`, whatever its exact nesting: the deepest
    objects that carry cpu_ms (a per-repeat list, or one per file) are the samples."""
    docs = []
    text = stdout.strip()
    try:
        docs.append(json.loads(text))
    except ValueError:
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("{") or line.startswith("["):
                try:
                    docs.append(json.loads(line))
                except ValueError:
                    pass
    samples = []

    def has_cpu(x):
        if isinstance(x, dict):
            return "cpu_ms" in x or any(has_cpu(v) for v in x.values())
        if isinstance(x, list):
            return any(has_cpu(v) for v in x)
        return False

    def walk(x):
        if isinstance(x, list):
            for v in x:
                walk(v)
        elif isinstance(x, dict):
            deeper = [v for k, v in x.items() if k != "cpu_ms" and has_cpu(v)]
            if "cpu_ms" in x and not deeper:
                cpu, wall = x["cpu_ms"], x.get("wall_ms", x.get("ms", 0))
                if isinstance(cpu, list):
                    walls = wall if isinstance(wall, list) else [0] * len(cpu)
                    samples.extend(zip(walls, cpu))
                else:
                    samples.append((wall or 0, cpu))
            for v in deeper:
                walk(v)

    for d in docs:
        walk(d)
    return [(float(w), float(c)) for w, c in samples]


# ---------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------
class Row:
    def __init__(self, rid, peer, mode, formats, kind, note=""):
        self.id, self.peer, self.mode, self.formats, self.kind, self.note = rid, peer, mode, formats, kind, note
        self.job_name = "full" if "webp" in formats else "jpeg"
        self.worker = None
        self.cpu = {}   # input -> [cpu_ms per job]
        self.wall = {}  # input -> [wall_ms per job]
        self.proc_cpu = {}  # darkroom: input -> [process CPU per job incl. start, from wait4]
        self.maxrss_kb = 0
        self.bytes = {}
        self.problems = []
        self.failed = ""
        self.jps = {}
        self.k = 0

    def out_dir(self, inp):
        d = os.path.join(WORK, "out", self.id, os.path.splitext(inp)[0])
        return d


def make_rows(env):
    rows = [
        Row("darkroom-jpeg", "Darkroom", "darkroom render, in-process CPU per job (--repeat)", ["jpeg"], "darkroom"),
        Row("darkroom-full", "Darkroom", "darkroom render, in-process CPU per job (--repeat)", ["jpeg", "webp"],
            "darkroom"),
        Row("pyvips-jpeg", "pyvips", "1 proc, jpeg shrink-on-load >= 1080 then cascade", ["jpeg"], "pyvips"),
        Row("pyvips-full", "pyvips", "1 proc, jpeg shrink-on-load >= 1080 then cascade", ["jpeg", "webp"], "pyvips"),
        Row("pillow-jpeg", "Pillow", "1 proc, draft() for 1080, LANCZOS cascade", ["jpeg"], "pillow"),
        Row("pillow-full", "Pillow", "1 proc, draft() for 1080, LANCZOS cascade", ["jpeg", "webp"], "pillow"),
        Row("vipsthumbnail-jpeg", "vipsthumbnail", "4 procs, -i srgb -e srgb, attention crop", ["jpeg"], "vipsthumbnail"),
        Row("convert-jpeg", "ImageMagick", "1 proc convert, jpeg:size hint at the same DCT scale, -resize cascade",
            ["jpeg"], "convert"),
        Row("convert-full", "ImageMagick", "1 proc convert, jpeg:size hint at the same DCT scale, -resize cascade",
            ["jpeg", "webp"], "convert"),
        Row("floor-jpeg", "floor (libjpeg-turbo)", "djpeg at the same DCT scale + cjpeg x4", ["jpeg"], "floor"),
    ]
    only = [r for r in os.environ.get("BENCH_ROWS", "").split(",") if r]
    if only:
        unknown = set(only) - {r.id for r in rows}
        if unknown:
            raise SystemExit("unknown BENCH_ROWS: " + ",".join(sorted(unknown)))
        rows = [r for r in rows if r.id in only]
    return rows


class Bench:
    def __init__(self):
        self.python = sys.executable
        self.inputs = sorted(os.path.basename(p) for p in glob.glob(os.path.join(INPUT_DIR, "*.jpg")))
        if TIMED not in self.inputs:
            raise SystemExit("no %s in %s" % (TIMED, INPUT_DIR))
        if QUICK:
            small = [i for i in self.inputs if i.startswith("probe")] or [i for i in self.inputs if i != TIMED][:1]
            self.inputs = [TIMED] + small[:1]
        self.info = {i: self.probe(os.path.join(INPUT_DIR, i)) for i in self.inputs}
        self.rows = make_rows(os.environ)
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(WORK)
        self.srgb_icc = os.path.join(WORK, "sRGB.icc")
        with open(self.srgb_icc, "wb") as f:  # libvips' built-in sRGB profile, for convert -profile
            f.write(pyvips.Image.black(1, 1, bands=3).icc_transform("srgb", input_profile="srgb")
                    .get("icc-profile-data"))
        self.ppms = {i: self.make_ppms(i) for i in self.inputs} if any(r.kind == "floor" for r in self.rows) else {}
        self.darkroom_ok = os.access(DARKROOM, os.X_OK)
        self.references = {}

    @staticmethod
    def probe(path):
        im = pyvips.Image.new_from_file(path)
        fields = im.get_fields()
        info = {"width": im.width, "height": im.height,
                "orientation": im.get("orientation") if "orientation" in fields else 1,
                "icc": "icc-profile-data" in fields}
        if info["orientation"] not in range(1, 9):
            info["orientation"] = 1
        info["shrink"] = jobs.dct_shrink(info)
        return info

    def make_ppms(self, inp):
        """Rendition-sized PPMs of the real photo for the floor's cjpeg (made once, not timed)."""
        d = os.path.join(WORK, "ppm", os.path.splitext(inp)[0])
        os.makedirs(d)
        kw = {"export_profile": "srgb"} if self.info[inp]["icc"] else {}
        src = pyvips.Image.thumbnail(os.path.join(INPUT_DIR, inp), 1080, height=10_000_000, size="down",
                                     **kw).copy_memory()
        out = {}
        for name, (w, h) in jobs.expected_sizes(self.info[inp]).items():
            im = src.thumbnail_image(w, height=h, crop="centre")
            out[name] = os.path.join(d, name + ".ppm")
            im.ppmsave(out[name], strip=True)
        return out

    # ---- one job of one row ----
    def cmds(self, row, inp, out):
        path, info = os.path.join(INPUT_DIR, inp), self.info[inp]
        if row.kind == "vipsthumbnail":
            return jobs.vipsthumbnail_cmds(path, out, row.formats, info)
        if row.kind == "convert":
            return jobs.convert_cmds(path, out, row.formats, info, self.srgb_icc)
        if row.kind == "floor":
            return jobs.floor_cmds(path, out, row.formats, info, self.ppms[inp])
        if row.kind == "darkroom":
            return [[DARKROOM, "render", path, "--out", out, "--json", "--formats", ",".join(row.formats),
                     "--repeat", str(row.repeat)]]
        raise ValueError(row.kind)

    def worker_for(self, row):
        if row.worker is None:
            row.worker = Worker(row.kind, self.python)
        return row.worker

    def run_job(self, row, inp, n=1):
        """n jobs on one input, one measurement. Returns Measured with per-job samples."""
        out = row.out_dir(inp)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        path, info = os.path.join(INPUT_DIR, inp), self.info[inp]
        if row.kind in ("pyvips", "pillow"):
            m = self.worker_for(row).job(path, out, row.formats, info, n=n)
            m.samples = [(m.wall_ms / n, m.cpu_ms / n)]
            return m
        if row.kind == "darkroom":
            row.repeat = n
            m = run_procs(self.cmds(row, inp, out), capture=True)
            if m.ok:
                m.samples = darkroom_samples(m.stdout)
                if not m.samples:
                    m.ok, m.error = False, "no cpu_ms in darkroom's --json output: %r" % m.stdout[:200]
            return m
        # CLI peers: a job is several processes; n jobs = n times the list
        m = run_procs(self.cmds(row, inp, out) * n)
        m.samples = [(m.wall_ms / n, m.cpu_ms / n)]
        return m

    # ---- correctness ----
    def check(self, row, inp):
        out, want = row.out_dir(inp), jobs.expected_sizes(self.info[inp])
        problems = []
        found = {}
        for root, _, files in os.walk(out):
            for f in files:
                ext = os.path.splitext(f)[1].lower()
                if ext in (".jpg", ".jpeg", ".webp"):
                    found.setdefault(ext.replace(".jpeg", ".jpg"), []).append(os.path.join(root, f))
        for ext in [".jpg"] + ([".webp"] if "webp" in row.formats else []):
            have = []  # (file, (w, h), progressive)
            for f in found.get(ext, []):
                im = pyvips.Image.new_from_file(f)
                fields = im.get_fields()
                have.append((f, (im.width, im.height), "jpeg-multiscan" in fields and im.get("jpeg-multiscan") == 1))
                leaked = [k for k in ("xmp-data", "iptc-data") if k in fields]
                leaked += [k for k in fields if k.startswith("exif-ifd") and k.split("-", 2)[2] not in GENERATED_EXIF
                           and not (k == "exif-ifd0-Orientation" and im.get(k).startswith("1 "))]
                if "jpeg-thumbnail-data" in fields:
                    leaked.append("jpeg-thumbnail-data")
                if leaked:
                    problems.append("%s/%s keeps %s%s" % (inp, os.path.basename(f), ",".join(leaked[:3]),
                                                          " (+%d more)" % (len(leaked) - 3) if len(leaked) > 3 else ""))
                if im.bands != 3 or im.interpretation != "srgb":
                    problems.append("%s/%s is %d-band %s" % (inp, os.path.basename(f), im.bands, im.interpretation))
            for name, target, _ in jobs.RENDITIONS:
                w, h = want[name]
                match = [x for x in have if x[1][0] == w and abs(x[1][1] - h) <= 1]
                if not match:
                    problems.append("%s %s%s missing: want %dx%d, have %s"
                                    % (inp, name, ext, w, h, sorted(set(x[1] for x in have))))
                    continue
                # "progressive at >= 640": by the preset's width or by the output's? Both readings pass when
                # a small input makes a >= 640 preset come out narrower than 640.
                allowed = {jobs.progressive(target), jobs.progressive(w)}
                pick = next((x for x in match if x[2] in allowed), match[0])
                have.remove(pick)
                if ext == ".jpg" and pick[2] not in allowed:
                    problems.append("%s %s progressive=%s" % (inp, name, pick[2]))
                if name == "w320":
                    problems += self.check_pixels(inp, pick[0])
        return problems

    def reference_w320(self, inp):
        """libvips' own w320 rendition of the input: upright, converted to sRGB when tagged."""
        if inp not in self.references:
            kw = {"export_profile": "srgb"} if self.info[inp]["icc"] else {}
            self.references[inp] = pyvips.Image.thumbnail(os.path.join(INPUT_DIR, inp), 320, height=10_000_000,
                                                          size="down", **kw).copy_memory()
        return self.references[inp]

    def check_pixels(self, inp, path):
        """Orientation and colour against libvips' rendition, both shrunk to 48 px wide (as peers-bench.md)."""
        ref = self.reference_w320(inp)
        got = pyvips.Image.new_from_file(path)
        if got.bands != ref.bands:
            return []
        small = lambda im: im.resize(48 / im.width, vscale=36 / im.height).cast("float")  # noqa: E731
        a, b = small(got), small(ref)
        d = (a - b).abs().avg()
        d_turned = (a - small(ref.rot180())).abs().avg()
        problems = []
        if d > 0.5 * d_turned:
            problems.append("%s w320 looks turned or mirrored (%.1f vs %.1f levels)" % (inp, d, d_turned))
        shift = max(abs(a[i].avg() - b[i].avg()) for i in range(a.bands))
        if shift > 3:
            problems.append("%s w320 colour shifted by %.1f levels vs libvips' rendition" % (inp, shift))
        return problems

    # ---- the run ----
    def run(self):
        t_start = time.time()
        active = []
        for row in self.rows:
            if row.kind == "darkroom" and DARKROOM_BUILD_FAILED:
                row.failed = "the release build failed (see %s)" % os.path.relpath(DARKROOM_BUILD_FAILED, ROOT)
                log("skip %-19s %s" % (row.id, row.failed))
            elif row.kind == "darkroom" and not self.darkroom_ok:
                row.failed = "darkroom binary not found at %s" % os.path.relpath(DARKROOM, ROOT)
                log("skip %-19s %s" % (row.id, row.failed))
            else:
                active.append(row)
        log("inputs: " + ", ".join("%s %dx%d o%d s1/%d%s" % (i, v["width"], v["height"], v["orientation"],
                                                              v["shrink"], " icc" if v["icc"] else "")
                                   for i, v in self.info.items()))
        log("warm-up round (also the correctness check and output bytes)")
        for row in active:
            for inp in self.inputs:
                m = self.run_job(row, inp, n=DARKROOM_REPEAT if row.kind == "darkroom" else 1)
                if not m.ok:
                    row.failed = m.error
                    log("  %-19s %-26s FAILED: %s" % (row.id, inp, m.error))
                    break
                row.problems += self.check(row, inp)
                row.bytes[inp] = sum(os.path.getsize(os.path.join(r, f))
                                     for r, _, fs in os.walk(row.out_dir(inp)) for f in fs)
            log("  %-19s %s" % (row.id, "FAILED" if row.failed else
                                 ("correct" if not row.problems else "PROBLEMS: " + "; ".join(row.problems[:3]))))
        active = [r for r in active if not r.failed]

        for rnd in range(ROUNDS):
            # rotate the row order each round so no row always runs right after the heaviest one
            order = active[rnd % len(active):] + active[:rnd % len(active)] if active else []
            for inp in self.inputs:
                for row in order:
                    m = self.run_job(row, inp, n=DARKROOM_REPEAT if row.kind == "darkroom" else 1)
                    if not m.ok:
                        row.failed = m.error
                        log("[round %d/%d] %-19s %-26s FAILED: %s" % (rnd + 1, ROUNDS, row.id, inp, m.error))
                        continue
                    row.cpu.setdefault(inp, []).extend(c for _, c in m.samples)
                    row.wall.setdefault(inp, []).extend(w for w, _ in m.samples)
                    if row.kind == "darkroom":
                        row.proc_cpu.setdefault(inp, []).append(m.cpu_ms / DARKROOM_REPEAT)
                        row.maxrss_kb = max(row.maxrss_kb, m.maxrss_kb)
                    elif row.kind not in ("pyvips", "pillow"):
                        row.maxrss_kb = max(row.maxrss_kb, m.maxrss_kb)
                    log("[round %d/%d] %-19s %-26s wall %7.1f ms  cpu %7.1f ms per job%s" % (
                        rnd + 1, ROUNDS, row.id, inp, statistics.median(w for w, _ in m.samples),
                        statistics.median(c for _, c in m.samples),
                        "  (process %.0f ms/job incl. start)" % (m.cpu_ms / DARKROOM_REPEAT)
                        if row.kind == "darkroom" else ""))
        active = [r for r in active if not r.failed]

        log("throughput on %s: K jobs back to back, 1 worker then 2 workers concurrently" % TIMED)
        for row in active:
            med_wall = statistics.median(row.wall[TIMED])
            row.k = max(3, min(60, round(THROUGHPUT_S * 1000 / max(med_wall, 1))))
            for nw in (1, 2):
                row.jps[nw] = self.throughput(row, nw)
                log("  %-19s %d worker%s K=%d: %s jobs/s" % (row.id, nw, "s" if nw > 1 else "", row.k,
                                                            "%.2f" % row.jps[nw] if row.jps[nw] else "FAILED"))
        for row in active:
            if row.kind in ("pyvips", "pillow") and row.worker:
                row.maxrss_kb = max(row.maxrss_kb, row.worker.maxrss_kb())
        for row in self.rows:
            if row.worker:
                row.worker.close()
        self.elapsed = time.time() - t_start

    def throughput(self, row, nw):
        """jobs/s = nw*K jobs / (last end - first start). In-process workers are started and warmed up
        first; darkroom and CLI rows include their process starts (darkroom: one per K jobs)."""
        results = [None] * nw
        extra = []
        if row.kind in ("pyvips", "pillow"):
            workers = [self.worker_for(row)] + [Worker(row.kind, self.python) for _ in range(nw - 1)]
            for w in workers[1:]:
                extra.append(w)
                w.job(os.path.join(INPUT_DIR, TIMED), self.tp_out(row, 99), row.formats, self.info[TIMED])

        def one(i):
            out = self.tp_out(row, i)
            if row.kind in ("pyvips", "pillow"):
                w = workers[i]
                results[i] = w.job(os.path.join(INPUT_DIR, TIMED), out, row.formats, self.info[TIMED], n=row.k)
            else:
                if row.kind == "darkroom":
                    row.repeat = row.k
                    cmds = self.cmds(row, TIMED, out)
                else:
                    cmds = self.cmds(row, TIMED, out) * row.k
                results[i] = run_procs(cmds, capture=row.kind == "darkroom")
                if row.kind != "darkroom" or results[i].ok:
                    row.maxrss_kb = max(row.maxrss_kb, results[i].maxrss_kb)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(nw)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for w in extra:
            row.maxrss_kb = max(row.maxrss_kb, w.maxrss_kb())
            w.close()
        if not all(r and r.ok for r in results):
            return None
        span = max(r.t1 for r in results) - min(r.t0 for r in results)
        return nw * row.k / span

    def tp_out(self, row, i):
        d = os.path.join(WORK, "tp", row.id, str(i))
        os.makedirs(d, exist_ok=True)
        return d

    # ---- report ----
    def summary(self):
        rows = []
        for row in self.rows:
            r = {"id": row.id, "peer": row.peer, "mode": row.mode, "job": row.job_name,
                 "formats": row.formats, "failed": row.failed or None}
            if not row.failed and row.cpu.get(TIMED):
                r.update({
                    "cpu_ms_per_job": statistics.median(row.cpu[TIMED]),
                    "cpu_ms_min": min(row.cpu[TIMED]),
                    "wall_ms_per_job": statistics.median(row.wall[TIMED]),
                    "samples": len(row.cpu[TIMED]),
                    "jobs_per_s_1w": row.jps.get(1), "jobs_per_s_2w": row.jps.get(2), "k": row.k,
                    "peak_rss_mb": row.maxrss_kb / 1024 if row.maxrss_kb else None,
                    "output_bytes": row.bytes.get(TIMED),
                    "output_bytes_all_inputs": sum(row.bytes.values()),
                    "cpu_ms_per_input": {i: statistics.median(v) for i, v in row.cpu.items()},
                    "cpu_ms_all_inputs": sum(statistics.median(v) for v in row.cpu.values()),
                    "correct": not row.problems, "problems": row.problems,
                })
                if row.proc_cpu.get(TIMED):
                    r["process_cpu_ms_per_job_incl_start"] = statistics.median(row.proc_cpu[TIMED])
            rows.append(r)
        ref = {r["job"]: r for r in rows if r["id"].startswith("pyvips-") and "cpu_ms_per_job" in r}
        floor = next((r for r in rows if r["id"] == "floor-jpeg" and "cpu_ms_per_job" in r), None)
        for r in rows:
            base = ref.get(r["job"])
            if base and "cpu_ms_per_job" in r:
                r["x_pyvips"] = {
                    "cpu": r["cpu_ms_per_job"] / base["cpu_ms_per_job"],
                    "jobs_per_s_1w": _ratio(r["jobs_per_s_1w"], base["jobs_per_s_1w"]),
                    "jobs_per_s_2w": _ratio(r["jobs_per_s_2w"], base["jobs_per_s_2w"]),
                    "peak_rss": _ratio(r["peak_rss_mb"], base["peak_rss_mb"]),
                    "output_bytes": _ratio(r["output_bytes"], base["output_bytes"]),
                }
            if floor and "cpu_ms_per_job" in r:
                r["x_floor_cpu"] = r["cpu_ms_per_job"] / floor["cpu_ms_per_job"]
        return rows

    def write(self):
        rows = self.summary()
        doc = {
            "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "quick": QUICK, "rounds": ROUNDS,
            "elapsed_s": round(self.elapsed, 1), "timed_input": TIMED, "inputs": self.info,
            "machine": {"nproc": os.cpu_count(), "loadavg": os.getloadavg(),
                        "libvips": pyvips.version(0) and "%d.%d.%d" % tuple(pyvips.version(i) for i in range(3))},
            "job": {"renditions": [list(r) for r in jobs.RENDITIONS], "jpeg_q": jobs.JPEG_Q,
                    "webp_q": jobs.WEBP_Q, "progressive_from": jobs.PROGRESSIVE_FROM},
            "rows": rows,
        }
        os.makedirs(RESULTS, exist_ok=True)
        with open(os.path.join(RESULTS, "engine.json"), "w") as f:
            json.dump(doc, f, indent=1, sort_keys=False)
            f.write("\n")
        md = self.markdown(doc)
        with open(os.path.join(RESULTS, "engine.md"), "w") as f:
            f.write(md)
        log("")
        log(md)
        log("wrote bench/results/engine.json and bench/results/engine.md (%.0f s)" % self.elapsed)

    def markdown(self, doc):
        L = []
        L.append("# Engine benchmark: the upload job, Darkroom and peers side by side%s\n"
                 % (" (BENCH_QUICK: a harness check, not a measurement)" if doc["quick"] else ""))
        L.append("Input `%s` (4032x3024 stored, EXIF orientation 6, 12 MP); renditions w1080, w640, w320 "
                 "(width, never upscaled) and sq150 (150x150 crop); JPEG q%d, progressive at >= %d px; the "
                 "full job adds WebP q%d. %d interleaved round(s) over %d input(s) after a warm-up round; "
                 "%s, load average at the end %.2f, libvips %s. Ratios (x) are to the pyvips row of the same job: "
                 "lower is better for CPU, RSS and bytes, higher for jobs/s.\n" % (
                     doc["timed_input"], jobs.JPEG_Q, jobs.PROGRESSIVE_FROM, jobs.WEBP_Q, doc["rounds"],
                     len(doc["inputs"]), time.strftime("%Y-%m-%d %H:%M"), doc["machine"]["loadavg"][0],
                     doc["machine"]["libvips"]))
        for job, title in (("jpeg", "JPEG-only job (4 JPEG renditions: what the peers do)"),
                           ("full", "Full job (4 JPEG + 4 WebP renditions)")):
            L.append("## %s\n" % title)
            L.append("| row | mode | CPU ms/job (median) | x | wall ms/job | jobs/s 1 worker | x | jobs/s 2 workers | x "
                     "| peak RSS MB | x | output KB | x | correct |")
            L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
            for r in doc["rows"]:
                if r["job"] != job:
                    continue
                if "cpu_ms_per_job" not in r:
                    L.append("| %s | %s | n/a: %s |%s" % (r["peer"], r["mode"], (r["failed"] or "no data")
                                                          .replace("|", "/")[:160], " |" * 11))
                    continue
                x = r.get("x_pyvips", {})
                L.append("| %s | %s | %.0f | %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    r["peer"], r["mode"], r["cpu_ms_per_job"], _x(x.get("cpu")), r["wall_ms_per_job"],
                    _f(r["jobs_per_s_1w"]), _x(x.get("jobs_per_s_1w")), _f(r["jobs_per_s_2w"]),
                    _x(x.get("jobs_per_s_2w")), _f(r["peak_rss_mb"], "%.0f"), _x(x.get("peak_rss")),
                    _f(r["output_bytes"] / 1000 if r["output_bytes"] else None, "%.0f"), _x(x.get("output_bytes")),
                    "yes" if r["correct"] else "no: " + "; ".join(r["problems"][:2]).replace("|", "/")))
            if job == "full":
                L.append("| vipsthumbnail, floor | | n/a (no WebP in the row) |" + " |" * 11)
            L.append("")
        dr = next((r for r in doc["rows"] if r["id"] == "darkroom-jpeg" and "cpu_ms_per_job" in r), None)
        py = next((r for r in doc["rows"] if r["id"] == "pyvips-jpeg" and "cpu_ms_per_job" in r), None)
        fl = next((r for r in doc["rows"] if r["id"] == "floor-jpeg" and "cpu_ms_per_job" in r), None)
        if dr and py and fl:
            L.append("**Goal check (JPEG-only)**: Darkroom CPU/job %.2fx pyvips (goal <= 0.6), %.2fx the floor "
                     "(goal <= 2), peak RSS %.2fx pyvips (goal <= 1).\n" % (
                         dr["cpu_ms_per_job"] / py["cpu_ms_per_job"], dr["cpu_ms_per_job"] / fl["cpu_ms_per_job"],
                         dr["peak_rss_mb"] / py["peak_rss_mb"]))
        for r in doc["rows"]:
            if r.get("process_cpu_ms_per_job_incl_start"):
                L.append("Darkroom %s job, process CPU per job including process start (`--repeat %d`, os.wait4): "
                         "%.0f ms.\n" % (r["job"], DARKROOM_REPEAT, r["process_cpu_ms_per_job_incl_start"]))
        L.append("## CPU ms per job on every input (median)\n")
        ids = [r for r in doc["rows"] if "cpu_ms_per_input" in r]
        L.append("| row | " + " | ".join(os.path.splitext(i)[0] for i in doc["inputs"]) + " | sum |")
        L.append("|---|" + "---|" * (len(doc["inputs"]) + 1))
        for r in ids:
            L.append("| %s | " % r["id"] + " | ".join(_f(r["cpu_ms_per_input"].get(i), "%.0f") for i in doc["inputs"])
                     + " | %.0f |" % r["cpu_ms_all_inputs"])
        L.append("")
        L.append("## Notes\n")
        L.append("- CPU = user+sys of every thread of the job's process(es). In-process rows (pyvips, Pillow) run in "
                 "a persistent worker like an app server, measured with getrusage(RUSAGE_SELF) deltas around each "
                 "job: interpreter start and imports are excluded. Darkroom is measured the same way, in-process: "
                 "`darkroom render --repeat %d` reports the median wall_ms/cpu_ms of its runs, so "
                 "process start is excluded too (its process CPU per job including start is in engine.json). "
                 "CLI rows (vipsthumbnail, convert, the floor) are measured with os.wait4 per process and include "
                 "their process starts, as a deployment of them would." % DARKROOM_REPEAT)
        L.append("- jobs/s: one worker doing K jobs back to back on the 12 MP input, then two workers doing K each "
                 "concurrently; jobs/s = jobs / (last end - first start). Python workers are started and warmed up "
                 "before the clock starts; Darkroom's figure includes its one process start per K jobs "
                 "(conservative).")
        L.append("- Peak RSS: ru_maxrss of the worker process (Python rows include the interpreter), the largest "
                 "single process for CLI rows, the `darkroom render` process for Darkroom.")
        L.append("- Like with like: every row decodes the JPEG once at the same DCT scale (1/2 for the 12 MP input; "
                 "pyvips shrink-on-load, Pillow draft(), ImageMagick's jpeg:size hint, djpeg -scale) except "
                 "vipsthumbnail, which decodes once per rendition. sq150 uses libvips' attention crop in libvips "
                 "rows (Darkroom, pyvips, vipsthumbnail) and a centre crop in Pillow and ImageMagick.")
        L.append("- The floor is libjpeg-turbo alone: djpeg at the same scale to /dev/null plus cjpeg of the four "
                 "rendition-sized PPMs (made beforehand): no resize, rotation or colour work.")
        L.append("- Correctness is checked on every input after the warm-up round: each rendition's size (height "
                 "+-1), 3-band sRGB, progressive exactly at >= 640 px (by preset or by output width), w320 upright and "
                 "within 3 levels of libvips' own rendition per band (ICC converted), nothing of the source's metadata (EXIF "
                 "camera/time/GPS tags, embedded thumbnail, XMP, IPTC). Tolerated: the minimal EXIF that libvips "
                 "8.14's webpsave always writes (size, resolution, Orientation 1), since its strip option is ignored "
                 "(libvips issue #3340); the pyvips row removes the metadata fields before saving for that reason.")
        L.append("- The machine is shared: treat absolute figures as +-20-30% and read the ratios (see "
                 "../shared/reference/peers-bench.md, Caveats).")
        return "\n".join(L) + "\n"


def _ratio(a, b):
    return a / b if a and b else None


def _x(v):
    return "%.2f" % v if v is not None else "-"


def _f(v, fmt="%.2f"):
    return fmt % v if v is not None else "-"


def main():
    pyvips.cache_set_max(0)
    b = Bench()
    try:
        b.run()
    finally:
        for row in b.rows:
            if row.worker and row.worker.p.poll() is None:
                row.worker.close()
    b.write()


if __name__ == "__main__":
    main()
