#!/usr/bin/env python3
"""A memory-limited service survives million-node graphs (CI stage after the unit tests).

Publishes the service (Release) and the benchmarks console, writes bigdag.sh's random DAG of 10^6 nodes (57 MB of
JSON, within the shipped body and node limits), and starts the service with its shipped defaults under a GC heap hard
limit of 1 GiB (DOTNET_GCHeapHardLimit, what a memory-limited container gives it) on 127.0.0.1 at a free port. Then
posts the graph 20 times one after the other and 4 times at once: every answer must be 200 (a whole answer) or 429
(the work budget is full: try later), never a 5xx; /healthz must say 200 after each; the process must not have run
out of memory. Each check prints a line; the last line is 'N passed, N failed'. Exits non-zero on any failure.

    python3 tests/memory/survive.py                  # 20 sequential, 4 concurrent, 1 GiB
    SEQUENTIAL=5 CONCURRENT=2 HEAP_LIMIT=0x30000000 python3 tests/memory/survive.py
"""
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SEQUENTIAL = int(os.environ.get("SEQUENTIAL", "20"))
CONCURRENT = int(os.environ.get("CONCURRENT", "4"))
NODES = int(os.environ.get("NODES", "1000000"))
HEAP_LIMIT = os.environ.get("HEAP_LIMIT", "0x40000000")

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
    print(f"{'ok  ' if ok else 'FAIL'} {what}", flush=True)
    return ok


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(port, body, timeout=120):
    """
    POSTs the graph as a careful client does (curl too, for large bodies): with Expect: 100-continue, sending the body
    only once the server asks for it, so a request turned away while it waits for the work budget reads its 429
    instead of a broken pipe. Returns (status, answer size, whether a 200's answer is whole, seconds).
    """
    start = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall((f"POST /v1/evaluate HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                       f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n").encode())
            received = b""
            while b"\r\n\r\n" not in received:
                chunk = s.recv(65536)
                if not chunk: break
                received += chunk
            if received.startswith(b"HTTP/1.1 100"):
                s.sendall(body)
                received = received[received.index(b"\r\n\r\n") + 4:]
            while True:
                chunk = s.recv(1 << 20)
                if not chunk: break
                received += chunk
    except OSError as e:
        return f"error: {e}", 0, False, time.monotonic() - start
    head, _, answer = received.partition(b"\r\n\r\n")
    try:
        status = int(head.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return f"no answer ({len(received)} bytes)", 0, False, time.monotonic() - start
    # The answer is chunked: its last chunk is the end of the stats object and the zero-length chunk.
    whole = b'{"mode":"training"' in answer[:64] and b'"stats"' in answer[-300:] and answer.endswith(b"}}\r\n0\r\n\r\n")
    return status, len(answer), whole, time.monotonic() - start


def health(port):
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/healthz")
        status = conn.getresponse().status
        conn.close()
        return status
    except (OSError, http.client.HTTPException) as e:
        return f"error: {e}"


def answered(status, size, whole, seconds):
    return status == 429 or (status == 200 and whole), f"{status}, {size:,} bytes{'' if whole or status != 200 else ' (cut short)'}, {seconds:.1f} s"


def main():
    work = tempfile.mkdtemp(prefix="survive-")
    process = None
    try:
        print("== publish (Release)", flush=True)
        for project, out in (("src/GradApi", "app"), ("tests/GradApi.Benchmarks", "bench")):
            subprocess.run(["dotnet", "publish", project, "-c", "Release", "-o", os.path.join(work, out), "--nologo", "-v", "q"],
                           cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        dag = os.path.join(work, "dag.json")
        subprocess.run(["dotnet", os.path.join(work, "bench", "GradApi.Benchmarks.dll"), "gen", str(NODES), dag], check=True)
        body = open(dag, "rb").read()

        port = free_port()
        print(f"== the service with its shipped defaults, DOTNET_GCHeapHardLimit={HEAP_LIMIT}, on 127.0.0.1:{port}", flush=True)
        env = dict(os.environ, DOTNET_GCHeapHardLimit=HEAP_LIMIT, ASPNETCORE_ENVIRONMENT="Production")
        log = open(os.path.join(work, "app.log"), "wb")
        process = subprocess.Popen(["dotnet", "GradApi.dll", "--urls", f"http://127.0.0.1:{port}", "--Logging:LogLevel:Default=Warning"],
                                   cwd=os.path.join(work, "app"), env=env, stdout=log, stderr=subprocess.STDOUT)
        for _ in range(150):
            if health(port) == 200 or process.poll() is not None:
                break
            time.sleep(0.2)
        if not check(health(port) == 200, "the service starts and /healthz says 200"):
            return

        print(f"== {SEQUENTIAL} requests one after the other ({len(body):,} bytes, {NODES:,} nodes)", flush=True)
        for i in range(SEQUENTIAL):
            ok, said = answered(*post(port, body))
            status = health(port)
            check(ok and status == 200, f"sequential {i + 1}: {said}; /healthz {status}")

        print(f"== {CONCURRENT} requests at once", flush=True)
        results = [None] * CONCURRENT
        def run(k):
            results[k] = post(port, body)
        threads = [threading.Thread(target=run, args=(k,)) for k in range(CONCURRENT)]
        for t in threads: t.start()
        for t in threads: t.join()
        for k, result in enumerate(results):
            ok, said = answered(*result)
            check(ok, f"concurrent {k + 1}: {said}")
        check(any(r[0] == 200 for r in results), "at least one of the concurrent requests was served")

        status = health(port)
        check(status == 200, f"after them /healthz says {status}")
        check(process.poll() is None, "the process is still running")
        log.flush()
        text = open(os.path.join(work, "app.log"), errors="replace").read()
        check("OutOfMemory" not in text, "the log tells of no out-of-memory")
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if failed and os.path.exists(os.path.join(work, "app.log")):
            print("-- the service's log (last 40 lines):")
            print("\n".join(open(os.path.join(work, "app.log"), errors="replace").read().splitlines()[-40:]))
        shutil.rmtree(work, ignore_errors=True)
        print(f"{passed} passed, {failed} failed", flush=True)
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
