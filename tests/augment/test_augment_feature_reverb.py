"""Feature reverberation: the log-mel prediction against features of audio reverberated
with synthetic room responses, the response envelope, energy kept, padded batch equal to
one utterance at a time, speaker-stat renormalization, reproducibility and bad arguments."""

import numpy as np
import pytest
import soundfile as sf
import torch

from asr.augment import FeatureReverb
from asr.data.reverb import reverberate, synthetic_rir
from asr.features.config import FbankConfig
from asr.features.extract import FeatureExtractor

CONFIG = FbankConfig(sample_frequency=8000, num_mel_bins=23, dither=0.0)
SHIFT = 0.01


def _reverb(d=23, rt60=None, drr=None, prob=1.0, mean=None, std=None, **kwargs):
    if rt60 is not None:
        kwargs.update(min_rt60=rt60, max_rt60=rt60)
    if drr is not None:
        kwargs.update(min_drr=drr, max_drr=drr)
    mean = torch.zeros(d) if mean is None else mean
    std = torch.ones(d) if std is None else std
    return FeatureReverb(mean, std, SHIFT, prob=prob, **kwargs)


@pytest.mark.parametrize("name", ["3_theo_7", "0_george_12"])
def test_prediction_is_the_mean_of_reverberant_audio_features(fsdd_root, name):
    """RT60 0.6 s, DRR 0 dB: the features of 8 reverberant copies (8 random responses)
    scatter around their mean; the prediction from the clean features must lie near that
    mean (much nearer than the clean features) and nearer to each copy than the copies are
    to one another."""
    speech, _ = sf.read(fsdd_root / "recordings" / f"{name}.wav", dtype="float32")
    extract = FeatureExtractor(CONFIG)
    clean = torch.from_numpy(extract([speech])[0])
    copies = torch.stack([torch.from_numpy(extract([reverberate(speech, synthetic_rir(
        0.6, 0.0, 8000, np.random.default_rng(seed)))])[0]) for seed in range(8)])
    out = _reverb(rt60=0.6, drr=0.0)(clean[None], torch.tensor([len(clean)]))[0]
    mean = copies.mean(0)
    assert (out - mean).abs().mean() < 0.35 * (clean - mean).abs().mean()
    to_copies = np.mean([float((out - c).abs().mean()) for c in copies])
    between = np.mean([float((copies[i] - copies[j]).abs().mean()) for i in range(8) for j in range(i)])
    assert to_copies < between


@pytest.mark.parametrize("rt60, drr", [(0.3, 5.0), (0.8, -3.0)])
def test_envelope_decays_60_db_in_rt60_and_holds_the_drr(rt60, drr):
    env = _reverb(max_rt60=1.0).envelopes(torch.tensor([rt60]), torch.tensor([drr]))[0].double()
    taps = int(round(rt60 / SHIFT))
    assert env[taps:].abs().max() == 0  # nothing after rt60
    tail = env.clone()
    tail[0] -= 1.0
    assert float(tail.sum()) == pytest.approx(10 ** (-drr / 10), rel=1e-5)
    ratio = tail[1:taps] / tail[: taps - 1]
    np.testing.assert_allclose(ratio.numpy(), 10 ** (-6 * SHIFT / rt60), rtol=1e-4)  # 60 dB in rt60


def test_energy_kept_padding_zero_and_batched_equals_single():
    torch.manual_seed(0)
    lengths = torch.tensor([60, 23, 41])
    feats = torch.randn(3, 60, 23) * 2 + 10  # raw log-mel (zero mean, unit std: no CMVN)
    feats[torch.arange(60)[None, :] >= lengths[:, None]] = 0
    reverb = _reverb(rt60=0.5, drr=2.0)
    out = reverb(feats, lengths)
    for b, n in enumerate(lengths.tolist()):
        assert float(torch.logsumexp(out[b, :n].flatten(), 0)) == pytest.approx(
            float(torch.logsumexp(feats[b, :n].flatten(), 0)), abs=1e-4)
        assert (out[b, n:] == 0).all()
        alone = reverb(feats[b:b + 1, :n], lengths[b:b + 1])
        torch.testing.assert_close(out[b:b + 1, :n], alone, atol=1e-4, rtol=0)
        assert (out[b, 1:n] - feats[b, 1:n]).abs().mean() > 0.3  # the tail smeared the frames
    # the smearing only reaches forward: a loud frame raises the frames after it
    quiet = torch.zeros(1, 30, 23)
    quiet[0, 10] = 8.0
    smeared = reverb(quiet, torch.tensor([30]))[0].mean(1)
    assert (smeared[11:20] > smeared[:10].max() + 0.5).all()


def test_speaker_stats_renormalize_reverberated_utterances(own_speaker_batch):
    """As for noise: a one-utterance speaker's reverberated features are normalized again
    to zero mean and unit variance per bin."""
    feats, lengths, mean, std = own_speaker_batch
    out = _reverb(rt60=0.7, drr=-3.0)(feats, lengths, (mean, std))
    for b, n in enumerate(lengths.tolist()):
        assert (out[b, :n] - feats[b, :n]).abs().mean() > 0.2
        np.testing.assert_allclose(out[b, :n].mean(0).numpy(), 0.0, atol=1e-4)
        np.testing.assert_allclose(out[b, :n].std(0, unbiased=False).numpy(), 1.0, atol=1e-3)


def test_prob_zero_is_identity_and_draws_are_reproducible():
    feats, lengths = torch.randn(8, 20, 23), torch.full((8,), 20)
    assert torch.equal(_reverb(prob=0.0)(feats, lengths), feats)
    torch.manual_seed(5)
    out = _reverb(prob=0.5)(feats, lengths)
    changed = (out != feats).flatten(1).any(1)
    assert 0 < int(changed.sum()) < 8
    torch.manual_seed(5)
    assert torch.equal(_reverb(prob=0.5)(feats, lengths), out)


def test_bad_arguments():
    with pytest.raises(ValueError, match="min_rt60 <= max_rt60"):
        _reverb(min_rt60=0.9, max_rt60=0.3)
    with pytest.raises(ValueError, match="0 < min_rt60"):
        _reverb(min_rt60=0.0)
    with pytest.raises(ValueError, match="min_drr <= max_drr"):
        _reverb(min_drr=5.0, max_drr=0.0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        _reverb(prob=-0.1)
    with pytest.raises(ValueError, match="frame_shift"):
        FeatureReverb(torch.zeros(3), torch.ones(3), 0.0)
    with pytest.raises(ValueError, match=r"\(D,\) mean and std"):
        FeatureReverb(torch.zeros(3), torch.ones(4), SHIFT)
