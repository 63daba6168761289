import pickle

import pytest

from migdocs.indexer.analysis import ANALYZERS, arabic_analyzer


def terms(language: str, text: str) -> list[str]:
    return [t.text for t in ANALYZERS[language]()(text)]


@pytest.mark.parametrize("language, a, b", [
    ("fr", "développement", "developpement"),
    ("fr", "travailleurs migrants", "travailleur migrant"),
    ("fr", "l'éducation", "education"),
    ("es", "trabajadores migrantes", "trabajador migrante"),
    ("es", "migración", "migracion"),
    ("en", "migrant workers", "migrant worker"),
    ("en", "the State's obligations", "state obligation"),
    ("ar", "العُمّال المُهاجِرين", "العمال المهاجرين"),  # tashkeel
    ("ar", "المهاجـــرين", "المهاجرين"),  # tatweel
    ("ar", "الأمم", "الامم"),  # alef with hamza
    ("ar", "والمهاجرين", "المهاجرين"),  # conjunction before the article
    ("ar", "\ufe8d\ufedf\ufee4\ufe98\ufea4\ufeaa\ufe93", "المتحدة"),  # presentation forms
])
def test_variants_share_terms(language: str, a: str, b: str) -> None:
    assert terms(language, a) == terms(language, b)


def test_council_and_session_stay_apart_in_arabic() -> None:
    # Whoosh's ISRI stemmer merges مجلس (council) and جلسة (session); Snowball does not.
    assert terms("ar", "مجلس") != terms("ar", "جلسة")


def test_french_stop_words_include_les_and_short_tokens_survive() -> None:
    assert terms("fr", "les migrants") == terms("fr", "migrants")
    assert terms("en", "indicator 3.c.1") == ["indic", "3", "c", "1"]


def test_entity_acronyms_are_not_stop_words() -> None:
    assert terms("en", "WHO US May") == ["who", "us", "may"]


def test_offsets_point_into_the_original_text() -> None:
    text = "تطبيق المبادئ المكرَّسة في الميثاق"
    tokens = [(t.text, t.startchar, t.endchar)
              for t in arabic_analyzer(stem=False)(text, chars=True)]
    assert [text[s:e] for _, s, e in tokens] == ["تطبيق", "المبادئ", "المكرَّسة", "في", "الميثاق"]


@pytest.mark.parametrize("language", sorted(ANALYZERS))
def test_analyzers_pickle(language: str) -> None:
    analyzer = ANALYZERS[language]()
    clone = pickle.loads(pickle.dumps(analyzer))
    assert [t.text for t in clone("Migration migrants")] == [t.text for t in analyzer("Migration migrants")]
