"""The theme page over HTTP: gunicorn on loopback under wrk (or a bounded Python client).

Gunicorn runs as in production (DEBUG off, collected static files, a generated secret) with
two workers, the number of cores. Worker class: see WORKER_ARGS and docs/performance.md.
"""

import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

HOST = "127.0.0.1"
WORKERS = 2
# sync: the theme page is CPU-bound (about 15 ms of Python, 2 ms waiting for PostgreSQL), so
# one process per core serving one request at a time is fastest. gthread measured slower here
# (the GIL shared by threads, and keep-alive connections piling onto one worker): see
# docs/performance.md. As gunicorn advises for sync workers, production puts a buffering
# proxy in front for slow clients.
WORKER_CLASSES = {
    "sync": ["--worker-class", "sync"],
    "gthread": ["--worker-class", "gthread", "--threads", "2"],
}
WORKER_ARGS = WORKER_CLASSES["sync"]
# Two per worker: each worker always has the next request waiting.
CONNECTIONS = 4
START_TIMEOUT = 60


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn started on entry and always stopped on exit."""

    def __init__(self, *, root, environment, worker_args=WORKER_ARGS, workers=WORKERS):
        self.root = root
        self.environment = environment
        self.worker_args = worker_args
        self.workers = workers
        self.port = free_port()
        self.process = None

    @property
    def base_url(self):
        return f"http://{HOST}:{self.port}"

    def __enter__(self):
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "maturity.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(self.workers),
            *self.worker_args,
            "--preload",
            "--log-level",
            "warning",
            "--timeout",
            "60",
        ]
        self.process = subprocess.Popen(
            command,
            cwd=self.root,
            env={**os.environ, **self.environment},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.process.stderr.read()[-2000:]}")
            if self._answers() and len(self.worker_pids()) >= self.workers:
                return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError("gunicorn did not answer within a minute")

    def _answers(self):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
        try:
            conn.request("GET", "/healthz/")
            return conn.getresponse().status < 500
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def worker_pids(self):
        """The master's child processes, from /proc."""
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    # The command name is in parentheses and may contain spaces.
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(entry))
        return pids

    def worker_cpu_seconds(self):
        """User and system CPU time the workers have used, in seconds."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.worker_pids():
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def worker_peak_rss_mb(self):
        """Each worker's peak resident set (VmHWM), in MB."""
        peaks = {}
        for pid in self.worker_pids():
            try:
                with open(f"/proc/{pid}/status") as status:
                    for line in status:
                        if line.startswith("VmHWM:"):
                            peaks[pid] = int(line.split()[1]) / 1024
            except OSError:
                continue
        return peaks


def run_wrk(*, url, cookie, seconds, connections=CONNECTIONS, threads=1, script):
    """wrk for `seconds` against `url`; its summary as a dict."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        "-H",
        f"Cookie: {cookie}",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("BENCH_JSON "))
    summary = json.loads(line.removeprefix("BENCH_JSON "))
    errors = sum(summary[key] for key in ("connect", "read", "write", "status", "timeout"))
    return {
        "tool": "wrk",
        "rps": summary["requests"] / (summary["duration_us"] / 1e6),
        "p50_ms": summary["p50_us"] / 1000,
        "p95_ms": summary["p95_us"] / 1000,
        "p99_ms": summary["p99_us"] / 1000,
        "requests": summary["requests"],
        "errors": errors,
        "error_detail": {
            key: summary[key] for key in ("connect", "read", "write", "status", "timeout")
        },
    }


def run_python_load(*, url, cookie, seconds, connections=CONNECTIONS):
    """A bounded load generator for machines without wrk: `connections` threads, each with
    a keep-alive connection, for `seconds`. Slower than wrk, so it understates throughput."""
    parsed = urllib.parse.urlsplit(url)
    deadline = time.monotonic() + seconds
    latencies, errors, lock = [], [0], threading.Lock()

    def client():
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
        mine, failed = [], 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                conn.request("GET", parsed.path, headers={"Cookie": cookie})
                answer = conn.getresponse()
                answer.read()
                if answer.status >= 400:
                    failed += 1
                mine.append(time.perf_counter() - started)
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    workers = [threading.Thread(target=client) for _ in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(seconds + 30)
    elapsed = time.monotonic() - started
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    return {
        "tool": "python",
        "rps": len(latencies) / elapsed,
        "p50_ms": quantiles[49] * 1000,
        "p95_ms": quantiles[94] * 1000,
        "p99_ms": quantiles[98] * 1000,
        "requests": len(latencies),
        "errors": errors[0],
        "error_detail": {},
    }


def load(*, url, cookie, seconds, script, tool="auto", connections=CONNECTIONS):
    if tool == "wrk" or (tool == "auto" and shutil.which("wrk")):
        return run_wrk(
            url=url, cookie=cookie, seconds=seconds, script=script, connections=connections
        )
    return run_python_load(url=url, cookie=cookie, seconds=seconds, connections=connections)
