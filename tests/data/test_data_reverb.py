"""Synthetic room reverberation: the response's decay time measured by Schroeder's backward
integration, its direct-to-reverberant ratio, the convolution against numpy's, level and
length kept, and reverberant data dirs (alone and with noise) with clear errors."""

import subprocess
import sys
import zlib

import numpy as np
import pytest
import soundfile

from asr.data.add_noise import add_noise_data_dir
from asr.data.datadir import load_data_dir
from asr.data.reverb import reverberate, synthetic_rir
from asr.data.validate import validate_data_dir

RATE = 8000


def _measured_rt60(rir: np.ndarray) -> float:
    """RT60 from the energy decay curve's slope between -5 and -25 dB (T20 x 3, ISO 3382)."""
    edc = np.cumsum((rir[1:] ** 2)[::-1])[::-1]  # the tail's decay, without the direct sound
    edc_db = 10 * np.log10(edc / edc[0])
    t = np.arange(len(edc_db)) / RATE
    fit = (edc_db <= -5) & (edc_db >= -25)
    slope = np.polyfit(t[fit], edc_db[fit], 1)[0]
    return -60.0 / slope


@pytest.mark.parametrize("rt60, drr", [(0.3, 5.0), (0.6, 0.0), (1.0, -3.0)])
def test_response_decays_in_rt60_and_holds_the_drr(rt60, drr):
    for seed in range(3):
        rir = synthetic_rir(rt60, drr, RATE, np.random.default_rng(seed))
        assert len(rir) == round(rt60 * RATE) and rir[0] == 1.0
        assert not rir[1:int(0.0025 * RATE)].any()  # the gap before the first reflections
        assert abs(_measured_rt60(rir) - rt60) < 0.1 * rt60
        assert 10 * np.log10(1.0 / np.sum(rir[1:] ** 2)) == pytest.approx(drr, abs=1e-9)


def test_reverberate_is_the_convolution_at_the_same_level_and_length(fsdd_root):
    speech, _ = soundfile.read(fsdd_root / "recordings" / "6_yweweler_9.wav", dtype="float32")
    rir = synthetic_rir(0.5, 0.0, RATE, np.random.default_rng(0))
    wet = reverberate(speech, rir)
    expected = np.convolve(speech.astype(np.float64), rir)[: len(speech)]
    assert wet.shape == speech.shape and wet.dtype == np.float32
    assert np.mean(wet.astype(np.float64) ** 2) == pytest.approx(np.mean(speech.astype(np.float64) ** 2), rel=1e-4)
    np.testing.assert_allclose(wet, expected * np.sqrt(np.mean(speech ** 2) / np.mean(expected ** 2)), atol=1e-5)
    loud = reverberate(np.full(400, 0.9, np.float32), rir)  # a DC step grows: scaled down, not clipped
    assert np.abs(loud).max() <= 0.99 + 1e-6
    assert not reverberate(np.zeros(100, np.float32), rir).any()
    with pytest.raises(ValueError, match="rt60 must exceed"):
        synthetic_rir(0.001, 0.0, RATE, np.random.default_rng(0))
    with pytest.raises(ValueError, match="1-D"):
        reverberate(speech[None], rir)


@pytest.fixture
def speech_dir(tmp_path, fsdd_root):
    d = tmp_path / "src"
    d.mkdir()
    utts = {"jackson_3_07": "3_jackson_7", "theo_5_09": "5_theo_9"}
    (d / "wav.scp").write_text("".join(f"{u} {fsdd_root}/recordings/{f}.wav\n" for u, f in utts.items()))
    (d / "text").write_text("jackson_3_07 THREE\ntheo_5_09 FIVE\n")
    (d / "utt2spk").write_text("jackson_3_07 jackson\ntheo_5_09 theo\n")
    (d / "spk2utt").write_text("jackson jackson_3_07\ntheo theo_5_09\n")
    return d


def _correlation(a, b):
    return float(np.dot(a, b) / np.sqrt(np.dot(a, a) * np.dot(b, b)))


def test_reverberant_dir_keeps_the_direct_sound_as_its_drr_says(speech_dir, tmp_path):
    """The direct sound is the part of the copy correlated with the source: about
    sqrt(1 / (1 + 10 ** (-drr / 10))) of it (0.71 at 0 dB, 0.995 at 20 dB)."""
    for drr, low, high in ((0.0, 0.55, 0.85), (20.0, 0.97, 1.0)):
        dest = tmp_path / f"rev{drr:g}"
        assert add_noise_data_dir(speech_dir, dest, 0.0, noise="none", rt60=0.6, drr_db=drr) == 2
        assert validate_data_dir(dest) == []
        src, out = load_data_dir(speech_dir), load_data_dir(dest)
        assert out.text == src.text and out.utt2spk == src.utt2spk
        for utt in src.utt_ids:
            dry, _ = soundfile.read(src.wav_scp[utt])
            wet, rate = soundfile.read(out.wav_scp[utt])
            assert rate == RATE and wet.shape == dry.shape
            assert low < _correlation(dry, wet) < high, (utt, drr)


def test_noise_of_a_room_is_the_noise_without_the_room(speech_dir, tmp_path):
    """Reverberation draws from its own stream: the same seed adds the same noise."""
    add_noise_data_dir(speech_dir, tmp_path / "noisy", 5.0, noise="white", seed=2)
    add_noise_data_dir(speech_dir, tmp_path / "room", 5.0, noise="white", seed=2, rt60=0.4, drr_db=3.0)
    add_noise_data_dir(speech_dir, tmp_path / "dry_room", 5.0, noise="none", seed=2, rt60=0.4, drr_db=3.0)
    for utt in ("jackson_3_07", "theo_5_09"):
        dry, _ = soundfile.read(load_data_dir(speech_dir).wav_scp[utt])
        noisy, room, wet = (soundfile.read(tmp_path / d / "wav" / f"{utt}.wav")[0] for d in ("noisy", "room", "dry_room"))
        noise_dry, noise_room = noisy - dry, room - wet  # the room's speech differs; its noise not
        scale = np.dot(noise_room, noise_dry) / np.dot(noise_dry, noise_dry)  # another SNR reference level
        assert np.abs(noise_room - scale * noise_dry).max() < 1e-3, utt
        assert zlib.crc32(wet.tobytes()) != zlib.crc32(dry.tobytes())


def test_bad_room_arguments_are_refused(speech_dir, tmp_path):
    with pytest.raises(ValueError, match="'none' without rt60"):
        add_noise_data_dir(speech_dir, tmp_path / "x", 10.0, noise="none")
    with pytest.raises(ValueError, match="rt60 must be non-negative"):
        add_noise_data_dir(speech_dir, tmp_path / "x", 10.0, rt60=-0.5)
    r = subprocess.run([sys.executable, "-m", "asr.bin.make_noisy_data_dir", "--noise", "none", "--rt60", "0.5",
                        "--drr", "2", str(speech_dir), str(tmp_path / "cli")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "in a room of RT60 0.5 s, DRR 2 dB" in r.stdout and "noise at" not in r.stdout
