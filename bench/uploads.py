"""`make bench`, upload part: end-to-end uploads of a 12-MP photo through a release `darkroom serve` on a
dedicated local stack, at concurrency 1, 2, 4 and 8, next to the engine alone (`darkroom render`) in the same run.

Reports uploads/s, p50/p99 latency, server CPU per upload, the engine's CPU per job, their ratio (how much of an
upload's CPU is image work) and the server's peak RSS. Writes bench/results/uploads.{json,md}. Environment:
  BENCH_QUICK=1          fewer uploads per level
  BENCH_UPLOADS_PER=N    uploads per concurrency level = N x concurrency (default 6; quick 2), at least 8
  DARKROOM_BIN=path      the darkroom binary (default .build/release/darkroom)
  BENCH_STACK_OFFSET=N   port offset of the bench stack (default 700; it is reset, used and stopped)
"""
import concurrent.futures
import http.client
import json
import os
import resource
import shlex
import socket
import statistics
import subprocess
import sys
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results")
QUICK = os.environ.get("BENCH_QUICK") == "1"
PER = int(os.environ.get("BENCH_UPLOADS_PER", "2" if QUICK else "6"))
DARKROOM = os.environ.get("DARKROOM_BIN", os.path.join(ROOT, ".build", "release", "darkroom"))
PHOTO = os.path.join(os.path.dirname(ROOT), "shared", "benchimages", "up12mp_rot6.jpg")
LEVELS = [1, 2, 4, 8]
OFFSET = os.environ.get("BENCH_STACK_OFFSET", "700")
CLK_TCK = os.sysconf("SC_CLK_TCK")


def devstack(*args, capture=False):
    env = dict(os.environ, DARKROOM_DEVSTACK_PORT_OFFSET=OFFSET)
    result = subprocess.run([os.path.join(ROOT, "scripts", "devstack"), *args], env=env, check=True,
                            stdout=subprocess.PIPE if capture else subprocess.DEVNULL, text=True)
    return result.stdout


def stack_environment():
    env = dict(os.environ)
    for line in devstack("env", "test", capture=True).splitlines():
        if line.startswith("export "):
            for word in shlex.split(line[len("export "):]):
                key, _, value = word.partition("=")
                env[key] = value
    return env


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=None, headers=None, timeout=120):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def session(port):
    name = "b" + uuid.uuid4().hex[:12]
    body = json.dumps({"username": name, "password": "bench password"})
    status, _ = request(port, "POST", "/v1/users", body, {"Content-Type": "application/json"})
    assert status == 201, status
    status, data = request(port, "POST", "/v1/sessions", body, {"Content-Type": "application/json"})
    assert status == 201, status
    return json.loads(data)["token"]


def multipart(photo):
    boundary = "bench" + uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\nbench #darkroom\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p.jpg\"\r\n"
            "Content-Type: image/jpeg\r\n\r\n").encode()
    return head + photo + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def upload(port, token, photo):
    body, content_type = multipart(photo)
    start = time.perf_counter()
    status, _ = request(port, "POST", "/v1/media", body, {"Content-Type": content_type, "Authorization": f"Bearer {token}"})
    return status, time.perf_counter() - start


