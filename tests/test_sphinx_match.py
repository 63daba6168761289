"""Query trees as Sphinx MATCH() text, and terms as the engine stores them (no engine)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from migdocs.search import query as q
from migdocs.search.sphinx_config import MAX_WORD_LEN
from migdocs.search.sphinx_match import (
    ENCODED,
    decode_term,
    encode_term,
    encode_value,
    glob_pattern,
    match_text,
    prefix_patterns,
)


def test_terms_in_the_charset_go_as_they_are() -> None:
    for term in ("migrant", "développement", "مهاجر", "2015", "日本", "straße"):
        assert encode_term(term) == term
    for term in ("l'homme", "a/69/767", "Upper", "x\u00d7y"):
        assert encode_term(term).startswith(ENCODED) and decode_term(encode_term(term)) == term


@given(st.text(min_size=1, max_size=20), st.text(max_size=10))
def test_encoding_keeps_prefixes(prefix: str, rest: str) -> None:
    whole = encode_value(prefix + rest)
    assert whole.startswith(encode_value(prefix))
    assert decode_term(whole) == prefix + rest
    assert any(whole.startswith(p.rstrip("*")) for p in prefix_patterns(prefix)) or \
        encode_term(prefix + rest) == prefix + rest


def test_one_character_per_byte_fits_sphinx_keyword_limit() -> None:
    assert len(encode_value("UN/POP/MIG-16CM/2018/17")) <= MAX_WORD_LEN


def test_match_text() -> None:
    forces = q.Term("text_en", "forc")
    assert match_text(forces) == "(@text_en forc)"
    assert match_text(q.Phrase("text_en", ("arm", "forc"))) == '(@text_en "arm forc")'
    assert match_text(q.Term("symbol", "a/1")) == f"(@kw_symbol {encode_value('a/1')})"
    assert match_text(q.Prefix("symbol", "a/")) == f"(@kw_symbol {encode_value('a/')}*)"
    assert match_text(q.Wildcard("symbol", "a/?/1*")) == f"(@kw_symbol {glob_pattern('a/?/1*')})"
    assert glob_pattern("a?*") == encode_value("a") + "?*"
    # Sphinx 2.2.11's MAYBE acts as AND: the optional part goes in an OR.
    assert match_text(q.AndMaybe(forces, q.Term("text_en", "weapon"))) == \
        "((@text_en forc) | ((@text_en forc) (@text_en weapon)))"
    assert match_text(q.AndNot(forces, q.Or((forces, q.Term("text_en", "weapon"))))) == \
        "((@text_en forc) -((@text_en forc) | (@text_en weapon)))"
    # One term in several fields of an OR: one alternative over those fields (same matches,
    # its postings read once), keywords and phrases left as they are, in their order.
    word = q.Or((forces, q.Term("title_en", "forc"), q.Term("symbol", "a/1"), q.Term("text_fr", "forc"),
                 q.Phrase("text_en", ("arm", "forc")), q.Term("text_es", "fuerz"), forces))
    assert match_text(word) == (f"((@(text_en,title_en,text_fr) forc) | (@kw_symbol {encode_value('a/1')}) | "
                                '(@text_en "arm forc") | (@text_es fuerz))')
