"""Noisy data dirs: the SNR measured on the written audio, clipping avoided, silence left
alone, ids and text kept, reruns equal, noise recordings mixed, and clear errors."""

import subprocess
import sys

import numpy as np
import pytest
import soundfile

from asr.data.add_noise import add_noise, add_noise_data_dir
from asr.data.datadir import load_data_dir
from asr.data.validate import validate_data_dir

RATE = 8000


def _snr(speech, noisy):
    return 10 * np.log10(np.sum(speech.astype(np.float64) ** 2) / np.sum((noisy - speech).astype(np.float64) ** 2))


@pytest.fixture
def speech_dir(tmp_path, fsdd_root):
    """Three real FSDD recordings of two speakers."""
    d = tmp_path / "src"
    d.mkdir()
    utts = {"jackson_3_07": "3_jackson_7", "theo_5_09": "5_theo_9", "theo_8_11": "8_theo_11"}
    (d / "wav.scp").write_text("".join(f"{u} {fsdd_root}/recordings/{f}.wav\n" for u, f in utts.items()))
    (d / "text").write_text("jackson_3_07 THREE\ntheo_5_09 FIVE\ntheo_8_11 EIGHT\n")
    (d / "utt2spk").write_text("jackson_3_07 jackson\ntheo_5_09 theo\ntheo_8_11 theo\n")
    (d / "spk2utt").write_text("jackson jackson_3_07\ntheo theo_5_09 theo_8_11\n")
    return d


def test_add_noise_sets_the_snr_and_avoids_clipping():
    rng = np.random.default_rng(0)
    speech = (0.3 * np.sin(np.arange(4000) * 0.05)).astype(np.float32)
    noisy = add_noise(speech, rng.standard_normal(4000), 6.0)
    assert abs(_snr(speech, noisy) - 6.0) < 1e-3
    loud = add_noise(speech * 3, rng.standard_normal(4000), 0.0)  # peaks above 1: scaled down
    assert np.abs(loud).max() <= 0.99 + 1e-6
    silent = np.zeros(100, np.float32)
    assert np.array_equal(add_noise(silent, rng.standard_normal(100), 10.0), silent)
    with pytest.raises(ValueError, match="differ in shape"):
        add_noise(speech, np.ones(10), 10.0)


@pytest.mark.parametrize("noise", ["white", "pink", "brown"])
def test_noisy_dir_keeps_ids_and_text_and_has_the_snr(speech_dir, tmp_path, noise):
    dest = tmp_path / noise
    assert add_noise_data_dir(speech_dir, dest, snr_db=5.0, noise=noise) == 3
    assert validate_data_dir(dest) == []
    for name in ("text", "utt2spk", "spk2utt"):
        assert (dest / name).read_text() == (speech_dir / name).read_text()
    src, out = load_data_dir(speech_dir), load_data_dir(dest)
    for utt in src.utt_ids:
        speech, _ = soundfile.read(src.wav_scp[utt], dtype="float32")
        noisy, rate = soundfile.read(out.wav_scp[utt], dtype="float32")
        assert rate == RATE and noisy.shape == speech.shape
        assert abs(_snr(speech, noisy) - 5.0) < 0.2  # 16-bit rounding of the written file


def test_reruns_are_equal_and_seeds_and_utterances_differ(speech_dir, tmp_path):
    def noise_of(dest, utt):
        src, _ = soundfile.read(load_data_dir(speech_dir).wav_scp[utt], dtype="float32")
        noisy, _ = soundfile.read(dest / "wav" / f"{utt}.wav", dtype="float32")
        return noisy - src

    for name, seed in (("a", 0), ("b", 0), ("c", 1)):
        add_noise_data_dir(speech_dir, tmp_path / name, snr_db=10.0, seed=seed)
    a, b, c = (noise_of(tmp_path / n, "theo_5_09") for n in "abc")
    assert np.array_equal(a, b) and not np.allclose(a, c)
    other = noise_of(tmp_path / "a", "theo_8_11")
    n = min(len(a), len(other))
    assert abs(np.corrcoef(a[:n], other[:n])[0, 1]) < 0.2


