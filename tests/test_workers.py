"""Extraction in worker processes: order kept, and a crashing file fails alone."""

import os
from pathlib import Path

from migdocs.errors import ExtractionError
from migdocs.indexer.ingest import _run


def crash_on_bomb(job: tuple[Path, str, None]) -> str:
    """Stands in for a PDF engine that segfaults on one file: the worker process dies."""
    if job[0].name == "bomb.pdf":
        os._exit(11)
    return job[0].name


def test_results_come_in_job_order_and_a_crash_fails_only_its_file() -> None:
    names = [f"f{i}.pdf" for i in range(40)]
    names.insert(17, "bomb.pdf")
    jobs = [(Path(n), "auto", None) for n in names]
    results = list(_run(jobs, 2, work=crash_on_bomb))
    assert len(results) == 41
    crashed = results.pop(17)
    assert isinstance(crashed, ExtractionError)
    assert crashed.reason == "the text extractor crashed on this file"
    assert results == [n for n in names if n != "bomb.pdf"]
