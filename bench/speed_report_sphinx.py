"""The scale-out part of the speed report (issue 11): the sphinxql backend on 1 node and on 2
shards beside FTS5 and the Whoosh backend, from the same run (`--engines whoosh,sphinx1,sphinx2`)."""

from __future__ import annotations

import math
import statistics

from bench.speed_report import mb, ms, pct, per_query, ratio

NAMES = {"sphinx1": "sphinxql, 1 node", "sphinx2": "sphinxql, 2 shards"}
TARGET = 2.0  # issue 11: query p50 <= 2x FTS5 at 50,000 versions


def engines(run: dict) -> list[str]:
    return [e for e in NAMES if any(e in s for s in run["sizes"])]


def _p(search: dict) -> tuple[float, float, float]:
    times = per_query(search)
    return statistics.median(times), pct(times, 95), max(times)


def queries(run: dict) -> list[str]:
    out = ["| versions | system | query p50 | p95 | slowest | p50 / p95 vs FTS5 | p50 / p95 vs Whoosh |",
           "|---|---|---|---|---|---|---|"]
    for size in run["sizes"]:
        fts, whoosh = _p(size["search_fts"]), _p(size["search_migdocs"])
        rows = [("SQLite FTS5 (baseline)", fts), ("migdocs, Whoosh backend", whoosh)]
        rows += [(f"migdocs, {NAMES[e]}", _p(size[e]["search"])) for e in NAMES if e in size]
        for name, (p50, p95, top) in rows:
            out.append(f"| {size['versions']:,} | {name} | {ms(p50)} ms | {ms(p95)} ms | {ms(top)} ms | "
                       f"{ratio(p50, fts[0])} / {ratio(p95, fts[1])} | "
                       f"{ratio(p50, whoosh[0])} / {ratio(p95, whoosh[1])} |")
    return out


def builds(run: dict) -> list[str]:
    out = ["| versions | build | time | versions a second | vs FTS5 build |", "|---|---|---|---|---|"]
    for size in run["sizes"]:
        n, fts = size["versions"], size["fts_build"]["seconds"]
        rows = [("`migdocs ingest`, Whoosh (extraction, detection, analysis, index)",
                 size["ingest"]["seconds"]), ("FTS5 table build", fts)]
        for e in NAMES:
            if e in size and "reindex" in size[e]:
                rows.append((f"`migdocs engine set` + `migdocs reindex`, {NAMES[e]}",
                             size[e]["set"]["seconds"] + size[e]["reindex"]["seconds"]))
            elif e in size:
                rows.append((f"{NAMES[e]}: reused (`--skip-ingest`)", math.nan))
        for name, seconds in rows:
            rate = f"{n / seconds:.0f}" if seconds and not math.isnan(seconds) else "n/a"
            shown = "not measured" if math.isnan(seconds) else f"{seconds:.1f} s"
            out.append(f"| {n:,} | {name} | {shown} | {rate} | {ratio(seconds, fts)} |")
    return out


def shards(run: dict) -> list[str]:
    out = ["| versions | system | shard | rows | RAM chunk | disk chunks | searchd RSS (peak) |",
           "|---|---|---|---|---|---|---|"]
    for size in run["sizes"]:
        for e in NAMES:
            for i, shard in enumerate(size.get(e, {}).get("shards", []), 1):
                rows, chunks = int(shard.get("indexed_documents") or 0), int(shard.get("disk_chunks") or 0)
                out.append(f"| {size['versions']:,} | {NAMES[e]} | {i} | {rows:,} | "
                           f"{mb(shard.get('ram_chunk') or 0)} of {mb(shard.get('mem_limit') or 0)} | "
                           f"{chunks}{' (**BM25F lost on their rows**)' if chunks else ''} | "
                           f"{mb(shard.get('rss') or 0)} ({mb(shard.get('rss_peak') or 0)}) |")
    return out


def kinds(run: dict) -> list[str]:
    size = run["sizes"][-1]
    systems = [("FTS5", size["search_fts"]), ("Whoosh", size["search_migdocs"])]
    systems += [(NAMES[e], size[e]["search"]) for e in NAMES if e in size]
    times = [per_query(s) for _, s in systems]
    out = ["| kind | queries | " + " | ".join(f"{name} p50" for name, _ in systems) + " |",
           "|---|---|" + "---|" * len(systems)]
    for kind in dict.fromkeys(q["kind"] for q in run["queries"]):
        idx = [i for i, q in enumerate(run["queries"]) if q["kind"] == kind]
        cells = [f"{ms(statistics.median(t[i] for i in idx))} ms" for t in times]
        out.append(f"| {kind} | {len(idx)} | " + " | ".join(cells) + " |")
    return out


def render(run: dict) -> list[str]:
    if not engines(run):
        return []
    big = run["sizes"][-1]
    fts = _p(big["search_fts"])[0]
    best = min((_p(big[e]["search"])[0], e) for e in NAMES if e in big)
    met = best[0] <= TARGET * fts
    return [
        "## Scale-out: the sphinxql backend on Sphinx 2.2.11 (issue 11)", "",
        f"Same corpus, same query mix, same run. Issue 11's target, query p50 <= {TARGET:g}x FTS5 "
        f"at 50,000 versions: at {big['versions']:,} versions the best is {NAMES[best[1]]}, "
        f"{ratio(best[0], fts)} ({'met' if met else '**not met**'}).", "",
        *queries(run), "",
        f"By kind, at {big['versions']:,} versions (p50 of each kind's queries):", "",
        *kinds(run), "",
        "Building the index: the sphinxql homes are the Whoosh home's catalog switched with "
        "`migdocs engine set` and rebuilt with `migdocs reindex` (analysis by migdocs on every "
        "core, postings by searchd on the same machine); the Whoosh figure is a whole ingest "
        "(file reading, language detection, analysis, index), so the two are not the same work.", "",
        *builds(run), "",
        "Each shard after the run (`SHOW INDEX migdocs STATUS`; `rt_mem_limit = 2047M`, the "
        "2.2.11 maximum). migdocs's ranking expression (`sphinx_rank`) scores rows in disk "
        "chunks as in the RAM chunk (Sphinx's own `bm25f()` does not).", "",
        *shards(run), "",
        "How: `bench/speed_sphinx.py` writes each cluster with `migdocs engine sphinx-config` "
        "on free loopback ports under the run folder, starts every searchd as its child, and "
        "stops them by pid at the end of its part (on error too); the search process is the "
        "same `bench.speed_worker search migdocs HOME` as for Whoosh.", "",
    ]
