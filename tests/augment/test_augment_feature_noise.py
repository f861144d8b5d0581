"""Feature noise: the log-mel mixture against noise added to real audio, the SNR it sets,
babble from the batch, zero padding, reproducibility, the noise colors and bad arguments."""

import numpy as np
import pytest
import soundfile as sf
import torch

from asr.augment import FeatureNoise, colored_noise_bank
from asr.data.add_noise import colored_noise
from asr.features.config import FbankConfig, MfccConfig
from asr.features.extract import FeatureExtractor

CONFIG = FbankConfig(sample_frequency=8000, num_mel_bins=23, dither=0.0)


def _noise(bank, mean=None, std=None, **kwargs):
    d = bank.size(2)
    mean = torch.zeros(d) if mean is None else mean
    std = torch.ones(d) if std is None else std
    return FeatureNoise(bank, mean, std, **kwargs)


def _log_power(feats):
    return torch.logsumexp(feats.flatten(), 0)


def test_mixture_matches_noise_added_to_the_waveform(fsdd_root):
    """White noise 5 dB below a real recording: features of the noisy audio against the
    clean features mixed with the noise's features in the log-mel domain."""
    speech, _ = sf.read(fsdd_root / "recordings" / "3_theo_7.wav", dtype="float32")
    noise = colored_noise(len(speech), 0.0, np.random.default_rng(0))
    noise *= np.sqrt(np.mean(speech ** 2) / np.mean(noise ** 2) / 10 ** 0.5)
    extract = FeatureExtractor(CONFIG)
    clean, noise_feats, noisy = (torch.from_numpy(f) for f in extract([speech, noise, speech + noise]))
    # the SNR of mel energies (after pre-emphasis, which favors the white noise) is lower
    mel_snr = float(_log_power(clean) - _log_power(noise_feats)) * 10 / np.log(10)
    assert mel_snr < 5.0
    out = _noise(noise_feats[None], min_snr=mel_snr, max_snr=mel_snr, prob=1.0, babble=0.0)(
        clean[None], torch.tensor([len(clean)]))[0]
    # the offset into the noise clip is random: compare per-bin means over time, where the
    # cross terms and the noise's own fluctuations average out
    error = (out.mean(0) - noisy.mean(0)).abs().max()
    change = (noisy.mean(0) - clean.mean(0)).abs().max()
    assert change > 3.0 and error < 0.15 * change, (error, change)


def test_snr_of_each_utterance_is_the_drawn_one_and_padding_stays_zero():
    torch.manual_seed(0)
    bank = colored_noise_bank(CONFIG, num_clips=4, seconds=1.0)
    mean, std = torch.linspace(5, 15, 23), torch.linspace(1, 3, 23)
    lengths = torch.tensor([50, 31, 12, 44, 27])
    feats = torch.randn(5, 50, 23)
    feats[torch.arange(50)[None, :] >= lengths[:, None]] = 0
    for babble in (0.0, 1.0):
        out = _noise(bank, mean, std, min_snr=7.0, max_snr=7.0, prob=1.0, babble=babble)(feats, lengths)
        for b, n in enumerate(lengths.tolist()):
            clean, noisy = feats[b, :n] * std + mean, out[b, :n] * std + mean
            snr = 10 * (_log_power(clean) - torch.log(_log_power(noisy).exp() - _log_power(clean).exp())) / np.log(10)
            assert abs(float(snr) - 7.0) < 0.01
            assert (out[b, n:] == 0).all()
            assert (noisy >= clean - 1e-4).all()  # noise only adds power


