"""steps/make_fbank.sh and steps/make_mfcc.sh end to end: parallel jobs, outputs, reruns
that redo only incomplete jobs, and loud failure on bad audio."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import kaldiio
import numpy as np
import soundfile
import torch
import torchaudio.compliance.kaldi as kaldi

from asr.data.datadir import write_data_dir
from asr.features.config import load_feature_config


def _sh(repo_root: Path, command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", ". ./path.sh && " + command], cwd=repo_root,
                          capture_output=True, text=True, timeout=300)


def _fsdd_subset(fsdd_root: Path, data: Path, wav_dir: Path | None = None) -> dict[str, Path]:
    """A 20-utterance data dir: speakers jackson and theo, digits 0-9, recording 0.

    With ``wav_dir`` the wavs are copied there first (so the test may damage one)."""
    wavs = {}
    for spk in ("jackson", "theo"):
        for digit in range(10):
            wav = fsdd_root / "recordings" / f"{digit}_{spk}_0.wav"
            if wav_dir is not None:
                wav_dir.mkdir(parents=True, exist_ok=True)
                wav = Path(shutil.copy(wav, wav_dir / wav.name))
            wavs[f"{spk}_{digit}_0"] = wav
    write_data_dir(data, {u: str(w) for u, w in wavs.items()}, {u: u.split("_")[0] for u in wavs})
    return wavs


def _reference(wav: Path, config, fn=kaldi.fbank) -> np.ndarray:
    ints = soundfile.read(wav, dtype="int16")[0].astype(np.float32)
    return fn(torch.from_numpy(ints).unsqueeze(0), **vars(config)).numpy()


def test_make_fbank_nj2_writes_kaldi_features(repo_root, fsdd_root, tmp_path):
    data = tmp_path / "data" / "sub"
    wavs = _fsdd_subset(fsdd_root, data)
    out = _sh(repo_root, f"steps/make_fbank.sh --nj 2 {data}")
    assert out.returncode == 0, out.stderr
    config = load_feature_config(repo_root / "conf" / "fbank.yaml")
    assert load_feature_config(data / "conf" / "feats.yaml") == config
    feats = kaldiio.load_scp(str(data / "feats.scp"))
    assert list(feats) == sorted(wavs)
    num_frames = dict(line.split() for line in (data / "utt2num_frames").read_text().splitlines())
    for utt, wav in wavs.items():
        ref = _reference(wav, config)
        np.testing.assert_allclose(feats[utt], ref, atol=1e-4, rtol=0)
        # Kaldi's frame count with snip_edges: 1 + (samples - 200) // 80 at 8 kHz.
        assert int(num_frames[utt]) == 1 + (soundfile.info(wav).frames - 200) // 80 == len(ref)
    for job in (1, 2):
        scp = (data / "data" / f"raw_fbank_sub.{job}.scp").read_text().splitlines()
        assert len(scp) == 10
        assert "Ended (code 0)" in (data / "log" / f"make_fbank_sub.{job}.log").read_text()


def test_rerun_redoes_only_incomplete_jobs(repo_root, fsdd_root, tmp_path):
    data = tmp_path / "sub"
    _fsdd_subset(fsdd_root, data)
    ark = [data / "data" / f"raw_fbank_sub.{job}.ark" for job in (1, 2)]
    assert _sh(repo_root, f"steps/make_fbank.sh --nj 2 {data}").returncode == 0
    first = kaldiio.load_scp(str(data / "feats.scp"))
    first = {u: first[u] for u in first}
    stamps = [a.stat().st_mtime_ns for a in ark]

    (data / "data" / "raw_fbank_sub.2.scp").unlink()  # job 2 never finished
    out = _sh(repo_root, f"steps/make_fbank.sh --nj 2 {data}")
    assert out.returncode == 0, out.stderr
    assert ark[0].stat().st_mtime_ns == stamps[0]
    assert ark[1].stat().st_mtime_ns != stamps[1]
    assert "skipping" in (data / "log" / "make_fbank_sub.1.log").read_text()
    assert "computing 10 utterances" in (data / "log" / "make_fbank_sub.2.log").read_text()

    stamps = [a.stat().st_mtime_ns for a in ark]
    ark[0].write_bytes(ark[0].read_bytes()[:5000])  # job 1's ark cut short
    out = _sh(repo_root, f"steps/make_fbank.sh --nj 2 {data}")
    assert out.returncode == 0, out.stderr
    assert ark[1].stat().st_mtime_ns == stamps[1]
    assert ark[0].stat().st_mtime_ns != stamps[0]
    again = kaldiio.load_scp(str(data / "feats.scp"))
    assert list(again) == list(first)
    for utt, mat in first.items():
        np.testing.assert_array_equal(again[utt], mat)


def test_corrupt_wav_fails_naming_the_utterance(repo_root, fsdd_root, tmp_path):
    data = tmp_path / "sub"
    wavs = _fsdd_subset(fsdd_root, data, wav_dir=tmp_path / "wavs")
    wavs["theo_7_0"].write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt garbage that is not audio")
    out = _sh(repo_root, f"steps/make_fbank.sh --nj 2 {data}")
    assert out.returncode != 0
    assert "utterance theo_7_0" in out.stderr
    assert not (data / "feats.scp").exists() and not (data / "utt2num_frames").exists()
    assert not (data / "data" / "raw_fbank_sub.2.scp").exists()


def test_make_mfcc_matches_torchaudio(repo_root, tiny_data_dir):
    out = _sh(repo_root, f"steps/make_mfcc.sh --nj 3 {tiny_data_dir} {tiny_data_dir}/log/x {tiny_data_dir}/mfcc")
    assert out.returncode == 0, out.stderr
    config = load_feature_config(repo_root / "conf" / "mfcc.yaml")
    feats = kaldiio.load_scp(str(tiny_data_dir / "feats.scp"))
    wavs = dict(line.split() for line in (tiny_data_dir / "wav.scp").read_text().splitlines())
    assert list(feats) == sorted(wavs)
    for utt, wav in wavs.items():
        np.testing.assert_allclose(feats[utt], _reference(Path(wav), config, kaldi.mfcc), atol=1e-3, rtol=0)
    assert sorted(p.name for p in (tiny_data_dir / "mfcc").glob("*.scp")) == [
        f"raw_mfcc_data.{j}.scp" for j in (1, 2, 3)]
    assert (tiny_data_dir / "log" / "x" / "make_mfcc_data.3.log").is_file()


def test_usage(repo_root):
    out = _sh(repo_root, "steps/make_fbank.sh")
    assert out.returncode == 1
    assert "Usage: steps/make_fbank.sh" in out.stderr and "e.g.:" in out.stderr
