"""Two small role documents for the indexing and search tests (embedded Chroma and the Chroma server)."""

from __future__ import annotations

from pathlib import Path

DOC_A = """---
title: Serving notes
roles: [mle]
tags: [serving]
---
# Serving notes

## Quantization
Quantization stores weights as 8-bit integers, cutting memory and latency; a p99 drop from 200 ms to 50 ms
is a typical outcome when accuracy loss is measured and accepted.

## Batching
Dynamic batching groups requests arriving within a few milliseconds to raise GPU throughput.
"""

DOC_B = """---
title: Retrieval notes
roles: [llm]
---
# Retrieval notes

## Metadata filtering
Filter chunks by tenant, date or document type before ranking, so the retriever never returns another
customer's contract.
"""


def write_sample_corpus(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "serving.md").write_text(DOC_A)
    (root / "retrieval.md").write_text(DOC_B)
    return root
