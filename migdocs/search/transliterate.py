"""Names across scripts: an Arabic word the lexicon cannot translate, matched by its
consonants against the Latin-script words the index holds.

Names are what a lexicon learned from other documents lacks (`أنغيلا` Anguilla, `المنامة`
Manama, `غراد` Grad: docs/crosslingual.md), and what a dictionary lacks too. Arabic writes
consonants and long vowels, Latin spellings of the same name keep the same consonants: both
are reduced to a skeleton of consonant classes (`أنغيلا` -> NGL, `anguilla` -> NGL) and
equal skeletons match. A skeleton of fewer than three consonants matches too many words
(`هايتي` HT: heat, hot, white) and is not used.
"""

from __future__ import annotations

import re
import weakref
from typing import TYPE_CHECKING

from migdocs.indexer.normalise import fold_arabic

if TYPE_CHECKING:
    from migdocs.search.backend import Reader

#: Fewer consonants than this say too little to match a name on.
MIN_CONSONANTS = 3
#: Index words kept per Arabic word and language (the closest spellings).
MAX_MATCHES = 3

_ARABIC = {"ب": "b", "پ": "b", "ت": "t", "ط": "t", "ث": "t", "ج": "g", "غ": "g", "گ": "g",
           "ح": "h", "ه": "h", "خ": "k", "ق": "k", "ك": "k", "د": "d", "ذ": "d", "ض": "d",
           "ظ": "d", "ر": "r", "ز": "s", "س": "s", "ش": "s", "ص": "s", "ف": "f", "ڤ": "f",
           "ل": "l", "م": "m", "ن": "n"}
#: Long vowels, as a Latin spelling would write them (to choose among equal skeletons).
_ARABIC_VOWELS = {"ا": "a", "أ": "a", "إ": "i", "آ": "a", "ى": "a", "ة": "a", "و": "u", "ي": "i"}
_LATIN = [("sch", "s"), ("sh", "s"), ("ch", "s"), ("th", "t"), ("kh", "k"), ("gh", "g"),
          ("ph", "f"), ("ck", "k"), ("qu", "k"), ("gu", "g"), ("x", "ks")]
_LATIN_SINGLE = str.maketrans({"p": "b", "c": "k", "q": "k", "j": "g", "z": "s", "v": "f"})
_SOFT_C = re.compile(r"c(?=[eiy])")
_ARTICLE = re.compile(r"^(?:وال|بال|فال|لل|ال)(?=\w{3})")


def arabic_skeleton(word: str) -> str:
    """`المنامة` -> `mnm`: the article dropped, consonants as Latin classes."""
    word = _ARTICLE.sub("", fold_arabic(word))
    return _collapse("".join(_ARABIC.get(c, "") for c in word))


def arabic_spelling(word: str) -> str:
    """A rough Latin spelling (`أنغيلا` -> `angila`), to rank equal skeletons."""
    word = _ARTICLE.sub("", fold_arabic(word))
    return "".join(_ARABIC.get(c) or _ARABIC_VOWELS.get(c, "") for c in word)


def latin_skeleton(term: str) -> str:
    """`anguilla` -> `ngl`, `unicef` -> `nsf`, `normandi` -> `nrmnd`."""
    text = _SOFT_C.sub("s", term.casefold())
    for digraph, single in _LATIN:
        text = text.replace(digraph, single)
    text = text.translate(_LATIN_SINGLE)
    return _collapse("".join(c for c in text if c in "bdfghklmnrst"))


def _collapse(skeleton: str) -> str:
    return re.sub(r"(.)\1+", r"\1", skeleton)


_SKELETONS: weakref.WeakKeyDictionary[object, dict[str, dict[str, list[str]]]] = (
    weakref.WeakKeyDictionary())


def _skeletons(reader: Reader, field: str) -> dict[str, list[str]]:
    """skeleton -> the field's words with it; built once per reader and field (0.1 s for
    6,000 words)."""
    try:
        by_field = _SKELETONS.setdefault(reader, {})
    except TypeError:  # a reader that cannot be weakly referenced: no cache
        by_field = {}
    found = by_field.get(field)
    if found is None:
        found = by_field[field] = {}
        for term, _ in reader.expand_prefix(field, ""):
            if term.isalpha() and term.isascii():
                found.setdefault(latin_skeleton(term), []).append(term)
    return found


def latin_names(reader: Reader, word: str, field: str) -> list[str]:
    """The words of `field` (a Latin-script text field) that may be `word` (Arabic) written
    in Latin letters: those with its skeleton whose spelling is within one edit of the
    closest (`غراد`: grad, grade; not gerard)."""
    skeleton = arabic_skeleton(word)
    if len(skeleton) < MIN_CONSONANTS:
        return []
    candidates = _skeletons(reader, field).get(skeleton, [])
    if not candidates:
        return []
    from rapidfuzz.distance import Levenshtein

    spelling = arabic_spelling(word)
    ranked = sorted((Levenshtein.distance(spelling, t), t) for t in candidates)
    return [t for d, t in ranked if d <= ranked[0][0] + 1][:MAX_MATCHES]
