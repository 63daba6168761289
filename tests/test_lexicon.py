"""The translation lexicon: learned from real aligned UN Parallel Corpus documents."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from migdocs.indexer import freedict
from migdocs.indexer.lexicon import version_units
from tests.conftest import CORPUS, DATA, run

TEXT = CORPUS / "unpc" / "text"
#: Held in all four languages: the lexicon's teachers (three mention austerity).
TEACHERS = ("E_CN.6_2015_NGO_237 A_69_800 E_CN.6_2015_INF_1 E_CN.6_2015_NGO_263 "
            "E_CN.6_2015_NGO_253 E_CN.6_2015_NGO_258 A_70_103 E_CN.9_2015_3 A_69_778 "
            "S_2015_98 S_2015_128 A_69_783").split()
#: Held in French only: widows, pensions and austerity (E/CN.6/2015/NGO/271) and two others.
FRENCH_ONLY = ("E_CN.6_2015_NGO_271", "A_69_745", "A_69_796")


def write_catalog(folder: Path, documents: dict[str, tuple[str, ...]]) -> Path:
    """A catalog of UN Parallel Corpus text files (copied): name -> languages."""
    (folder / "text").mkdir(parents=True, exist_ok=True)
    lines = ["[defaults]", 'type = "background"', ""]
    for name, langs in documents.items():
        symbol = (TEXT / f"{name}-EN.txt").read_text(encoding="utf-8").splitlines()[0].strip()
        files = []
        for lang in langs:
            shutil.copyfile(TEXT / f"{name}-{lang}.txt", folder / "text" / f"{name}-{lang}.txt")
            files.append(f'{lang} = "text/{name}-{lang}.txt"')
        lines += ["[[document]]", f'symbol = "{symbol}"', f"files = {{ {', '.join(files)} }}", ""]
    (folder / "catalog.toml").write_text("\n".join(lines), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def small_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve documents in ar/en/es/fr and three in French only, lexicon learned from the
    documents alone (no dictionary: fast, and it shows what the documents teach)."""
    tmp = tmp_path_factory.mktemp("lexicon")
    documents = {name: ("AR", "EN", "ES", "FR") for name in TEACHERS}
    documents.update({name: ("FR",) for name in FRENCH_ONLY})
    home = tmp / "home"
    assert run(home, "ingest", str(write_catalog(tmp / "docs", documents))).exit_code == 0
    result = run(home, "lexicon", "build", "--no-dictionaries")
    assert result.exit_code == 0, result.output
    assert "ar-en 72, ar-es 72, ar-fr 72, en-es 72, en-fr 72, es-fr 72" in result.output
    assert "Dictionaries: not used" in result.output
    return home


def test_lexicon_show_learned_translations(small_home: Path) -> None:
    result = run(small_home, "lexicon", "show", "austerity", "--from", "en")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "austerity (English, term auster):"
    assert any(line.split()[:2] == ["fr", "austérité"] and "learned" in line for line in lines)
    assert any(line.split()[:2] == ["es", "austeridad"] for line in lines)
    assert any(line.split()[:2] == ["ar", "التقشف"] for line in lines)
    assert "Dictionaries: not used" in result.stderr


def test_lexicon_show_json_and_every_language(small_home: Path) -> None:
    data = json.loads(run(small_home, "lexicon", "show", "التقشف", "--json").stdout)
    assert data["state"] == "current"
    assert [r["language"] for r in data["readings"]] == ["ar"]
    french = [t for t in data["readings"][0]["translations"] if t["language"] == "fr"]
    assert french[0]["term"] == "austerit" and french[0]["source"] == "learned"
    assert 0.1 <= french[0]["p"] <= 1


def test_lexicon_show_unknown_word_and_bad_language(small_home: Path) -> None:
    result = run(small_home, "lexicon", "show", "zzyzx")
    assert result.exit_code == 1
    assert "no translation of 'zzyzx'" in result.output
    result = run(small_home, "lexicon", "show", "austerity", "--from", "xx")
    assert result.exit_code == 2


