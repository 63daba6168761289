"""Issue 9, scenario 7: confinement. Catalog paths that leave their folder, symlinks out of an
ingested folder, a home that is a symlink or holds links out of it, files that change while
being read: refused or handled, and nothing outside the home is written."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from migdocs.errors import FileChangedError
from migdocs.repo.store import FileStore
from tests.conftest import run
from tests.procs import catalog_rows

TEXT = "Migrants contribute to sustainable development in countries of origin and destination."


def _tree(root: Path, skip: Path | None = None) -> dict[str, tuple[int, float]]:
    """Every file and link under `root` (not under `skip`) with size and mtime."""
    out = {}
    for folder, dirs, names in os.walk(root):
        if skip is not None and Path(folder).resolve().is_relative_to(skip.resolve()):
            continue
        for name in names + [d for d in dirs if (Path(folder) / d).is_symlink()]:
            path = Path(folder) / name
            st = path.lstat()
            out[str(path)] = (st.st_size, st.st_mtime)
    return out


def test_catalog_paths_and_symlinks_that_leave_the_folder_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret-EN.txt").write_text("secretword " + TEXT, encoding="utf-8")
    (outside / "dir").mkdir()
    (outside / "dir" / "A_99_7-EN.txt").write_text("linkedword " + TEXT, encoding="utf-8")
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "ok-EN.txt").write_text("okword " + TEXT, encoding="utf-8")
    (folder / "link-EN.txt").symlink_to(outside / "secret-EN.txt")
    (folder / "linked-dir").symlink_to(outside / "dir")
    (folder / "catalog.toml").write_text(
        '[[document]]\nsymbol = "A/99/1"\ntype = "paper"\nfiles = { EN = "../outside/secret-EN.txt" }\n\n'
        f'[[document]]\nsymbol = "A/99/2"\ntype = "paper"\nfiles = {{ EN = "{outside / "secret-EN.txt"}" }}\n\n'
        '[[document]]\nsymbol = "A/99/3"\ntype = "paper"\nfiles = { EN = "ok-EN.txt" }\n', encoding="utf-8")
    before = _tree(tmp_path)
    home = tmp_path / "home"
    result = run(home, "ingest", str(folder))
    assert result.exit_code == 1
    failed = result.stdout.split("Failed:\n", 1)[1].splitlines()
    assert len(failed) == 4, failed
    assert sum("leaves the catalog's folder (path traversal); refused" in x for x in failed) == 2
    assert sum("outside the ingested folder" in x for x in failed) == 2
    assert run(home, "search", "secretword").exit_code == 1  # nothing from outside
    assert run(home, "search", "linkedword").exit_code == 1
    assert run(home, "search", "okword").exit_code == 0
    assert _tree(tmp_path, skip=home) == before  # nothing written outside the home


def test_a_home_that_is_a_symlink_is_used_where_it_leads(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "A_99_1-EN.txt").write_text(TEXT, encoding="utf-8")
    real = tmp_path / "real-home"
    real.mkdir()
    (tmp_path / "home-link").symlink_to(real)
    before = _tree(tmp_path, skip=real)
    assert run(tmp_path / "home-link", "ingest", str(tmp_path / "docs")).exit_code == 0
    assert (real / "catalog.sqlite").is_file() and (tmp_path / "home-link").is_symlink()
    assert run(tmp_path / "home-link", "reindex").exit_code == 0
    assert run(tmp_path / "home-link", "check").exit_code == 0
    assert _tree(tmp_path, skip=real) == before


@pytest.mark.parametrize("entry", ["index", "files", "catalog.sqlite"])
def test_a_link_inside_the_home_leading_out_of_it_is_refused(tmp_path: Path, entry: str) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "A_99_1-EN.txt").write_text(TEXT, encoding="utf-8")
    home = tmp_path / "home"
    assert run(home, "ingest", str(tmp_path / "docs")).exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    os.rename(home / entry, elsewhere)
    (home / entry).symlink_to(elsewhere)
    before = _tree(elsewhere) if elsewhere.is_dir() else {str(elsewhere): elsewhere.stat().st_size}
    for args in (["reindex"], ["search", "anything"], ["ingest", str(tmp_path / "docs")]):
        result = run(home, *args)
        assert result.exit_code == 1
        assert result.stderr.startswith(f"Error: {home.resolve() / entry} is a link to ")
        assert "outside the repository" in result.stderr
    after = _tree(elsewhere) if elsewhere.is_dir() else {str(elsewhere): elsewhere.stat().st_size}
    assert after == before


def test_the_store_keeps_only_a_copy_with_the_hash_it_was_given(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    source = tmp_path / "paper.txt"
    source.write_text(TEXT, encoding="utf-8")
    hashed_before_it_changed = hashlib.sha256(b"an earlier version").hexdigest()
    with pytest.raises(FileChangedError):
        store.put(source, hashed_before_it_changed)
    assert store.hashes() == set() and not list((tmp_path / "files").glob("??/.incoming-*"))
    right = hashlib.sha256(source.read_bytes()).hexdigest()
    assert store.put(source, right).read_bytes() == source.read_bytes()


def test_files_changing_during_an_ingest_are_stored_whole_or_refused(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(30):
        (docs / f"A_99_{n}-EN.txt").write_text(f"marker{n} {TEXT}\n" * 50, encoding="utf-8")
    stop = threading.Event()

    def keep_saving() -> None:  # another program saving these files over and over
        i = 0
        while not stop.is_set():
            i += 1
            for n in range(0, 30, 3):
                (docs / f"A_99_{n}-EN.txt").write_text(f"marker{n} version{i} {TEXT}\n" * (50 + i % 7),
                                                       encoding="utf-8")

    writer = threading.Thread(target=keep_saving)
    writer.start()
    try:
        home = tmp_path / "home"
        result = run(home, "ingest", "--workers", "1", str(docs))
    finally:
        stop.set()
        writer.join()
    assert result.exit_code in (0, 1) and "Traceback" not in result.output
    for line in result.stdout.split("Failed:\n", 1)[-1].splitlines() if result.exit_code else []:
        # caught mid-save: changed since hashed, or empty at the moment it was looked at
        assert "changed while it was being read" in line or "empty file (0 bytes)" in line, line
    check = run(home, "check")  # every stored file has the hash it is stored under
    assert check.exit_code == 0, check.output
    recorded = {r[0] for r in catalog_rows(home, "SELECT symbol FROM documents")}
    assert {f"A/99/{n}" for n in range(30) if n % 3} <= recorded  # the unchanged ones are in
