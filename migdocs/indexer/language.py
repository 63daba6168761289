"""Language detection: the one module that talks to langdetect (always seeded)."""

from __future__ import annotations

from dataclasses import dataclass

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

from migdocs.indexer.normalise import letter_count

DetectorFactory.seed = 0

#: Below this many letters langdetect guesses (a 45-letter Spanish line came out Italian at
#: "1.00"): we do not ask it.
MIN_LETTERS = 100
#: Pages shorter than this inherit their version's language.
MIN_PAGE_LETTERS = 200
#: The start of a page langdetect reads: 9.9 ms a 9 KB page at 4,000 characters, 4 ms at 1,500;
#: the same language for 785 of 785 corpus texts.
SAMPLE_CHARS = 1500
#: A declared language is contradicted only by a confident detection.
MISMATCH_CONFIDENCE = 0.90

_CODES = {"zh-cn": "zh", "zh-tw": "zh"}
_NAMES = {"ar": "Arabic", "en": "English", "fr": "French", "es": "Spanish", "ru": "Russian",
          "zh": "Chinese"}


@dataclass(frozen=True)
class Detection:
    language: str
    confidence: float


def detect(text: str, *, min_letters: int = MIN_LETTERS) -> Detection | None:
    """Most probable language of `text`, or None when it is too short or has no letters."""
    if letter_count(text) < min_letters:
        return None
    sample = text if len(text) <= SAMPLE_CHARS else text[:SAMPLE_CHARS]
    try:
        best = detect_langs(sample)[0]
    except LangDetectException:
        return None
    return Detection(_CODES.get(best.lang, best.lang), round(best.prob, 4))


def detect_pages(pages: list[str]) -> tuple[list[str | None], Detection | None]:
    """Per-page languages (None for short pages) and the body's language.

    The body's language is the one covering most letters over the detected pages; for short
    bodies it is detected on all the text at once.
    """
    page_languages: list[str | None] = []
    weights: dict[str, float] = {}
    confidence: dict[str, float] = {}
    for text in pages:
        found = detect(text, min_letters=MIN_PAGE_LETTERS)
        page_languages.append(found.language if found else None)
        if found:
            letters = letter_count(text)
            weights[found.language] = weights.get(found.language, 0) + letters
            confidence[found.language] = confidence.get(found.language, 0) + letters * found.confidence
    if not weights:
        return page_languages, detect("\n".join(pages))
    language = max(weights, key=weights.__getitem__)
    share = weights[language] / sum(weights.values())
    return page_languages, Detection(language, round(confidence[language] / weights[language] * share, 4))


def script_share(text: str) -> tuple[float, int]:
    """(share of Arabic letters, letters) of a text."""
    letters = [c for c in text if c.isalpha()]  # (a regex counts no faster: measured)
    if not letters:
        return 0.0, 0
    arabic = sum(1 for c in letters if "\u0600" <= c <= "\u06ff" or "\u0750" <= c <= "\u077f")
    return arabic / len(letters), len(letters)


def contradicts(declared: str, text: str, detection: Detection | None, *,
                script: tuple[float, int] | None = None) -> str | None:
    """What the text is, when that plainly contradicts the declared language; else None.

    Either a confident detection on enough text, or the script: a declared Arabic version
    without Arabic letters (or a Latin-script language written in Arabic letters) is wrong
    however short it is. `script`: the text's script_share, when already counted (in the
    ingest workers).
    """
    share, letters = script if script is not None else script_share(text)
    if letters >= 20:
        if declared == "ar" and share < 0.2:
            found = detection.language if detection else None
            return f"{_NAMES.get(found or '', found) or 'not Arabic'} (no Arabic script)"
        if declared in ("en", "fr", "es") and share > 0.8:
            return "Arabic (Arabic script)"
    if (detection and detection.language != declared
            and detection.confidence >= MISMATCH_CONFIDENCE):
        name = _NAMES.get(detection.language, detection.language)
        return f"{name} (confidence {detection.confidence:.2f})"
    return None
