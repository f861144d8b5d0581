"""Speed perturbation: the resampler against SciPy's, and perturbed data dirs read back
through AudioReader: duration / factor, pitch * factor, valid ids; speed pipes read
in-process give what the pipe writes; features of a perturbed dir with steps/make_fbank.sh."""

import io
import shlex
import subprocess
import sys

import kaldiio
import numpy as np
import pytest
import scipy.signal
import soundfile
import torch
import torchaudio.compliance.kaldi as kaldi

import asr.data.audio
from asr.data.audio import AudioError, AudioReader, read_audio_entry
from asr.data.datadir import load_data_dir, write_data_dir
from asr.data.perturb import (parse_speed_pipe, perturb_data_dir_speed, resample_poly, speed_perturb,
                              speed_pipe)
from asr.data.pipes import parse_pipe, run_pipe
from asr.data.validate import validate_data_dir
from asr.features.config import load_feature_config
from tests.conftest import run_in_recipe, write_tone

RATE = 8000


@pytest.mark.parametrize("up,down", [(10, 9), (10, 11), (20, 19), (3, 2), (1, 2), (7, 7),
                                     (1000, 913)])
@pytest.mark.parametrize("num", [1, 13, 20000])
def test_resample_poly_matches_scipy(up, down, num):
    x = np.random.default_rng(0).standard_normal((num, 2))
    ours = resample_poly(x, up, down)
    ref = scipy.signal.resample_poly(x, up, down, axis=0)
    assert ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, atol=1e-5)


def test_speed_perturb_rejects_bad_factor():
    with pytest.raises(ValueError):
        speed_perturb(np.zeros(10), 0.0)
    with pytest.raises(ValueError):
        speed_perturb(np.zeros(10), float("nan"))


def peak_hz(audio: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(len(audio))))
    return float(np.fft.rfftfreq(len(audio), 1 / RATE)[np.argmax(spectrum)])


@pytest.fixture
def tone_dir(tmp_path):
    """Two 2-second tones (440 and 600 Hz), one read from a file, one through a pipe."""
    d = tmp_path / "src"
    d.mkdir()
    a = write_tone(tmp_path / "a.wav", seconds=2.0, rate=RATE, freq=440.0)
    b = write_tone(tmp_path / "b.wav", seconds=2.0, rate=RATE, freq=600.0)
    (d / "wav.scp").write_text(f"s1_a {a}\ns1_b cat {shlex.quote(str(b))} |\n")
    (d / "text").write_text("s1_a YES\ns1_b NO\n")
    (d / "utt2spk").write_text("s1_a s1\ns1_b s1\n")
    (d / "spk2utt").write_text("s1 s1_a s1_b\n")
    (d / "utt2dur").write_text("s1_a 2.0\ns1_b 2.0\n")
    return d


@pytest.mark.parametrize("factor", ["0.9", "1.1"])
def test_perturbed_dir_is_valid_longer_and_lower(tone_dir, tmp_path, factor):
    dest = tmp_path / f"sp{factor}"
    assert perturb_data_dir_speed(factor, tone_dir, dest) == 2
    assert validate_data_dir(dest) == []
    p = f"sp{factor}-"
    assert (dest / "utt2spk").read_text() == f"{p}s1_a {p}s1\n{p}s1_b {p}s1\n"
    assert (dest / "spk2utt").read_text() == f"{p}s1 {p}s1_a {p}s1_b\n"
    assert (dest / "text").read_text() == f"{p}s1_a YES\n{p}s1_b NO\n"
    assert (dest / "utt2uniq").read_text() == f"{p}s1_a s1_a\n{p}s1_b s1_b\n"
    assert not (dest / "utt2dur").exists()  # it would be wrong
    for argv in parse_pipe((dest / "wav.scp").read_text().splitlines()[0].split(" ", 1)[1]):
        assert argv[0] == sys.executable  # no shell, no sox
    original = dict(AudioReader(load_data_dir(tone_dir), RATE))
    perturbed = dict(AudioReader(load_data_dir(dest), RATE))
    f = float(factor)
    for utt, freq in (("s1_a", 440.0), ("s1_b", 600.0)):
        new = perturbed[p + utt]
        assert len(new) / len(original[utt]) == pytest.approx(1 / f, rel=0.01)
        assert peak_hz(new) == pytest.approx(freq * f, abs=2.0)
        assert peak_hz(original[utt]) == pytest.approx(freq, abs=2.0)


