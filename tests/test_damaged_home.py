"""Issue 9, scenario 4: a damaged home. Each kind of damage gets a precise message with the right
fix; what is derived is rebuilt by `reindex`; busy, damaged and incompatible never mix up."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from migdocs.repo import catalog as catalog_module
from tests.conftest import run
from tests.procs import make_docs

BUSY, DAMAGED, INCOMPATIBLE = 4, 5, 6


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("damaged")
    make_docs(root / "docs", range(12))
    assert run(root / "home", "ingest", str(root / "docs")).exit_code == 0
    return root


@pytest.fixture
def home(pristine: Path, tmp_path: Path) -> Path:
    shutil.copytree(pristine / "home", tmp_path / "home")
    return tmp_path / "home"


def _one_line_error(result, code: int) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    line, = [x for x in result.stderr.splitlines() if x.startswith("Error: ")]
    return line


def _segment(home: Path) -> Path:
    return next((home / "index").glob("*.seg"))


@pytest.mark.parametrize("damage", ["deleted", "truncated"])
def test_a_damaged_index_segment_says_run_reindex_and_reindex_repairs_it(home: Path, damage: str) -> None:
    segment = _segment(home)
    if damage == "deleted":
        segment.unlink()
    else:
        segment.write_bytes(segment.read_bytes()[: segment.stat().st_size // 2])
    for args in (["search", "marker3"], ["check"]):
        line = _one_line_error(run(home, *args), DAMAGED)
        assert "the search index is damaged" in line and "run `migdocs reindex`" in line
        assert "backup" not in line and "busy" not in line
    assert run(home, "get", "A/99/3").exit_code == 0  # lookups do not need the index
    assert run(home, "reindex").exit_code == 0
    assert run(home, "check").exit_code == 0
    assert "A/99/3" in run(home, "search", "marker3").stdout


def test_a_missing_stored_file_is_named_with_its_document_and_reingest_fixes_it(
        home: Path, pristine: Path) -> None:
    shutil.rmtree(home / "files")
    (home / "files").mkdir()
    result = run(home, "check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 12
    assert any("of A/99/4 [en] (A_99_4-EN.txt) is missing -> ingest that original file" in x
               for x in lines)
    assert "A/99/4" in run(home, "search", "marker4").stdout  # search keeps working
    assert run(home, "ingest", str(pristine / "docs")).exit_code == 0
    assert run(home, "check").exit_code == 0


def test_a_corrupt_stored_file_is_named_and_the_fix_works(home: Path, pristine: Path) -> None:
    stored = next((home / "files").glob("??/*"))
    stored.write_bytes(b"something else")
    result = run(home, "check")
    assert result.exit_code == 1
    line, = result.stdout.splitlines()
    assert line.startswith(f"stored file {stored} of A/99/")
    assert "is corrupt" in line and "delete that stored file and ingest the original file again" in line
    stored.unlink()
    assert run(home, "ingest", str(pristine / "docs")).exit_code == 0
    assert run(home, "check").exit_code == 0


@pytest.mark.parametrize("size", [0.5, 0.3, 50])
def test_a_truncated_catalog_is_damaged_with_restore_advice(home: Path, size: float) -> None:
    catalog = home / "catalog.sqlite"
    keep = int(catalog.stat().st_size * size) if size < 1 else int(size)
    with open(catalog, "r+b") as fh:
        fh.truncate(keep)
    for args in (["search", "marker3"], ["get", "A/99/3"], ["check"], ["list"]):
        result = run(home, *args)
        if args == ["check"] and result.exit_code == 1:  # SQLite's own check found it
            assert "is damaged:" in result.stdout and "restore catalog.sqlite" in result.stdout
            continue
        line = _one_line_error(result, DAMAGED)
        assert "the catalog is damaged" in line and "Restore catalog.sqlite from a backup" in line
        assert "busy" not in line


def test_a_catalog_from_a_newer_migdocs_says_upgrade(home: Path) -> None:
    with sqlite3.connect(home / "catalog.sqlite") as db:
        db.execute("UPDATE meta SET value='99' WHERE key='catalog_format'")
    for args in (["search", "marker3"], ["get", "A/99/3"], ["check"], ["ingest", str(home)]):
        line = _one_line_error(run(home, *args), INCOMPATIBLE)
        assert "written by a newer migdocs" in line and "upgrade migdocs" in line
        assert "Nothing is damaged" in line and "backup" not in line


def test_a_busy_catalog_is_busy_not_damaged(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog_module, "BUSY_TIMEOUT", 0.3)
    other = sqlite3.connect(home / "catalog.sqlite", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program writing, outside migdocs' writer lock
    try:
        line = _one_line_error(run(home, "remove", "A/99/3"), BUSY)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert "the catalog is busy" in line and "nothing is damaged" in line
    assert "backup" not in line and "restore" not in line.lower()
    assert run(home, "remove", "A/99/3").exit_code == 0
