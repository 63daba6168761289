"""Keeping the lexicon current after an ingest, without learning it again.

`lexicon build` aligns every translated document (about a minute for the bundled corpus,
longer as the repository grows). It also keeps what it learned: the link counts of each
language pair, the words each term was written as, and the versions it learned from
(`HOME/lexicon-state.pickle`, derived data like the lexicon). After an ingest that adds
documents held in several languages, only their units are aligned, with the counts
learned so far as eflomal's priors, along with the CONTEXT_UNITS units learned before that
share the most words with them (a few units aligned alone learned `syrian` -> `territoire`),
at a third of eflomal's iterations; their links are added to the counts, and the lexicon is
written again from them. Measured on the UN Parallel Corpus (2,000 units a pair, 2 cores,
a loaded machine): one new document 20 s, 43 new documents 43 s, a whole build 42-52 s; a
build grows with the repository, an update with what it adds. The lexicon learned by
updates measured like a whole build (pairs to French, MRR@10 ar/en/es, 43 documents added
to 689: 0.646/0.782/0.805 at a third of the iterations, 0.666/0.818/0.789 at all of them;
whole builds of the same home 0.698/0.818/0.805 and 0.636/0.841/0.785: eflomal samples, so
two builds differ by as much).

A document whose versions changed or that was removed cannot be taken back out of the
counts (its links are not kept apart): then the lexicon stays stale until `lexicon build`.
"""

from __future__ import annotations

import os
import pickle
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from migdocs.indexer import lexicon
from migdocs.indexer.lexicon import BuildReport, Forms, Pair, Table
from migdocs.repo.catalog import Catalog

STATE_FORMAT = 1


@dataclass
class UpdateReport:
    documents: int = 0  # translated documents added to the lexicon
    units: dict[str, int] = field(default_factory=dict)  # "en-fr" -> new aligned units
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def state_path(path: Path) -> Path:
    return path.with_name(path.stem + "-state.pickle")


#: Units learned before, aligned along with an update's new units (eflomal needs company:
#: see `lexicon.learn`); those sharing the most terms with the new units first.
CONTEXT_UNITS = 1000
Units = list[tuple[list[str], list[str]]]


def save_state(path: Path, *, stamps: dict[str, str], counts: dict[Pair, Table], forms: Forms,
               units: dict[str, int], use_dictionaries: bool, aligned: dict[Pair, Units]) -> None:
    from migdocs.indexer.analysis import ANALYSIS_VERSION

    state = {"format": STATE_FORMAT, "analysis": ANALYSIS_VERSION, "stamps": stamps,
             "counts": counts, "units": units, "use_dictionaries": use_dictionaries,
             "aligned": aligned,
             "forms": {lang: {t: dict(words) for t, words in terms.items()}
                       for lang, terms in forms.items()}}
    target = state_path(path)
    tmp = target.with_name(target.name + ".tmp")
    with tmp.open("wb") as f:
        pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, target)


def _load_state(path: Path) -> dict[str, Any] | None:
    from migdocs.indexer.analysis import ANALYSIS_VERSION

    try:
        with state_path(path).open("rb") as f:
            state = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        return None  # none yet (a lexicon from an older migdocs), or unreadable: build whole
    if (not isinstance(state, dict) or state.get("format") != STATE_FORMAT
            or state.get("analysis") != ANALYSIS_VERSION):
        return None
    return state


def added_documents(catalog: Catalog, path: Path) -> list[str] | None:
    """The translated documents added since the lexicon learned, when that is the only
    change (none changed or removed, same analysis); None when it must be built whole."""
    state = _load_state(path)
    if state is None:
        return None
    stamps, known = lexicon.document_stamps(catalog), state["stamps"]
    if any(stamps.get(doc_id) != stamp for doc_id, stamp in known.items()):
        return None
    return sorted(d for d in stamps if d not in known)


def update(catalog: Catalog, path: Path, *, dictionaries: Path | None = None) -> UpdateReport | None:
    """Add the translated documents ingested since the lexicon learned (see the module's
    docstring); None when it must be built whole. The report counts the new units."""
    state = _load_state(path)
    added = added_documents(catalog, path)
    if state is None or added is None:
        return None
    started = time.monotonic()
    report = UpdateReport(documents=len(added))
    if not added:
        return report
    stamps = lexicon.document_stamps(catalog)
    forms: Forms = {lang: defaultdict(Counter, {t: Counter(w) for t, w in terms.items()})
                    for lang, terms in state["forms"].items()}
    counts: dict[Pair, Table] = state["counts"]
    units = lexicon.aligned_units(catalog, forms, added)
    pairs = sorted(p for p in units if units[p])
    aligned: dict[Pair, Units] = state["aligned"]
    with ThreadPoolExecutor(max_workers=max(1, min(len(pairs), os.cpu_count() or 1))) as pool:
        learned = pool.map(lambda p: lexicon.learn(units[p], counts.get(p),
                                                   _context(aligned.get(p, []), units[p])), pairs)
        for (a, b), (forward, backward) in zip(pairs, learned, strict=True):
            report.units[f"{a}-{b}"] = len(units[(a, b)])
            for pair, new in (((a, b), forward), ((b, a), backward)):
                table = counts.setdefault(pair, {})
                for s, targets in new.items():
                    known = table.setdefault(s, {})
                    for t, c in targets.items():
                        known[t] = known.get(t, 0.0) + c
    for pair in pairs:
        aligned.setdefault(pair, []).extend(units[pair])
    total_units = {k: state["units"].get(k, 0) + report.units.get(k, 0)
                   for k in state["units"].keys() | report.units.keys()}
    lexicon.write(path, counts, forms, BuildReport(units=total_units),
                  lexicon.fingerprint(catalog, stamps), dictionaries=dictionaries,
                  use_dictionaries=state["use_dictionaries"])
    save_state(path, stamps=stamps, counts=counts, forms=forms, units=total_units,
               use_dictionaries=state["use_dictionaries"], aligned=aligned)
    report.seconds = round(time.monotonic() - started, 1)
    return report


def _context(before: Units, new: Units) -> Units:
    """The CONTEXT_UNITS units of `before` sharing the most source terms with `new`."""
    wanted = {t for src, _ in new for t in src}
    shared = sorted(range(len(before)), key=lambda i: -len(wanted.intersection(before[i][0])))
    return [before[i] for i in sorted(shared[:CONTEXT_UNITS])]
