"""Issue 9, scenario 5: the disk fills during an ingest. A clear "no space left" (exit 7), the
previous commit intact, nothing half-written recorded as stored, and once there is room again
the same ingest completes. Two ways to fill a disk: a small tmpfs (needs mount rights; skipped
without them) and RLIMIT_FSIZE (a file size limit: writes past it fail with EFBIG; Python
ignores SIGXFSZ, so they fail instead of killing the process)."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

import migdocs
from tests.procs import MIGDOCS, catalog_rows, cli, make_docs

NO_SPACE = 7


@pytest.fixture
def small_disk(tmp_path: Path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", f"migdocs-{uuid.uuid4().hex[:8]}",
                           str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()}); "
                    "the RLIMIT_FSIZE variant covers disk full")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _assert_whole(home: Path, expected: set[str]) -> None:
    """Everything the catalog holds is whole: files stored, index agrees; `expected` in it."""
    check = cli(home, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    symbols = {r[0] for r in catalog_rows(home, "SELECT symbol FROM documents")}
    assert expected <= symbols
    with migdocs.open(home, wait=0) as repo:
        for symbol in symbols:
            n = symbol.rsplit("/", 1)[1]
            assert [h.symbol for h in repo.search(f"marker{n}").hits] == [symbol]


def test_a_full_disk_stops_the_ingest_cleanly_and_a_later_one_completes(
        small_disk: Path, tmp_path: Path) -> None:
    home = small_disk / "home"
    make_docs(tmp_path / "first", range(20))
    make_docs(tmp_path / "second", range(20, 80), lines=40)
    assert cli(home, "ingest", str(tmp_path / "first")).returncode == 0
    before = {f"A/99/{n}" for n in range(20)}
    free = shutil.disk_usage(small_disk).free
    filler = small_disk / "filler"
    with open(filler, "wb") as fh:  # leave about 150 KB: not enough for the second batch
        os.posix_fallocate(fh.fileno(), 0, free - 150_000)
    full = cli(home, "ingest", str(tmp_path / "second"))
    assert full.returncode == NO_SPACE, full.stdout + full.stderr
    assert "no space left" in full.stderr and "Traceback" not in full.stderr
    assert "Everything committed before is intact" in full.stderr
    assert not list(small_disk.glob("home/files/??/.incoming-*"))
    filler.unlink()  # space again
    _assert_whole(home, before)
    again = cli(home, "ingest", str(tmp_path / "second"))
    assert again.returncode == 0, again.stderr
    _assert_whole(home, before | {f"A/99/{n}" for n in range(20, 80)})


def _limited(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_file_size_limit_stops_the_ingest_cleanly_and_a_later_one_completes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    make_docs(tmp_path / "first", range(10))
    assert cli(home, "ingest", str(tmp_path / "first")).returncode == 0
    second = tmp_path / "second"
    make_docs(second, range(10, 14))
    big = second / "A_99_99-EN.txt"  # 3 MB of text: storing it passes the 2 MB limit
    line = "Migrants and refugees are entitled to the same universal human rights.\n"
    big.write_text(line * (3_000_000 // len(line)) + "marker99\n", encoding="utf-8")
    limited = subprocess.run([MIGDOCS, "--home", str(home), "ingest", str(second)],
                             capture_output=True, text=True, timeout=300,
                             preexec_fn=_limited(2_000_000))
    assert limited.returncode == NO_SPACE, limited.stdout + limited.stderr
    assert "no space left" in limited.stderr and "Traceback" not in limited.stderr
    assert not list(home.glob("files/??/.incoming-*"))
    assert catalog_rows(home, "SELECT count(*) FROM documents WHERE symbol='A/99/99'") == [(0,)]
    _assert_whole(home, {f"A/99/{n}" for n in range(10)})
    again = cli(home, "ingest", str(second))
    assert again.returncode == 0, again.stderr
    _assert_whole(home, {f"A/99/{n}" for n in [*range(14), 99]})
