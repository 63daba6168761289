"""Speed benchmark (issue 7, part 3): migdocs against SQLite FTS5 on the same texts, in one run.

    python bench/speed.py                    # 5,000 and 20,000 versions (about 20 minutes today)
    python bench/speed.py --quick            # 5,000 only (about 4 minutes today)
    python bench/speed.py --sizes 5000,20000,50000 --out docs/benchmarks.md
    python -m bench speed ...                # the same
    python bench/speed.py --quick --skip-ingest   # search and CLI again on the last run's home

For each size: generates the corpus (`bench/speed_corpus.py`: N versions = N/4 documents x
ar/en/es/fr from `corpus/unpc/text/`, fixed seed, cached in `bench/out/`), then measures
1. `migdocs --home H ingest FOLDER` (the installed console script, default workers = one per
   core) against building an FTS5 table of the same files: wall time and peak RSS;
2. the 130-query mix (`bench/speed_queries.py`) with a warm `migdocs.open(home)` and one
   SQLite connection, each in its own process: median of ROUNDS runs per query, p50/p95/max
   over the mix, and the search process's peak RSS;
3. `migdocs get A/98/1` and `migdocs list --symbol 'A/98/1*'` against `python -c "import
   click"`: median wall time of 10 runs each.
Then writes the report (`--out`, default `docs/benchmarks.md`) and the raw figures
(`bench/out/speed-results.json`; `--report-from` that file writes the report again). Uses
migdocs only through its CLI and `migdocs.open`.

`--engines whoosh,sphinx1,sphinx2` also measures the sphinxql backend (issue 11) on a Sphinx
cluster of 1 node and of 2 shards that the benchmark starts and stops itself
(`bench/speed_sphinx.py`: needs `searchd`, Debian `sphinxsearch`): its home is the Whoosh
home's catalog, `migdocs engine set` + `migdocs reindex` (timed), then the same query mix.
`--cache DIR` puts the corpora and homes elsewhere than `bench/out` (and reuses them there).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import speed_corpus, speed_queries, speed_report  # noqa: E402

BIN = Path(sys.executable).parent
MIGDOCS = str(BIN / "migdocs") if (BIN / "migdocs").exists() else (shutil.which("migdocs") or "migdocs")
CLI_RUNS = 10
NOT_MEASURED = {"seconds": math.nan, "cpu": math.nan, "rss_max": math.nan, "rss_tree": math.nan,
                "exit": None}
PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants now (ingest's workers included)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * PAGE
        except OSError:
            pass
    return total


def measured(cmd: list[str], *, log: Path) -> dict[str, float]:
    """Run `cmd`; its wall time, its largest process's peak RSS (wait4, which counts its
    waited-for descendants too) and the peak RSS of its whole process tree (sampled 4x/s)."""
    with log.open("w") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        peak, done = [0], threading.Event()

        def sample() -> None:
            while not done.wait(0.25):
                peak[0] = max(peak[0], tree_rss(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0,):
        tail = log.read_text(errors="replace")[-2000:]
        print(f"  {cmd[0]} ... exited {proc.returncode}; log {log}:\n{tail}", file=sys.stderr)
    return {"seconds": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "rss_max": usage.ru_maxrss * 1024, "rss_tree": peak[0], "exit": proc.returncode}


def cli_time(cmd: list[str], runs: int = CLI_RUNS) -> dict[str, float]:
    """Median wall and CPU time of `runs` runs after one untimed run (warm file cache)."""
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    wall, cpu = [], []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall.append(time.perf_counter() - start)
        cpu.append(usage.ru_utime + usage.ru_stime)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}")
    return {"seconds": statistics.median(wall), "cpu": statistics.median(cpu)}


def compile_package() -> None:
    """Write migdocs's bytecode, as `pip install` does for an installed package (and as click
    has in site-packages). An editable install run with PYTHONDONTWRITEBYTECODE=1 (set on this
    machine) would otherwise compile every migdocs module from source at each start: 47 ms of
    a `migdocs get`, measured with cProfile, which no installed copy pays."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "migdocs")], check=True,
                   env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""})