def test_babble_is_the_other_utterances_and_needs_four():
    quiet = torch.full((1, 10, 2), -30.0)  # a bank far below any speech
    feats = torch.tensor([[[1.0, 0.0]], [[0.0, 1.0]], [[2.0, 2.0]], [[3.0, 0.5]], [[0.5, 3.0]]]).expand(-1, 6, -1)
    lengths = torch.full((5,), 6)
    out = _noise(quiet, min_snr=0.0, max_snr=0.0, prob=1.0, babble=1.0)(feats.clone(), lengths)
    for b in range(5):
        others = [(b + k) % 5 for k in (1, 2, 3)]
        babble = torch.logsumexp(feats[others, 0], dim=0)
        gain = torch.logsumexp(feats[b, 0], 0) - torch.logsumexp(babble, 0)  # 0 dB
        expected = torch.logaddexp(feats[b, 0], babble + gain)
        torch.testing.assert_close(out[b], expected.expand(6, -1))
    small = _noise(quiet, min_snr=0.0, max_snr=0.0, prob=1.0, babble=1.0)(feats[:3].clone(), lengths[:3])
    torch.testing.assert_close(small, torch.logaddexp(feats[:3], torch.full_like(feats[:3], -30.0)
                                                      + (torch.logsumexp(feats[:3, 0], 1) + np.log(6) - np.log(12)
                                                         + 30.0)[:, None, None]))


def test_prob_zero_is_identity_and_draws_are_reproducible():
    bank = colored_noise_bank(CONFIG, num_clips=3, seconds=0.5)
    feats, lengths = torch.randn(8, 20, 23), torch.full((8,), 20)
    assert torch.equal(_noise(bank, prob=0.0)(feats, lengths), feats)
    torch.manual_seed(5)
    out = _noise(bank, prob=0.5)(feats, lengths)
    changed = (out != feats).flatten(1).any(1)
    assert 0 < int(changed.sum()) < 8
    torch.manual_seed(5)
    assert torch.equal(_noise(bank, prob=0.5)(feats, lengths), out)


@pytest.mark.parametrize("exponent", [0.0, 1.0, 2.0])
def test_noise_color_has_the_spectral_slope_asked_for(exponent):
    noise = colored_noise(2 ** 16, exponent, np.random.default_rng(1))
    assert abs(np.sqrt(np.mean(noise ** 2)) - 0.1) < 1e-6
    power = np.abs(np.fft.rfft(noise)) ** 2
    freqs = np.arange(len(power))
    band = (freqs > 100) & (freqs < 20000)
    slope = np.polyfit(np.log(freqs[band]), np.log(power[band]), 1)[0]
    assert abs(slope + exponent) < 0.1


def test_bad_arguments():
    bank = torch.zeros(2, 5, 4)
    with pytest.raises(ValueError, match="min_snr <= max_snr"):
        _noise(bank, min_snr=10.0, max_snr=5.0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        _noise(bank, prob=1.5)
    with pytest.raises(ValueError, match="must be \\(N, T, D\\)"):
        FeatureNoise(bank, torch.zeros(3), torch.ones(3))
    with pytest.raises(ValueError, match="log-mel power filterbank"):
        colored_noise_bank(MfccConfig(sample_frequency=8000))
    with pytest.raises(ValueError, match="log-mel power filterbank"):
        colored_noise_bank(FbankConfig(sample_frequency=8000, use_power=False))


def test_speaker_stats_renormalize_noisy_utterances_as_cmvn_of_noisy_audio_would(own_speaker_batch):
    """A 'speaker' of one utterance, normalized with its own mean and variance: in noise,
    its features must again have zero mean and unit variance per bin (its stats were
    re-estimated on the noisy utterance); with prob 0 the features are kept."""
    feats, lengths, mean, std = own_speaker_batch
    bank = colored_noise_bank(CONFIG, num_clips=4, seconds=1.0)
    out = _noise(bank, min_snr=0.0, max_snr=0.0, prob=1.0, babble=0.0)(feats, lengths, (mean, std))
    for b, n in enumerate(lengths.tolist()):
        assert (out[b, :n] - feats[b, :n]).abs().mean() > 0.3  # the noise changed the frames
        np.testing.assert_allclose(out[b, :n].mean(0).numpy(), 0.0, atol=1e-4)
        np.testing.assert_allclose(out[b, :n].std(0, unbiased=False).numpy(), 1.0, atol=1e-3)
        assert (out[b, n:] == 0).all()
    kept = _noise(bank, prob=0.0)(feats, lengths, (mean, std))
    assert torch.equal(kept, feats)
