"""Keeping the lexicon current after an ingest, without learning it again.

`lexicon build` aligns every translated document (about a minute for the bundled corpus,
longer as the repository grows). It also keeps what it learned: the link counts of each
language pair, the words each term was written as, the versions it learned from, and a
sample of at most KEPT_UNITS aligned units a pair (`HOME/lexicon-state.pickle`, derived
data like the lexicon; it grows with the vocabulary, not with every document: 4.4 MB for
369 translated UN Parallel Corpus documents). After an ingest that adds documents held in
several languages, only their units are aligned, with the counts learned so far as
eflomal's priors, along with the CONTEXT_UNITS kept units that share the most words with
them (a few units aligned alone learned `syrian` -> `territoire`), at a third of eflomal's
iterations; their links are added to the counts, and the lexicon is written again from
them. Measured on the UN Parallel Corpus (2,000 units a pair, 2 cores, a loaded machine):
one new document 20 s, 43 new documents 43 s, a whole build 42-52 s; a build grows with
the repository, an update with what it adds. The lexicon learned by updates measured like
a whole build (pairs to French, MRR@10 ar/en/es, 43 documents added to 689:
0.646/0.782/0.805 at a third of the iterations, 0.666/0.818/0.789 at all of them; whole
builds of the same home 0.698/0.818/0.805 and 0.636/0.841/0.785: eflomal samples, so two
builds differ by as much).

A document whose versions changed or that was removed cannot be taken back out of the
counts (its links are not kept apart): then the lexicon stays stale until `lexicon build`.
"""

from __future__ import annotations

import os
import pickle
import random
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from migdocs.indexer import lexicon
from migdocs.indexer.lexicon import BuildReport, Forms, Pair, Table
from migdocs.repo.catalog import Catalog

STATE_FORMAT = 1
#: Units learned before, aligned along with an update's new units (eflomal needs company:
#: see `lexicon.learn`); those sharing the most terms with the new units first.
CONTEXT_UNITS = 1000
#: The state keeps at most this many aligned units per pair to choose the context from (a
#: sample, the same for the same units): the rest of the state (counts, word forms) grows
#: with the vocabulary, and the units would grow with every document (the bundled corpus
#: has 3,800-3,900 a pair; 50,000 translated documents would have ~500,000).
KEPT_UNITS = 5_000
Units = list[tuple[list[str], list[str]]]
#: Why a lexicon must be built whole: no state (built by an earlier migdocs, or the file is
#: gone), a new text analysis, or a translated document replaced or removed.
RebuildReason = Literal["no state", "analysis", "changed"]
REBUILD_REASONS: dict[RebuildReason, str] = {
    "no state": "it was built by an earlier migdocs, without what an update needs",
    "analysis": "migdocs's text analysis changed since it was built",
    "changed": "a document held in several languages was replaced or removed",
}


@dataclass
class UpdateReport:
    """What `update` did: `documents` translated documents added (`units` new aligned units
    per pair, none when their versions' units do not line up), or why it could not
    (`rebuild`), or what failed (`error`: the lexicon is unchanged unless `updated`)."""

    documents: int = 0
    units: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    updated: bool = False
    rebuild: RebuildReason | None = None
    error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def state_path(path: Path) -> Path:
    return path.with_name(path.stem + "-state.pickle")


def save_state(path: Path, *, stamps: dict[str, str], counts: dict[Pair, Table], forms: Forms,
               units: dict[str, int], aligned: dict[Pair, Units], use_dictionaries: bool,
               dictionaries: Path | None) -> None:
    from migdocs.indexer.analysis import ANALYSIS_VERSION

    state = {"format": STATE_FORMAT, "analysis": ANALYSIS_VERSION, "stamps": stamps,
             "counts": counts, "units": units,
             "aligned": {pair: _kept(found) for pair, found in aligned.items()},
             "use_dictionaries": use_dictionaries,
             "dictionaries": str(dictionaries) if dictionaries else None,
             "forms": {lang: {t: dict(words) for t, words in terms.items()}
                       for lang, terms in forms.items()}}
    target = state_path(path)
    tmp = target.with_name(target.name + ".tmp")
    with tmp.open("wb") as f:
        pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, target)