def worker(*args: str) -> list[str]:
    return [sys.executable, "-m", "bench.speed_worker", *args]


def search_mix(engine: str, where: Path, run: Path, queries_file: Path, rounds: int) -> dict:
    """The query mix in its own process (`bench.speed_worker search`): times and peak RSS."""
    out = run / f"search-{engine}.json"
    out.unlink(missing_ok=True)
    proc = measured(worker("search", engine, str(where), str(queries_file), str(rounds), str(out)),
                    log=run / f"search-{engine}.log")
    if proc["exit"] != 0 or not out.exists():
        raise SystemExit(f"the {engine} search process failed: see {run / f'search-{engine}.log'}")
    return {**proc, **json.loads(out.read_text(encoding="utf-8"))}


def measure_size(versions: int, seed: int, rounds: int, queries_file: Path,
                 pool: speed_corpus.Pool, *, skip_ingest: bool = False,
                 engines: tuple[str, ...] = ("whoosh",)) -> dict[str, object]:
    t0 = time.perf_counter()
    load = [os.getloadavg()[0]]
    folder = speed_corpus.generate(versions, seed=seed, pool=pool, cache=speed_corpus.CACHE)
    print(f"[{versions}] corpus {folder} ({time.perf_counter() - t0:.0f} s)", flush=True)
    run = speed_corpus.CACHE / f"run-{versions}"
    home, db = run / "home", run / "fts.sqlite"
    result: dict[str, object] = {"versions": versions, "documents": versions // 4,
                                 "bytes": speed_corpus.corpus_bytes(folder),
                                 "corpus": str(folder), "home": str(home)}
    if skip_ingest and (run / "BUILT").exists():
        result["ingest"] = result["fts_build"] = dict(NOT_MEASURED)
        print(f"[{versions}] --skip-ingest: reusing {home} and {db}", flush=True)
    else:
        shutil.rmtree(run, ignore_errors=True)
        run.mkdir(parents=True)
        result["ingest"] = measured([MIGDOCS, "--home", str(home), "ingest", str(folder)],
                                    log=run / "ingest.log")
        print(f"[{versions}] migdocs ingest {result['ingest']['seconds']:.1f} s", flush=True)
        load.append(os.getloadavg()[0])
        result["fts_build"] = measured(worker("fts-build", str(db), str(folder)), log=run / "fts-build.log")
        print(f"[{versions}] FTS5 build {result['fts_build']['seconds']:.1f} s", flush=True)
        (run / "BUILT").write_text(f"{speed_report.commit()}\n", encoding="utf-8")
    for engine, where in (("migdocs", home), ("fts", db)):
        result[f"search_{engine}"] = search_mix(engine, where, run, queries_file, rounds)
        print(f"[{versions}] {engine} query mix {result[f'search_{engine}']['seconds']:.1f} s", flush=True)
        load.append(os.getloadavg()[0])
    for engine in engines:
        if engine == "whoosh":
            continue
        from bench import speed_sphinx

        def search(name: str, where: Path, folder: Path) -> dict:
            return search_mix("migdocs", where, folder, queries_file, rounds)

        result[engine] = speed_sphinx.measure(engine, run, home, migdocs=MIGDOCS, measured=measured,
                                              search=search, skip_ingest=skip_ingest)
        print(f"[{versions}] {engine} done in {result[engine]['elapsed']:.0f} s", flush=True)
        load.append(os.getloadavg()[0])
    result["cli"] = {
        "get": cli_time([MIGDOCS, "--home", str(home), "get", "A/98/1"]),
        "list": cli_time([MIGDOCS, "--home", str(home), "list", "--symbol", "A/98/1*"]),
        "import_click": cli_time([sys.executable, "-c", "import click"]),
    }
    result["elapsed"] = time.perf_counter() - t0
    result["load"] = [*load, os.getloadavg()[0]]  # 1-minute load average between phases
    print(f"[{versions}] done in {result['elapsed']:.0f} s", flush=True)
    return result


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python bench/speed.py", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="5000,20000",
                        help="language versions per corpus, comma-separated (default 5000,20000)")
    parser.add_argument("--quick", action="store_true", help="5,000 versions only (under 5 minutes)")
    parser.add_argument("--out", default="docs/benchmarks.md", help="report (default docs/benchmarks.md)")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of each query (median)")
    parser.add_argument("--seed", type=int, default=speed_corpus.SEED)
    parser.add_argument("--skip-ingest", action="store_true",
                        help="reuse the homes and FTS5 tables of the last run (search and CLI only: "
                             "minutes instead of the ingests)")
    parser.add_argument("--engines", default="whoosh",
                        help="whoosh (always) plus sphinx1 (1 node) and/or sphinx2 (2 shards): "
                             "the sphinxql backend on a Sphinx cluster this run starts and stops "
                             "(default whoosh)")
    parser.add_argument("--cache", metavar="DIR",
                        help=f"corpora, homes and raw figures (default {speed_corpus.CACHE})")
    parser.add_argument("--note", default="", help="a sentence to print in the report")
    parser.add_argument("--report-from", metavar="JSON",
                        help="only write the report again from a run's raw figures")
    return parser.parse_args(argv)


