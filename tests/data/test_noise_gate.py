"""Noise-gate augmentation: long quiet stretches become digital near-silence, loud parts
and short pauses pass unchanged, the seed fixes the result; gated data dirs keep speakers,
are valid, and their pipes are read in-process exactly as the pipe writes them."""

import io
import shlex
import subprocess
import sys

import numpy as np
import pytest
import soundfile

import asr.data.audio
from asr.data.audio import AudioError, AudioReader, read_audio_entry
from asr.data.datadir import load_data_dir
from asr.data.noise_gate import gate_pipe, noise_gate_pcm16, parse_gate_pipe, perturb_data_dir_gate
from asr.data.pipes import parse_pipe, run_pipe
from asr.data.validate import validate_data_dir

RATE = 8000


def bursts_and_pauses(pauses_s: list[float], burst_s: float = 0.4) -> tuple[np.ndarray, list[slice], list[slice]]:
    """Tone bursts at about -20 dBFS separated by pauses of room noise at about -56 dBFS,
    as float in [-1, 1]; also the burst and pause sample ranges."""
    rng = np.random.default_rng(1)
    parts, bursts, pauses, pos = [], [], [], 0
    for pause in pauses_s + [None]:
        n = int(burst_s * RATE)
        parts.append(0.14 * np.sin(2 * np.pi * 300 * np.arange(n) / RATE))
        bursts.append(slice(pos, pos + n))
        pos += n
        if pause is not None:
            n = int(pause * RATE)
            parts.append(np.zeros(n))
            pauses.append(slice(pos, pos + n))
            pos += n
    x = np.concatenate(parts) + rng.normal(0, 0.0016, pos)
    return np.round(x * 32768) / 32768, bursts, pauses


def test_long_pauses_gated_bursts_and_short_pauses_kept():
    x, bursts, pauses = bursts_and_pauses([0.8, 0.03, 0.8])
    original = np.round(x * 32768)
    for seed in range(5):
        out = noise_gate_pcm16(x, RATE, seed).astype(np.float64)
        assert out.shape == x.shape
        for s in (pauses[0], pauses[2]):  # 800 ms > the longest hold (300 ms) + margins
            inner = out[s.start + int(0.35 * RATE):s.stop - int(0.05 * RATE)]
            assert np.abs(inner).max() <= 1, seed
        assert np.array_equal(out[pauses[1]], original[pauses[1]])  # 30 ms < the shortest hold
        for s in bursts:  # away from the 10 ms block where a gate opens and the ramps
            assert np.array_equal(out[s.start + 200:s.stop], original[s.start + 200:s.stop]), seed


def test_same_seed_same_output_other_seed_other_gate():
    x, _, _ = bursts_and_pauses([0.8, 0.8])
    assert np.array_equal(noise_gate_pcm16(x, RATE, 3), noise_gate_pcm16(x, RATE, 3))
    outs = {noise_gate_pcm16(x, RATE, seed).tobytes() for seed in range(6)}
    assert len(outs) > 1


def test_steady_noise_is_never_gated():
    x = np.random.default_rng(0).normal(0, 0.01, RATE)
    x = np.round(x * 32768) / 32768
    assert np.array_equal(noise_gate_pcm16(x, RATE, 0), (x * 32768).astype(np.int16))


def test_channels_share_one_gate():
    x, _, pauses = bursts_and_pauses([0.8])
    stereo = np.stack([x, 0.5 * x], axis=1)
    out = noise_gate_pcm16(stereo, RATE, 0)
    assert out.shape == stereo.shape
    inner = out[pauses[0].start + int(0.35 * RATE):pauses[0].stop - int(0.05 * RATE)]
    assert np.abs(inner).max() <= 1


@pytest.fixture
def gated_pair(tmp_path):
    """A data dir of two burst recordings by one speaker, one a file and one a pipe."""
    d = tmp_path / "src"
    d.mkdir()
    for name, pauses in (("a", [0.8]), ("b", [0.5, 0.7])):
        x, _, _ = bursts_and_pauses(pauses)
        soundfile.write(tmp_path / f"{name}.wav", x, RATE, subtype="PCM_16")
    (d / "wav.scp").write_text(f"s1_a {tmp_path / 'a.wav'}\ns1_b cat {shlex.quote(str(tmp_path / 'b.wav'))} |\n")
    (d / "text").write_text("s1_a YES\ns1_b NO\n")
    (d / "utt2spk").write_text("s1_a s1\ns1_b s1\n")
    (d / "spk2utt").write_text("s1 s1_a s1_b\n")
    return d


