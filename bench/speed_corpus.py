"""The speed benchmark's corpus: N language versions (N/4 documents x ar/en/es/fr) built,
with a fixed seed, from the aligned UN Parallel Corpus sentences in `corpus/unpc/text/`.

The bundled texts are 695 documents whose four language versions have the same number of
lines, line k of each being a translation of line k of the others: 3,608 aligned sentences
(EN 174, FR/ES 202, AR 268 bytes a line on average). Generated document i takes the same
sampled line indices in each language, so its four versions are translations of each other,
and about 9 KB a version (issue 7: 20,000 versions were 181 MB): 30-56 lines, 43 on average.
Document i depends only on (seed, i), so the 5,000-version corpus is the first quarter of the
20,000-version one and a known document reads the same at every size.

Files: `A_98_{i}-{LANG}.txt` (first line `A/98/{i}`, then one sentence per line), the layout
of `corpus/unpc/text/`; migdocs takes symbol and language from the file name.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "corpus" / "unpc" / "text"
CACHE = ROOT / "bench" / "out"           # git-ignored
LANGS = ("AR", "EN", "ES", "FR")          # UN file-name suffixes
SEED = 20260
LINES_MIN, LINES_MAX = 30, 56              # per document: ~9 KB a version on average
SERIES = "A/98"                            # a session no real document of the corpus uses


@dataclass(frozen=True)
class Pool:
    """Aligned sentences: lines[lang][k] are translations of each other for every lang."""
    lines: dict[str, list[str]]
    digest: str                            # of the source texts: a changed corpus regenerates

    def __len__(self) -> int:
        return len(self.lines["EN"])


def load_pool(source: Path = SOURCE) -> Pool:
    """Every document of `source` with all four versions of equal length, in name order."""
    by_doc: dict[str, dict[str, list[str]]] = {}
    for path in sorted(source.glob("*.txt")):
        stem, lang = path.stem.rsplit("-", 1)
        if lang in LANGS:
            by_doc.setdefault(stem, {})[lang] = path.read_text(encoding="utf-8").splitlines()[1:]
    lines: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for versions in by_doc.values():
        if set(versions) == set(LANGS) and len({len(v) for v in versions.values()}) == 1:
            for lang in LANGS:
                lines[lang].extend(line.strip() or "." for line in versions[lang])
    digest = hashlib.sha256(json.dumps(lines, ensure_ascii=False).encode()).hexdigest()[:12]
    return Pool(lines, digest)


def symbol(i: int) -> str:
    return f"{SERIES}/{i}"


def line_indices(seed: int, i: int, pool_size: int) -> list[int]:
    """The pool lines of document i, the same in every language and at every size."""
    rng = random.Random(f"{seed}-{i}")
    return rng.sample(range(pool_size), rng.randint(LINES_MIN, LINES_MAX))


def document(pool: Pool, seed: int, i: int) -> dict[str, str]:
    """Document i's text per language (UN suffix -> text without the symbol line)."""
    picks = line_indices(seed, i, len(pool))
    return {lang: "\n".join(pool.lines[lang][k] for k in picks) for lang in LANGS}


def documents_for(versions: int) -> int:
    if versions % 4:
        raise SystemExit(f"--sizes: {versions} is not a multiple of 4 (4 languages a document)")
    return versions // 4


def generate(versions: int, *, seed: int = SEED, pool: Pool | None = None,
             cache: Path = CACHE) -> Path:
    """The folder of `versions` text files, generated once and reused while the seed, the
    size and the source texts are the same (`FOLDER.json` beside it, written last, marks it done)."""
    pool = pool or load_pool()
    folder = cache / f"unpc-{versions}-seed{seed}"
    manifest = manifest_of(folder)
    wanted = {"versions": versions, "seed": seed, "pool": pool.digest, "lines": len(pool)}
    if manifest.exists():
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
        if {k: recorded.get(k) for k in wanted} == wanted:
            return folder
    manifest.unlink(missing_ok=True)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    total = 0
    for i in range(1, documents_for(versions) + 1):
        for lang, text in document(pool, seed, i).items():
            body = f"{symbol(i)}\n{text}\n"
            (folder / f"A_98_{i}-{lang}.txt").write_text(body, encoding="utf-8")
            total += len(body.encode("utf-8"))
    manifest.write_text(json.dumps({**wanted, "bytes": total}), encoding="utf-8")
    return folder


def manifest_of(folder: Path) -> Path:
    return folder.with_name(folder.name + ".json")


def corpus_bytes(folder: Path) -> int:
    return int(json.loads(manifest_of(folder).read_text(encoding="utf-8"))["bytes"])
