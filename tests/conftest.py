from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from migdocs.cli import cli
from tests.sphinx_cluster import sphinx_cluster, sphinx_url  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
DATA = Path(__file__).resolve().parent / "data"
HARD = DATA / "hard-cases"

#: Filled by tests that measure something the run should show (see pytest_terminal_summary).
REPORT: list[str] = []


def run(home: Path, *args: str, color: bool = False) -> Result:
    """The real CLI, in-process, on the repository at `home`. `output` has stdout and stderr
    as a terminal shows them; `stdout` and `stderr` apart. `color`: as on a terminal."""
    return CliRunner().invoke(cli, ["--home", str(home), *args], prog_name="migdocs",
                               catch_exceptions=False, color=color)


def without_timing(text: str) -> str:
    return re.sub(r" \(\d+\.\d s\)", "", text)


@pytest.fixture(scope="session")
def corpus_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole bundled corpus, ingested once through the CLI. Tests must not modify it."""
    home = tmp_path_factory.mktemp("corpus-home")
    result = run(home, "ingest", str(CORPUS))
    assert result.exit_code == 0, result.output
    return home


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if REPORT:
        terminalreporter.section("migdocs measurements")
        for line in REPORT:
            terminalreporter.write_line(line)
