"""Per-language analyzers as Whoosh pipelines (`Tokenizer | Filter | ...`).

They are pickled into the index, so every class here is module-level and picklable, and the
PyStemmer object is created lazily in each process. Change any of them -> bump
`ANALYSIS_VERSION` so that existing indexes are rebuilt from the catalog.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from whoosh.analysis import Analyzer, Filter, RegexTokenizer, StopFilter, Token

from migdocs.indexer.normalise import ARABIC_MARKS, BIDI_CONTROLS, TATWEEL, fold_accents, fold_arabic

ANALYSIS_VERSION = 3

# Word characters plus combining marks (Latin accents in NFD, Arabic tashkeel), tatweel and
# zero-width joiners, so that a word is never split at a diacritic; apostrophes join
# elisions and possessives, which the filters then take apart.
_WORD = rf"[\w\u0300-\u036f{ARABIC_MARKS}{TATWEEL}\u200c\u200d{BIDI_CONTROLS}]+"
TOKEN_PATTERN = rf"{_WORD}(?:['\u2019]{_WORD})*"
_DROP_FORMAT = dict.fromkeys(map(ord, BIDI_CONTROLS + "\u200c\u200d\u00ad"), None)


class NormalizeFilter(Filter):
    """NFKC, case folding, and no bidi controls or zero-width joiners."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            text = t.text
            if not text.isascii():
                text = unicodedata.normalize("NFKC", text).translate(_DROP_FORMAT)
            t.text = text.casefold()
            if t.text:
                yield t


class ArabicFoldFilter(Filter):
    """Tashkeel and tatweel removed, alef/yeh unified, Arabic-Indic digits as ASCII."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = fold_arabic(t.text)
            if t.text:
                yield t


class StripFilter(Filter):
    """Removes what `pattern` matches from each token; drops tokens left empty."""

    def __init__(self, pattern: str) -> None:
        self.pattern = re.compile(pattern)

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = self.pattern.sub("", t.text)
            if t.text:
                yield t


#: `والمهاجرين` -> `المهاجرين`: the conjunctions و/ف before the article, which the Snowball
#: stemmer leaves on.
ARABIC_CONJUNCTION = r"^[\u0648\u0641](?=\u0627\u0644..)"
#: The article with what may precede it (و ف ب ك, or لل): `الجماعات`, `والجماعات`,
#: `للجماعات` -> `جماعات`. Snowball strips suffixes differently with the article on
#: (`القدرات` -> `قدر` but `قدرات` -> `قدرا`), so it goes first. Three letters must remain
#: (`الله` stays).
ARABIC_ARTICLE = r"^(?:[\u0648\u0641]?[\u0628\u0643]?\u0627\u0644|[\u0648\u0641]?\u0644\u0644)(?=\w{3})"
#: `l'homme` -> `homme`, `qu'il` -> `il`.
ELISION = r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)['\u2019]"
#: `state's` -> `state`, `states'` -> `states`.
POSSESSIVE = r"['\u2019]s?$"


class AccentFoldFilter(Filter):
    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if not t.text.isascii():
                t.text = fold_accents(t.text)
            yield t


class SnowballFilter(Filter):
    """Snowball stemming through PyStemmer (C)."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._stem = None

    def __getstate__(self) -> dict:
        return {"language": self.language}

    def __setstate__(self, state: dict) -> None:
        self.language = state["language"]
        self._stem = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SnowballFilter) and other.language == self.language

    def __hash__(self) -> int:
        return hash(self.language)

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        if self._stem is None:
            import Stemmer

            self._stem = Stemmer.Stemmer(self.language).stemWord
        stem = self._stem
        for t in tokens:
            if not t.stopped:
                t.text = stem(t.text)
            yield t


def _stop_list(words: str, *folds) -> frozenset[str]:
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


def _tokenizer() -> RegexTokenizer:
    return RegexTokenizer(TOKEN_PATTERN)


def _stop(language: str) -> StopFilter:
    return StopFilter(stoplist=STOP_WORDS[language], minsize=1, renumber=True)


def arabic_analyzer(*, stem: bool = True) -> Analyzer:
    chain = _tokenizer() | NormalizeFilter() | ArabicFoldFilter() | StripFilter(ARABIC_CONJUNCTION)
    if not stem:
        return chain
    return chain | _stop("ar") | StripFilter(ARABIC_ARTICLE) | SnowballFilter("arabic")


def english_analyzer() -> Analyzer:
    return (_tokenizer() | NormalizeFilter() | StripFilter(POSSESSIVE) | AccentFoldFilter()
            | _stop("en") | SnowballFilter("english"))


def french_analyzer() -> Analyzer:
    return (_tokenizer() | NormalizeFilter() | StripFilter(ELISION) | AccentFoldFilter()
            | _stop("fr") | SnowballFilter("french"))


def spanish_analyzer() -> Analyzer:
    return (_tokenizer() | NormalizeFilter() | StripFilter(ELISION) | AccentFoldFilter()
            | _stop("es") | SnowballFilter("spanish"))


def generic_analyzer() -> Analyzer:
    """Other languages: words, NFKC and case folding, no stemming."""
    return _tokenizer() | NormalizeFilter()


class SpellingFilter(Filter):
    """Keeps words worth suggesting: letters only, at least 3 of them."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if len(t.text) >= 3 and t.text.isalpha():
                yield t


def spelling_analyzer() -> Analyzer:
    """Words as people write them (case-folded, accents kept): did-you-mean suggestions."""
    return _tokenizer() | NormalizeFilter() | ArabicFoldFilter() | SpellingFilter()


ANALYZERS = {
    "ar": arabic_analyzer,
    "en": english_analyzer,
    "fr": french_analyzer,
    "es": spanish_analyzer,
    "other": generic_analyzer,
}
