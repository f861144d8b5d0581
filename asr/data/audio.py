"""Reading utterance audio from a data dir: plain files, pipes, ``segments``;
resampled to the recipe's rate and downmixed to mono, with loud errors."""

from __future__ import annotations

import io
import logging
import struct
import sys
from collections import Counter
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import soundfile

from asr.data.datadir import DataDir
from asr.data.noise_gate import noise_gate_pcm16, parse_gate_pipe
from asr.data.perturb import parse_speed_pipe, speed_perturb_pcm16
from asr.data.pipes import is_pipe, run_pipe

__all__ = ["AudioError", "AudioReader", "read_audio_entry", "write_changed_audio"]

logger = logging.getLogger(__name__)


class AudioError(ValueError):
    """Audio that cannot be used; the message names the utterance or recording."""


def _check_wav_not_truncated(path: Path) -> None:
    """A RIFF/WAVE file whose data chunk claims more bytes than the file holds is truncated.

    libsndfile silently reads what is there, so this is checked from the header.
    """
    with open(path, "rb") as f:
        header = f.read(12)
        if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
            return
        size = path.stat().st_size
        pos = 12
        while pos + 8 <= size:
            f.seek(pos)
            chunk_id, chunk_size = struct.unpack("<4sI", f.read(8))
            if chunk_id == b"data":
                if chunk_size not in (0, 0xFFFFFFFF) and pos + 8 + chunk_size > size:
                    raise AudioError(
                        f"{path}: truncated WAV: header says {chunk_size} data bytes, "
                        f"file has {size - pos - 8}"
                    )
                return
            pos += 8 + chunk_size + (chunk_size & 1)
        raise AudioError(f"{path}: WAV file has no data chunk (truncated?)")

# pipes read in-process: (name, parser giving (inner entry, value), int16 output from
# (samples, rate, value))
_IN_PROCESS_PIPES = (
    ("speed", parse_speed_pipe, lambda samples, rate, factor: speed_perturb_pcm16(samples, factor)),
    ("noise-gate", parse_gate_pipe, noise_gate_pcm16),
)


def read_audio_entry(entry: str) -> tuple[np.ndarray, int]:
    """Read a ``wav.scp`` value (a path or a pipe ending in ``|``).

    A speed-perturbing pipe (see :func:`asr.data.perturb.parse_speed_pipe`) or a noise-gate
    pipe (:func:`asr.data.noise_gate.parse_gate_pipe`) is not run: its inner entry is read
    and changed here, giving the samples the pipe would write.

    Returns:
        (np.ndarray, int): samples ``(num_samples, num_channels)`` float32 in [-1, 1], rate.

    Raises:
        AudioError: missing, unreadable, truncated or empty audio.
    """
    if is_pipe(entry):
        for kind, parse, change in _IN_PROCESS_PIPES:
            parsed = parse(entry)
            if parsed is None:
                continue
            inner, value = parsed
            try:
                samples, rate = read_audio_entry(inner)
                return change(samples, rate, value).astype(np.float32) / 32768, rate
            except ValueError as e:  # an AudioError from the inner entry, or a bad value
                raise AudioError(f"{kind} pipe {entry!r}: {e}") from None
    try:
        if is_pipe(entry):
            data = run_pipe(entry)
            if not data:
                raise AudioError(f"pipe produced no audio: {entry!r}")
            samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
        else:
            path = Path(entry)
            if not path.is_file():
                raise AudioError(f"audio file does not exist: {entry}")
            if path.stat().st_size == 0:
                raise AudioError(f"audio file is empty (0 bytes): {entry}")
            _check_wav_not_truncated(path)
            samples, rate = soundfile.read(path, dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError) as e:
        raise AudioError(f"cannot read audio {entry!r}: {e}") from None
    if samples.shape[0] == 0:
        raise AudioError(f"audio has no samples: {entry!r}")
    if not np.all(np.isfinite(samples)):
        raise AudioError(f"audio contains NaN or infinite samples: {entry!r}")
    return samples, rate


