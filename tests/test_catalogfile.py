from pathlib import Path

import pytest

from migdocs.errors import CatalogFileError
from migdocs.repo import catalogfile
from tests.conftest import CORPUS

EXAMPLE = """\
[meeting]
code = "17CM"
name = "Seventeenth Coordination Meeting"
start = 2019-02-14
end = 2019-02-15

[[meeting.sessions]]
number = "i"
title = "Opening"
day = 2019-02-14
part = "morning"
moderator = { name = "A. Person", affiliation = "UN DESA" }
talks = [{ title = "Welcome", speaker = "B. Person" }]

[defaults]
type = "paper"

[[document]]
symbol = "un/pop/mig-17cm/2019/1"
title = "A paper"
entity = "IOM"
sessions = ["i"]
languages = ["AR", "SP"]
files = { EN = "paper-EN.pdf" }
titles = { SP = "Un documento" }

[[document]]
type = "background"
title = "Zero draft of something"
date = "2018"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_loads_with_defaults_and_un_language_codes(tmp_path: Path) -> None:
    loaded = catalogfile.load(write(tmp_path, EXAMPLE))
    assert loaded.meeting is not None
    assert loaded.meeting.sessions[0].number == "I"
    assert loaded.meeting.sessions[0].moderator.name == "A. Person"
    paper, background = loaded.entries
    assert paper.document.id == "UN/POP/MIG-17CM/2019/1"
    assert paper.document.type == "paper"
    assert paper.document.meeting == "17CM"
    assert paper.document.sessions == ["I"]
    assert paper.listed_languages == ["ar", "es"]
    assert paper.files == {"en": Path("paper-EN.pdf")}
    assert paper.titles == {"es": "Un documento"}
    assert paper.line == 18
    assert background.document.id == "17cm-zero-draft-of-something"
    assert background.document.date == "2018"
    assert background.line == 27


@pytest.mark.parametrize("broken, line, message", [
    ('symbol = "not a symbol"', 18, "'not a symbol' is not a UN document symbol"),
    ('type = "memo"', 18, "`type` must be one of paper, background, presentation, meeting"),
    ('colour = "blue"', 18, "unknown key(s) ['colour']"),
    ('sessions = ["3"]', 18, "session '3' must be a roman numeral"),
    ('date = "15 Feb"', 18, "`date` must be a date such as 2018-02-15"),
    ('files = { XX1 = "a.pdf" }', 18, "'XX1' is not a language code"),
])
def test_errors_name_the_file_and_line(tmp_path: Path, broken: str, line: int, message: str) -> None:
    key = broken.split(" = ")[0]
    lines = EXAMPLE.splitlines()
    first_doc = lines.index("[[document]]")
    body = [ln for ln in lines[first_doc + 1:first_doc + 8] if not ln.startswith(key + " ")]
    text = "\n".join(lines[:first_doc + 1] + [broken] + body + lines[first_doc + 8:])
    path = write(tmp_path, text)
    with pytest.raises(CatalogFileError) as caught:
        catalogfile.load(path)
    assert caught.value.line == line
    assert f"{path}:{line}: " in caught.value.message
    assert message in caught.value.message
    assert "nothing from this catalog was ingested" in caught.value.message


def test_meeting_errors_point_at_the_meeting(tmp_path: Path) -> None:
    path = write(tmp_path, EXAMPLE.replace('part = "morning"', 'part = "noon"'))
    with pytest.raises(CatalogFileError) as caught:
        catalogfile.load(path)
    assert caught.value.line == 1
    assert (f"{path}:1: [meeting]: session `part` must be one of morning, afternoon, evening, "
            "not 'noon'") in caught.value.message


def test_toml_syntax_error_has_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[[document]]\ntitle = "x"\ntype = paper\n')
    with pytest.raises(CatalogFileError) as caught:
        catalogfile.load(path)
    assert caught.value.line == 3
    assert str(caught.value).startswith(f"{path}:3: not valid TOML")


def test_duplicate_documents_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '[[document]]\ntitle = "Same"\ntype = "meeting"\n\n'
                           '[[document]]\ntitle = "Same"\ntype = "meeting"\n')
    with pytest.raises(CatalogFileError, match="'same' is already defined at line 1; give one of them an `id`"):
        catalogfile.load(path)


def test_sixteenth_meeting_catalog() -> None:
    loaded = catalogfile.load(CORPUS / "16cm" / "catalog.toml")
    meeting = loaded.meeting
    assert meeting is not None
    assert (meeting.code, meeting.start, meeting.end) == ("16CM", "2018-02-15", "2018-02-16")
    numbered = [s for s in meeting.sessions if s.number]
    assert [s.number for s in numbered] == ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
    assert [(s.day, s.part) for s in numbered[:2]] == [("2018-02-15", "morning")] * 2
    assert numbered[4].moderator.name == "Bela Hovy"
    by_id = {e.document.id: e for e in loaded.entries}
    papers = [e for e in loaded.entries if e.document.type == "paper"]
    assert [e.document.symbol for e in papers] == [f"UN/POP/MIG-16CM/2018/{n}" for n in range(1, 18)]
    assert by_id["UN/POP/MIG-16CM/2018/1"].listed_languages == ["ar", "en", "fr", "es"]
    assert by_id["UN/POP/MIG-16CM/2018/5"].document.entity == "IOM"
    assert by_id["A/72/643"].document.notes == "The meeting page writes the symbol as A72/643."
    assert by_id["16cm-tier-classification-for-global-sdg"].document.sessions == ["V", "VI"]
    assert sum(e.document.type == "presentation" for e in loaded.entries) == 2
