"""Synthetic room reverberation of waveforms, to measure how a model holds up in a room.

A room impulse response is drawn from Polack's statistical model: the direct sound, then
after a short gap a tail of Gaussian noise whose energy decays by 60 dB in ``rt60``
seconds. ``drr_db``, the direct-to-reverberant energy ratio, sets how far the talker is
from the microphone (0 dB is a few metres in a living room; large is close-talking).
"""

from __future__ import annotations

import numpy as np

__all__ = ["synthetic_rir", "reverberate"]

#: silence between the direct sound and the first reflections, seconds
_REFLECTION_GAP = 0.0025


def synthetic_rir(rt60: float, drr_db: float, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    """A room impulse response: 1.0 at sample 0 (the direct path), then an exponentially
    decaying noise tail, ``rt60`` seconds long, holding ``10 ** (-drr_db / 10)`` of the
    direct energy.

    Raises:
        ValueError: ``rt60`` not above the reflection gap, or ``sample_rate`` not positive.

    Returns:
        np.ndarray: ``(round(rt60 * sample_rate),)`` float64.
    """
    if sample_rate < 1:
        raise ValueError(f"sample_rate must be positive, got {sample_rate}")
    if not rt60 > 2 * _REFLECTION_GAP:
        raise ValueError(f"rt60 must exceed {2 * _REFLECTION_GAP} s, got {rt60}")
    num = int(round(rt60 * sample_rate))
    t = np.arange(num) / sample_rate
    tail = rng.standard_normal(num) * 10.0 ** (-3.0 * t / rt60)  # amplitude: -60 dB at rt60
    tail[: max(1, int(_REFLECTION_GAP * sample_rate))] = 0.0
    tail *= np.sqrt(10.0 ** (-drr_db / 10.0) / np.sum(tail ** 2))
    tail[0] = 1.0
    return tail


def reverberate(speech: np.ndarray, rir: np.ndarray) -> np.ndarray:
    """``speech`` convolved with ``rir``, cut to its own length (as a recording that stops
    when the source file did), at the same RMS level, scaled down as a whole if it would clip.

    Returns:
        np.ndarray: float32, the shape of ``speech``.
    """
    if speech.ndim != 1 or rir.ndim != 1 or len(rir) < 1:
        raise ValueError(f"speech {speech.shape} and rir {rir.shape} must be non-empty 1-D arrays")
    size = len(speech) + len(rir) - 1
    n = 1 << (size - 1).bit_length()
    wet = np.fft.irfft(np.fft.rfft(speech, n) * np.fft.rfft(rir, n), n)[: len(speech)]
    dry_power, wet_power = float(np.mean(speech.astype(np.float64) ** 2)), float(np.mean(wet ** 2))
    if dry_power == 0.0 or wet_power == 0.0:
        return speech.astype(np.float32)
    wet *= np.sqrt(dry_power / wet_power)
    return (wet / max(1.0, float(np.max(np.abs(wet))) / 0.99)).astype(np.float32)