def write_changed_audio(program: str, entry: str, change: Callable[[np.ndarray, int], np.ndarray]) -> None:
    """The body of a ``wav.scp`` pipe program: read ``entry``, write ``change(samples, rate)``
    (int16) to standard output as a 16-bit PCM WAV file; on bad audio or a bad value print
    ``<program>: <reason>`` to standard error and exit 1."""
    try:
        samples, rate = read_audio_entry(entry)
        out = change(samples, rate)
    except (AudioError, ValueError) as e:
        print(f"{program}: {e}", file=sys.stderr)
        sys.exit(1)
    buffer = io.BytesIO()
    soundfile.write(buffer, out, rate, format="WAV", subtype="PCM_16")
    sys.stdout.buffer.write(buffer.getvalue())
    sys.stdout.buffer.flush()


class AudioReader:
    """Reads the utterances of a data dir as mono float32 at ``sample_rate``.

    Args:
        data (DataDir): the data dir.
        sample_rate (int): the recipe's rate; other rates are resampled.

    Counts what it converted (see :meth:`log_summary`) and logs each conversion at DEBUG.
    Every error is an :class:`AudioError` naming the utterance.
    """

    def __init__(self, data: DataDir, sample_rate: int) -> None:
        if sample_rate <= 0:
            raise ValueError(f"sample_rate must be positive, got {sample_rate}")
        self.data = data
        self.sample_rate = sample_rate
        self.conversions: Counter[str] = Counter()
        self._cached: tuple[str, np.ndarray] | None = None

    def _recording(self, reco: str) -> np.ndarray:
        if self._cached is not None and self._cached[0] == reco:
            return self._cached[1]
        if reco not in self.data.wav_scp:
            raise AudioError(f"recording {reco} is not in {self.data.path}/wav.scp")
        samples, rate = read_audio_entry(self.data.wav_scp[reco])
        if samples.shape[1] > 1:
            logger.debug("%s: downmixed %d channels to mono", reco, samples.shape[1])
            self.conversions[f"downmixed {samples.shape[1]} channels to mono"] += 1
        mono = samples.mean(axis=1)
        if rate != self.sample_rate:
            logger.debug("%s: resampled %d Hz -> %d Hz", reco, rate, self.sample_rate)
            self.conversions[f"resampled {rate} Hz -> {self.sample_rate} Hz"] += 1
            mono = _resample(mono, rate, self.sample_rate)
        self._cached = (reco, mono)
        return mono

    def read(self, utt: str) -> np.ndarray:
        """Samples of one utterance, shape ``(num_samples,)``, float32."""
        try:
            segments = self.data.segments
            if segments is None:
                return self._recording(utt)
            if utt not in segments:
                raise AudioError(f"not in {self.data.path}/segments")
            seg = segments[utt]
            audio = self._recording(seg.recording)
            begin = int(round(seg.start * self.sample_rate))
            end = len(audio) if seg.end < 0 else int(round(seg.end * self.sample_rate))
            if end > len(audio) + int(0.01 * self.sample_rate):
                raise AudioError(
                    f"segment ends at {seg.end:.3f}s, recording {seg.recording} is only "
                    f"{len(audio) / self.sample_rate:.3f}s long"
                )
            piece = audio[begin:min(end, len(audio))]
            if len(piece) == 0:
                raise AudioError(f"segment {seg.start:.3f}-{seg.end:.3f}s of {seg.recording} is empty")
            return piece
        except AudioError as e:
            raise AudioError(f"utterance {utt}: {e}") from None

    def __iter__(self) -> Iterator[tuple[str, np.ndarray]]:
        for utt in self.data.utt_ids:
            yield utt, self.read(utt)

    def log_summary(self) -> None:
        """Log how many recordings were resampled or downmixed."""
        for what, count in sorted(self.conversions.items()):
            logger.info("%s: %s for %d recording(s)", self.data.path, what, count)


def _resample(audio: np.ndarray, orig: int, new: int) -> np.ndarray:
    import torch
    import torchaudio.functional

    out = torchaudio.functional.resample(torch.from_numpy(np.ascontiguousarray(audio)), orig, new)
    return out.numpy().astype(np.float32, copy=False)