def _load_state(path: Path) -> dict[str, Any] | RebuildReason:
    from migdocs.indexer.analysis import ANALYSIS_VERSION

    try:
        with state_path(path).open("rb") as f:
            state = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        return "no state"  # none yet (a lexicon from an older migdocs), or unreadable
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
        return "no state"
    if state.get("analysis") != ANALYSIS_VERSION:
        return "analysis"
    return state


def update(catalog: Catalog, path: Path) -> UpdateReport:
    """Add the translated documents ingested since the lexicon learned (see the module's
    docstring), or say why it must be built whole (`rebuild`)."""
    started = time.monotonic()
    state = _load_state(path)
    if isinstance(state, str):
        return UpdateReport(rebuild=state)
    stamps, known = lexicon.document_stamps(catalog), state["stamps"]
    if any(stamps.get(doc_id) != stamp for doc_id, stamp in known.items()):
        return UpdateReport(rebuild="changed")
    added = sorted(d for d in stamps if d not in known)
    report = UpdateReport(documents=len(added))
    if not added:
        return report
    forms: Forms = {lang: defaultdict(Counter, {t: Counter(w) for t, w in terms.items()})
                    for lang, terms in state["forms"].items()}
    counts: dict[Pair, Table] = state["counts"]
    aligned: dict[Pair, Units] = state["aligned"]
    units = lexicon.aligned_units(catalog, forms, added)
    report.units = _learn(units, counts, aligned)
    total_units = {k: state["units"].get(k, 0) + report.units.get(k, 0)
                   for k in state["units"].keys() | report.units.keys()}
    folder = Path(state["dictionaries"]) if state.get("dictionaries") else None
    lexicon.write(path, counts, forms, BuildReport(units=total_units),
                  lexicon.fingerprint(catalog, stamps), dictionaries=folder,
                  use_dictionaries=state["use_dictionaries"])
    report.updated = True
    try:
        save_state(path, stamps=stamps, counts=counts, forms=forms, units=total_units,
                   aligned=aligned, use_dictionaries=state["use_dictionaries"],
                   dictionaries=folder)
    except OSError as e:  # the old state stays: the next update learns these again
        report.error = (f"what it learned could not be kept ({e.strerror or e}); the next "
                        "ingest learns these documents again")
    report.seconds = round(time.monotonic() - started, 1)
    return report


def _learn(units: dict[Pair, Units], counts: dict[Pair, Table], aligned: dict[Pair, Units]
           ) -> dict[str, int]:
    """Aligns the new units of each pair and adds their links to `counts` and the units to
    `aligned`; returns the new units per pair."""
    pairs = sorted(p for p in units if units[p])
    out: dict[str, int] = {}
    with ThreadPoolExecutor(max_workers=max(1, min(len(pairs), os.cpu_count() or 1))) as pool:
        learned = pool.map(lambda p: lexicon.learn(units[p], counts.get(p),
                                                   _context(aligned.get(p, []), units[p])), pairs)
        for (a, b), (forward, backward) in zip(pairs, learned, strict=True):
            out[f"{a}-{b}"] = len(units[(a, b)])
            for pair, new in (((a, b), forward), ((b, a), backward)):
                table = counts.setdefault(pair, {})
                for s, targets in new.items():
                    known = table.setdefault(s, {})
                    for t, c in targets.items():
                        known[t] = known.get(t, 0.0) + c
    for pair in pairs:
        aligned.setdefault(pair, []).extend(units[pair])
    return out


def _kept(units: Units) -> Units:
    """At most KEPT_UNITS of `units`, a sample in their order (seeded by their number)."""
    if len(units) <= KEPT_UNITS:
        return units
    chosen = sorted(random.Random(len(units)).sample(range(len(units)), KEPT_UNITS))
    return [units[i] for i in chosen]


def _context(before: Units, new: Units) -> Units:
    """The CONTEXT_UNITS units of `before` sharing the most source terms with `new`."""
    wanted = {t for src, _ in new for t in src}
    shared = sorted(range(len(before)), key=lambda i: -len(wanted.intersection(before[i][0])))
    return [before[i] for i in sorted(shared[:CONTEXT_UNITS])]