def test_gated_dir_keeps_speakers_and_is_valid(gated_pair, tmp_path):
    dest = tmp_path / "gate"
    assert perturb_data_dir_gate(gated_pair, dest) == 2
    assert validate_data_dir(dest) == []
    assert (dest / "utt2spk").read_text() == "s1_a-gate s1\ns1_b-gate s1\n"
    assert (dest / "spk2utt").read_text() == "s1 s1_a-gate s1_b-gate\n"
    assert (dest / "text").read_text() == "s1_a-gate YES\ns1_b-gate NO\n"
    assert (dest / "utt2uniq").read_text() == "s1_a-gate s1_a\ns1_b-gate s1_b\n"
    first = (dest / "wav.scp").read_text()
    perturb_data_dir_gate(gated_pair, tmp_path / "again")
    assert (tmp_path / "again" / "wav.scp").read_text() == first  # seeds from ids: a rerun is equal
    perturb_data_dir_gate(gated_pair, tmp_path / "seed1", seed=1)
    assert (tmp_path / "seed1" / "wav.scp").read_text() != first


def test_gated_dir_read_in_process_equals_pipe_output(gated_pair, tmp_path, monkeypatch):
    dest = tmp_path / "gate"
    perturb_data_dir_gate(gated_pair, dest)
    ran = []

    def run(entry):
        assert all("asr.bin.apply_gate" not in argv for argv in parse_pipe(entry)), f"ran a gate pipe: {entry}"
        ran.append(entry)
        return run_pipe(entry)

    audio = dict(AudioReader(load_data_dir(dest), RATE))
    for line in (dest / "wav.scp").read_text().splitlines():
        utt, entry = line.split(" ", 1)
        piped, _ = soundfile.read(io.BytesIO(run_pipe(entry)), dtype="float32")
        monkeypatch.setattr(asr.data.audio, "run_pipe", run)
        samples, rate = read_audio_entry(entry)
        monkeypatch.undo()
        assert rate == RATE and np.array_equal(samples[:, 0], piped)
        assert np.allclose(audio[utt], piped, atol=1e-6)
    assert ran == ["cat " + shlex.quote(str(tmp_path / "b.wav")) + " |"]  # only the inner pipe ran


def test_gated_dir_with_segments_suffixes_recordings(gated_pair, tmp_path):
    d = gated_pair
    wav = (d / "wav.scp").read_text().split()[1]
    (d / "wav.scp").write_text(f"rec1 {wav}\n")
    (d / "segments").write_text("s1_a rec1 0.0 0.5\ns1_b rec1 0.5 -1\n")
    dest = tmp_path / "gate"
    perturb_data_dir_gate(d, dest)
    assert validate_data_dir(dest) == []
    assert (dest / "segments").read_text() == "s1_a-gate rec1-gate 0.0 0.5\ns1_b-gate rec1-gate 0.5 -1\n"
    assert (dest / "wav.scp").read_text().startswith("rec1-gate ")


def test_parse_gate_pipe_round_trip_and_others():
    entry = gate_pipe("/data/a b.wav", 12)
    assert parse_gate_pipe(entry) == ("/data/a b.wav", 12)
    assert parse_gate_pipe("cat a.wav |") is None
    assert parse_gate_pipe("/data/a.wav") is None
    assert parse_gate_pipe(entry.replace("--seed 12", "--seed x")) is None


def test_missing_audio_inside_a_gate_pipe_is_named(tmp_path):
    with pytest.raises(AudioError, match="noise-gate pipe.*does not exist.*missing.wav"):
        read_audio_entry(gate_pipe(str(tmp_path / "missing.wav"), 0))


@pytest.mark.parametrize("suffix", ["", "a b"])
def test_bad_suffix_rejected(gated_pair, tmp_path, suffix):
    with pytest.raises(ValueError, match="suffix"):
        perturb_data_dir_gate(gated_pair, tmp_path / "gate", suffix=suffix)
    assert not (tmp_path / "gate").exists()


def test_apply_gate_names_missing_audio_and_exits_1(tmp_path):
    r = subprocess.run([sys.executable, "-m", "asr.bin.apply_gate", "--seed", "0", str(tmp_path / "missing.wav")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.startswith("apply_gate: ") and "missing.wav" in r.stderr
