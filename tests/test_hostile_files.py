"""Issue 9, scenario 6 (files): hostile and odd files made here. Each gets one clear line (or is
read sensibly), quickly, and the rest of the run goes on."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from migdocs.indexer import limits
from tests.conftest import run

GOOD = "Migrants contribute to sustainable development in countries of origin and destination."


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF from numbered objects (1 = catalog), with a correct xref table."""
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _many_pages_pdf(count: int) -> bytes:
    """`count` tiny pages sharing one content stream that shows one word."""
    stream = b"BT /F1 8 Tf 10 10 Td (tiny) Tj ET"
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(count))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count,
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 20 20] /Contents 3 0 R "
                b"/Resources << /Font << /F1 4 0 R >> >> >>"] * count
    return _pdf(objects)


def _nested_pdf(depth: int) -> bytes:
    stream = b"BT /F1 12 Tf 20 20 Td (nested objects) Tj ET"
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R /Deep 6 0 R >>",
                 b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
                 b"/Resources << /Font << /F1 5 0 R >> /Extra 6 0 R >> >>",
                 b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
                 b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
                 b"[" * depth + b"1" + b"]" * depth])


def _zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with z.open("word/document.xml", "w", force_zip64=True) as member:
            block = b" " * 1_000_000
            for _ in range(60):  # 60 MB of spaces pack to ~60 KB
                member.write(block)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, object]:
    folder = tmp_path_factory.mktemp("hostile")
    _zip_bomb(folder / "bomb.docx")
    (folder / "ten-thousand-pages.pdf").write_bytes(_many_pages_pdf(10_000))
    (folder / "nested.pdf").write_bytes(_nested_pdf(200_000))
    with open(folder / "huge.pdf", "wb") as fh:  # 200 MB, sparse: no disk used
        fh.write(b"%PDF-1.7\n")
        fh.truncate(200_000_000)
    (folder / "utf16-EN.txt").write_text(GOOD + " utf16bom", encoding="utf-16")
    (folder / "utf16le-EN.txt").write_bytes((GOOD + " utf16nobom").encode("utf-16-le"))
    (folder / "latin1-FR.txt").write_bytes(
        "Les travailleurs migrants contribuent au développement; coût élevé latinword.".encode("latin-1"))
    (folder / "new\nline-EN.txt").write_text(GOOD + " newlineword", encoding="utf-8")
    (folder / "esc\x1b[31mred\r-EN.txt").write_text(GOOD + " escapeword", encoding="utf-8")
    (folder / os.fsdecode(b"caf\xe9-bytes-EN.txt")).write_text(GOOD + " bytesword", encoding="utf-8")
    (folder / "A_99_1-EN.txt").write_text(GOOD + " goodword", encoding="utf-8")
    home = tmp_path_factory.mktemp("hostile-home")
    result = run(home, "ingest", str(folder))
    return folder, home, result


def test_each_hostile_file_gets_one_clear_line_and_the_run_goes_on(hostile) -> None:
    folder, home, result = hostile
    assert result.exit_code == 1, result.output  # some files failed, the rest is in
    out = result.stdout
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert out.startswith("8 added, 0 updated, 0 unchanged, 3 failed")
    assert not any(c in out for c in "\x1b\r"), "control characters reach the terminal"
    failed = out.split("Failed:\n", 1)[1].splitlines()
    lines = {name: [x for x in failed if name in x] for name in
             ("bomb.docx", "ten-thousand-pages.pdf", "huge.pdf")}
    assert all(len(found) == 1 for found in lines.values()), failed
    assert "zip bomb" in lines["bomb.docx"][0]
    assert "too many pages (10,000; the limit is 5,000)" in lines["ten-thousand-pages.pdf"][0]
    assert "MIGDOCS_MAX_PAGES" in lines["ten-thousand-pages.pdf"][0]
    assert "too large to ingest (200 MB; the limit is 100 MB)" in lines["huge.pdf"][0]
    assert "MIGDOCS_MAX_FILE_MB" in lines["huge.pdf"][0]
    for line in failed:  # every failure is one line: "  path: reason -> fix"
        assert line.startswith("  ") and " -> " in line, line
    assert run(home, "check").exit_code == 0


@pytest.mark.parametrize("word, name", [
    ("goodword", "A_99_1-EN.txt"), ("utf16bom", "utf16-EN.txt"), ("utf16nobom", "utf16le-EN.txt"),
    ("latinword", "latin1-FR.txt"), ("newlineword", "new\nline-EN.txt"),
    ("escapeword", "esc\x1b[31mred\r-EN.txt"), ("bytesword", None)])
def test_odd_encodings_and_names_are_read(hostile, word: str, name: str | None) -> None:
    _, home, _ = hostile
    found = run(home, "search", word, "--json")
    assert found.exit_code == 0, found.output
    hit, = json.loads(found.stdout)["hits"]
    text = run(home, "get", hit["id"], "--text").stdout
    assert word in text
    if word == "latinword":
        assert "développement; coût élevé" in text


def test_latin1_is_read_with_a_warning(hostile) -> None:
    _, _, result = hostile
    warning, = [x for x in result.stdout.splitlines() if "latin1-FR.txt" in x]
    assert "not UTF-8" in warning and "Windows-1252/Latin-1" in warning


def test_a_deeply_nested_pdf_is_read_or_refused_in_one_line(hostile) -> None:
    _, home, result = hostile
    mentioned = [x for x in result.stdout.splitlines() if "nested.pdf" in x]
    found = run(home, "search", "nested", "--json")
    if mentioned:
        assert len(mentioned) == 1 and " -> " in mentioned[0]
    else:
        assert found.exit_code == 0


def test_limits_can_be_raised_for_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "pages.pdf").write_bytes(_many_pages_pdf(30))
    monkeypatch.setenv("MIGDOCS_MAX_PAGES", "20")
    assert limits.max_pages() == 20
    refused = run(tmp_path / "home", "ingest", "--workers", "1", str(tmp_path / "docs"))
    assert "too many pages (30; the limit is 20)" in refused.stdout
    monkeypatch.setenv("MIGDOCS_MAX_PAGES", "40")
    assert run(tmp_path / "home", "ingest", "--workers", "1", str(tmp_path / "docs")).exit_code == 0