def test_perturb_with_segments_scales_times_and_prefixes_recordings(tone_dir, tmp_path):
    d = tone_dir
    (d / "utt2dur").unlink()
    wav = (d / "wav.scp").read_text().split()[1]
    (d / "wav.scp").write_text(f"rec1 {wav}\n")
    (d / "segments").write_text("s1_a rec1 0.0 0.9\ns1_b rec1 0.9 -1\n")
    dest = tmp_path / "sp"
    perturb_data_dir_speed("0.9", d, dest)
    assert validate_data_dir(dest) == []
    assert (dest / "segments").read_text() == "sp0.9-s1_a sp0.9-rec1 0.000 1.000\nsp0.9-s1_b sp0.9-rec1 1.000 -1\n"
    assert (dest / "wav.scp").read_text().startswith("sp0.9-rec1 ")
    audio = dict(AudioReader(load_data_dir(dest), RATE))
    assert len(audio["sp0.9-s1_a"]) == RATE  # 0.9 s -> 1.0 s
    assert len(audio["sp0.9-s1_b"]) == pytest.approx(1.1 / 0.9 * RATE, rel=0.01)


def test_perturb_keeps_existing_utt2uniq(tone_dir, tmp_path):
    (tone_dir / "utt2uniq").write_text("s1_a orig_a\ns1_b orig_b\n")
    perturb_data_dir_speed("1.1", tone_dir, tmp_path / "sp")
    assert (tmp_path / "sp" / "utt2uniq").read_text() == "sp1.1-s1_a orig_a\nsp1.1-s1_b orig_b\n"


@pytest.mark.parametrize("factor", ["0", "-1", "abc", "nan", "inf"])
def test_perturb_rejects_bad_factors(tone_dir, tmp_path, factor):
    with pytest.raises(ValueError, match="speed factor"):
        perturb_data_dir_speed(factor, tone_dir, tmp_path / "sp")
    assert not (tmp_path / "sp").exists()


@pytest.fixture
def no_subprocess_for_speed(monkeypatch):
    """Pipes that asr.data.audio runs; running a speed pipe (apply_speed or sox) fails the test."""
    ran = []

    def run(entry):
        for argv in parse_pipe(entry):
            assert argv[0] != "sox" and "asr.bin.apply_speed" not in argv, f"ran a speed pipe: {entry}"
        ran.append(entry)
        return run_pipe(entry)

    monkeypatch.setattr(asr.data.audio, "run_pipe", run)
    return ran


@pytest.mark.parametrize("factor", ["0.9", "1.0", "1.1"])
def test_speed_pipe_in_process_equals_subprocess(fsdd_root, factor, no_subprocess_for_speed):
    entry = speed_pipe(str(fsdd_root / "recordings" / "3_theo_7.wav"), factor)
    piped, piped_rate = soundfile.read(io.BytesIO(run_pipe(entry)), dtype="float32", always_2d=True)
    samples, rate = read_audio_entry(entry)
    assert rate == piped_rate == RATE
    np.testing.assert_array_equal(samples, piped)


