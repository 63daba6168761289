"""What one file may cost to ingest, in one place, each with its reason.

A hostile or broken file must get one clear line and leave the rest of the run alone, not eat
the machine. Every limit can be raised for a run with its environment variable, e.g.
`MIGDOCS_MAX_FILE_MB=500 migdocs ingest big-report.pdf`.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from migdocs.errors import ExtractionError


def _env(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


def max_file_bytes() -> int:
    """100 MB: the largest file in the bundled corpus is 0.9 MB and a 1,000-page UN report is
    about 10 MB; beyond this it is a scan archive or a mistake, and it would be copied into the
    store whole."""
    return int(_env("MIGDOCS_MAX_FILE_MB", 100) * 1_000_000)


def max_pages() -> int:
    """5,000 pages: the longest UN documents (Official Records volumes) have about 1,500; a
    PDF with more is generated junk, and each page costs an index entry and a language check."""
    return int(_env("MIGDOCS_MAX_PAGES", 5000))


def max_unpacked_bytes() -> int:
    """200 MB of XML inside a DOCX: a 1,000-page Word report unpacks to about 20 MB; a zip
    bomb unpacks to gigabytes from a few kilobytes."""
    return int(_env("MIGDOCS_MAX_UNPACKED_MB", 200) * 1_000_000)


#: A member packed more than 200:1 and larger than 10 MB unpacked is a bomb (real DOCX XML
#: packs about 10:1; long runs of one byte pack 1000:1).
MAX_RATIO = 200
_RATIO_FLOOR = 10_000_000


def check_size(path: Path) -> None:
    size = path.stat().st_size
    if size > max_file_bytes():
        raise ExtractionError(
            f"too large to ingest ({size / 1e6:,.0f} MB; the limit is {max_file_bytes() / 1e6:,.0f} MB)",
            "split it, or raise the limit for this run: MIGDOCS_MAX_FILE_MB=SIZE migdocs ingest FILE")


def check_pages(count: int) -> None:
    if count > max_pages():
        raise ExtractionError(
            f"too many pages ({count:,}; the limit is {max_pages():,})",
            "split it, or raise the limit for this run: MIGDOCS_MAX_PAGES=N migdocs ingest FILE")


def check_archive(path: Path) -> None:
    """Refuse a DOCX (a zip) that would unpack to too much, before unpacking anything."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ExtractionError(f"damaged DOCX ({exc})",
                              "get a fresh copy of the file (the download or copy was probably "
                              "cut short)") from exc
    total = sum(m.file_size for m in members)
    bomb = [m for m in members if m.file_size > _RATIO_FLOOR
            and m.file_size > MAX_RATIO * max(m.compress_size, 1)]
    if total > max_unpacked_bytes() or bomb:
        what = (f"{bomb[0].filename} packed {bomb[0].file_size // max(bomb[0].compress_size, 1):,}:1"
                if bomb else f"{total / 1e6:,.0f} MB unpacked")
        raise ExtractionError(
            f"refused: the DOCX would unpack to too much ({what}; a zip bomb?)",
            "open it in Word and save it again; if it is genuine, raise "
            "MIGDOCS_MAX_UNPACKED_MB for this run")
