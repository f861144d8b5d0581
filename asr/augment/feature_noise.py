"""Additive noise on log-mel feature batches: each utterance as it would sound in noise.

The powers of two uncorrelated signals add, so a log-mel frame of speech plus noise is
close to ``log(exp(speech) + gain * exp(noise))`` (the cross terms average out over a mel
bin); training can therefore add noise to precomputed features without the audio. The
noise comes from a bank of noise features (:func:`colored_noise_bank`: white to brown
noise) or, for babble, from other utterances of the batch summed. The signal-to-noise
ratio is drawn per utterance, uniformly in dB, and measured on the mel energies summed
over the utterance. Random numbers come from torch's
global generator (saved in checkpoints for exact resume).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from asr.augment.log_mel import transform_log_mel
from asr.data.add_noise import colored_noise
from asr.features.config import FbankConfig
from asr.features.extract import FeatureExtractor

__all__ = ["FeatureNoise", "colored_noise_bank"]

BABBLE_TALKERS = 3


def colored_noise_bank(config: FbankConfig, num_clips: int = 32, seconds: float = 3.0,
                       seed: int = 0) -> torch.Tensor:
    """Log-mel features of ``num_clips`` noise clips with spectral exponents evenly spread
    over [0, 2] (white to brown, :func:`asr.data.add_noise.colored_noise`), computed with
    ``config``.

    Raises:
        ValueError: features other than log-mel power filterbanks (the noise model does not hold).

    Returns:
        Tensor: ``(num_clips, T, D)`` float32, CMVN not applied.
    """
    if not isinstance(config, FbankConfig) or not config.use_log_fbank or not config.use_power:
        raise ValueError("feature noise needs log-mel power filterbank features (fbank with "
                         "use_log_fbank and use_power)")
    if num_clips < 1 or seconds <= 0:
        raise ValueError(f"noise bank: need num_clips >= 1 and seconds > 0, got {num_clips}, {seconds}")
    rng = np.random.default_rng(seed)
    num_samples = int(seconds * config.sample_frequency)
    clips = [colored_noise(num_samples, e, rng) for e in np.linspace(0.0, 2.0, num_clips)]
    return torch.from_numpy(np.stack(FeatureExtractor(config, seed=seed)(clips)))


def _log_power(log_mel: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """``(B,)`` log of the mel energies summed over each utterance's ``(B, T)`` valid frames."""
    return torch.logsumexp(log_mel.masked_fill(~valid[..., None], -math.inf).flatten(1), dim=1)


class FeatureNoise:
    """Add noise to the utterances of a padded batch of (CMVN-normalized) log-mel features.

    Args:
        noise_bank (Tensor): ``(N, T_n, D)`` log-mel noise features without CMVN, read
            cyclically from a random offset (:func:`colored_noise_bank`).
        mean (Tensor): ``(D,)`` CMVN mean the batch was normalized with (zeros for none).
        std (Tensor): ``(D,)`` CMVN standard deviation (ones for none).
        min_snr (float): lowest signal-to-noise ratio, dB. (Default: ``0.0``)
        max_snr (float): highest, dB. (Default: ``20.0``)
        prob (float): fraction of utterances made noisy. (Default: ``0.5``)
        babble (float): fraction of the noisy ones whose noise is three other utterances
            of the batch (needs a batch of four or more). (Default: ``0.3``)
    """

    def __init__(self, noise_bank: torch.Tensor, mean: torch.Tensor, std: torch.Tensor, min_snr: float = 0.0,
                 max_snr: float = 20.0, prob: float = 0.5, babble: float = 0.3) -> None:
        if noise_bank.dim() != 3 or noise_bank.size(1) < 1 or not mean.shape == std.shape == (noise_bank.size(2),):
            raise ValueError(f"noise bank {tuple(noise_bank.shape)} must be (N, T, D) with (D,) mean and std, "
                             f"got {tuple(mean.shape)} and {tuple(std.shape)}")
        if not min_snr <= max_snr:
            raise ValueError(f"feature noise needs min_snr <= max_snr, got {min_snr}, {max_snr}")
        if not (0.0 <= prob <= 1.0 and 0.0 <= babble <= 1.0):
            raise ValueError(f"feature noise prob and babble must lie in [0, 1], got {prob}, {babble}")
        self.bank, self.mean, self.std = noise_bank.float(), mean.float(), std.float()
        self.min_snr, self.max_snr, self.prob, self.babble = min_snr, max_snr, prob, babble

    def __call__(self, feats: torch.Tensor, lengths: torch.Tensor,
                 speaker_stats: tuple[torch.Tensor, torch.Tensor] | None = None) -> torch.Tensor:
        """
        Args:
            feats (Tensor): ``(B, T, D)`` padded, CMVN-normalized features.
            lengths (Tensor): ``(B,)`` valid frames per utterance.
            speaker_stats (tuple, optional): ``(B, D)`` mean and standard deviation each
                utterance was normalized with (its speaker's), instead of the constructor's.
                A noisy utterance is then normalized again with its speaker's stats moved
                as noise moves them: mean and variance of each bin change by what the noise
                changed in the utterance itself, as a speaker recorded in that noise would
                have them estimated (per-speaker CMVN of noisy audio in decoding).

        Returns:
            Tensor: ``(B, T, D)``, the noisy utterances replaced, padding zero.
        """
        b, t, _ = feats.shape
        noisy = torch.rand(b) < self.prob
        babble = (torch.rand(b) < self.babble) & noisy & (b > BABBLE_TALKERS)
        snr = torch.empty(b).uniform_(self.min_snr, self.max_snr)
        clip = torch.randint(self.bank.size(0), (b,))
        offset = torch.randint(self.bank.size(1), (b,))
        if not bool(noisy.any()):
            return feats
        device = feats.device
        if self.bank.device != device:  # moved once, on the first batch
            self.bank = self.bank.to(device)
        lengths = lengths.cpu()
        frames = torch.arange(t)

        def mix(raw: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
            index = (offset[:, None] + frames[None, :]) % self.bank.size(1)
            noise = self.bank[clip[:, None].to(device), index.to(device)]
            if bool(babble.any()):
                noise = torch.where(babble.to(device)[:, None, None], self._babble(raw, lengths), noise)
            log_gain = _log_power(raw, valid) - _log_power(noise, valid) - snr.to(device) * (math.log(10.0) / 10.0)
            return torch.logaddexp(raw, noise + log_gain[:, None, None])

        return transform_log_mel(feats, lengths, noisy, self.mean, self.std, speaker_stats, mix)

    @staticmethod
    def _babble(raw: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """``(B, T, D)`` log-mel sum of utterances ``b + 1 ... b + BABBLE_TALKERS`` (mod B)
        of the batch, each repeated cyclically to fill ``T`` frames."""
        b, t, d = raw.shape
        talkers = []
        for k in range(1, BABBLE_TALKERS + 1):
            other = (torch.arange(b) + k) % b
            index = torch.arange(t)[None, :] % lengths[other].clamp(min=1)[:, None]
            index = index.to(raw.device)[..., None].expand(-1, -1, d)
            talkers.append(torch.gather(raw[other.to(raw.device)], 1, index))
        return torch.logsumexp(torch.stack(talkers), dim=0)
