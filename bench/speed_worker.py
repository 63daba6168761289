"""The processes `bench/speed.py` measures, one per job, so each has its own peak RSS:

    python -m bench.speed_worker fts-build DB FOLDER
    python -m bench.speed_worker search migdocs|fts HOME_OR_DB QUERIES.json ROUNDS OUT.json

`search` opens the engine once (a warm `migdocs.open(home)` reused, or one SQLite connection),
runs the whole mix once untimed, then ROUNDS timed rounds (round-robin, so no query is timed
right after itself), and writes each query's times in seconds.
Only migdocs's public API is used: `migdocs.open(home).search(q, limit=10, **filters)`.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

LIMIT = 10
FTS_SCHEMA = ("CREATE VIRTUAL TABLE docs USING fts5(symbol, body, lang UNINDEXED, "
              "tokenize = 'unicode61 remove_diacritics 2')")
FTS_QUERY = ("SELECT symbol, lang, snippet(docs, 1, '<b>', '</b>', '…', 16) FROM docs "
             "WHERE docs MATCH ?{lang} ORDER BY bm25(docs) LIMIT {limit}")
FTS_LANGS = {"AR": "ar", "EN": "en", "ES": "es", "FR": "fr"}


def fts_build(db: Path, folder: Path) -> None:
    """One row per language version: the same texts migdocs ingests, read from the files."""
    db.unlink(missing_ok=True)
    con = sqlite3.connect(db)
    con.execute(FTS_SCHEMA)
    with con:
        for path in sorted(folder.glob("*.txt")):
            symbol, _, body = path.read_text(encoding="utf-8").partition("\n")
            lang = FTS_LANGS[path.stem.rsplit("-", 1)[1]]
            con.execute("INSERT INTO docs (symbol, body, lang) VALUES (?, ?, ?)",
                        (symbol, body, lang))
    con.close()


def migdocs_runner(home: str) -> Callable[[dict], int]:
    import migdocs

    repo = migdocs.open(home)

    def run(query: dict) -> int:
        return repo.search(query["q"], limit=LIMIT, **query["kwargs"]).total

    return run


def fts_runner(db: str) -> Callable[[dict], int]:
    con = sqlite3.connect(db)

    def run(query: dict) -> int:
        if query["fts_lang"]:
            sql = FTS_QUERY.format(lang=" AND lang = ?", limit=LIMIT)
            rows = con.execute(sql, (query["fts"], query["fts_lang"])).fetchall()
        else:
            rows = con.execute(FTS_QUERY.format(lang="", limit=LIMIT), (query["fts"],)).fetchall()
        return len(rows)

    return run


def search(engine: str, where: str, queries_file: Path, rounds: int, out: Path) -> None:
    queries = json.loads(queries_file.read_text(encoding="utf-8"))
    started = time.perf_counter()
    run = migdocs_runner(where) if engine == "migdocs" else fts_runner(where)
    open_seconds = time.perf_counter() - started
    first, found = [], []
    for query in queries:                       # warm-up round, timed apart
        t = time.perf_counter()
        found.append(run(query))
        first.append(time.perf_counter() - t)
    times: list[list[float]] = [[] for _ in queries]
    cpu: list[list[float]] = [[] for _ in queries]
    for _ in range(rounds):
        for n, query in enumerate(queries):
            t, c = time.perf_counter(), time.process_time()
            run(query)
            times[n].append(time.perf_counter() - t)
            cpu[n].append(time.process_time() - c)
    out.write_text(json.dumps({"open": open_seconds, "first": first, "times": times, "cpu": cpu,
                               "found": found}), encoding="utf-8")


def main(argv: list[str]) -> None:
    if argv[:1] == ["fts-build"] and len(argv) == 3:
        fts_build(Path(argv[1]), Path(argv[2]))
    elif argv[:1] == ["search"] and len(argv) == 6:
        search(argv[1], argv[2], Path(argv[3]), int(argv[4]), Path(argv[5]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
