"""Fbank and MFCC numerics against torchaudio.compliance.kaldi (the reference), on real FSDD
recordings and on a file the test writes; batching; Kaldi's framing by hand.

Tolerances (dither 0): log fbank and log energy max abs diff < 1e-4 (measured ~2e-6);
linear fbank relative diff < 1e-5; MFCC (values up to ~100) max abs diff < 1e-3
(measured ~3e-4: the DCT matrix is built in float64 as Kaldi does, torchaudio's in float32).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile
import torch
import torchaudio.compliance.kaldi as kaldi

from asr.data.audio import AudioReader
from asr.data.datadir import load_data_dir, write_data_dir
from asr.features.config import FbankConfig, MfccConfig
from asr.features.extract import FeatureExtractor
from asr.features.frames import FrameGeometry, frame_batch
from tests.conftest import write_tone

FBANK_OPTIONS = [
    {"num_mel_bins": 40},
    {"num_mel_bins": 23, "snip_edges": False},
    {"num_mel_bins": 30, "window_type": "hamming", "use_energy": True},
    {"window_type": "hanning", "use_energy": True, "raw_energy": False, "energy_floor": 1.0},
    {"window_type": "rectangular", "round_to_power_of_two": False, "frame_length": 20.0,
     "preemphasis_coefficient": 0.0, "remove_dc_offset": False},
    {"window_type": "blackman", "low_freq": 100.0, "high_freq": -200.0, "num_mel_bins": 15, "use_power": False},
    {"num_mel_bins": 64, "frame_shift": 12.5, "high_freq": 3000.0},
]
MFCC_OPTIONS = [
    {"num_mel_bins": 23, "high_freq": -200.0, "use_energy": False},
    {"snip_edges": False, "use_energy": True, "num_ceps": 20, "num_mel_bins": 30},
    {"cepstral_lifter": 0.0, "window_type": "hamming", "energy_floor": 1.0},
]


def _audio(fsdd_root: Path, tmp_path: Path) -> list[np.ndarray]:
    """25 FSDD recordings (every speaker, shortest and longest included) plus a written tone."""
    files = sorted((fsdd_root / "recordings").glob("*.wav"))[::120]
    files.append(write_tone(tmp_path / "tone.wav", seconds=0.73, freq=523.0))
    return [soundfile.read(f, dtype="float32")[0] for f in files]


def _reference(fn, audio: np.ndarray, config) -> np.ndarray:
    options = {k: v for k, v in vars(config).items()}
    return fn(torch.from_numpy(audio * 32768.0).unsqueeze(0), **options).numpy()


@pytest.mark.parametrize("options", FBANK_OPTIONS)
def test_fbank_matches_torchaudio(fsdd_root, tmp_path, options):
    config = FbankConfig(sample_frequency=8000, dither=0.0, **options)
    audio = _audio(fsdd_root, tmp_path)
    ours = FeatureExtractor(config, chunk_frames=300)(audio)
    for wave, feats in zip(audio, ours):
        ref = _reference(kaldi.fbank, wave, config)
        assert feats.shape == ref.shape == (ref.shape[0], config.dim)
        if config.use_power:
            np.testing.assert_allclose(feats, ref, rtol=0, atol=1e-4)
        else:
            np.testing.assert_allclose(np.exp(feats), np.exp(ref), rtol=1e-5)


def test_linear_fbank_matches_torchaudio(fsdd_root, tmp_path):
    config = FbankConfig(sample_frequency=8000, dither=0.0, use_log_fbank=False)
    audio = _audio(fsdd_root, tmp_path)
    for wave, feats in zip(audio, FeatureExtractor(config)(audio)):
        np.testing.assert_allclose(feats, _reference(kaldi.fbank, wave, config), rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("options", MFCC_OPTIONS)
def test_mfcc_matches_torchaudio(fsdd_root, tmp_path, options):
    config = MfccConfig(sample_frequency=8000, dither=0.0, **options)
    audio = _audio(fsdd_root, tmp_path)
    for wave, feats in zip(audio, FeatureExtractor(config)(audio)):
        ref = _reference(kaldi.mfcc, wave, config)
        assert feats.shape == ref.shape == (ref.shape[0], config.num_ceps)
        np.testing.assert_allclose(feats, ref, rtol=0, atol=1e-3)


@pytest.mark.parametrize("config", [FbankConfig(sample_frequency=8000, dither=0.0, snip_edges=False),
                                    MfccConfig(sample_frequency=8000, dither=0.0, use_energy=True)])
def test_batched_equals_one_at_a_time(fsdd_root, tmp_path, config):
    audio = _audio(fsdd_root, tmp_path)
    extractor = FeatureExtractor(config)
    batched = extractor(audio)
    for wave, feats in zip(audio, batched):
        np.testing.assert_array_equal(extractor([wave])[0], feats)
    streamed = [f for _, f in extractor.stream(enumerate(audio))]
    for a, b in zip(streamed, batched):
        np.testing.assert_array_equal(a, b)


def test_audio_reader_scaling_gives_kaldi_int16_features(fsdd_root, tmp_path):
    """AudioReader's [-1, 1] floats times 32768 are the int16 values Kaldi computes on."""
    wav = sorted((fsdd_root / "recordings").glob("*.wav"))[7]
    write_data_dir(tmp_path / "d", {"u1": str(wav)}, {"u1": "s1"})
    config = FbankConfig(sample_frequency=8000, dither=0.0)
    audio = AudioReader(load_data_dir(tmp_path / "d"), config.sample_rate).read("u1")
    ints = soundfile.read(wav, dtype="int16")[0].astype(np.float32)
    ref = kaldi.fbank(torch.from_numpy(ints).unsqueeze(0), **vars(config)).numpy()
    np.testing.assert_allclose(FeatureExtractor(config)([audio])[0], ref, atol=1e-4, rtol=0)


