"""Kaldi log-mel filterbank features (``compute-fbank-feats``), for many utterances at once."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch import Tensor

from asr.features.config import FbankConfig, FeatureConfig
from asr.features.frames import EPSILON, frame_batch, frame_geometry, window_frames
from asr.features.mel import mel_banks

__all__ = ["mel_energies", "compute_fbank"]


def mel_energies(
    waveforms: Sequence[np.ndarray], config: FeatureConfig, use_power: bool = True,
    use_log: bool = True, generator: torch.Generator | None = None,
) -> tuple[Tensor, Tensor | None, list[int]]:
    """Mel energies of all frames of all utterances (the work shared by fbank and MFCC).

    Args:
        waveforms (sequence of np.ndarray): 1-D float32 utterances on Kaldi's int16 scale.
        config (FeatureConfig): the options.
        use_power (bool): power spectrum; false: magnitude. (Default: ``True``)
        use_log (bool): log of the energies, floored at float32 epsilon. (Default: ``True``)
        generator (torch.Generator or None): random source for dither. (Default: ``None``)

    Returns:
        (Tensor, Tensor or None, list[int]): ``(total_frames, num_mel_bins)`` energies, the
        ``(total_frames,)`` log energy if ``config.use_energy``, and frames per utterance.
    """
    geometry = frame_geometry(config)
    frames, counts = frame_batch(waveforms, geometry)
    if frames.shape[0] == 0:  # MKL's FFT rejects an empty batch
        return torch.zeros(0, config.num_mel_bins), torch.zeros(0) if config.use_energy else None, counts
    windowed, energy = window_frames(frames, config, geometry.padded_window_size,
                                     config.use_energy, generator)
    spectrum = torch.view_as_real(torch.fft.rfft(windowed))
    power = spectrum[..., 0].square().addcmul_(spectrum[..., 1], spectrum[..., 1])
    if not use_power:
        power.sqrt_()
    banks = mel_banks(config.num_mel_bins, geometry.padded_window_size, config.sample_frequency,
                      config.low_freq, config.high_freq)
    mel = power @ banks
    if use_log:
        mel.clamp_min_(EPSILON).log_()
    return mel, energy, counts


def compute_fbank(
    waveforms: Sequence[np.ndarray], config: FbankConfig, generator: torch.Generator | None = None,
) -> list[Tensor]:
    """Filterbank features of each utterance, as Kaldi's ``compute-fbank-feats``.

    Args:
        waveforms (sequence of np.ndarray): 1-D float32 utterances on Kaldi's int16 scale
            (samples in [-32768, 32767], not [-1, 1]).
        config (FbankConfig): the options.
        generator (torch.Generator or None): random source for dither. (Default: ``None``)

    Returns:
        list[Tensor]: per utterance ``(num_frames, num_mel_bins + use_energy)`` float32,
        log energy first when ``use_energy``; 0 rows for audio shorter than one frame
        with ``snip_edges``.
    """
    mel, energy, counts = mel_energies(waveforms, config, config.use_power, config.use_log_fbank,
                                       generator)
    if energy is not None:
        mel = torch.cat([energy.unsqueeze(1), mel], dim=1)
    return list(torch.split(mel, counts))
