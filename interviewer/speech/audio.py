"""Audio in and out: any container PyAV (bundled FFmpeg) reads, to 16 kHz mono float32; 16-bit PCM WAV out.

Input is untrusted: a file that is not audio, is empty or corrupt raises `NotAudio` with one readable line; a
recording longer than the limit is cut at the limit, and the caller says so.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from interviewer.speech.errors import NotAudio

SAMPLE_RATE = 16_000
FORMATS = "WAV, MP3, M4A, OGG, WebM"
SILENCE_RMS = 10 ** (-55 / 20)  # below -55 dBFS overall there is nothing to transcribe


@dataclass
class Audio:
    samples: np.ndarray  # float32, mono, 16 kHz, at most the limit long
    duration_s: float  # of the whole input, even when `samples` was cut
    truncated: bool = False

    @property
    def used_s(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    @property
    def silent(self) -> bool:
        if not len(self.samples):
            return True
        return float(np.sqrt(np.mean(np.square(self.samples, dtype=np.float64)))) < SILENCE_RMS


def _describe(source: bytes | str | Path) -> str:
    return "the recording" if isinstance(source, bytes) else str(source)


def decode(source: bytes | str | Path, max_seconds: float | None = None) -> Audio:
    """Decode a file or bytes to 16 kHz mono; stop reading after `max_seconds` (the rest is reported, not used)."""
    name = _describe(source)
    if isinstance(source, bytes):
        if not source:
            raise NotAudio("the recording is empty (0 bytes): record again, or type your answer.")
        handle: io.BytesIO | str = io.BytesIO(source)
    else:
        path = Path(source)
        if not path.is_file():
            raise NotAudio(f"{path}: no such file.")
        if path.stat().st_size == 0:
            raise NotAudio(f"{path} is empty (0 bytes).")
        handle = str(path)
    limit = int(max_seconds * SAMPLE_RATE) if max_seconds else None
    chunks: list[np.ndarray] = []
    total = 0
    try:
        with av.open(handle, mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise NotAudio(f"{name} has no audio track (readable formats: {FORMATS}).")
            stream = container.streams.audio[0]
            declared = float(container.duration) / 1_000_000 if container.duration else 0.0
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            for frame in _frames(container, stream):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1)
                    chunks.append(chunk)
                    total += len(chunk)
                if limit is not None and total >= limit + SAMPLE_RATE:
                    break  # enough: the remainder would be cut anyway
            else:
                for out in resampler.resample(None):
                    chunks.append(out.to_ndarray().reshape(-1))
                    total += chunks[-1].size
    except NotAudio:
        raise
    except (av.FFmpegError, OSError, ValueError, EOFError, IndexError) as err:
        reason = getattr(err, "strerror", None) or (str(err).splitlines()[0][:120] if str(err) else type(err).__name__)
        reason = reason[0].lower() + reason[1:]
        raise NotAudio(f"{name} is not audio this program can read ({FORMATS}): {reason}.") from err
    if total == 0:
        raise NotAudio(f"{name} contains no audio that could be decoded (it may be corrupt).")
    samples = np.concatenate(chunks).astype(np.float32) / 32768.0
    duration = max(declared, total / SAMPLE_RATE)
    truncated = limit is not None and (len(samples) > limit or duration > max_seconds + 0.5)  # type: ignore[operator]
    if limit is not None:
        samples = samples[:limit]
    return Audio(samples=samples, duration_s=round(duration, 3), truncated=truncated)


def _frames(container, stream):  # noqa: ANN001, ANN202 - PyAV objects
    """Audio frames, skipping the undecodable ones a damaged file has (an all-bad file yields nothing)."""
    packets = container.demux(stream)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except av.InvalidDataError:
            continue
        try:
            frames = packet.decode()
        except av.InvalidDataError:
            continue
        for frame in frames:
            frame.pts = None
            yield frame


def wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    """16-bit PCM mono WAV from float samples in [-1, 1] (or int16)."""
    if samples.dtype != np.int16:
        samples = (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


def to_pcm16_wav(data: bytes) -> bytes:
    """Any audio bytes (e.g. MP3 from a speech API) as 16-bit PCM WAV at 16 kHz or, for WAV input, as is."""
    try:
        with wave.open(io.BytesIO(data)) as w:
            if w.getsampwidth() == 2 and w.getcomptype() == "NONE" and w.getnframes() > 0:
                return data
    except (wave.Error, EOFError):
        pass
    return wav_bytes(decode(data).samples, SAMPLE_RATE)


def duration_of(data: bytes) -> float:
    return decode(data).duration_s