def test_frames_by_hand():
    wave = np.arange(10, dtype=np.float32)
    # snip_edges: frames that fit, starting every 2 samples: (10 - 4) // 2 + 1 = 4.
    frames, counts = frame_batch([wave, wave[:5]], FrameGeometry(4, 2, 4, True))
    assert counts == [4, 1]
    np.testing.assert_array_equal(frames.numpy(), [[0, 1, 2, 3], [2, 3, 4, 5], [4, 5, 6, 7], [6, 7, 8, 9],
                                                   [0, 1, 2, 3]])
    # Kaldi's snip_edges=false: (10 + 1) // 2 = 5 frames, frame i starts at 2i + 1 - 2,
    # indices mirrored at the ends (-1 -> 0, 10 -> 9); a 3-sample input mirrors twice.
    frames, counts = frame_batch([wave, wave[:3]], FrameGeometry(4, 2, 4, False))
    assert counts == [5, 2]
    np.testing.assert_array_equal(frames.numpy(), [[0, 0, 1, 2], [1, 2, 3, 4], [3, 4, 5, 6], [5, 6, 7, 8],
                                                   [7, 8, 9, 9], [0, 0, 1, 2], [1, 2, 2, 1]])


def test_too_short_utterance_is_named():
    extractor = FeatureExtractor(FbankConfig(sample_frequency=8000, dither=0.0))
    assert extractor([np.zeros(199, np.float32)])[0].shape == (0, 23)
    with pytest.raises(ValueError, match="utterance short_one: 199 samples"):
        list(extractor.stream([("ok", np.ones(400, np.float32)), ("short_one", np.zeros(199, np.float32))]))


def test_dither_is_seeded_noise(fsdd_root, tmp_path):
    audio = _audio(fsdd_root, tmp_path)[:3]
    config = FbankConfig(sample_frequency=8000, dither=1.0)
    first = FeatureExtractor(config, seed=3)(audio)
    again = FeatureExtractor(config, seed=3)(audio)
    other = FeatureExtractor(config, seed=4)(audio)
    plain = FeatureExtractor(FbankConfig(sample_frequency=8000, dither=0.0))(audio)
    for a, b, c, d in zip(first, again, other, plain):
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c)
        assert 0 < np.abs(a - d).mean() < 0.1  # noise of 1 int16 step: small next to speech
