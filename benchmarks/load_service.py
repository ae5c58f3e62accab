"""Load test of the service API: 100 concurrent clients submit jobs, then read them back.

Phase 1 (`--duration` / 2 s): every client POSTs the bundled ft06 job shop as JSON, back to back:
accepted jobs/s and submit latency. Phase 2 (the other half): every client GETs /jobs/{id} of
jobs it submitted: requests/s and p50/p99 latency. Starts its own `omnisolve serve` on loopback
with a fresh SQLite database and no workers (so solving does not compete for the CPU), or
targets a running server with --url and --token.

    .venv/bin/python benchmarks/load_service.py [--clients 100] [--duration 30] [--db URL] [--workers 0]
    .venv/bin/python benchmarks/load_service.py --url http://127.0.0.1:8000 --token TOKEN
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

FT06 = (Path(__file__).resolve().parents[1] / "src" / "omnisolve" / "data" / "ft06.txt").read_text()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def run_phase(clients: list[httpx.AsyncClient], seconds: float, request) -> tuple[list[float], int, list]:
    """Each client calls `request(client, i)` in a loop for `seconds`; latencies, errors, results."""
    latencies: list[float] = []
    results: list = []
    errors = 0
    end = time.perf_counter() + seconds

    async def loop(client: httpx.AsyncClient, i: int) -> None:
        nonlocal errors
        while time.perf_counter() < end:
            start = time.perf_counter()
            try:
                response = await request(client, i)
                ok = response.status_code < 300
            except httpx.HTTPError:
                ok, response = False, None
            if ok:
                latencies.append(time.perf_counter() - start)
                results.append((i, response.json()))
            else:
                errors += 1

    await asyncio.gather(*(loop(c, i) for i, c in enumerate(clients)))
    return latencies, errors, results


async def load(
    url: str, token: str, n_clients: int, duration: float
) -> list[tuple[str, int, float, float, float, int]]:
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [httpx.AsyncClient(base_url=url, headers=headers, timeout=60, limits=limits) for _ in range(n_clients)]
    body = {"content": FT06, "filename": "ft06.txt", "time_limit": 5}
    try:
        lat, err, res = await run_phase(clients, duration / 2, lambda c, i: c.post("/jobs", json=body))
        rows = [
            (
                "POST /jobs (submit ft06)",
                len(lat),
                len(lat) / (duration / 2),
                percentile(lat, 0.5),
                percentile(lat, 0.99),
                err,
            )
        ]
        mine: dict[int, list[str]] = {}
        for i, job in res:
            mine.setdefault(i, []).append(job["id"])
        counter = [0] * n_clients

        def get(c: httpx.AsyncClient, i: int):
            counter[i] += 1
            ids = mine.get(i) or [res[0][1]["id"]]
            return c.get(f"/jobs/{ids[counter[i] % len(ids)]}")

        lat, err, _ = await run_phase(clients, duration / 2, get)
        rows.append(
            ("GET /jobs/{id}", len(lat), len(lat) / (duration / 2), percentile(lat, 0.5), percentile(lat, 0.99), err)
        )
        return rows
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


@contextlib.contextmanager
def own_server(db: str, workers: int):
    """`omnisolve serve` on a free loopback port; yields (url, token, command)."""
    from omnisolve.service.auth import create_token

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    token = create_token(db, "load")
    cmd = [sys.executable, "-m", "omnisolve.cli", "serve", "--port", str(port), "--db", db, "--workers", str(workers)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health").status_code == 200:
                    break
            time.sleep(0.2)
        yield url, token, " ".join(["omnisolve", *cmd[3:]])
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds in all (half per phase)")
    parser.add_argument("--url", help="target this running server instead of starting one")
    parser.add_argument("--token", help="API token for --url")
    parser.add_argument("--db", help="database of the started server (default: a fresh SQLite file)")
    parser.add_argument("--workers", type=int, default=0, help="workers of the started server")
    args = parser.parse_args()
    if args.url:
        server = contextlib.nullcontext((args.url, args.token, f"(running server at {args.url})"))
    else:
        db = args.db or f"sqlite:///{Path(tempfile.mkdtemp(prefix='omnisolve-load-')) / 'load.db'}"
        server = own_server(db, args.workers)
    with server as (url, token, serve_cmd):
        rows = asyncio.run(load(url, token, args.clients, args.duration))
    print(
        f"server: `{serve_cmd}` on {os.cpu_count()} CPUs; "
        f"{args.clients} concurrent clients, {args.duration / 2:g} s per phase"
    )
    print(f"command: `python benchmarks/load_service.py {' '.join(sys.argv[1:])}`\n")
    print("| request | completed | per second | p50 (ms) | p99 (ms) | errors |")
    print("|---|---|---|---|---|---|")
    for name, count, rate, p50, p99, errors in rows:
        print(f"| {name} | {count} | {rate:.0f} | {p50 * 1000:.1f} | {p99 * 1000:.1f} | {errors} |")


if __name__ == "__main__":
    main()
