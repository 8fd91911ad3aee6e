#!/usr/bin/env python3
"""Logins during a flood of sign-ups. Measures one login every 100 ms for a few seconds
alone, then again while 300 sign-ups are fired at once from 300 threads, and prints the
login latency percentiles of both phases and how the sign-ups ended (201, 429 throttled,
503 queue full). Used by bench/run (scenario su)."""
import json
import sys
import threading
import time
import urllib.error
import urllib.request


def post(base, path, payload):
    req = urllib.request.Request(base + path, data=json.dumps(payload).encode(),
                                 headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            res.read()
            return res.status
    except urllib.error.HTTPError as err:
        return err.code
    except Exception:  # noqa: BLE001 - a failed connection is counted, not raised
        return 0


def logins(base, email, password, seconds):
    latencies = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.monotonic()
        status = post(base, "/api/auth/login", {"email": email, "password": password})
        if status == 200:
            latencies.append(time.monotonic() - start)
        time.sleep(max(0.0, 0.1 - (time.monotonic() - start)))
    return latencies


def pct(values, p):
    values = sorted(values)
    return round(values[min(len(values) - 1, int(p * len(values)))] * 1000, 1) if values else None


def main():
    base, email, password = sys.argv[1], sys.argv[2], sys.argv[3]
    alone = logins(base, email, password, 3)
    outcomes = {}
    lock = threading.Lock()

    def signup(i):
        pw = f"flood-password-{i}-horse"
        status = post(base, "/api/auth/signup", {"email": f"flood{i}@example.com",
                                                 "username": f"flood{i}", "password": pw,
                                                 "password2": pw})
        with lock:
            outcomes[str(status)] = outcomes.get(str(status), 0) + 1

    threads = [threading.Thread(target=signup, args=(i,)) for i in range(300)]
    for t in threads:
        t.start()
    during = logins(base, email, password, 5)
    for t in threads:
        t.join()
    print(json.dumps({
        "alone": {"logins": len(alone), "p50_ms": pct(alone, 0.5), "p99_ms": pct(alone, 0.99)},
        "during_signups": {"logins": len(during), "p50_ms": pct(during, 0.5), "p99_ms": pct(during, 0.99)},
        "signups": outcomes,
    }))


if __name__ == "__main__":
    main()
