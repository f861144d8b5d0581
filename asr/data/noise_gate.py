"""Noise-gate augmentation: copies of recordings as a noise gate (a voice-activity gate in a
recorder, a conferencing client, a codec's silence suppression) would have passed them.

Where the short-term level stays below a threshold for longer than a hold time the gate
closes and the audio becomes digital near-silence (+-1 LSB); it opens at the first block
above the threshold, so the onset of a word can be clipped by up to a block, as real
gates do. Models trained only on recordings with a room-noise floor have never seen such
stretches (log-mel values far below any room silence) nor such abrupt onsets.

A gated data dir's ``wav.scp`` entries are pipes through ``python -m asr.bin.apply_gate``,
recognised by :func:`asr.data.audio.read_audio_entry` and run in its own process.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
import zlib

import numpy as np

from asr.data.perturb import write_perturbed_copy
from asr.data.pipes import parse_pipe

__all__ = ["noise_gate_pcm16", "gate_pipe", "parse_gate_pipe", "perturb_data_dir_gate"]

_BLOCK_S = 0.01             # level measured every 10 ms over 20 ms
_THRESHOLD_ABOVE_FLOOR_DB = (6.0, 20.0)
_THRESHOLD_BELOW_PEAK_DB = 25.0  # never gate within 25 dB of the loudest block
_HOLD_S = (0.05, 0.3)
_RAMP_S = 0.002


def noise_gate_pcm16(samples: np.ndarray, rate: int, seed: int) -> np.ndarray:
    """Gate ``samples`` with a threshold and hold time drawn from ``seed``.

    The threshold is 6-20 dB above the recording's noise floor (the 10th percentile of its
    block levels) but at least 25 dB below its loudest block; the hold time is 50-300 ms.

    Args:
        samples (np.ndarray): ``(num_samples,)`` or ``(num_samples, num_channels)`` float in
            [-1, 1] (as :func:`asr.data.audio.read_audio_entry` returns them).
        rate (int): sample rate.
        seed (int): the same seed gives the same output.

    Returns:
        np.ndarray: int16, the shape of ``samples``; ``out / 32768`` is what reading the
        pipe's WAV output gives.
    """
    if rate <= 0:
        raise ValueError(f"sample rate must be positive, got {rate}")
    rng = np.random.default_rng(seed)
    x = np.asarray(samples, dtype=np.float64) * 32768
    gain = _gate_gain(x if x.ndim == 1 else x.mean(axis=1), rate, rng)
    if x.ndim > 1:
        gain = gain[:, None]
    floor = rng.integers(-1, 2, size=x.shape)
    return np.clip(np.rint(x * gain + floor * (1 - gain)), -32768, 32767).astype(np.int16)


def _gate_gain(x: np.ndarray, rate: int, rng: np.random.Generator) -> np.ndarray:
    """Per-sample gain in [0, 1]: 1 where the gate is open, ramped over 2 ms."""
    hop = max(1, int(rate * _BLOCK_S))
    num_blocks = -(-len(x) // hop)
    padded = np.pad(x, (0, (num_blocks + 1) * hop - len(x)))
    energy = (padded ** 2).reshape(-1, hop).mean(axis=1)
    level = 10 * np.log10((energy[:-1] + energy[1:]) / 2 + 1e-3)  # 20 ms windows
    threshold = min(np.percentile(level, 10) + rng.uniform(*_THRESHOLD_ABOVE_FLOOR_DB),
                    level.max() - _THRESHOLD_BELOW_PEAK_DB)
    hold = int(round(rng.uniform(*_HOLD_S) / _BLOCK_S))
    above = np.concatenate([[0], np.cumsum(level > threshold)])
    start = np.maximum(np.arange(num_blocks) - hold, 0)
    is_open = above[1:] - above[start] > 0  # a block above threshold within the hold time
    gain = np.repeat(is_open.astype(np.float64), hop)[:len(x)]
    ramp = max(1, int(rate * _RAMP_S))
    return np.convolve(np.pad(gain, (ramp // 2, ramp - 1 - ramp // 2), mode="edge"),
                       np.full(ramp, 1.0 / ramp), mode="valid")


def gate_pipe(entry: str, seed: int) -> str:
    """The ``wav.scp`` pipe entry that reads ``entry`` (a path or a pipe) gated with ``seed``."""
    return shlex.join([sys.executable, "-m", "asr.bin.apply_gate", "--seed", str(seed), entry]) + " |"


def parse_gate_pipe(entry: str) -> tuple[str, int] | None:
    """The inner entry and seed of a pipe :func:`gate_pipe` wrote (any ``python*``
    program), or None for any other entry."""
    try:
        stages = parse_pipe(entry)
    except ValueError:
        return None
    argv = stages[0]
    if (len(stages) == 1 and len(argv) == 6 and re.fullmatch(r"python[0-9.]*", os.path.basename(argv[0]))
            and argv[1:4] == ["-m", "asr.bin.apply_gate", "--seed"] and re.fullmatch(r"[0-9]+", argv[4])):
        return argv[5], int(argv[4])
    return None


def perturb_data_dir_gate(src: str | os.PathLike, dest: str | os.PathLike, seed: int = 0,
                          suffix: str = "-gate") -> int:
    """Write ``dest``: ``src`` through noise gates, utterance (and, with ``segments``,
    recording) ids suffixed with ``suffix``; speakers are kept (a gate does not change the
    voice, and a kept speaker id is still a prefix of its utterances). Each recording's
    gate seed comes from ``seed`` and its id, so a rerun writes the same pipes.
    Returns the number of utterances.

    Raises:
        ValueError: a bad suffix, ``dest`` is ``src``, or ``dest`` fails validation.
    """
    if not suffix or suffix != "".join(suffix.split()):
        raise ValueError(f"the id suffix must be non-empty and without whitespace: {suffix!r}")

    def entry_map(reco: str, entry: str) -> str:
        return gate_pipe(entry, zlib.crc32(f"{seed}:{reco}".encode("utf-8")))

    return write_perturbed_copy(src, dest, utt_map=lambda u: u + suffix, spk_map=lambda s: s,
                                reco_map=lambda r: r + suffix, entry_map=entry_map)
