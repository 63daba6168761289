"""Each JSON shape has one home next to its type: the CLI prints exactly the library's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import migdocs
from migdocs.errors import NotFoundError
from tests.conftest import run


def test_cli_json_is_the_library_as_dict(corpus_home: Path) -> None:
    with migdocs.open(corpus_home) as repo:
        detail = repo.detail("a/69/767", language="FR", with_text=True)
        programme = repo.meeting("16cm")
        result = repo.search("migrant workers", limit=3)
        listed = repo.list(session="V")
    assert isinstance(detail, migdocs.DocumentDetail) and isinstance(programme, migdocs.Programme)
    assert isinstance(result, migdocs.SearchResult)
    cli = json.loads(run(corpus_home, "get", "A/69/767", "--lang", "fr", "--text", "--json").output)
    assert cli == detail.as_dict() and [v["language"] for v in cli["versions"]] == ["fr"]
    assert json.loads(run(corpus_home, "meeting", "16CM", "--json").output) == programme.as_dict()
    searched = run(corpus_home, "search", "migrant workers", "--limit", "3", "--json").output
    assert json.loads(searched) == result.as_dict()
    assert "matched" not in result.as_dict()["hits"][0] and "words" not in result.as_dict()
    listed_cli = run(corpus_home, "list", "--session", "V", "--json").output
    assert json.loads(listed_cli) == [d.as_dict() for d in listed]


def test_a_missing_language_version_is_one_rule_for_get_and_remove(corpus_home: Path) -> None:
    with migdocs.open(corpus_home) as repo:
        with pytest.raises(NotFoundError, match=r"UN/POP/MIG-16CM/2018/5 has no ar version \(it has: none\)"):
            repo.get("UN/POP/MIG-16CM/2018/5", language="AR")
    got = run(corpus_home, "get", "A/69/767", "--lang", "zz")
    removed = run(corpus_home, "remove", "A/69/767", "--lang", "zz")
    assert got.exit_code == removed.exit_code == 1
    assert got.output == removed.output == "Error: A/69/767 has no zz version (it has: ar, en, es, fr)\n"
