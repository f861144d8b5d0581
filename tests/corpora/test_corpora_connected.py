"""Connected-word sets: determinism, grouping, and audio = sources + pauses, checked sample by sample."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile
from numpy.lib.stride_tricks import sliding_window_view

from asr.corpora.connected import ConnectedConfig, build_connected
from asr.data.datadir import load_data_dir, write_data_dir
from asr.data.validate import validate_data_dir
from tests.conftest import write_tone


@pytest.fixture(scope="module")
def fsdd_test_dir(tmp_path_factory, fsdd_root) -> Path:
    """The official FSDD test split as a data dir (written here, not by the code under test)."""
    d = tmp_path_factory.mktemp("src") / "test"
    wav_scp, utt2spk, text = {}, {}, {}
    words = "ZERO ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE".split()
    for wav in sorted((fsdd_root / "recordings").glob("*_[0-4].wav")):
        digit, spk, index = wav.stem.split("_")
        utt = f"{spk}_{digit}_{index}"
        wav_scp[utt], utt2spk[utt], text[utt] = str(wav.resolve()), spk, words[int(digit)]
    write_data_dir(d, wav_scp=wav_scp, utt2spk=utt2spk, text=text)
    assert len(utt2spk) == 300
    return d


@pytest.fixture(scope="module")
def built(tmp_path_factory, fsdd_test_dir) -> Path:
    out = tmp_path_factory.mktemp("cd") / "test_cd"
    build_connected(fsdd_test_dir, out, seed=7)
    return out


def _sources(out: Path) -> dict[str, list[str]]:
    table = {}
    for line in (out / "utt2sources").read_text().splitlines():
        utt, *srcs = line.split()
        table[utt] = srcs
    return table


def test_valid_and_grouped_by_speaker(built, fsdd_test_dir):
    assert validate_data_dir(built) == []
    src, cd, sources = load_data_dir(fsdd_test_dir), load_data_dir(built), _sources(built)
    assert set(sources) == set(cd.utt2spk)
    used = [s for group in sources.values() for s in group]
    assert sorted(used) == sorted(src.utt2spk)  # every test recording exactly once
    for utt, group in sources.items():
        assert 2 <= len(group) <= 7
        assert {src.utt2spk[s] + "_cd" for s in group} == {cd.utt2spk[utt]}
        assert utt.startswith(cd.utt2spk[utt] + "_")
        assert cd.text[utt].split() == [src.text[s] for s in group]
        assert Path(cd.wav_scp[utt]) == built.resolve() / "wav" / f"{utt}.wav"


def test_audio_is_the_sources_separated_by_quiet_pauses(built, fsdd_test_dir):
    src, cd, sources = load_data_dir(fsdd_test_dir), load_data_dir(built), _sources(built)
    lo, hi = 400, 2400  # 0.05 s and 0.3 s at 8 kHz
    for utt, group in sources.items():
        info = soundfile.info(cd.wav_scp[utt])
        assert (info.samplerate, info.subtype, info.channels) == (8000, "PCM_16", 1)
        out, _ = soundfile.read(cd.wav_scp[utt], dtype="int16")
        pos, gaps = 0, []
        for s in group:
            piece, _ = soundfile.read(src.wav_scp[s], dtype="int16")
            # the source must start after a pause of lo..hi samples: find it exactly
            window = out[pos + lo: pos + hi + len(piece)]
            starts = [k for k in np.flatnonzero(np.all(sliding_window_view(window[:hi - lo + 16], 16)
                                                       == piece[:16], axis=1))
                      if np.array_equal(window[k:k + len(piece)], piece)]
            assert starts, f"{utt}: source {s} not found after sample {pos}"
            gaps.append(out[pos:pos + lo + starts[0]])
            pos += lo + starts[0] + len(piece)
        gaps.append(out[pos:])
        assert all(lo <= len(g) <= hi for g in gaps), (utt, [len(g) for g in gaps])
        assert max(int(np.abs(g.astype(np.int32)).max()) for g in gaps) < 40  # ~ -58 dBFS at most
        assert len(out) == sum(len(g) for g in gaps) + sum(
            soundfile.info(src.wav_scp[s]).frames for s in group)


def test_same_seed_same_bytes_other_seed_differs(built, fsdd_test_dir, tmp_path):
    again = tmp_path / "again"
    build_connected(fsdd_test_dir, again, seed=7)
    files = sorted(p.relative_to(built) for p in built.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for rel in files:
        a, b = (built / rel).read_bytes(), (again / rel).read_bytes()
        if rel.name == "wav.scp":
            a = a.replace(str(built.resolve()).encode(), b"")
            b = b.replace(str(again.resolve()).encode(), b"")
        assert a == b, rel
    other = tmp_path / "other"
    build_connected(fsdd_test_dir, other, seed=8)
    assert (other / "text").read_text() != (built / "text").read_text()


def _tone_dir(tmp_path: Path, counts: dict[str, int], rate: int = 8000) -> Path:
    d = tmp_path / "src"
    wav_scp, utt2spk, text = {}, {}, {}
    for spk, n in counts.items():
        for i in range(n):
            utt = f"{spk}_{i:02d}"
            wav_scp[utt] = str(write_tone(tmp_path / "wav" / f"{utt}.wav", seconds=0.05, rate=rate,
                                          freq=200.0 + 50 * i))
            utt2spk[utt], text[utt] = spk, f"W{i}"
    write_data_dir(d, wav_scp=wav_scp, utt2spk=utt2spk, text=text)
    return d


def test_group_sizes_stay_in_range_for_awkward_counts(tmp_path):
    counts = {"a": 2, "b": 3, "c": 8, "d": 9, "e": 15}
    src = _tone_dir(tmp_path, counts)
    for seed in range(12):
        out = tmp_path / f"cd{seed}"
        build_connected(src, out, seed=seed)
        groups = _sources(out)
        for spk, n in counts.items():
            mine = [g for u, g in groups.items() if u.startswith(spk + "_")]
            assert sorted(s for g in mine for s in g) == [f"{spk}_{i:02d}" for i in range(n)]
            assert all(2 <= len(g) <= 7 for g in mine), (seed, spk, [len(g) for g in mine])


def test_zero_noise_gives_digital_silence_and_resamples(tmp_path):
    src = _tone_dir(tmp_path, {"a": 2}, rate=16000)
    out = tmp_path / "cd"
    build_connected(src, out, seed=0, config=ConnectedConfig(noise_std=0.0, min_pause=0.1, max_pause=0.1))
    audio, rate = soundfile.read(out / "wav" / "a_cd_0000.wav", dtype="int16")
    assert rate == 8000
    assert len(audio) == 3 * 800 + 2 * 400  # three 0.1 s pauses, two 0.05 s tones at 8 kHz
    assert not audio[:800].any() and not audio[1200:2000].any() and not audio[-800:].any()
    assert audio[800:1200].any()


def test_errors(tmp_path):
    src = _tone_dir(tmp_path, {"a": 3, "b": 1})
    with pytest.raises(ValueError, match="speaker b: cannot cut 1 utterance"):
        build_connected(src, tmp_path / "cd", seed=0)
    (src / "text").write_text("a_00 W0\na_01 W1\na_02 W2\n")
    with pytest.raises(ValueError, match="no transcript for utterance b_00"):
        build_connected(src, tmp_path / "cd", seed=0)
    for bad in ({"min_words": 1}, {"min_words": 3, "max_words": 4}, {"min_pause": 0.5},
                {"noise_std": -1.0}, {"sample_rate": 0}):
        with pytest.raises(ValueError):
            ConnectedConfig(**bad)