def test_noise_recordings_are_mixed(speech_dir, tmp_path):
    hum = [0.2 * np.sin(2 * np.pi * f * np.arange(RATE) / RATE) for f in (300, 1100, 2300)]
    lines = []
    for i, x in enumerate(hum):
        soundfile.write(tmp_path / f"n{i}.wav", x, RATE, subtype="PCM_16")
        lines.append(f"n{i} {tmp_path}/n{i}.wav\n")
    (tmp_path / "noise.scp").write_text("".join(lines))
    dest = tmp_path / "mixed"
    add_noise_data_dir(speech_dir, dest, snr_db=0.0, noise="scp", noise_scp=tmp_path / "noise.scp", num_mix=3)
    speech, _ = soundfile.read(load_data_dir(speech_dir).wav_scp["theo_5_09"], dtype="float32")
    noisy, _ = soundfile.read(dest / "wav" / "theo_5_09.wav", dtype="float32")
    spectrum = np.abs(np.fft.rfft(noisy - speech))
    freqs = np.fft.rfftfreq(len(speech), 1 / RATE)
    for f in (300, 1100, 2300):  # every tone is in the added noise
        assert spectrum[np.abs(freqs - f) < 15].max() > 20 * np.median(spectrum)
    assert abs(_snr(speech, noisy)) < 0.2


def test_bad_arguments_are_named(speech_dir, tmp_path):
    with pytest.raises(ValueError, match="noise must be one of"):
        add_noise_data_dir(speech_dir, tmp_path / "x", 10.0, noise="violet")
    with pytest.raises(ValueError, match="goes with a noise_scp"):
        add_noise_data_dir(speech_dir, tmp_path / "x", 10.0, noise="scp")
    with pytest.raises(ValueError, match="same dir"):
        add_noise_data_dir(speech_dir, speech_dir, 10.0)
    soundfile.write(tmp_path / "n16k.wav", np.ones(1600) * 0.1, 16000, subtype="PCM_16")
    (tmp_path / "noise.scp").write_text(f"fan {tmp_path}/n16k.wav\n")
    with pytest.raises(ValueError, match="recording fan is 16000 Hz"):
        add_noise_data_dir(speech_dir, tmp_path / "x", 10.0, noise="scp", noise_scp=tmp_path / "noise.scp")
    soundfile.write(tmp_path / "n.wav", np.ones(1600) * 0.1, RATE, subtype="PCM_16")
    (tmp_path / "noise.scp").write_text(f"fan {tmp_path}/n.wav\n")
    with pytest.raises(ValueError, match="num_mix 2 is more than the 1 recordings"):
        add_noise_data_dir(speech_dir, tmp_path / "x", 10.0, noise="scp", noise_scp=tmp_path / "noise.scp", num_mix=2)


def test_command_line_names_a_missing_wav_and_exits_1(speech_dir, tmp_path):
    (speech_dir / "wav.scp").write_text((speech_dir / "wav.scp").read_text().replace("5_theo_9", "missing"))
    r = subprocess.run([sys.executable, "-m", "asr.bin.make_noisy_data_dir", str(speech_dir), str(tmp_path / "x")],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert "theo_5_09" in r.stderr and "missing.wav" in r.stderr


def test_id_prefix_renames_utterances_and_speakers_only(speech_dir, tmp_path):
    add_noise_data_dir(speech_dir, tmp_path / "plain", 10.0, seed=3)
    add_noise_data_dir(speech_dir, tmp_path / "prefixed", 10.0, seed=3, id_prefix="noise1-")
    validate_data_dir(tmp_path / "prefixed")
    plain, prefixed = load_data_dir(tmp_path / "plain"), load_data_dir(tmp_path / "prefixed")
    assert prefixed.utt2spk == {"noise1-" + u: "noise1-" + s for u, s in plain.utt2spk.items()}
    assert prefixed.text == {"noise1-" + u: t for u, t in plain.text.items()}
    for utt in plain.utt_ids:
        same, _ = soundfile.read(prefixed.wav_scp["noise1-" + utt])
        assert np.array_equal(same, soundfile.read(plain.wav_scp[utt])[0])
