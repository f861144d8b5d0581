"""Kaldi's mel filterbank, DCT and liftering matrices (cached, float32)."""

from __future__ import annotations

import functools
import math

import torch
from torch import Tensor

__all__ = ["mel_scale", "mel_banks", "dct_matrix", "lifter_coeffs"]


def mel_scale(freq: Tensor | float) -> Tensor | float:
    """Kaldi's mel scale: ``1127 * ln(1 + f / 700)``."""
    if isinstance(freq, Tensor):
        return 1127.0 * (1.0 + freq / 700.0).log()
    return 1127.0 * math.log(1.0 + freq / 700.0)


@functools.lru_cache(maxsize=16)
def mel_banks(num_bins: int, padded_window_size: int, sample_frequency: float,
              low_freq: float, high_freq: float) -> Tensor:
    """Triangular mel filters over the FFT bins, as Kaldi's ``MelBanks`` (no VTLN).

    Args:
        num_bins (int): number of mel bins (>= 3).
        padded_window_size (int): FFT size (even).
        sample_frequency (float): Hz.
        low_freq (float): low cutoff in Hz.
        high_freq (float): high cutoff in Hz; ``<= 0`` is an offset from Nyquist.

    Returns:
        Tensor: ``(padded_window_size // 2 + 1, num_bins)`` float32; the last (Nyquist)
        row is zero, as Kaldi ignores that FFT bin. Right-multiply a power spectrum by it.

    Raises:
        ValueError: bad cutoffs, or a bin that covers no FFT bin (Kaldi's "num-mel-bins
            too large" error).
    """
    if num_bins < 3:
        raise ValueError(f"num_mel_bins must be at least 3, got {num_bins}")
    nyquist = 0.5 * sample_frequency
    high = high_freq + nyquist if high_freq <= 0.0 else high_freq
    if not (0.0 <= low_freq < nyquist and 0.0 < high <= nyquist and low_freq < high):
        raise ValueError(f"bad mel cutoffs: low_freq {low_freq} and high_freq {high_freq} "
                         f"(resolved {high}) vs. Nyquist {nyquist}")
    # Float32 arithmetic in torchaudio's order (scalars in float64): the narrowest bins
    # (1-2 FFT bins at 8 kHz) are sensitive to the rounding of their edge weights.
    num_fft_bins = padded_window_size // 2
    mel_low, mel_high = mel_scale(low_freq), mel_scale(high)
    delta = (mel_high - mel_low) / (num_bins + 1)
    index = torch.arange(num_bins).unsqueeze(0)  # (1, num_bins)
    left = mel_low + index * delta
    center = mel_low + (index + 1.0) * delta
    right = mel_low + (index + 2.0) * delta
    bin_width = sample_frequency / padded_window_size
    mel = mel_scale(bin_width * torch.arange(num_fft_bins, dtype=torch.float32)).unsqueeze(1)
    up = (mel - left) / (center - left)
    down = (right - mel) / (right - center)
    weights = torch.clamp_min(torch.minimum(up, down), 0.0)  # (num_fft_bins, num_bins)
    empty = (weights.sum(0) == 0).nonzero().flatten().tolist()
    if empty:
        raise ValueError(f"mel bin(s) {empty} cover no FFT bin: num_mel_bins {num_bins} is too large "
                         f"for an FFT of {padded_window_size} points at {sample_frequency} Hz")
    return torch.cat([weights, torch.zeros(1, num_bins)])


@functools.lru_cache(maxsize=16)
def dct_matrix(num_ceps: int, num_mel_bins: int) -> Tensor:
    """Kaldi's DCT-II (orthonormal; row 0 scaled by ``sqrt(1/N)``), transposed.

    Returns:
        Tensor: ``(num_mel_bins, num_ceps)`` float32; right-multiply log mel energies by it.
    """
    n = torch.arange(num_mel_bins, dtype=torch.float64).unsqueeze(1)
    k = torch.arange(num_ceps, dtype=torch.float64).unsqueeze(0)
    dct = math.sqrt(2.0 / num_mel_bins) * torch.cos(math.pi / num_mel_bins * (n + 0.5) * k)
    dct[:, 0] = math.sqrt(1.0 / num_mel_bins)
    return dct.float()


@functools.lru_cache(maxsize=16)
def lifter_coeffs(num_ceps: int, cepstral_lifter: float) -> Tensor:
    """Kaldi's liftering weights ``1 + Q/2 * sin(pi * i / Q)``, shape ``(num_ceps,)``; ones if Q is 0."""
    i = torch.arange(num_ceps, dtype=torch.float64)
    if cepstral_lifter == 0.0:
        return torch.ones(num_ceps)
    return (1.0 + 0.5 * cepstral_lifter * torch.sin(math.pi * i / cepstral_lifter)).float()
