"""FreeDict bilingual dictionaries (Debian `dict-freedict-*`): the one module that reads them.

They back the learned lexicon up for words the repository's own translations never showed.
Measured here: eng-ara has 87k headwords, ara-eng 53k, fra-spa 44k, eng-fra 8.8k,
fra-eng 8.5k, eng-spa 5-6k, spa-eng 4.5k: small for French and Spanish, so they come
second to what migdocs learns. When the packages are not installed the lexicon is built
without them (and `lexicon show` says so).

The dictd format: `NAME.index` lines `headword<TAB>offset<TAB>length` (base-64 numbers)
into the gzip-compressed `NAME.dict.dz`. An entry is the headword line (with pronunciation
and part of speech) then translations, numbered `1. a, b` when there are several senses;
an unnumbered entry's lines after the first are glosses in the source language (fra-spa).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

DICTD_FOLDER = Path("/usr/share/dictd")
#: FreeDict's three-letter codes for the languages migdocs analyses.
CODES = {"ar": "ara", "en": "eng", "fr": "fra", "es": "spa"}
_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_NUMBERED = re.compile(r"^\s*\d+\.\s+")
_SKIP = re.compile(r"^\s*(?:<|\[|see |note|syn|ant|\(|\{)", re.IGNORECASE)
_SPLIT = re.compile(r"[,;]")
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]|<[^>]*>")


def available(folder: Path = DICTD_FOLDER) -> list[tuple[str, str]]:
    """The (source, target) language pairs installed, as migdocs codes."""
    found = []
    for src, src3 in CODES.items():
        for trg, trg3 in CODES.items():
            if src != trg and (folder / f"freedict-{src3}-{trg3}.index").exists() \
                    and (folder / f"freedict-{src3}-{trg3}.dict.dz").exists():
                found.append((src, trg))
    return found


def signature(folder: Path = DICTD_FOLDER) -> str:
    """Changes when a dictionary is installed, removed or updated."""
    parts = []
    for src, trg in available(folder):
        index = folder / f"freedict-{CODES[src]}-{CODES[trg]}.index"
        stat = index.stat()
        parts.append(f"{index.name}:{stat.st_size}:{int(stat.st_mtime)}")
    return ";".join(parts)


def entries(source: str, target: str, folder: Path = DICTD_FOLDER) -> Iterator[tuple[str, list[str]]]:
    """(headword, translations) of one installed dictionary, as written in it."""
    name = f"freedict-{CODES[source]}-{CODES[target]}"
    data = gzip.open(folder / f"{name}.dict.dz").read()
    for line in (folder / f"{name}.index").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or parts[0].startswith("00database") or parts[0].startswith("00-database"):
            continue
        offset, length = _number(parts[1]), _number(parts[2])
        body = data[offset:offset + length].decode("utf-8", errors="replace")
        translations = _translations(body)
        if translations:
            yield parts[0], translations


def _translations(body: str) -> list[str]:
    lines = [line for line in body.splitlines()[1:] if line.strip()]
    numbered = [_NUMBERED.sub("", line) for line in lines if _NUMBERED.match(line)]
    chosen = numbered or lines[:1]
    out = []
    for line in chosen:
        if _SKIP.match(line):
            continue
        for part in _SPLIT.split(_PARENS.sub(" ", line)):
            part = part.strip(" .\t")
            if part:
                out.append(part)
    return out


def _number(text: str) -> int:
    n = 0
    for c in text:
        n = n * 64 + _B64[c]
    return n
