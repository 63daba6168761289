"""Issue 9, scenarios 1 and 2: several writers at once take turns under the writer lock;
readers in other processes and threads answer from the last commit meanwhile, never fail."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

import migdocs
from migdocs.errors import BusyError, NotFoundError
from migdocs.repo.lock import WriterLock
from tests.procs import catalog_rows, cli, make_docs, start


def _exactly_once(home: Path, numbers: range) -> None:
    symbols = [r[0] for r in catalog_rows(home, "SELECT symbol FROM documents")]
    assert sorted(symbols) == sorted(f"A/99/{n}" for n in numbers)
    versions = catalog_rows(home, "SELECT doc_id, language, count(*) FROM versions GROUP BY 1, 2")
    assert len(versions) == len(numbers) and all(count == 1 for *_, count in versions)


def test_three_ingests_at_once_on_a_new_home_all_succeed(tmp_path: Path) -> None:
    make_docs(tmp_path / "a", range(0, 40))
    make_docs(tmp_path / "b", range(40, 60))
    home = tmp_path / "home"
    runs = [start(home, "ingest", str(tmp_path / "a"), str(tmp_path / "b")),
            start(home, "ingest", str(tmp_path / "b")),
            start(home, "ingest", str(tmp_path / "a"))]
    outputs = [p.communicate(timeout=180) for p in runs]
    for p, (_, err) in zip(runs, outputs, strict=True):
        assert p.returncode == 0, err
        assert "Traceback" not in err
    waited = [err for _, err in outputs if "Waiting for " in err]
    assert waited, "the later writers say that they wait, and for whom"
    assert all("Waiting for process " in err and "ingest" in err and "to finish writing to" in err
               for err in waited), waited
    _exactly_once(home, range(60))
    assert cli(home, "check").returncode == 0
    found = cli(home, "search", "marker7", "--json")
    assert [h["symbol"] for h in json.loads(found.stdout)["hits"]] == ["A/99/7"]
    assert WriterLock(home).is_free()


def test_ingest_remove_and_reindex_at_once_on_an_existing_home(tmp_path: Path) -> None:
    make_docs(tmp_path / "a", range(0, 30))
    make_docs(tmp_path / "b", range(30, 60))
    home = tmp_path / "home"
    assert cli(home, "ingest", str(tmp_path / "a")).returncode == 0
    runs = [start(home, "ingest", str(tmp_path / "a"), str(tmp_path / "b")),
            start(home, "remove", "A/99/3"),
            start(home, "reindex"),
            start(home, "ingest", str(tmp_path / "b"))]
    for p in runs:
        _, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
    # remove ran before or after the first ingest: A/99/3 is there once or not at all
    present = {r[0] for r in catalog_rows(home, "SELECT symbol FROM documents")}
    _exactly_once(home, range(60) if "A/99/3" in present else [n for n in range(60) if n != 3])
    check = cli(home, "check")
    assert check.returncode == 0, check.stdout


def test_a_writer_gives_up_after_wait_with_the_busy_exit_code(tmp_path: Path) -> None:
    make_docs(tmp_path / "a", range(3))
    home = tmp_path / "home"
    assert cli(home, "ingest", str(tmp_path / "a")).returncode == 0
    with WriterLock(home).hold(wait=0):
        for args in (["ingest", "--wait", "0.5", str(tmp_path / "a")], ["remove", "A/99/1", "--wait", "0"],
                     ["reindex", "--wait", "0"]):
            busy = cli(home, *args)
            assert busy.returncode == 4, busy.stderr
            line, = busy.stderr.splitlines()[-1:]
            assert line.startswith(f"Error: {home}: busy: process ")
            assert "gave up after" in line and "Run the command again" in line
            assert "backup" not in busy.stderr
        # readers never take the lock
        assert cli(home, "search", "marker1").returncode == 0
        assert cli(home, "get", "A/99/1").returncode == 0
        with pytest.raises(BusyError):
            migdocs.open(home, wait=0).remove("A/99/1")
    assert cli(home, "remove", "A/99/1", "--wait", "0").returncode == 0


def _reader_loop(home: Path, stop: threading.Event, errors: list[str], pairs: list[tuple[int, int]]) -> None:
    """Search and get the committed documents over and over in this thread, with its own
    Repository, and check every two-language document seen is whole."""
    while not stop.is_set():
        try:
            with migdocs.open(home, wait=60) as repo:
                for n in (0, 5, 11):
                    hits = repo.search(f"marker{n}").hits
                    if [h.symbol for h in hits] != [f"A/99/{n}"]:
                        errors.append(f"thread: marker{n} -> {[h.symbol for h in hits]}")
                for n, _ in pairs:
                    try:
                        doc = repo.get(f"A/98/{n}", with_pages=True)
                    except NotFoundError:
                        continue
                    if [v.language for v in doc.versions] != ["en", "fr"] or not all(
                            v.pages for v in doc.versions):
                        errors.append(f"thread: half-written A/98/{n}: {doc.versions}")
        except Exception as exc:  # noqa: BLE001 - any error at all is what the test looks for
            errors.append(f"thread: {type(exc).__name__}: {exc}")


def _dirty(home: Path) -> bool:
    """An ingest is under way: the catalog has commits the index does not have yet."""
    return catalog_rows(home, "SELECT value FROM meta WHERE key='index_dirty'") == [("1",)]


def test_readers_answer_from_the_last_commit_during_ingest_and_reindex(tmp_path: Path) -> None:
    home = tmp_path / "home"
    make_docs(tmp_path / "a", range(0, 20))
    assert cli(home, "ingest", str(tmp_path / "a")).returncode == 0
    batch = tmp_path / "b"
    make_docs(batch, range(100, 300))
    pairs = [(n, n) for n in range(30)]
    entries = []
    for n, _ in pairs:  # documents with two versions: a reader must see both or neither
        for lang, code in (("EN", "en"), ("FR", "fr")):
            (batch / f"pair{n}-{code}.txt").write_text(f"pairword{n} {lang} text\n", encoding="utf-8")
        entries.append(f'[[document]]\nsymbol = "A/98/{n}"\ntype = "paper"\ntitle = "Pair {n}"\n'
                       f'files = {{ EN = "pair{n}-en.txt", FR = "pair{n}-fr.txt" }}\n')
    (batch / "catalog.toml").write_text("\n".join(entries), encoding="utf-8")

    stop, errors = threading.Event(), []
    threads = [threading.Thread(target=_reader_loop, args=(home, stop, errors, pairs)) for _ in range(2)]
    for t in threads:
        t.start()
    reads = during = 0
    try:
        for writer_args in (["ingest", str(batch)], ["reindex"]):
            writer = start(home, *writer_args)
            while writer_args[0] == "ingest" and writer.poll() is None and not _dirty(home):
                time.sleep(0.05)  # read while the ingest has written part of its batch
            while writer.poll() is None:
                during += writer_args[0] == "ingest" and _dirty(home)
                n = (0, 5, 11)[reads % 3]
                found = cli(home, "search", f"marker{n}", "--json")
                if found.returncode != 0 or [h["symbol"] for h in json.loads(found.stdout)["hits"]] != [f"A/99/{n}"]:
                    errors.append(f"process: search marker{n}: {found.returncode} {found.stderr}")
                if found.stderr:  # e.g. waiting for the writer, or rebuilding under its feet
                    errors.append(f"process: search said {found.stderr!r}")
                got = cli(home, "get", "A/98/3", "--json")
                if got.returncode == 0:
                    versions = json.loads(got.stdout)["versions"]
                    if [(v["language"], v["pages"]) for v in versions] != [("en", 1), ("fr", 1)]:
                        errors.append(f"process: half-written A/98/3: {versions}")
                elif got.returncode != 1:
                    errors.append(f"process: get: {got.returncode} {got.stderr}")
                reads += 1
            _, err = writer.communicate()
            assert writer.returncode == 0, err
    finally:
        time.sleep(0.2)
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert not errors, errors[:5]
    assert during >= 1, "no read happened while the ingest was under way"
    assert cli(home, "check").returncode == 0
    found = cli(home, "search", "pairword7", "--json")
    assert [h["symbol"] for h in json.loads(found.stdout)["hits"]] == ["A/98/7"]
