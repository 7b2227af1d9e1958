"""The Chroma index of corpus chunks: incremental, idempotent builds keyed on content hashes.

Embeddings are always computed by us (bundled sentence-transformers model) and passed to Chroma;
Chroma's default embedding function (which downloads a model) is never used.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from interviewer.knowledge.corpus import Chunk, chunk_document, iter_files, read_document
from interviewer.knowledge.embeddings import Embedder

COLLECTION = "interview-corpus"


def open_client(chroma_dir: Path, chroma_url: str | None = None) -> Any:
    """Embedded PersistentClient in the data directory, or an HttpClient when a server URL is set."""
    import chromadb

    settings = chromadb.Settings(anonymized_telemetry=False)
    if chroma_url:
        from urllib.parse import urlparse

        url = urlparse(chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or 8000,
            ssl=url.scheme == "https",
            settings=settings,
        )
    chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(chroma_dir), settings=settings)


def get_collection(client: Any, embedder_name: str) -> Any:
    # One collection per embedding model: vectors of different models must never mix.
    name = f"{COLLECTION}-{embedder_name.lower().replace('/', '-')}"
    return client.get_or_create_collection(name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}})


def chunk_metadata(chunk: Chunk, root: str) -> dict[str, Any]:
    return {
        "doc_id": chunk.doc_id,
        "title": chunk.title,
        "section": chunk.section,
        "source": chunk.source,
        "roles": ",".join(chunk.roles),
        "role_mle": "mle" in chunk.roles,
        "role_llm": "llm" in chunk.roles,
        "hash": chunk.content_hash,
        "root": root,
    }


@dataclass
class IndexReport:
    documents: int = 0
    chunks: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.documents} documents, {self.chunks} chunks: {self.added} added, {self.updated} updated, "
            f"{self.removed} removed, {self.unchanged} unchanged in {self.seconds:.1f}s"
            + (f"; {len(self.skipped)} files skipped" if self.skipped else "")
        )


def collect_chunks(paths: list[Path], report: IndexReport) -> dict[str, tuple[Chunk, str]]:
    """chunk_id -> (chunk, root) for every usable file; unusable files go to report.skipped."""
    chunks: dict[str, tuple[Chunk, str]] = {}
    for path, root in iter_files(paths):
        try:
            doc = read_document(path, root)
        except (OSError, ValueError) as err:
            report.skipped.append(f"{path}: skipped ({err})")
            continue
        report.documents += 1
        source = str(path.relative_to(root)) if path.is_relative_to(root) else path.name
        for chunk in chunk_document(doc, source=source):
            chunks[chunk.chunk_id] = (chunk, str(root.resolve()))
    return chunks


def build_index(
    paths: list[Path], collection: Any, embedder: Embedder, progress: bool = True, batch: int = 64
) -> IndexReport:
    """Bring the collection in line with the files under `paths`, embedding only what changed."""
    start = time.perf_counter()
    report = IndexReport()
    wanted = collect_chunks(paths, report)
    report.chunks = len(wanted)
    roots = {str(p.resolve() if p.is_dir() else p.parent.resolve()) for p in paths}
    existing = collection.get(include=["metadatas"])
    have = {cid: meta for cid, meta in zip(existing["ids"], existing["metadatas"] or [], strict=False)}

    stale = [cid for cid, meta in have.items() if cid not in wanted and (meta or {}).get("root") in roots]
    if stale:
        collection.delete(ids=stale)
    report.removed = len(stale)

    todo = [cid for cid, (chunk, _) in wanted.items() if (have.get(cid) or {}).get("hash") != chunk.content_hash]
    report.updated = sum(1 for cid in todo if cid in have)
    report.added = len(todo) - report.updated
    report.unchanged = len(wanted) - len(todo)
    bar = tqdm(total=len(todo), desc="embedding chunks", unit="chunk", disable=not progress or not todo)
    for i in range(0, len(todo), batch):
        ids = todo[i : i + batch]
        items = [wanted[cid] for cid in ids]
        vectors = embedder.encode([chunk.embed_text() for chunk, _ in items])
        collection.upsert(
            ids=ids,
            embeddings=vectors.tolist(),
            documents=[chunk.text for chunk, _ in items],
            metadatas=[chunk_metadata(chunk, root) for chunk, root in items],
        )
        bar.update(len(ids))
    bar.close()
    report.seconds = time.perf_counter() - start
    return report
