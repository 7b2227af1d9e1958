"""Read a résumé or job posting into plain text: PDF (pypdf), DOCX (python-docx), TXT and MD.

Every failure is a `DocumentError` whose message tells the candidate what to do; the caller shows it and
the interview still starts (untailored where nothing usable was read).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

MAX_BYTES = 10 * 1024 * 1024  # a résumé or a posting is a few hundred KB at most
MIN_CHARS = 40  # less text than this from a PDF means it is a scan (images) or empty
TEXT_SUFFIXES = (".txt", ".md", ".markdown", "")


class DocumentError(ValueError):
    """The file cannot be used; the message says why and what to do instead."""


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                unlocked = reader.decrypt("")  # many "protected" PDFs only restrict editing, with an empty password
            except Exception:  # noqa: BLE001 - pypdf raises several kinds for unsupported encryption
                unlocked = 0
            if not unlocked:
                raise DocumentError(
                    "This PDF is password-protected. Save an unprotected copy (or export it as DOCX or text) and "
                    "upload that."
                )
        text = "\n".join((page.extract_text() or "") for page in reader.pages)
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as err:
        raise DocumentError(
            f"This PDF could not be read ({err.__class__.__name__}); export it again or use DOCX/TXT."
        ) from err
    if len(text.strip()) < MIN_CHARS:
        raise DocumentError(
            "This PDF has no text layer (it looks like a scan or an image). Upload the original document, a DOCX, "
            "or paste the text."
        )
    return text


def _docx_text(data: bytes) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as err:
        raise DocumentError(
            f"This DOCX could not be opened ({err.__class__.__name__}); save it again or use PDF/TXT."
        ) from err
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _plain_text(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise DocumentError("This file is not a text document. Upload a PDF, DOCX, TXT or MD file.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DocumentError("This text file is in an unknown encoding; save it as UTF-8.")


def read_document(data: bytes, filename: str) -> str:
    """The text of an uploaded file, chosen by its content first and its name second."""
    if len(data) > MAX_BYTES:
        raise DocumentError(
            f"This file is {len(data) / 2**20:.0f} MB; the limit is {MAX_BYTES // (1024 * 1024)} MB. A résumé or "
            "posting is far smaller: upload the document itself, not a scan bundle."
        )
    if not data.strip():
        raise DocumentError("This file is empty.")
    suffix = Path(filename).suffix.lower()
    if data.startswith(b"%PDF-"):
        text = _pdf_text(data)
    elif data.startswith(b"PK\x03\x04") and suffix in (".docx", ".docm", ""):
        text = _docx_text(data)
    elif suffix in (".pdf", ".docx"):
        raise DocumentError(f"This file is named {suffix} but is not one; upload the real document.")
    elif suffix in TEXT_SUFFIXES:
        text = _plain_text(data)
    else:
        raise DocumentError(f"{suffix or 'This'} files are not supported. Upload a PDF, DOCX, TXT or MD file.")
    if not text.strip():
        raise DocumentError("No text was found in this document.")
    return text.replace("\r\n", "\n")


def read_path(path: Path) -> str:
    """`read_document` for a file on disk (the CLI)."""
    try:
        size = path.stat().st_size
    except OSError as err:
        raise DocumentError(f"Cannot open {path}: {err.strerror or err}") from err
    if size > MAX_BYTES:
        raise DocumentError(f"{path.name} is {size / 2**20:.0f} MB; the limit is {MAX_BYTES // (1024 * 1024)} MB.")
    return read_document(path.read_bytes(), path.name)
