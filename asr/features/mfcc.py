"""Kaldi MFCC features (``compute-mfcc-feats``), for many utterances at once."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch import Tensor

from asr.features.config import MfccConfig
from asr.features.fbank import mel_energies
from asr.features.mel import dct_matrix, lifter_coeffs

__all__ = ["compute_mfcc"]


def compute_mfcc(
    waveforms: Sequence[np.ndarray], config: MfccConfig, generator: torch.Generator | None = None,
) -> list[Tensor]:
    """MFCCs of each utterance: DCT of the log power mel energies, liftered; with
    ``use_energy`` C0 is replaced by the log energy.

    Args:
        waveforms (sequence of np.ndarray): 1-D float32 utterances on Kaldi's int16 scale.
        config (MfccConfig): the options.
        generator (torch.Generator or None): random source for dither. (Default: ``None``)

    Returns:
        list[Tensor]: per utterance ``(num_frames, num_ceps)`` float32.
    """
    mel, energy, counts = mel_energies(waveforms, config, generator=generator)
    ceps = mel @ dct_matrix(config.num_ceps, config.num_mel_bins)
    ceps.mul_(lifter_coeffs(config.num_ceps, config.cepstral_lifter))
    if energy is not None:
        ceps[:, 0] = energy
    return list(torch.split(ceps, counts))
