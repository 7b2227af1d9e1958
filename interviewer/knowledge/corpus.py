"""Reading role documents and cutting them into heading-aware chunks.

Markdown (with optional YAML front matter), plain text and HTML (as text) are read. Each chunk
keeps its document title, section heading, source and roles. Files that cannot be used (empty,
binary, unreadable, too large) are reported as skipped, never raised.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import yaml

from interviewer.text.rules import split_sentences

SUFFIXES = {".md", ".markdown", ".txt", ".html", ".htm"}
MAX_FILE_BYTES = 2_000_000
SKIP_NAMES = {"OUTLINE.md", "COVERAGE.md", "README.md"}
_HEADING = re.compile(r"^(#{1,3})\s+(.+?)\s*#*\s*$")


@dataclass
class Document:
    doc_id: str
    title: str
    path: Path
    text: str
    roles: list[str] = field(default_factory=lambda: ["mle", "llm"])
    sources: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


@dataclass
class Chunk:
    chunk_id: str
    doc_id: str
    title: str
    section: str
    text: str
    source: str
    roles: list[str]

    @property
    def content_hash(self) -> str:
        payload = "\x1f".join([self.title, self.section, self.text, ",".join(self.roles), self.source])
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def embed_text(self) -> str:
        """What gets embedded: the heading context helps short sections match their topic."""
        return f"{self.title} — {self.section}\n{self.text}"


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:  # noqa: ARG002
        if tag in {"script", "style"}:
            self._skip += 1
        elif tag in {"h1", "h2", "h3"}:
            self.parts.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag in {"p", "li", "br", "div", "tr"}:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skip = max(0, self._skip - 1)
        elif tag in {"h1", "h2", "h3", "p"}:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.parts)).strip()


def split_front_matter(text: str) -> tuple[dict, str]:
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            try:
                meta = yaml.safe_load(text[4:end]) or {}
            except yaml.YAMLError:
                meta = {}
            if isinstance(meta, dict):
                return meta, text[end + 4 :].lstrip("\n")
    return {}, text


def read_document(path: Path, root: Path) -> Document:
    """Read one file; raises ValueError with a user-facing reason when it cannot be used."""
    size = path.stat().st_size
    if size == 0:
        raise ValueError("empty file")
    if size > MAX_FILE_BYTES:
        raise ValueError(f"too large ({size:,} bytes; limit {MAX_FILE_BYTES:,})")
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise ValueError("binary file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"not UTF-8 text ({err.reason})") from err
    if path.suffix.lower() in {".html", ".htm"}:
        text = html_to_text(text)
    meta, body = split_front_matter(text)
    if not body.strip():
        raise ValueError("no text after front matter")
    first_heading = next((m.group(2) for line in body.splitlines() if (m := _HEADING.match(line))), None)
    roles = meta.get("roles") or ["mle", "llm"]
    return Document(
        doc_id=path.stem,
        title=str(meta.get("title") or first_heading or path.stem),
        path=path,
        text=body,
        roles=[str(r) for r in (roles if isinstance(roles, list) else [roles])],
        sources=[str(s) for s in meta.get("sources") or []],
        tags=[str(t) for t in meta.get("tags") or []],
    )


def iter_files(paths: list[Path]) -> list[tuple[Path, Path]]:
    """(file, root) pairs for every candidate file under the given folders or files, sorted."""
    found: list[tuple[Path, Path]] = []
    for root in paths:
        if root.is_file():
            found.append((root, root.parent))
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix.lower() in SUFFIXES and path.name not in SKIP_NAMES:
                found.append((path, root))
    return found


def _sections(doc: Document) -> list[tuple[str, str]]:
    """(heading, body) pairs; text before the first `##` belongs to the document title."""
    sections: list[tuple[str, list[str]]] = [(doc.title, [])]
    for line in doc.text.splitlines():
        match = _HEADING.match(line)
        if match and len(match.group(1)) >= 2:
            sections.append((match.group(2), []))
        elif match:
            continue  # the `#` title line
        else:
            sections[-1][1].append(line)
    return [(h, "\n".join(body).strip()) for h, body in sections if "\n".join(body).strip()]


def _windows(text: str, max_chars: int, overlap: int) -> list[str]:
    """Split at sentence boundaries into pieces of at most ~max_chars, overlapping by ~overlap chars."""
    if len(text) <= max_chars:
        return [text]
    sentences = split_sentences(text, newlines="paragraph", strip=False)
    pieces: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        if current and len(" ".join(current)) + len(sentence) > max_chars:
            pieces.append(" ".join(current))
            carry: list[str] = []
            for prev in reversed(current):
                if len(" ".join(carry)) + len(prev) > overlap:
                    break
                carry.insert(0, prev)
            current = carry
        current.append(sentence[:max_chars])
    if current:
        pieces.append(" ".join(current))
    return pieces


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "section"


def chunk_document(doc: Document, source: str, max_chars: int = 1500, overlap: int = 200) -> list[Chunk]:
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for heading, body in _sections(doc):
        base = f"{doc.doc_id}#{slug(heading)}"
        for piece in _windows(body, max_chars, overlap):
            n = seen.get(base, 0)
            seen[base] = n + 1
            chunks.append(
                Chunk(
                    chunk_id=base if n == 0 else f"{base}-{n}",
                    doc_id=doc.doc_id,
                    title=doc.title,
                    section=heading,
                    text=piece,
                    source=source,
                    roles=doc.roles,
                )
            )
    return chunks