def _stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def render_workers(pid):
    """Pids of the server's live children (its render-worker processes)."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(_stat(entry)[1]) == pid:
                    children.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return children


def process_cpu(pid):
    """CPU seconds of the server and its render workers: the pixels are decoded in the workers."""
    fields = _stat(pid)
    total = sum(int(v) for v in fields[11:15])  # utime + stime + cutime + cstime (workers already reaped)
    for child in render_workers(pid):
        try:
            total += sum(int(v) for v in _stat(child)[11:13])
        except OSError:
            pass  # reaped meanwhile: counted in cutime/cstime next time
    return total / CLK_TCK


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def engine_cpu_per_job(env, repeat=8):
    """CPU seconds of one full engine job (JPEG + WebP renditions): (repeat+1 jobs - 1 job) / repeat, so process
    start-up and libvips initialisation cancel out."""
    def run(n):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([DARKROOM, "render", PHOTO, "--repeat", str(n)], env=env, check=True, stdout=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return (run(repeat + 1) - run(1)) / repeat


def percentile(values, p):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def main():
    if not os.path.exists(DARKROOM):
        print(f"bench uploads: {DARKROOM} is missing; skipped", file=sys.stderr)
        return 1
    photo = open(PHOTO, "rb").read()
    devstack("reset", "test")
    devstack("up", "test")
    server = None
    try:
        env = stack_environment()
        env["DARKROOM_LOG_LEVEL"] = "warning"
        subprocess.run([DARKROOM, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        env.update(DARKROOM_HTTP_PORT=str(port), DARKROOM_BCRYPT_COST="4", DARKROOM_LOG_LEVEL="warning")
        # Every bench user signs up and uploads from 127.0.0.1: the per-address and per-user limits would measure themselves.
        env.update(DARKROOM_RATE_SIGNUP_IP="off", DARKROOM_RATE_LOGIN_IP="off", DARKROOM_RATE_UPLOAD_USER="off")
        server = subprocess.Popen([DARKROOM, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while True:
            try:
                if request(port, "GET", "/health/ready", timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline or server.poll() is not None:
                raise RuntimeError("darkroom serve did not become ready")
            time.sleep(0.2)

        engine = [engine_cpu_per_job(env)]
        upload(port, session(port), photo)  # warm-up: connection pools, libvips, first-use paths
        levels = []
        for concurrency in LEVELS:
            count = max(8, PER * concurrency)
            tokens = [session(port) for _ in range(count)]
            cpu_before = process_cpu(server.pid)
            start = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
                results = list(pool.map(lambda token: upload(port, token, photo), tokens))
            wall = time.perf_counter() - start
            cpu = process_cpu(server.pid) - cpu_before
            ok = [latency for status, latency in results if status == 201]
            statuses = {}
            for status, _ in results:
                statuses[status] = statuses.get(status, 0) + 1
            levels.append({
                "concurrency": concurrency, "uploads": count, "created": len(ok), "statuses": statuses,
                "uploads_per_s": len(ok) / wall, "p50_ms": percentile(ok, 50) * 1000 if ok else None,
                "p99_ms": percentile(ok, 99) * 1000 if ok else None, "cpu_ms_per_upload": cpu / max(1, len(ok)) * 1000,
            })
            print(f"bench uploads: c={concurrency} {levels[-1]}", file=sys.stderr)
        engine.append(engine_cpu_per_job(env))
        engine_ms = statistics.median(engine) * 1000
        rss = peak_rss_mb(server.pid)
        worker_rss = max((peak_rss_mb(child) for child in render_workers(server.pid)), default=float("nan"))
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
        devstack("down", "test")

    upload_cpu = statistics.median(level["cpu_ms_per_upload"] for level in levels)
    result = {"photo": os.path.basename(PHOTO), "levels": levels, "engine_cpu_ms_per_job": engine_ms,
              "upload_cpu_ms_median": upload_cpu, "engine_share_of_upload_cpu": engine_ms / upload_cpu,
              "server_peak_rss_mb": rss, "render_worker_peak_rss_mb": worker_rss, "cores": os.cpu_count()}
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "uploads.json"), "w") as f:
        json.dump(result, f, indent=2)
    lines = [
        f"End-to-end uploads of {result['photo']} (12 MP, JPEG + WebP renditions) through `darkroom serve` (release) "
        f"on the local stack; {os.cpu_count()} cores.", "",
        "| concurrency | uploads | 201 | other | uploads/s | p50 ms | p99 ms | server + workers CPU ms/upload |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for level in levels:
        other = {k: v for k, v in level["statuses"].items() if k != 201}
        lines.append(f"| {level['concurrency']} | {level['uploads']} | {level['created']} | {other or '-'} | "
                     f"{level['uploads_per_s']:.2f} | {level['p50_ms']:.0f} | {level['p99_ms']:.0f} | {level['cpu_ms_per_upload']:.0f} |")
    lines += ["", f"Engine alone (`darkroom render`, same photo, same run): {engine_ms:.0f} ms CPU per job. "
              f"Median upload CPU {upload_cpu:.0f} ms: the engine is {result['engine_share_of_upload_cpu']:.0%} of it, "
              f"the service adds {upload_cpu - engine_ms:.0f} ms ({upload_cpu / engine_ms:.2f}x). Server CPU includes its render "
              f"workers'. Peak RSS: server {rss:.0f} MB, largest render worker {worker_rss:.0f} MB."]
    with open(os.path.join(RESULTS, "uploads.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