def test_lexicon_missing_then_stale(tmp_path: Path) -> None:
    home = tmp_path / "home"
    docs = write_catalog(tmp_path / "docs", {"S_2015_98": ("EN", "FR")})
    run(home, "ingest", str(docs))
    result = run(home, "lexicon", "show", "golan")
    assert result.exit_code == 1
    assert "no lexicon yet; run `migdocs lexicon build`" in result.output
    assert run(home, "lexicon", "build", "--no-dictionaries").exit_code == 0
    assert "Note:" not in run(home, "lexicon", "show", "golan", "--from", "en").stderr
    more = write_catalog(tmp_path / "more", {"S_2015_128": ("EN", "FR")})
    run(home, "ingest", str(more))  # (the ingest updates the lexicon)
    assert "Note:" not in run(home, "lexicon", "show", "golan", "--from", "en").stderr
    assert run(home, "remove", "S/2015/128").exit_code == 0
    result = run(home, "lexicon", "show", "golan", "--from", "en")
    assert "changed since the lexicon was built" in result.stderr


def test_a_change_of_analysis_makes_the_lexicon_stale(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The lexicon holds analysed terms: a new analysis version leaves them behind."""
    from migdocs.indexer import analysis

    home = tmp_path / "home"
    run(home, "ingest", str(write_catalog(tmp_path / "docs", {"S_2015_98": ("EN", "FR")})))
    assert run(home, "lexicon", "build", "--no-dictionaries").exit_code == 0
    assert "Note:" not in run(home, "lexicon", "show", "golan", "--from", "en").stderr
    monkeypatch.setattr(analysis, "ANALYSIS_VERSION", analysis.ANALYSIS_VERSION + 1)
    result = run(home, "lexicon", "show", "golan", "--from", "en")
    assert "changed since the lexicon was built" in result.stderr


def test_units_are_paragraphs_of_a_pdf_and_lines_of_a_text() -> None:
    page = "A/69/720\nThe response has\ncontributed to a reduction.\nIt saved lives:\n\nmany."
    assert version_units([page], lines=False, symbol="A/69/720") == [
        "The response has contributed to a reduction.", "It saved lives:", "many."]
    assert version_units(["A/69/720\nOne.\n\nTwo"], lines=True, symbol="A/69/720") == ["One.", "Two"]


def test_dictionary_backs_up_words_the_documents_never_showed(tmp_path: Path) -> None:
    """A real excerpt of FreeDict (tests/data/freedict): eng-fra, fra-eng, eng-ara."""
    import migdocs

    home = tmp_path / "home"
    run(home, "ingest", str(write_catalog(tmp_path / "docs", {"S_2015_98": ("EN", "FR")})))
    with migdocs.open(home) as repo:
        report = repo.lexicon_build(dictionary_folder=DATA / "freedict")
    assert report.dictionaries == ["eng-ara", "eng-fra", "fra-eng"]
    data = json.loads(run(home, "lexicon", "show", "cheese", "--from", "en", "--json").stdout)
    french = {t["word"]: t for t in data["readings"][0]["translations"] if t["language"] == "fr"}
    assert french["fromage"]["source"] == "dictionary"
    assert french["fromage"]["p"] < 0.6  # below what the documents teach
    # Arabic -> French has no dictionary: through English (eng-ara read backwards, eng-fra).
    data = json.loads(run(home, "lexicon", "show", "التفاحة", "--from", "ar", "--json").stdout)
    french = [t for t in data["readings"][0]["translations"] if t["language"] == "fr"]
    assert [(t["word"], t["source"]) for t in french] == [("pomme", "pivot")]


def test_installed_dictionaries_are_read() -> None:
    """The dictd reader on whatever FreeDict dictionaries the machine has (.ci/run installs
    all seven)."""
    installed = freedict.available()
    if ("en", "fr") not in installed:
        pytest.skip("dict-freedict-eng-fra is not installed")
    found = dict(freedict.entries("en", "fr"))
    assert len(found) > 5000
    assert "veuve" in found["widow"]


def test_an_ingest_adds_new_translated_documents_to_the_lexicon(tmp_path: Path) -> None:
    """Only the new document's units are aligned (with what was learned as priors); the
    lexicon is current again and knows its words. A removal cannot be taken back out."""
    import migdocs

    home = tmp_path / "home"
    teachers = [t for t in TEACHERS if t != "S_2015_98"]
    run(home, "ingest", str(write_catalog(tmp_path / "docs", {t: ("EN", "FR") for t in teachers})))
    assert run(home, "lexicon", "build", "--no-dictionaries").exit_code == 0
    assert "no translation known" in run(home, "lexicon", "show", "syrian", "--from", "en").stdout
    with migdocs.open(home) as repo:
        units_before = repo.lexicon.units["en-fr"]
    result = run(home, "ingest", str(write_catalog(tmp_path / "more", {"S_2015_98": ("EN", "FR")})))
    assert result.exit_code == 0, result.output
    assert "Lexicon: learned from 1 new translated document(s)" in result.output
    shown = run(home, "lexicon", "show", "syrian", "--from", "en")
    assert shown.exit_code == 0 and "Note:" not in shown.stderr
    assert any(line.split()[:2] == ["fr", "syrien"] for line in shown.stdout.splitlines()), shown.stdout
    learned_before = run(home, "lexicon", "show", "austerity", "--from", "en").stdout
    assert any(line.split()[:2] == ["fr", "austérité"] for line in learned_before.splitlines())
    with migdocs.open(home) as repo:
        assert repo.lexicon_state() == "current"
        assert repo.lexicon.units["en-fr"] > units_before
        nothing = repo.lexicon_update()
        assert nothing is not None and nothing.documents == 0
        repo.remove("S/2015/98")
        assert repo.lexicon_state() == "stale"
        removed = repo.lexicon_update()  # a removal needs `lexicon build`
        assert removed is not None and removed.rebuild == "changed" and not removed.updated
        assert repo.lexicon_state() == "stale"


def test_an_ingest_says_why_the_lexicon_must_be_built_whole(tmp_path: Path) -> None:
    """A replaced translated version cannot be taken out of what was learned; a lexicon
    built by an earlier migdocs has no state to update: the ingest names each reason."""
    from migdocs.indexer.lexicon_update import state_path

    home = tmp_path / "home"
    docs = write_catalog(tmp_path / "docs", {"S_2015_98": ("EN", "FR"), "S_2015_128": ("EN", "FR")})
    run(home, "ingest", str(docs))
    assert run(home, "lexicon", "build", "--no-dictionaries").exit_code == 0
    french = docs / "text" / "S_2015_98-FR.txt"
    french.write_text(french.read_text(encoding="utf-8") + "\nUne ligne de plus.\n", encoding="utf-8")
    result = run(home, "ingest", str(docs))
    assert result.exit_code == 0, result.output
    assert "Lexicon: stale (a document held in several languages was replaced or removed)" in result.output
    assert run(home, "lexicon", "build", "--no-dictionaries").exit_code == 0
    state_path(home / "lexicon.sqlite").unlink()
    more = write_catalog(tmp_path / "more", {"A_69_783": ("EN", "FR")})
    result = run(home, "ingest", str(more))
    assert "Lexicon: stale (it was built by an earlier migdocs" in result.output


def test_the_lexicon_state_keeps_a_bounded_sample_of_units(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The state would otherwise grow with every document; updates still work from the
    sample."""
    import pickle

    from migdocs.indexer import lexicon_update

    monkeypatch.setattr(lexicon_update, "KEPT_UNITS", 3)
    home = tmp_path / "home"
    run(home, "ingest", str(write_catalog(tmp_path / "docs", {t: ("EN", "FR") for t in TEACHERS[:4]})))
    assert run(home, "lexicon", "build", "--no-dictionaries").exit_code == 0
    state = pickle.loads(lexicon_update.state_path(home / "lexicon.sqlite").read_bytes())
    assert state["units"]["en-fr"] > 3  # learned from all of them
    assert [len(u) for u in state["aligned"].values()] == [3]
    result = run(home, "ingest", str(write_catalog(tmp_path / "more", {"S_2015_98": ("EN", "FR")})))
    assert "Lexicon: learned from 1 new translated document(s)" in result.output
    state = pickle.loads(lexicon_update.state_path(home / "lexicon.sqlite").read_bytes())
    assert [len(u) for u in state["aligned"].values()] == [3]