@pytest.mark.parametrize("template", [
    "sox {wav} -t wav - speed 1.1 |",
    "sox -t wav {wav} -t wav - speed 1.1 |",
    "cat {wav} | sox -t wav - -t wav - speed 1.1 |",
])
def test_kaldi_sox_speed_pipe_is_read_in_process(tmp_path, template, no_subprocess_for_speed):
    wav = write_tone(tmp_path / "tone.wav", seconds=2.0, rate=RATE, freq=1000.0)
    samples, rate = read_audio_entry(template.format(wav=shlex.quote(str(wav))))
    assert rate == RATE
    assert len(samples) == pytest.approx(2.0 * RATE / 1.1, abs=1)
    assert peak_hz(samples[:, 0]) == pytest.approx(1100.0, abs=2.0)
    assert no_subprocess_for_speed == (["cat " + shlex.quote(str(wav)) + " |"] if "cat" in template else [])


@pytest.mark.parametrize("entry", [
    "sox a.wav -t wav - speed 0.9 vol 2 |",
    "sox a.wav -t wav - |",
    "sox - -t wav - speed 0.9 |",
    "sox -t wav - -t wav - speed 0.9 |",
    "cat a.wav | sox a.wav -t wav - speed 0.9 |",
    "sox a.wav -t wav - speed fast |",
    "cat a.wav |",
    "python -m asr.bin.other --factor 0.9 a.wav |",
    "cat a.wav | python -m asr.bin.apply_speed --factor 0.9 a.wav |",
    "a.wav",
])
def test_other_entries_are_not_speed_pipes(entry):
    assert parse_speed_pipe(entry) is None


def test_missing_file_in_speed_pipe_names_utterance_and_file(tmp_path):
    missing = tmp_path / "gone.wav"
    data = tmp_path / "data"
    write_data_dir(data, {"sp0.9-u1": speed_pipe(str(missing), "0.9")}, {"sp0.9-u1": "s"})
    with pytest.raises(AudioError, match=r"utterance sp0\.9-u1: .*apply_speed.*gone\.wav") as e:
        AudioReader(load_data_dir(data), RATE).read("sp0.9-u1")
    assert "does not exist" in str(e.value)
    shell = subprocess.run(speed_pipe(str(missing), "0.9")[:-1], shell=True, capture_output=True, text=True)
    assert shell.returncode == 1 and "gone.wav" in shell.stderr and shell.stdout == ""


def test_make_fbank_on_combined_perturbed_dir(repo_root, fsdd_root, tmp_path):
    wavs = {f"theo_{d}_0": fsdd_root / "recordings" / f"{d}_theo_0.wav" for d in range(5)}
    data = tmp_path / "data"
    write_data_dir(data / "train", {u: str(w) for u, w in wavs.items()}, {u: "theo" for u in wavs})
    for f in ("0.9", "1.0", "1.1"):
        run_in_recipe(f"utils/perturb_data_dir_speed.sh {f} {data}/train {data}/sp{f}", repo_root)
    run_in_recipe(f"utils/combine_data.sh {data}/sp {data}/sp0.9 {data}/sp1.0 {data}/sp1.1", repo_root)
    run_in_recipe(f"steps/make_fbank.sh --nj 2 {data}/sp", repo_root)
    feats = kaldiio.load_scp(str(data / "sp" / "feats.scp"))
    assert sorted(feats) == sorted(f"sp{f}-{u}" for f in ("0.9", "1.0", "1.1") for u in wavs)
    config = load_feature_config(repo_root / "conf" / "fbank.yaml")
    for utt, wav in wavs.items():
        ints = soundfile.read(wav, dtype="int16")[0]
        for f, (up, down) in (("0.9", (10, 9)), ("1.0", (1, 1)), ("1.1", (10, 11))):
            slowed = np.rint(scipy.signal.resample_poly(ints / 32768, up, down) * 32768).astype(np.float32)
            ref = kaldi.fbank(torch.from_numpy(slowed).unsqueeze(0), **vars(config)).numpy()
            np.testing.assert_allclose(feats[f"sp{f}-{utt}"], ref, atol=1e-3, rtol=0)
