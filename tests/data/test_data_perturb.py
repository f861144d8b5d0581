"""Speed perturbation: the resampler against SciPy's, and perturbed data dirs read back
through AudioReader: duration / factor, pitch * factor, valid ids."""

import shlex
import sys

import numpy as np
import pytest
import scipy.signal

from asr.data.audio import AudioReader
from asr.data.datadir import load_data_dir
from asr.data.perturb import perturb_data_dir_speed, resample_poly, speed_perturb
from asr.data.pipes import parse_pipe
from asr.data.validate import validate_data_dir
from tests.conftest import write_tone

RATE = 8000


@pytest.mark.parametrize("up,down", [(10, 9), (10, 11), (20, 19), (3, 2), (1, 2)])
def test_resample_poly_matches_scipy(up, down):
    x = np.random.default_rng(0).standard_normal((4000, 2))
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
