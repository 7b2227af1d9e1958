"""The embedder loads its model in the background: its first use waits for it, and a failed load is raised there."""

from __future__ import annotations

import numpy as np
import pytest

from interviewer.knowledge import embeddings


def test_a_failed_background_load_is_raised_at_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(path):
        raise OSError(f"cannot read the weights under {path}")

    monkeypatch.setattr(embeddings, "_load_model", broken)
    embedder = embeddings.Embedder("all-MiniLM-L6-v2")  # found and checked now; loaded in the background
    assert embedder.name == "all-MiniLM-L6-v2"
    with pytest.raises(OSError, match="cannot read the weights"):
        embedder.encode(["a question"])


def test_an_unknown_model_fails_at_once() -> None:
    with pytest.raises(embeddings.EmbeddingModelMissing):
        embeddings.Embedder("no-such-model")


def test_first_use_waits_for_the_model() -> None:
    embedder = embeddings.get_embedder("all-MiniLM-L6-v2")
    vectors = embedder.encode(["canary rollout", "shadow deployment"])
    assert vectors.shape == (2, embedder.dim) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
