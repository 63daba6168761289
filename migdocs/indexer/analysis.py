"""Per-language text analysis: words -> index terms. Engine-neutral, in Python.

Every search backend receives the terms made here (at index time) and looks up the terms
made here (at query time), so all backends match the same entries.

A word maps to at most one term, whatever its context, so analysis is a regex word split
plus a per-word function, memoised per language: UN text is Zipfian, so >95 % of the words
of a page hit the cache. Measured on 9 KB UN pages: 0.3 us a word, against 2.3 us (English)
and 3.9 us (Arabic) for the Whoosh filter chains this replaced, with the same terms.

Change what any analyzer produces -> bump `ANALYSIS_VERSION`, so that existing indexes are
rebuilt from the catalog.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Literal

from migdocs.indexer.normalise import ARABIC_MARKS, BIDI_CONTROLS, TATWEEL, fold_accents, fold_arabic

ANALYSIS_VERSION = 5

#: The analyzers: one per analysed language, `other` (no stemming) for the rest, and
#: `ar_exact` (Arabic folded but not stemmed: the form as typed ranks a little higher).
AnalyzerName = Literal["ar", "en", "fr", "es", "other", "ar_exact"]
ANALYZER_NAMES: tuple[AnalyzerName, ...] = ("ar", "en", "fr", "es", "other", "ar_exact")

# Word characters plus combining marks (Latin accents in NFD, Arabic tashkeel), tatweel and
# zero-width joiners, so that a word is never split at a diacritic; apostrophes join
# elisions and possessives, which the per-word functions then take apart.
_WORD = rf"[\w\u0300-\u036f{ARABIC_MARKS}{TATWEEL}\u200c\u200d{BIDI_CONTROLS}]+"
TOKEN_PATTERN = rf"{_WORD}(?:['\u2019]{_WORD})*"
TOKEN = re.compile(TOKEN_PATTERN)
_DROP_FORMAT = dict.fromkeys(map(ord, BIDI_CONTROLS + "\u200c\u200d\u00ad"), None)

#: `والمهاجرين` -> `المهاجرين`: the conjunctions و/ف before the article, which the Snowball
#: stemmer leaves on.
ARABIC_CONJUNCTION = re.compile(r"^[\u0648\u0641](?=\u0627\u0644..)")
#: The article with what may precede it (و ف ب ك, or لل): `الجماعات`, `والجماعات`,
#: `للجماعات` -> `جماعات`. Snowball strips suffixes differently with the article on
#: (`القدرات` -> `قدر` but `قدرات` -> `قدرا`), so it goes first. Three letters must remain
#: (`الله` stays).
ARABIC_ARTICLE = re.compile(
    r"^(?:[\u0648\u0641]?[\u0628\u0643]?\u0627\u0644|[\u0648\u0641]?\u0644\u0644)(?=\w{3})")
#: A bare proclitic preposition ل or ك (with و/ف before it) and no article: `لجورجيا` ->
#: `جورجيا`, `كمهاجرين` -> `مهاجرين` (Snowball already strips a bare ب: `بتنمية` and `تنمية`
#: share a stem). Guarded: four letters must remain and the rest may not start with alef
#: (`لاجئين` is a word, not ل + اجئين); words whose ل/ك is a root letter are kept whole
#: (`ARABIC_ROOT_INITIAL`).
ARABIC_PROCLITIC = re.compile(r"^([\u0648\u0641]?)[\u0644\u0643](?=[^\u0627\u0644]\w{3})")
#: Frequent words (in UN text) whose first letter ل/ك is part of the word, from the bundled
#: corpus (words whose remainder never occurs on its own) and country names.
ARABIC_ROOT_INITIAL = frozenset(fold_arabic(w) for w in """
لبنان ليبيا ليبيريا ليتوانيا لاتفيا لكسمبرغ ليختنشتاين ليسوتو كندا كوبا كوريا كولومبيا كينيا
كرواتيا كازاخستان كمبوديا الكاميرون كاميرون كوستاريكا كيريباس كونغو كوت الكويت كويت قيرغيزستان
كلمة كلمات كبيرة كبير كثيرة كثير كامل كاملة كافة كيفية كيان كفاءة كفالة كهرباء كمية كميات
لغة لغات لقاء لوائح لائحة لجان لجنة لحظة لمحة لهجة كتابة كتاب كتب كلية كليات كلفة كرامة
فلسطين
""".split())
#: `l'homme` -> `homme`, `qu'il` -> `il`.
ELISION = re.compile(r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)['\u2019]")
#: `state's` -> `state`, `states'` -> `states`.
POSSESSIVE = re.compile(r"['\u2019]s?$")


def _stop_list(words: str, *folds: Callable[[str], str]) -> frozenset[str]:
    out = set()
    for word in words.split():
        word = word.casefold()
        for fold in folds:
            word = fold(word)
        out.add(word)
    return frozenset(out)


# Short lists on purpose: "who" (WHO), "us" (US), "may" (May) and "not" carry meaning here.
STOP_WORDS: dict[str, frozenset[str]] = {
    "en": _stop_list("a an and are as at be been by for from has have in into is it its of on "
                     "or that the their this to was were which with"),
    "fr": _stop_list("le la les l un une des du de d et en à au aux ce cet cette ces se sa son "
                     "ses leur leurs qui que qu dont où ou il ils elle elles on nous vous y est "
                     "sont été être par pour sur dans avec ne pas plus mais donc car ni lui",
                     fold_accents),
    "es": _stop_list("el la los las lo un una unos unas de del al y e o u en a por para con que "
                     "se su sus es son ser fue como más pero sobre entre este esta estos estas "
                     "ese esa esos esas le les ha han sin", fold_accents),
    "ar": _stop_list("في من على إلى الى عن أن إن ان او أو ثم حتى مع هذا هذه ذلك تلك التي الذي "
                     "الذين كان كانت يكون قد لا لم لن ما هو هي هم كل بعض بين عند حيث إذا اذا و ف "
                     "ب ل ك أي الا إلا لكن بل منذ خلال لدى", fold_arabic),
}

_STEMMER_NAMES = {"ar": "arabic", "en": "english", "fr": "french", "es": "spanish"}
_stemmers: dict[str, Callable[[str], str]] = {}


def _stem(language: str, word: str) -> str:
    stem = _stemmers.get(language)
    if stem is None:
        import Stemmer  # PyStemmer: Snowball in C

        stem = _stemmers[language] = Stemmer.Stemmer(_STEMMER_NAMES[language]).stemWord
    return stem(word)


def normalize(word: str) -> str:
    """NFKC, case folding, and no bidi controls or zero-width joiners."""
    if not word.isascii():
        word = unicodedata.normalize("NFKC", word).translate(_DROP_FORMAT)
    return word.casefold()


def _arabic_exact(word: str) -> str | None:
    word = fold_arabic(normalize(word))
    return ARABIC_CONJUNCTION.sub("", word) or None


def _arabic(word: str) -> str | None:
    word = _arabic_exact(word) or ""
    if not word or word in STOP_WORDS["ar"]:
        return None
    stripped = ARABIC_ARTICLE.sub("", word)
    if stripped == word:
        proclitic = ARABIC_PROCLITIC.match(word)
        if (proclitic and word not in ARABIC_ROOT_INITIAL
                and word[len(proclitic.group(1)):] not in ARABIC_ROOT_INITIAL):
            stripped = word[proclitic.end():]
    return _stem("ar", stripped)


#: Spanish plurals of nouns and adjectives in -ar/-er/-ir: Snowball reads the singular's
#: ending as a verb's (`mujer` -> muj) and the plural's as a plural (`mujeres` -> mujer), so
#: `mujer` never found `mujeres` (nor `nuclear` `nucleares`, `militar` `militares`,
#: `familiar` `familiares`, `lugar` `lugares`). The plural is stemmed as its singular. (The
#: few verb forms in -res, `quieres`, are second person: rare in UN documents.)
_SPANISH_R_PLURAL = re.compile(r"(?<=...[aei]r)es$")


def _latin(language: str, strip: re.Pattern[str]) -> Callable[[str], str | None]:
    stop = STOP_WORDS[language]
    spanish = language == "es"

    def term(word: str) -> str | None:
        word = strip.sub("", normalize(word))
        if not word:
            return None
        if not word.isascii():
            word = fold_accents(word)
        if word in stop:
            return None
        if spanish and word.endswith("res"):
            word = _SPANISH_R_PLURAL.sub("", word)
        return _stem(language, word)

    return term


def _other(word: str) -> str | None:
    return normalize(word) or None


_CACHE_WORDS = 1 << 16  # per analyzer: bounded, so memory stays flat however large the corpus
TERM: dict[str, Callable[[str], str | None]] = {
    "ar": lru_cache(_CACHE_WORDS)(_arabic),
    "ar_exact": lru_cache(_CACHE_WORDS)(_arabic_exact),
    "en": lru_cache(_CACHE_WORDS)(_latin("en", POSSESSIVE)),
    "fr": lru_cache(_CACHE_WORDS)(_latin("fr", ELISION)),
    "es": lru_cache(_CACHE_WORDS)(_latin("es", ELISION)),
    "other": lru_cache(_CACHE_WORDS)(_other),
}


def analyze(text: str, name: str) -> list[str]:
    """The index terms of `text` for analyzer `name`, in order (stop words dropped, so a
    phrase's terms are adjacent)."""
    term = TERM[name]
    return [t for t in map(term, TOKEN.findall(text)) if t]


def term(word: str, name: str) -> str | None:
    """The index term of one word (as matched by TOKEN), or None for a stop word."""
    return TERM[name](word)


def is_arabic(text: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" for c in text)


def spelling_word(word: str) -> str | None:
    """A word as the did-you-mean vocabulary holds it (case-folded, Arabic folded, accents
    kept), or None when it is not worth holding (fewer than 3 letters, or not all letters)."""
    word = fold_arabic(normalize(word))
    return word if len(word) >= 3 and word.isalpha() else None


def spelling_words(text: str) -> set[str]:
    """The did-you-mean vocabulary of a text."""
    found = (spelling_word(w) for w in set(TOKEN.findall(text)))  # each distinct word once
    return {w for w in found if w}
