"""Room reverberation on log-mel feature batches: each utterance as it would sound in a room.

A room impulse response much longer than a frame smears each mel bin's energy over later
frames, so the mel power of reverberant speech is close to the clean mel power convolved
along time with the response's energy envelope (reflections within a frame and the phase
between them average out over a mel bin). The envelope is that of
:func:`asr.data.reverb.synthetic_rir`: the direct sound, plus a tail holding
``10 ** (-drr / 10)`` of its energy that decays by 60 dB in ``rt60`` seconds. As
:func:`asr.data.reverb.reverberate` does for audio, the result keeps the utterance's
length and its energy. RT60 and DRR are drawn per utterance, uniformly; random numbers
come from torch's global generator (saved in checkpoints for exact resume).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from asr.augment.log_mel import transform_log_mel

__all__ = ["FeatureReverb"]


class FeatureReverb:
    """Reverberate the utterances of a padded batch of (CMVN-normalized) log-mel power features.

    Args:
        mean (Tensor): ``(D,)`` CMVN mean the batch was normalized with (zeros for none).
        std (Tensor): ``(D,)`` CMVN standard deviation (ones for none).
        frame_shift (float): seconds between frames.
        min_rt60 (float): shortest reverberation time, seconds. (Default: ``0.2``)
        max_rt60 (float): longest, seconds. (Default: ``0.8``)
        min_drr (float): lowest direct-to-reverberant ratio, dB (the most distant talker). (Default: ``0.0``)
        max_drr (float): highest, dB. (Default: ``10.0``)
        prob (float): fraction of utterances reverberated. (Default: ``0.3``)
    """

    def __init__(self, mean: torch.Tensor, std: torch.Tensor, frame_shift: float, min_rt60: float = 0.2,
                 max_rt60: float = 0.8, min_drr: float = 0.0, max_drr: float = 10.0, prob: float = 0.3) -> None:
        if mean.dim() != 1 or mean.shape != std.shape:
            raise ValueError(f"feature reverb needs (D,) mean and std, got {tuple(mean.shape)} and {tuple(std.shape)}")
        if not 0.0 < min_rt60 <= max_rt60:
            raise ValueError(f"feature reverb needs 0 < min_rt60 <= max_rt60, got {min_rt60}, {max_rt60}")
        if not min_drr <= max_drr:
            raise ValueError(f"feature reverb needs min_drr <= max_drr, got {min_drr}, {max_drr}")
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f"feature reverb prob must lie in [0, 1], got {prob}")
        if frame_shift <= 0.0:
            raise ValueError(f"frame_shift must be positive, got {frame_shift}")
        self.mean, self.std, self.frame_shift = mean.float(), std.float(), frame_shift
        self.min_rt60, self.max_rt60, self.min_drr, self.max_drr, self.prob = min_rt60, max_rt60, min_drr, max_drr, prob
        self.num_taps = math.ceil(max_rt60 / frame_shift)

    def envelopes(self, rt60: torch.Tensor, drr: torch.Tensor) -> torch.Tensor:
        """``(B, num_taps)`` energy of the response in each frame-long interval after the
        direct sound (tap 0 holds the direct sound and the first interval of the tail), for
        ``(B,)`` RT60s (seconds) and DRRs (dB)."""
        k = torch.arange(self.num_taps, dtype=torch.float64)
        decay = 10.0 ** (-6.0 * self.frame_shift / rt60.double())[:, None]  # energy per frame
        tail = decay ** k * (1.0 - decay)
        tail = tail * (k < torch.round(rt60.double() / self.frame_shift)[:, None])  # the response lasts rt60
        tail = tail / tail.sum(1, keepdim=True) * 10.0 ** (-drr.double() / 10.0)[:, None]
        tail[:, 0] += 1.0
        return tail.float()

    def __call__(self, feats: torch.Tensor, lengths: torch.Tensor,
                 speaker_stats: tuple[torch.Tensor, torch.Tensor] | None = None) -> torch.Tensor:
        """
        Args:
            feats (Tensor): ``(B, T, D)`` padded, CMVN-normalized features.
            lengths (Tensor): ``(B,)`` valid frames per utterance.
            speaker_stats (tuple, optional): ``(B, D)`` mean and standard deviation each
                utterance was normalized with (its speaker's); a reverberated utterance is
                normalized again with them moved as the reverberation moves its own
                (:func:`asr.augment.log_mel.transform_log_mel`).

        Returns:
            Tensor: ``(B, T, D)``, the reverberated utterances replaced, padding zero.
        """
        b, t, d = feats.shape
        chosen = torch.rand(b) < self.prob
        rt60 = torch.empty(b).uniform_(self.min_rt60, self.max_rt60)
        drr = torch.empty(b).uniform_(self.min_drr, self.max_drr)
        if not bool(chosen.any()):
            return feats
        envelope = self.envelopes(rt60, drr).to(feats.device)

        def reverberate(raw: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
            # power relative to each utterance's loudest frame (no overflow), padding silent
            peak = raw.masked_fill(~valid[..., None], -math.inf).amax(dim=(1, 2), keepdim=True)
            power = (raw - peak).exp() * valid[..., None]
            # causal convolution along time, one kernel per utterance (grouped over B x D)
            x = F.pad(power.transpose(1, 2).reshape(1, b * d, t), (self.num_taps - 1, 0))
            kernel = envelope.flip(1).repeat_interleave(d, dim=0)[:, None, :]
            wet = F.conv1d(x, kernel, groups=b * d).reshape(b, d, t).transpose(1, 2)
            wet = wet * valid[..., None]
            gain = power.sum(dim=(1, 2), keepdim=True) / wet.sum(dim=(1, 2), keepdim=True)  # energy kept
            return (wet * gain).clamp(min=1e-30).log() + peak

        return transform_log_mel(feats, lengths, chosen, self.mean, self.std, speaker_stats, reverberate)
