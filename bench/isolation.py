"""`make bench`, isolation part: what rendering in a `darkroom render-worker` process (as the server does) costs per
job next to the in-process engine, on the same photos, in the same run, interleaved.

For each photo and mode, `darkroom render --repeat N` runs with N = 1 and N = 1 + REPEAT; CPU per job is the difference
of the two runs' CPU (RUSAGE_CHILDREN: the render process and, in isolated mode, its worker, which it reaps) divided
by REPEAT, so process start-up, libvips initialisation and the worker's spawn cancel out. Latency per job is the median
`wall_ms` that `darkroom render --json` reports. Medians over ROUNDS rounds. Writes bench/results/isolation.{json,md}.

The photos' differences sit inside this machine's noise (a 0.5 s render varies by several percent run to run), so a
last row isolates the transport itself: a 7x7 JPEG padded to 3 MB (the size of a 12-MP upload; libjpeg ignores bytes
after the image) renders in a few milliseconds, so isolated minus in-process is what moving 3 MB to a worker and the
renditions back costs.
  BENCH_QUICK=1          one photo, 1 round
  BENCH_ISOLATION_ROUNDS=N, BENCH_ISOLATION_REPEAT=N
  DARKROOM_BIN=path      the darkroom binary (default .build/release/darkroom)
  BENCH_IMAGES=dir       the benchmark photos (default ../shared/benchimages)
"""
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results")
QUICK = os.environ.get("BENCH_QUICK") == "1"
DARKROOM = os.environ.get("DARKROOM_BIN", os.path.join(ROOT, ".build", "release", "darkroom"))
IMAGES = os.environ.get("BENCH_IMAGES", os.path.join(os.path.dirname(ROOT), "shared", "benchimages"))
PHOTOS = ["up12mp_rot6.jpg"] if QUICK else ["up12mp_rot6.jpg", "iphone6.jpg", "nikon_d70s.jpg"]
ROUNDS = int(os.environ.get("BENCH_ISOLATION_ROUNDS", "1" if QUICK else "5"))
REPEAT = int(os.environ.get("BENCH_ISOLATION_REPEAT", "3" if QUICK else "8"))
MODES = {"in-process": [], "isolated": ["--isolated"]}


def run(photo, mode, n):
    """(CPU seconds of the whole run incl. reaped descendants, [wall_ms per job])"""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([DARKROOM, "render", photo, "--json", "--repeat", str(n)] + MODES[mode],
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    report = json.loads(out.strip().splitlines()[-1])
    assert report["ok"], report
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), report["wall_ms"]


def main():
    if not os.path.exists(DARKROOM):
        print(f"bench isolation: {DARKROOM} is missing; skipped", file=sys.stderr)
        return 1
    samples = {(p, m): {"cpu": [], "wall": []} for p in PHOTOS for m in MODES}
    for round_ in range(ROUNDS):
        for photo in PHOTOS:
            path = os.path.join(IMAGES, photo)
            for mode in (MODES if round_ % 2 == 0 else reversed(list(MODES))):  # alternate the order per round
                one, _ = run(path, mode, 1)
                many, wall = run(path, mode, 1 + REPEAT)
                samples[(photo, mode)]["cpu"].append((many - one) / REPEAT * 1000)
                samples[(photo, mode)]["wall"].append(wall)
        print(f"bench isolation: round {round_ + 1}/{ROUNDS} done", file=sys.stderr)
    with tempfile.TemporaryDirectory() as scratch:
        padded = os.path.join(scratch, "padded_3mb.jpg")
        with open(os.path.join(ROOT, "testimages", "tiny_7x7.jpg"), "rb") as f:
            tiny = f.read()
        with open(padded, "wb") as f:
            f.write(tiny + random.Random(9).randbytes(3 * 1024 * 1024))
        transport = {}
        for mode in MODES:
            cpu, wall = [], []
            for _ in range(ROUNDS):
                one, _ = run(padded, mode, 1)
                many, ms = run(padded, mode, 1 + 40)
                cpu.append((many - one) / 40 * 1000)
                wall.append(ms)
            transport[mode] = (statistics.median(cpu), statistics.median(wall))
    rows = []
    for photo in PHOTOS:
        local, isolated = samples[(photo, "in-process")], samples[(photo, "isolated")]
        row = {"photo": photo,
               "cpu_ms_in_process": statistics.median(local["cpu"]), "cpu_ms_isolated": statistics.median(isolated["cpu"]),
               "wall_ms_in_process": statistics.median(local["wall"]), "wall_ms_isolated": statistics.median(isolated["wall"])}
        row["cpu_overhead"] = row["cpu_ms_isolated"] / row["cpu_ms_in_process"] - 1
        row["wall_overhead"] = row["wall_ms_isolated"] / row["wall_ms_in_process"] - 1
        rows.append(row)
        print(f"bench isolation: {row}", file=sys.stderr)
    transport_cpu = transport["isolated"][0] - transport["in-process"][0]
    transport_wall = transport["isolated"][1] - transport["in-process"][1]
    engine_cpu = statistics.median(r["cpu_ms_in_process"] for r in rows)
    result = {"rounds": ROUNDS, "repeat": REPEAT, "rows": rows, "cores": os.cpu_count(),
              "median_cpu_overhead": statistics.median(r["cpu_overhead"] for r in rows),
              "transport_3mb": {"cpu_ms_in_process": transport["in-process"][0], "cpu_ms_isolated": transport["isolated"][0],
                                "wall_ms_in_process": transport["in-process"][1], "wall_ms_isolated": transport["isolated"][1],
                                "cpu_ms": transport_cpu, "wall_ms": transport_wall},
              "transport_share_of_engine_cpu": transport_cpu / engine_cpu}
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "isolation.json"), "w") as f:
        json.dump(result, f, indent=2)
    lines = [f"Render isolation: `darkroom render --isolated` (a render-worker process, as the server renders) vs "
             f"in-process, same photos, same run, interleaved; medians of {ROUNDS} rounds, CPU per job from "
             f"{REPEAT}+1 vs 1 jobs per process (start-up cancels out); {os.cpu_count()} cores.", "",
             "| photo | CPU ms/job in-process | CPU ms/job isolated | CPU overhead | wall ms in-process | wall ms isolated | wall overhead |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['photo']} | {r['cpu_ms_in_process']:.1f} | {r['cpu_ms_isolated']:.1f} | {r['cpu_overhead']:+.1%} | "
                     f"{r['wall_ms_in_process']:.1f} | {r['wall_ms_isolated']:.1f} | {r['wall_overhead']:+.1%} |")
    t = result["transport_3mb"]
    lines.append(f"| 7x7 JPEG padded to 3 MB (transport) | {t['cpu_ms_in_process']:.2f} | {t['cpu_ms_isolated']:.2f} | "
                 f"+{t['cpu_ms']:.2f} ms | {t['wall_ms_in_process']:.2f} | {t['wall_ms_isolated']:.2f} | +{t['wall_ms']:.2f} ms |")
    lines += ["", f"Median CPU overhead on the photos: {result['median_cpu_overhead']:+.1%} (within run-to-run noise). "
              f"The transport of a 3 MB upload costs {t['cpu_ms']:.1f} ms CPU and {t['wall_ms']:.1f} ms wall per job: "
              f"{result['transport_share_of_engine_cpu']:.1%} of the engine's median {engine_cpu:.0f} ms CPU per job "
              f"(goal: under 5 %)."]
    with open(os.path.join(RESULTS, "isolation.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
