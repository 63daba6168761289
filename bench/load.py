"""Load check of `migdocs serve`: N concurrent clients for S seconds on loopback.

    python bench/load.py                      # 20 clients, 30 s; writes docs/web-load.md
    python bench/load.py --home ~/.local/share/migdocs --clients 20 --seconds 30 --no-write

Starts a real `migdocs serve` (uvicorn) on a free 127.0.0.1 port over HOME (by default a
fresh temporary home with the bundled corpus ingested), then each client thread sends
requests one after another over its own keep-alive connection until the time is up: a mix
of search pages and API searches in the four languages, document pages, parallel views,
autocomplete and the programme, as delegates in the room would. Reports requests/s and
p50/p95/p99/max latency, overall and per kind of request. Any response other than 200, or
any failure to connect, is an error; the exit code is 1 when there was one.
"""

from __future__ import annotations

import argparse
import http.client
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVE = "from migdocs.cli import main; main()"

#: (kind, path): what the clients ask for, in turn (each client starts at another offset).
MIX = [
    ("search page", "/search?q=migrant+workers"),
    ("api search", "/api/search?q=remittances"),
    ("search page", "/search?q=" + urllib.parse.quote("العمال المهاجرين")),
    ("api search", "/api/search?q=travailleurs+migrants&lang=fr"),
    ("search page", "/search?q=trabajadores+migrantes&sort=date"),
    ("search page", "/search?q=migration&lang=fr&session=I"),
    ("suggest", "/api/suggest?q=UN%2FPOP"),
    ("document page", "/documents/A/69/767"),
    ("api search", "/api/search?q=%22armed+forces%22"),
    ("suggest", "/api/suggest?q=Inter"),
    ("document page", "/documents/UN/POP/MIG-16CM/2018/5"),
    ("search page", "/search?q=remitances~"),
    ("parallel view", "/documents/A/69/767/parallel"),
    ("api document", "/api/documents/A%2F69%2F767"),
    ("search page", "/"),
    ("meeting page", "/meetings/16CM"),
    ("search page", "/search?q=A/69/767"),
    ("search page", "/search?q=migra*&page=2"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", SERVE, "--home", str(home), "serve", "--port",
                             str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"migdocs serve exited: {proc.stderr.read()}")  # type: ignore[union-attr]
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/openapi.json")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("migdocs serve did not answer within 120 s")


def client(port: int, offset: int, deadline: float, results: list, errors: list) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    i = offset
    while time.monotonic() < deadline:
        kind, path = MIX[i % len(MIX)]
        i += 1
        started = time.perf_counter()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{path}: {type(exc).__name__}: {exc}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        elapsed = time.perf_counter() - started
        results.append((kind, elapsed))
        if status != 200:
            errors.append(f"{path}: HTTP {status}")
    conn.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def summary(label: str, values: list[float], seconds: float) -> str:
    ms = [v * 1000 for v in values]
    return (f"| {label} | {len(ms)} | {len(ms) / seconds:.1f} | {statistics.median(ms):.0f} | "
            f"{percentile(ms, 95):.0f} | {percentile(ms, 99):.0f} | {max(ms):.0f} |")


def phase(port: int, clients: int, seconds: float) -> tuple[list[tuple[str, float]], list[str], float]:
    """`clients` threads for `seconds`: (kind, latency) of every answer, errors, elapsed."""
    results: list[tuple[str, float]] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=client, args=(port, n * 5, deadline, results, errors))
               for n in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors, time.monotonic() - started


def run(home: Path, clients: int, seconds: float, baseline: float) -> tuple[list[str], int]:
    """A one-client baseline (what one request costs with nobody waiting), then the load."""
    port = free_port()
    server = start_server(home, port)
    try:
        alone, alone_errors, alone_elapsed = phase(port, 1, baseline)
        results, errors, elapsed = phase(port, clients, seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    errors += alone_errors
    by_kind: dict[str, list[float]] = defaultdict(list)
    for kind, value in results:
        by_kind[kind].append(value)
    lines = [f"{clients} concurrent clients for {seconds:.0f} s against `migdocs serve` on "
             f"127.0.0.1 ({platform.python_implementation()} {platform.python_version()}, "
             f"{_cores()} cores, uvicorn, 8 worker threads), each client sending its next request "
             f"as soon as the last one answered; before it, one client alone for {baseline:.0f} s "
             "(the baseline: what a request costs when nobody waits).", "",
             "| requests | count | per second | p50 ms | p95 ms | p99 ms | max ms |",
             "|---|---|---|---|---|---|---|",
             summary("baseline: 1 client, all", [v for _, v in alone], alone_elapsed),
             summary(f"**{clients} clients, all**", [v for _, v in results], elapsed)]
    lines += [summary(kind, values, elapsed) for kind, values in sorted(by_kind.items())]
    lines += ["", f"Errors (any response but 200, or no response): **{len(errors)}**"]
    lines += [f"- {e}" for e in errors[:20]]
    return lines, len(errors)


def _cores() -> int:
    import os
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, help="repository to serve (default: the corpus, "
                                                  "ingested into a temporary home)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--baseline-seconds", type=float, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only; keep docs/web-load.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="migdocs-load-") as tmp:
        home = args.home
        if home is None:
            home = Path(tmp) / "home"
            subprocess.run([sys.executable, "-c", SERVE, "--home", str(home), "ingest",
                            str(ROOT / "corpus")], check=True, stdout=subprocess.DEVNULL)
        lines, errors = run(home, args.clients, args.seconds, args.baseline_seconds)
    report = "\n".join(lines)
    print(report)
    if not args.no_write:
        doc = ROOT / "docs" / "web-load.md"
        doc.write_text("# Web load check\n\nMeasured by `python bench/load.py` (see its docstring "
                       "for the request mix).\n\n" + report + "\n")
        print(f"\nwrote {doc.relative_to(ROOT)}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
