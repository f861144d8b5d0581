"""Decoding features of a ``cmvn: speaker`` model: each speaker's stats from the data dir's
cmvn.scp, or computed from its audio, the same either way and whatever the job's share."""

from __future__ import annotations

import shutil

import kaldiio
import numpy as np
import pytest
import torch

from asr.data.audio import AudioReader
from asr.data.datadir import load_data_dir, write_data_dir
from asr.decode.e2e import iter_model_features, load_e2e_model_dir
from asr.features.cmvn import cmvn_stats, write_cmvn_stats
from asr.features.config import config_to_dict, load_feature_config, save_feature_config
from asr.features.extract import FeatureExtractor
from asr.nnet import build_model
from asr.train.model_dir import write_config
from asr.units import Units

MODEL = {"input_dim": 40, "vocab_size": 4, "encoder": {
    "type": "conformer", "dim": 16, "num_heads": 2, "ffn_dim": 32, "num_blocks": 1, "kernel_size": 3,
    "subsampling_rate": 4, "dropout": 0.0}}


@pytest.fixture(scope="module")
def dirs(repo_root, yesno_root, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("spk_cmvn")
    fc = load_feature_config(repo_root / "conf" / "fbank.yaml")
    model_dir = tmp / "model"
    model_dir.mkdir()
    write_config(model_dir, {"model": MODEL, "units": {"type": "word"}, "features": config_to_dict(fc),
                             "cmvn": "speaker"})
    Units("word", ["<blk>", "<unk>", "NO", "YES"]).write(model_dir / "units.txt")
    torch.manual_seed(0)
    torch.save(build_model(MODEL).state_dict(), model_dir / "final.pt")
    wavs = sorted((yesno_root / "waves_yesno").glob("*.wav"))[:6]
    utt2spk = {w.stem: ("a" if i < 4 else "b") for i, w in enumerate(wavs)}
    write_data_dir(tmp / "audio", {w.stem: str(w) for w in wavs}, utt2spk)
    # the same dir with features and per-speaker stats, as the recipes' feature steps leave it
    data = load_data_dir(tmp / "audio")
    feats = dict(FeatureExtractor(fc).stream(AudioReader(data, fc.sample_rate)))
    write_data_dir(tmp / "feats", {w.stem: str(w) for w in wavs}, utt2spk)
    kaldiio.save_ark(str(tmp / "feats" / "feats.ark"), feats, scp=str(tmp / "feats" / "feats.scp"))
    save_feature_config(fc, tmp / "feats" / "conf" / "feats.yaml")
    stats = {s: cmvn_stats([feats[u] for u in utt2spk if utt2spk[u] == s]) for s in ("a", "b")}
    write_cmvn_stats(stats, tmp / "feats" / "cmvn.ark", tmp / "feats" / "cmvn.scp")
    return load_e2e_model_dir(model_dir), tmp, feats, utt2spk


def test_stats_from_cmvn_scp_or_from_the_audio_agree_and_normalize_each_speaker(dirs):
    model_dir, tmp, feats, utt2spk = dirs
    utts = sorted(feats)
    from_scp = dict(iter_model_features(load_data_dir(tmp / "feats"), model_dir, utts))
    from_audio = dict(iter_model_features(load_data_dir(tmp / "audio"), model_dir, utts))
    for spk in ("a", "b"):
        mine = [u for u in utts if utt2spk[u] == spk]
        raw = np.concatenate([feats[u] for u in mine])
        expected = (raw - raw.mean(0)) / raw.std(0)
        np.testing.assert_allclose(np.concatenate([from_scp[u] for u in mine]), expected, atol=1e-4)
        np.testing.assert_allclose(np.concatenate([from_audio[u] for u in mine]), expected, atol=1e-4)


def test_a_jobs_share_gets_its_speakers_full_stats(dirs):
    model_dir, tmp, feats, _ = dirs
    data = load_data_dir(tmp / "audio")
    whole = dict(iter_model_features(data, model_dir, data.utt_ids))
    share = data.utt_ids[3:5]  # one utterance of each speaker
    for utt, mat in iter_model_features(data, model_dir, share):
        np.testing.assert_allclose(mat, whole[utt], atol=1e-6)


def test_a_speaker_missing_from_cmvn_scp_is_named(dirs, tmp_path):
    model_dir, tmp, _, _ = dirs
    shutil.copytree(tmp / "feats", tmp_path / "feats")
    scp = tmp_path / "feats" / "cmvn.scp"
    scp.write_text("".join(line + "\n" for line in scp.read_text().splitlines() if not line.startswith("b ")))
    data = load_data_dir(tmp_path / "feats")
    with pytest.raises(ValueError, match="no stats for speaker b"):
        list(iter_model_features(data, model_dir, data.utt_ids))
