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


def test_mpnet_parts_are_checked_against_their_recorded_hashes(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An altered (or wrong-version) zip slice is refused before anything is joined or extracted."""
    import importlib.metadata as md
    from pathlib import PurePosixPath

    class Dist:
        def __init__(self, i: int) -> None:
            self.part = tmp_path / f"all-mpnet-base-v2.zip.00{i}"
            self.part.write_bytes(b"not the model")
            self.files = [PurePosixPath(f"input/{self.part.name}")]

        def locate_file(self, _file) -> str:
            return str(self.part)

    monkeypatch.setattr(md, "distribution", lambda name: Dist(int(name[-1])))
    monkeypatch.setenv("INTERVIEW_MODEL_CACHE", str(tmp_path / "cache"))
    with pytest.raises(embeddings.EmbeddingModelMissing, match="sha256"):
        embeddings._mpnet_path()
    assert not (tmp_path / "cache" / "all-mpnet-base-v2").exists()
