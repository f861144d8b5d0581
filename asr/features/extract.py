"""Feature extraction for audio as the data pipeline gives it (float32 in [-1, 1]).

Kaldi computes features on int16 sample values, so audio is multiplied by 32768 first
(what Kaldi, and torchaudio given int16-scaled input, see); features are then identical
to Kaldi's up to float rounding. Utterances are processed in chunks of about
``chunk_frames`` frames, each chunk framed into one matrix (see :mod:`asr.features.frames`).
"""

from __future__ import annotations

from typing import Iterable, Iterator, Sequence

import numpy as np
import torch

from asr.features.config import FbankConfig, FeatureConfig, MfccConfig
from asr.features.fbank import compute_fbank
from asr.features.frames import frame_geometry
from asr.features.mfcc import compute_mfcc

__all__ = ["INT16_SCALE", "FeatureExtractor"]

# AudioReader's float32 samples are int16 values / 32768.
INT16_SCALE = 32768.0


class FeatureExtractor:
    """Computes the features that ``config`` describes.

    Args:
        config (FbankConfig or MfccConfig): the options.
        chunk_frames (int): frames per batched computation (memory vs. speed; about 4000
            frames, 4 MB, keeps the work in cache). (Default: ``4000``)
        seed (int): seed of the dither noise (only used when ``config.dither > 0``). (Default: ``0``)
    """

    def __init__(self, config: FeatureConfig, chunk_frames: int = 4000, seed: int = 0) -> None:
        if chunk_frames < 1:
            raise ValueError(f"chunk_frames must be positive, got {chunk_frames}")
        if isinstance(config, FbankConfig):
            self._compute = compute_fbank
        elif isinstance(config, MfccConfig):
            self._compute = compute_mfcc
        else:
            raise ValueError(f"unsupported feature config {type(config).__name__}")
        self.config = config
        self.geometry = frame_geometry(config)
        self.chunk_frames = chunk_frames
        self.generator = torch.Generator().manual_seed(seed)

    @property
    def dim(self) -> int:
        """Feature dimension."""
        return self.config.dim

    def num_frames(self, num_samples: int) -> int:
        """Frames produced for ``num_samples`` samples."""
        return self.geometry.num_frames(num_samples)

    def __call__(self, waveforms: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Features of each utterance (computed in one batch).

        Args:
            waveforms (sequence of np.ndarray): 1-D float audio in [-1, 1] at the config's rate.

        Returns:
            list[np.ndarray]: per utterance ``(num_frames, dim)`` float32 (0 rows for audio
            shorter than one frame with ``snip_edges``).
        """
        scaled = [np.asarray(w, dtype=np.float32) * np.float32(INT16_SCALE) for w in waveforms]
        return [f.numpy() for f in self._compute(scaled, self.config, generator=self.generator)]

    def stream(self, utterances: Iterable[tuple[str, np.ndarray]]) -> Iterator[tuple[str, np.ndarray]]:
        """Features of a stream of ``(key, audio)`` pairs, in order, computed chunk by chunk.

        Raises:
            ValueError: an utterance too short for a single frame (named).
        """
        keys: list[str] = []
        waves: list[np.ndarray] = []
        frames = 0
        for key, wave in utterances:
            count = self.num_frames(len(wave))
            if count == 0:
                raise ValueError(
                    f"utterance {key}: {len(wave)} samples ({len(wave) / self.config.sample_frequency:.3f} s) "
                    f"give no frame (window {self.geometry.window_size} samples, snip_edges "
                    f"{str(self.config.snip_edges).lower()})")
            keys.append(key)
            waves.append(wave)
            frames += count
            if frames >= self.chunk_frames:
                yield from zip(keys, self(waves))
                keys, waves, frames = [], [], 0
        if keys:
            yield from zip(keys, self(waves))
