"""Issue 9, scenario 3: `migdocs ingest` killed with SIGKILL (with its worker processes, as when
a laptop dies) at seeded random moments. After each kill the home opens, `check` passes or
names what to run, everything the catalog holds as committed is searchable, no lock is left;
the last run completes with every document present once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import migdocs
from migdocs.repo.lock import WriterLock
from tests.conftest import run
from tests.procs import MIGDOCS, catalog_rows, cli, make_docs

SEED = 9  # change it to explore other moments; the test prints what each round hit
KILLS = 10
FIRST, GROWTH, REWRITES = 200, 10, 12


def _rewrite(folder: Path, numbers: list[int], word: str) -> None:
    for n in numbers:
        path = folder / f"A_99_{n}-EN.txt"
        path.write_text(path.read_text(encoding="utf-8") + f"{word}\n", encoding="utf-8")


def _committed(home: Path) -> list[tuple[str, str]]:
    if not (home / "catalog.sqlite").exists():
        return []
    try:
        return catalog_rows(home, """SELECT d.symbol, p.text FROM documents d
            JOIN versions v ON v.doc_id=d.id JOIN pages p ON p.version_id=v.id""")
    except Exception:  # noqa: BLE001 - not created yet
        return []


def _count(home: Path, word: str) -> int:
    return sum(word in text.split() for _, text in _committed(home))


def _kill_at_a_random_moment(home: Path, folder: Path, rng: random.Random, word: str,
                             changes: int) -> str:
    """Start an ingest and SIGKILL its process group at a moment of a random kind. Returns
    what was hit ('' when the run finished first)."""
    kind = rng.choice(["after a delay", "while committing", "after the last commit"])
    target = rng.randint(1, max(1, changes - 1))
    delay = rng.uniform(0.05, 2.5)
    workers = rng.choice(["1", "2"])  # 2: extraction processes die with it too
    proc = subprocess.Popen(
        [MIGDOCS, "--home", str(home), "ingest", "--workers", workers, str(folder)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    started = time.monotonic()
    while proc.poll() is None:
        if kind == "after a delay" and time.monotonic() - started >= delay:
            break
        if kind == "while committing" and _count(home, word) >= target:
            break
        if kind == "after the last commit" and _count(home, word) >= changes:
            break
        time.sleep(0.01)
    if proc.poll() is not None:
        proc.communicate()
        return ""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    return f"{kind} ({_count(home, word)}/{changes} committed, {time.monotonic() - started:.2f} s)"


def _assert_consistent(home: Path, words: list[str], rng: random.Random) -> None:
    assert WriterLock(home).is_free(), "a killed writer left its lock held"
    check = run(home, "check")
    assert "Traceback" not in check.output
    if check.exit_code != 0:  # each problem names the command that fixes it
        assert check.exit_code == 1, check.output
        for line in check.stdout.splitlines():
            assert "`migdocs ingest`" in line or "`migdocs reindex`" in line, line
    committed = _committed(home)
    with migdocs.open(home, wait=0) as repo:  # wait=0: nothing may still hold the lock
        for symbol, _ in rng.sample(committed, min(15, len(committed))):
            marker = f"marker{symbol.rsplit('/', 1)[1]}"
            assert [h.symbol for h in repo.search(marker).hits] == [symbol], marker
        for word in words:
            expected = {s for s, text in committed if word in text.split()}
            found = {h.symbol for h in repo.search(word, limit=100).hits}
            assert found == expected, word


def test_ingest_killed_at_random_moments_loses_nothing_committed(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    folder, home = tmp_path / "docs", tmp_path / "home"
    make_docs(folder, range(FIRST))
    total, kills, rounds, words, hits = FIRST, 0, 0, [], []
    while kills < KILLS:
        rounds += 1
        assert rounds <= 3 * KILLS, f"only {kills} kills in {rounds} rounds: {hits}"
        word = f"roundword{rounds}"
        changed = rng.sample(range(total), REWRITES)
        _rewrite(folder, changed, word)
        make_docs(folder, range(total, total + GROWTH))
        total += GROWTH
        words.append(word)
        hit = _kill_at_a_random_moment(home, folder, rng, word, REWRITES)
        hits.append(hit or "finished before the kill")
        kills += bool(hit)
        if (home / "catalog.sqlite").exists():
            _assert_consistent(home, words, rng)
    print("\n".join(f"round {i}: {h}" for i, h in enumerate(hits, 1)))
    final = cli(home, "ingest", str(folder))
    assert final.returncode == 0, final.stderr
    assert "Waiting" not in final.stderr
    symbols = [r[0] for r in catalog_rows(home, "SELECT symbol FROM documents")]
    assert sorted(symbols) == sorted(f"A/99/{n}" for n in range(total))
    assert catalog_rows(home, "SELECT count(*) FROM versions") == [(total,)]
    assert cli(home, "check").returncode == 0
    _assert_consistent(home, words, rng)
    assert len({h.split(" (")[0] for h in hits if h != "finished before the kill"}) >= 2
