"""Reading résumés and postings: PDF, DOCX, TXT, MD, and a clear message for every bad file."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.tailoring.documents import MAX_BYTES, DocumentError, read_document, read_path
from tests.tailoring_docs import blank_pdf, docx_bytes, encrypted_pdf, text_pdf

LINES = ["Dana Okafor, Senior ML Engineer", "Reduced p95 serving latency by 40% with Redis feature lookups."]


def test_pdf_with_a_text_layer_is_read() -> None:
    text = read_document(text_pdf(LINES), "cv.pdf")
    assert "Reduced p95 serving latency by 40%" in text and "Dana Okafor" in text


def test_docx_txt_and_md_are_read_exactly() -> None:
    assert read_document(docx_bytes(LINES), "cv.docx").splitlines() == LINES
    assert read_document("\n".join(LINES).encode(), "cv.txt") == "\n".join(LINES)
    md = "# Dana\n- Led *ranking* — café, 40%\n"
    assert read_document(md.encode("utf-8"), "cv.md") == md
    assert read_document(md.encode("cp1252"), "cv.md") == md  # a Windows-saved file


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (blank_pdf(), "scan.pdf", "no text layer"),
        (encrypted_pdf(LINES), "locked.pdf", "password-protected"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "photo.png", "not supported"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "cv.pdf", "is not one"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "cv.txt", "not a text document"),
        (b"   \n", "cv.txt", "empty"),
        (b"%PDF-1.4\ngarbage that is not a pdf", "cv.pdf", "could not be read"),
        (b"PK\x03\x04 not really a zip", "cv.docx", "could not be opened"),
    ],
)
def test_bad_files_get_a_clear_message(data: bytes, name: str, message: str) -> None:
    with pytest.raises(DocumentError, match=message):
        read_document(data, name)


def test_a_50_mb_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    big = tmp_path / "cv.pdf"
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    with pytest.raises(DocumentError, match="50 MB; the limit is 10 MB"):
        read_path(big)
    with pytest.raises(DocumentError, match="the limit is"):
        read_document(b"a" * (MAX_BYTES + 1), "cv.txt")


def test_a_missing_file_is_a_document_error(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="Cannot open"):
        read_path(tmp_path / "nope.txt")
