#!/usr/bin/env python3
"""Load for tests/container/scale.sh: POSTs one body to one URL from a few
threads (each on its own keep-alive connection), and checks every answer
byte for byte against an expected body.

    scale_load.py URL BODY_FILE EXPECTED_FILE --count N | --seconds S [--threads T]

Prints one JSON line: requests, ok (200 with the expected bytes), wrong (200
with other bytes: must never happen), failed (no answer, or not a 200) with
the statuses seen, and how many answers each replica served (by the
X-GradApi-Replica header). Bounded in count or in time; talks to the URL's
host only.
"""
import argparse
import collections
import http.client
import json
import threading
import time
import urllib.parse


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("body")
    parser.add_argument("expected")
    parser.add_argument("--count", type=int, default=0, help="requests in all")
    parser.add_argument("--seconds", type=float, default=0, help="or: for this long")
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    if (args.count > 0) == (args.seconds > 0):
        parser.error("give one of --count and --seconds")

    url = urllib.parse.urlsplit(args.url)
    body = open(args.body, "rb").read()
    expected = open(args.expected, "rb").read()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}

    lock = threading.Lock()
    tally = collections.Counter()
    replicas = collections.Counter()
    statuses = collections.Counter()
    errors = collections.Counter()
    first_wrong = []
    remaining = [args.count]
    deadline = time.monotonic() + args.seconds if args.seconds > 0 else None

    def take() -> bool:
        with lock:
            if deadline is not None:
                return time.monotonic() < deadline
            if remaining[0] <= 0:
                return False
            remaining[0] -= 1
            return True

    def worker() -> None:
        connection = None
        while take():
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=20)
                connection.request("POST", url.path + (f"?{url.query}" if url.query else ""), body, headers)
                response = connection.getresponse()
                answer = response.read()
                replica = response.getheader("X-GradApi-Replica", "(none)")
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException) as e:
                with lock:
                    tally["requests"] += 1
                    tally["failed"] += 1
                    errors[type(e).__name__] += 1
                if connection is not None:
                    connection.close()
                connection = None
                continue
            with lock:
                tally["requests"] += 1
                if status != 200:
                    tally["failed"] += 1
                    statuses[status] += 1
                elif answer != expected:
                    tally["wrong"] += 1
                    if not first_wrong:
                        first_wrong.append(answer[:400].decode("utf-8", "replace"))
                else:
                    tally["ok"] += 1
                    replicas[replica] += 1
        if connection is not None:
            connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started

    print(json.dumps({
        "requests": tally["requests"], "ok": tally["ok"], "wrong": tally["wrong"], "failed": tally["failed"],
        "statuses": {str(k): v for k, v in sorted(statuses.items())}, "errors": dict(errors),
        "replicas": dict(sorted(replicas.items())), "seconds": round(elapsed, 2),
        "first_wrong": first_wrong[0] if first_wrong else None,
    }))


if __name__ == "__main__":
    main()
