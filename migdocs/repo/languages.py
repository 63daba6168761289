"""Language codes: ISO 639-1 inside, UN forms (AR EN FR SP ES, A E F S) accepted on input."""

from __future__ import annotations

import re

from migdocs.errors import UsageError

#: Languages with their own analyzer and index field.
ANALYZED: tuple[str, ...] = ("ar", "en", "fr", "es")

NAMES: dict[str, str] = {"ar": "Arabic", "en": "English", "fr": "French", "es": "Spanish",
                         "ru": "Russian", "zh": "Chinese"}

_ALIASES: dict[str, str] = {
    "sp": "es", "s": "es", "spa": "es", "spanish": "es", "espanol": "es", "español": "es",
    "a": "ar", "ara": "ar", "arabic": "ar",
    "e": "en", "eng": "en", "english": "en",
    "f": "fr", "fra": "fr", "fre": "fr", "french": "fr", "francais": "fr", "français": "fr",
    "r": "ru", "rus": "ru", "russian": "ru",
    "c": "zh", "ch": "zh", "zho": "zh", "chi": "zh", "chinese": "zh",
}

_CODE = re.compile(r"^[a-z]{2,3}$")


def normalize(code: str) -> str:
    """Return the ISO code for a language as users write it: `SP` -> `es`, `fr-FR` -> `fr`.

    Raises UsageError for something that is not a language code.
    """
    text = code.strip().lower().replace("_", "-")
    text = text.split("-", 1)[0] if "-" in text and len(text) > 3 else text
    if text in _ALIASES:
        return _ALIASES[text]
    if _CODE.match(text):
        return text
    raise UsageError(
        f"{code!r} is not a language code; use ar, en, fr or es (UN forms AR, EN, FR, SP also work)"
    )


def field_language(code: str | None) -> str:
    """The analyzer/field a text in language `code` goes to: one of ANALYZED, or 'other'."""
    return code if code in ANALYZED else "other"
