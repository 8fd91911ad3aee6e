#!/usr/bin/env python3
"""Sends N successful logins per second to confab for a number of seconds, paced, and
prints how many completed and their latency percentiles. Used by bench/run."""
import json
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor


def login(base, email, password, latencies, errors):
    body = json.dumps({"email": email, "password": password}).encode()
    req = urllib.request.Request(base + "/api/auth/login", data=body,
                                 headers={"content-type": "application/json"})
    start = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            res.read()
            if res.status != 200:
                errors.append(res.status)
                return
    except Exception as exc:  # noqa: BLE001 - any failure is counted, not raised
        errors.append(str(exc))
        return
    latencies.append(time.monotonic() - start)


def main():
    base, email, password, rate, seconds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    latencies, errors = [], []
    lock = threading.Lock()
    with ThreadPoolExecutor(max_workers=max(4, rate)) as pool:
        start = time.monotonic()
        for i in range(rate * seconds):
            due = start + i / rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(login, base, email, password, latencies, errors)
    with lock:
        lat = sorted(latencies)
    def pct(p):
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")
    print(json.dumps({"completed": len(lat), "errors": len(errors), "p50_ms": round(pct(0.50), 1),
                      "p99_ms": round(pct(0.99), 1)}))


if __name__ == "__main__":
    main()