def engine_list(text: str) -> tuple[str, ...]:
    engines = tuple(dict.fromkeys(["whoosh", *(e.strip() for e in text.split(",") if e.strip())]))
    unknown = [e for e in engines if e not in ("whoosh", "sphinx1", "sphinx2")]
    if unknown:
        raise SystemExit(f"--engines: unknown {', '.join(unknown)}; use whoosh, sphinx1, sphinx2")
    if len(engines) > 1 and shutil.which("searchd") is None:
        raise SystemExit("--engines sphinx1/sphinx2 need searchd: apt-get install sphinxsearch")
    return engines


def write_report(run: dict, out_arg: str) -> None:
    text = speed_report.render(run)
    out = Path(out_arg)
    out = out if out.is_absolute() else ROOT / out
    out.write_text(text, encoding="utf-8")
    print(text)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.report_from:
        run = json.loads(Path(args.report_from).read_text(encoding="utf-8"))
        write_report({**run, "note": args.note or run.get("note", "")}, args.out)
        return
    sizes = [5000] if args.quick else [int(s.replace("_", "")) for s in args.sizes.split(",")]
    engines = engine_list(args.engines)
    if args.cache:
        speed_corpus.CACHE = Path(args.cache).resolve()
    command = "python bench/speed.py " + " ".join(sys.argv[1:] if argv is None else argv)
    started, commit = time.time(), speed_report.commit()  # the code measured, before any edit
    compile_package()
    pool = speed_corpus.load_pool()
    queries = speed_queries.mix(args.seed, pool)
    speed_corpus.CACHE.mkdir(parents=True, exist_ok=True)
    queries_file = speed_corpus.CACHE / "speed-queries.json"
    queries_file.write_text(json.dumps([q.as_dict() for q in queries], ensure_ascii=False), encoding="utf-8")
    results = [measure_size(n, args.seed, args.rounds, queries_file, pool, skip_ingest=args.skip_ingest,
                            engines=engines)
               for n in sorted(sizes)]
    run = {"command": command.strip(), "commit": commit, "started": started, "seconds": time.time() - started,
           "seed": args.seed, "rounds": args.rounds, "pool": {"lines": len(pool), "digest": pool.digest},
           "queries": [q.as_dict() for q in queries], "sizes": results, "note": args.note,
           "engines": list(engines)}
    (speed_corpus.CACHE / "speed-results.json").write_text(json.dumps(run, ensure_ascii=False, indent=1),
                                                            encoding="utf-8")
    write_report(run, args.out)


if __name__ == "__main__":
    main()
