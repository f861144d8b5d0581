"""SpecAugment keeps its masks inside each utterance; mixup mixes features linearly."""

from __future__ import annotations

import torch

from asr.augment import SpecAugment, mixup_batch


def test_masks_stay_inside_valid_frames_and_within_widths():
    torch.manual_seed(0)
    lengths = torch.tensor([50, 20, 7])
    feats = torch.ones(3, 50, 16)
    for b, n in enumerate(lengths.tolist()):
        feats[b, n:] = 5.0  # padding marker: never touched
    aug = SpecAugment(num_freq_masks=2, max_freq_width=4, num_time_masks=2, max_time_width=10, max_time_ratio=0.2)
    for _ in range(50):
        out = aug(feats, lengths)
        for b, n in enumerate(lengths.tolist()):
            assert torch.equal(out[b, n:], feats[b, n:])
            valid = out[b, :n]
            masked_bins = (valid == 0).all(dim=0)
            masked_frames = (valid == 0).all(dim=1)
            assert int(masked_bins.sum()) <= 2 * 4
            assert int(masked_frames.sum()) <= 2 * min(10, int(n * 0.2))
            assert ((valid == 0) == (masked_bins[None, :] | masked_frames[:, None])).all()


def test_masks_are_drawn_and_eval_is_identity():
    torch.manual_seed(0)
    aug = SpecAugment()
    x = torch.randn(4, 100, 40)
    lengths = torch.full((4,), 100)
    assert (aug(x, lengths) == 0).any()
    aug.eval()
    assert torch.equal(aug(x, lengths), x)


def test_mixup_is_a_convex_combination():
    torch.manual_seed(0)
    feats = torch.randn(4, 10, 3)
    lengths = torch.tensor([10, 6, 8, 3])
    mixed, mixed_lengths, perm, lam = mixup_batch(feats, lengths, alpha=0.4)
    assert 0.5 <= lam <= 1.0
    assert sorted(perm.tolist()) == [0, 1, 2, 3]
    torch.testing.assert_close(mixed, lam * feats + (1 - lam) * feats[perm])
    assert mixed_lengths.tolist() == [max(lengths[i], lengths[perm[i]]) for i in range(4)]
