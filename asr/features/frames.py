"""Kaldi frame extraction, batched: the frames of many utterances in one matrix.

Every utterance's frames are cut from one flat buffer through a strided view, so a
chunk of utterances costs one copy, one FFT call and one matrix product, whatever
the number of utterances (see :mod:`asr.features.fbank`).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np
import torch
from torch import Tensor

if TYPE_CHECKING:
    from asr.features.config import FeatureConfig

__all__ = ["EPSILON", "FrameGeometry", "frame_geometry", "feature_window", "frame_batch", "window_frames"]

# Kaldi floors energies at std::numeric_limits<float>::epsilon() before taking logs.
EPSILON = float(torch.finfo(torch.float32).eps)


@dataclass(frozen=True)
class FrameGeometry:
    """Frame sizes in samples, and how the edges are handled."""

    window_size: int
    window_shift: int
    padded_window_size: int
    snip_edges: bool

    def num_frames(self, num_samples: int) -> int:
        """Kaldi's ``NumFrames``: frames for ``num_samples`` samples (0 if too short)."""
        if self.snip_edges:
            if num_samples < self.window_size:
                return 0
            return 1 + (num_samples - self.window_size) // self.window_shift
        return (num_samples + self.window_shift // 2) // self.window_shift


def frame_geometry(config: FeatureConfig) -> FrameGeometry:
    """Window size, shift and FFT size in samples for ``config``.

    Raises:
        ValueError: a window under 2 samples, a zero shift, or an odd FFT size.
    """
    # Same expression and rounding as torchaudio.compliance.kaldi.
    shift = int(config.sample_frequency * config.frame_shift * 0.001)
    size = int(config.sample_frequency * config.frame_length * 0.001)
    padded = 1 << (size - 1).bit_length() if config.round_to_power_of_two else size
    if size < 2 or shift < 1:
        raise ValueError(f"frame_length {config.frame_length} ms / frame_shift {config.frame_shift} ms "
                         f"give {size} / {shift} samples at {config.sample_frequency} Hz")
    if padded % 2:
        raise ValueError(f"FFT size {padded} is odd: set round_to_power_of_two or change frame_length")
    return FrameGeometry(size, shift, padded, config.snip_edges)


@functools.lru_cache(maxsize=16)
def feature_window(window_type: str, size: int, blackman_coeff: float = 0.42) -> Tensor:
    """Kaldi's window functions (``a = 2 pi / (size - 1)``), shape ``(size,)`` float32.

    povey: ``(0.5 - 0.5 cos(a n)) ** 0.85``; hanning: ``0.5 - 0.5 cos(a n)``; hamming:
    ``0.54 - 0.46 cos(a n)``; rectangular: ones; blackman:
    ``c - 0.5 cos(a n) + (0.5 - c) cos(2 a n)``. Computed with torch's window functions in
    float32, as torchaudio does, so that both round the same way.
    """
    if window_type == "hanning":
        return torch.hann_window(size, periodic=False)
    if window_type == "povey":
        return torch.hann_window(size, periodic=False).pow(0.85)
    if window_type == "hamming":
        return torch.hamming_window(size, periodic=False, alpha=0.54, beta=0.46)
    if window_type == "rectangular":
        return torch.ones(size)
    if window_type == "blackman":
        angle = 2 * math.pi / (size - 1) * torch.arange(size)
        return blackman_coeff - 0.5 * torch.cos(angle) + (0.5 - blackman_coeff) * torch.cos(2 * angle)
    raise ValueError(f"unknown window_type {window_type!r}")


def _reflect(index: np.ndarray, n: int) -> np.ndarray:
    """Kaldi's edge handling for ``snip_edges=false``: mirror indices into ``[0, n)``, repeatedly."""
    while True:
        low, high = index < 0, index >= n
        if not (low.any() or high.any()):
            return index
        index = np.where(low, -index - 1, np.where(high, 2 * n - 1 - index, index))


def _frame_source(wave: np.ndarray, num_frames: int, geometry: FrameGeometry) -> np.ndarray:
    """Samples that frame ``i`` reads at ``[i * shift, i * shift + window_size)``."""
    span = (num_frames - 1) * geometry.window_shift + geometry.window_size
    if geometry.snip_edges:
        return wave[:span]
    n = len(wave)
    first = geometry.window_shift // 2 - geometry.window_size // 2
    last = first + span
    pieces = []
    if first < 0:
        pieces.append(wave[_reflect(np.arange(first, 0), n)])
    pieces.append(wave[max(first, 0):min(last, n)])
    if last > n:
        pieces.append(wave[_reflect(np.arange(max(first, n), last), n)])
    return np.concatenate(pieces) if len(pieces) > 1 else pieces[0]


def frame_batch(waveforms: Sequence[np.ndarray], geometry: FrameGeometry) -> tuple[Tensor, list[int]]:
    """Cut every utterance into frames, all stacked in one matrix.

    Args:
        waveforms (sequence of np.ndarray): 1-D float32 utterances.
        geometry (FrameGeometry): frame sizes.

    Returns:
        (Tensor, list[int]): frames ``(total_frames, window_size)`` float32, utterance by
        utterance, and each utterance's frame count (0 for one shorter than a frame with
        ``snip_edges``).
    """
    shift, size = geometry.window_shift, geometry.window_size
    counts = [geometry.num_frames(len(w)) for w in waveforms]
    sources = [_frame_source(w, m, geometry) for w, m in zip(waveforms, counts) if m > 0]
    # Each source starts at a multiple of the shift, so all frames are rows of one strided view.
    slots = np.array([-(-len(s) // shift) for s in sources], dtype=np.int64)
    starts = np.cumsum(slots) - slots
    buffer = np.zeros(int(slots.sum()) * shift + size, dtype=np.float32)
    for start, source in zip(starts, sources):
        buffer[start * shift:start * shift + len(source)] = source
    num_rows = (len(buffer) - size) // shift + 1
    view = torch.from_numpy(buffer).as_strided((num_rows, size), (shift, 1))
    nonzero = np.array([m for m in counts if m > 0], dtype=np.int64)
    first_frame = np.cumsum(nonzero) - nonzero
    rows = np.arange(nonzero.sum(), dtype=np.int64) + np.repeat(starts - first_frame, nonzero)
    return view.index_select(0, torch.from_numpy(rows)), counts


def window_frames(
    frames: Tensor, config: FeatureConfig, padded_window_size: int, need_energy: bool,
    generator: torch.Generator | None = None,
) -> tuple[Tensor, Tensor | None]:
    """Kaldi's ``ProcessWindow`` on every row: dither, DC removal, raw energy, pre-emphasis,
    window, zero padding.

    Args:
        frames (Tensor): ``(F, window_size)`` float32; modified in place.
        config (FeatureConfig): dither, remove_dc_offset, raw_energy, energy_floor,
            preemphasis_coefficient, window_type, blackman_coeff.
        padded_window_size (int): FFT size.
        need_energy (bool): also return the log energy per frame.
        generator (torch.Generator or None): random source for dither. (Default: ``None``)

    Returns:
        (Tensor, Tensor or None): ``(F, padded_window_size)`` windowed frames and the
        ``(F,)`` log energy (floored at ``energy_floor``) when ``need_energy``.
    """
    num, size = frames.shape
    if config.dither != 0.0:
        frames.add_(torch.randn(frames.shape, generator=generator), alpha=config.dither)
    if config.remove_dc_offset:
        frames.sub_(frames.mean(1, keepdim=True))
    energy = None
    if need_energy and config.raw_energy:
        energy = frames.square().sum(1)
    out = torch.zeros(num, padded_window_size)
    windowed = out[:, :size]
    coeff = config.preemphasis_coefficient
    if coeff != 0.0:
        # x[j] - (c * x[j-1]) with two roundings, like torchaudio (a fused multiply-add rounds once).
        torch.mul(frames[:, :-1], coeff, out=windowed[:, 1:])
        torch.sub(frames[:, 1:], windowed[:, 1:], out=windowed[:, 1:])
        torch.mul(frames[:, 0], 1.0 - coeff, out=windowed[:, 0])
    else:
        windowed.copy_(frames)
    windowed.mul_(feature_window(config.window_type, size, config.blackman_coeff))
    if need_energy and not config.raw_energy:
        energy = windowed.square().sum(1)
    if energy is not None:
        energy = energy.clamp_min_(EPSILON).log_()
        if config.energy_floor > 0.0:
            energy.clamp_min_(math.log(config.energy_floor))
    return out, energy
