#!/usr/bin/env python3
"""Upload benchmark: PUT /api/posts/{id}/thumbnail with one JPEG, COUNT times one after
another, then CONCURRENT at once; reports p50/p99 time per upload and the server's peak RSS
(VmRSS sampled every 5 ms from /proc while the uploads run). Standard library only.

usage: upload.py BASE TOKEN JPEG SERVER_PID [COUNT] [CONCURRENT]
"""
import json
import statistics
import sys
import threading
import time
import urllib.request
import uuid


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    base, token, path, pid = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    count = int(sys.argv[5]) if len(sys.argv) > 5 else 20
    concurrent = int(sys.argv[6]) if len(sys.argv) > 6 else 8
    data = open(path, "rb").read()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(method, url, body, extra=None):
        req = urllib.request.Request(base + url, data=body, method=method, headers={**headers, **(extra or {})})
        with urllib.request.urlopen(req, timeout=60) as res:
            return res.status, res.read()

    status, body = call("POST", "/api/posts", json.dumps({"title": "bench", "content": "upload", "category": "chat"}).encode())
    post = json.loads(body)["id"]
    boundary = uuid.uuid4().hex
    form = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.jpg\"\r\n"
        f"Content-Type: image/jpeg\r\n\r\n"
    ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    ctype = {"Content-Type": f"multipart/form-data; boundary={boundary}"}

    peak = [rss_kb(pid)]
    start_rss = peak[0]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_kb(pid))
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    times, failures = [], 0

    def one():
        nonlocal failures
        t0 = time.perf_counter()
        try:
            status, _ = call("PUT", f"/api/posts/{post}/thumbnail", form, ctype)
            ok = status == 200
        except Exception:
            ok = False
        elapsed = (time.perf_counter() - t0) * 1000
        if ok:
            times.append(elapsed)
        else:
            failures += 1

    for _ in range(count):
        one()
    sequential = sorted(times)
    times.clear()
    threads = [threading.Thread(target=one) for _ in range(concurrent)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    burst_ms = (time.perf_counter() - t0) * 1000
    stop.set()
    sampler.join()

    def pct(xs, p):
        return round(xs[min(len(xs) - 1, int(len(xs) * p))], 1) if xs else None

    print(json.dumps({
        "bytes": len(data),
        "uploads": count,
        "p50_ms": round(statistics.median(sequential), 1) if sequential else None,
        "p99_ms": pct(sequential, 0.99),
        "concurrent": concurrent,
        "concurrent_all_done_ms": round(burst_ms, 1),
        "concurrent_statuses_ok": len(times),
        "failures": failures,
        "rss_before_mb": round(start_rss / 1024, 1),
        "peak_rss_mb": round(peak[0] / 1024, 1),
    }))


if __name__ == "__main__":
    main()
