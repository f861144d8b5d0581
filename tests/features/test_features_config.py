"""Feature configs: the shipped YAMLs, unknown keys, types, overrides, Kaldi's checks."""

from __future__ import annotations

import argparse

import pytest
import torch
import torchaudio.compliance.kaldi as kaldi

from asr.features.config import (FbankConfig, MfccConfig, add_config_arguments, config_overrides,
                                 load_feature_config, save_feature_config)
from asr.features.extract import FeatureExtractor
from asr.features.mel import mel_banks


def test_shipped_configs_build(repo_root):
    fbank = load_feature_config(repo_root / "conf" / "fbank.yaml")
    mfcc = load_feature_config(repo_root / "conf" / "mfcc.yaml")
    assert isinstance(fbank, FbankConfig) and isinstance(mfcc, MfccConfig)
    assert (fbank.sample_rate, fbank.num_mel_bins, fbank.dither, fbank.dim) == (8000, 40, 0.0, 40)
    assert (mfcc.sample_rate, mfcc.num_mel_bins, mfcc.high_freq, mfcc.num_ceps, mfcc.use_energy) == (
        8000, 23, -200.0, 13, False)
    for config in (fbank, mfcc):
        assert FeatureExtractor(config).dim == config.dim


def test_defaults_are_kaldis():
    # compute-fbank-feats / compute-mfcc-feats defaults; MFCC uses the energy by default.
    config = FbankConfig()
    assert (config.sample_frequency, config.dither, config.energy_floor, config.num_mel_bins,
            config.window_type, config.snip_edges, config.use_energy) == (16000.0, 1.0, 0.0, 23, "povey", True, False)
    assert MfccConfig().use_energy is True and MfccConfig().cepstral_lifter == 22.0


def test_unknown_key_names_key_and_file(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("feature_type: fbank\nnum_mel_bin: 40\n")
    with pytest.raises(ValueError, match=rf"{path}: unknown key 'num_mel_bin'"):
        load_feature_config(path)
    path.write_text("feature_type: fbank\nnum_ceps: 13\n")  # an MFCC option
    with pytest.raises(ValueError, match=rf"{path}: unknown key 'num_ceps'"):
        load_feature_config(path)


def test_bad_values_are_errors(tmp_path):
    path = tmp_path / "f.yaml"
    for text, message in [("snip_edges: yes please", "snip_edges must be of type bool"),
                          ("num_mel_bins: 40.5", "num_mel_bins must be of type int"),
                          ("window_type: kaiser", "window_type must be one of"),
                          ("preemphasis_coefficient: 1.5", "preemphasis_coefficient"),
                          ("high_freq: 9000", "bad mel cutoffs"),
                          ("- a list", "must be a mapping")]:
        path.write_text(text + "\n")
        with pytest.raises(ValueError, match=message):
            load_feature_config(path, "fbank")


def test_too_many_mel_bins_is_kaldis_error():
    # 8 kHz, 256-point FFT: 31.25 Hz per FFT bin; 128 bins leave some empty, as in Kaldi.
    with pytest.raises(ValueError, match="cover no FFT bin"):
        FbankConfig(sample_frequency=8000, num_mel_bins=128)
    torch_banks, _ = kaldi.get_mel_banks(80, 256, 8000.0, 20.0, 0.0, 100.0, -500.0, 1.0)
    assert torch.equal(mel_banks(80, 256, 8000.0, 20.0, 0.0)[:-1], torch_banks.T)


def test_feature_type_must_agree_or_be_known(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("feature_type: mfcc\n")
    with pytest.raises(ValueError, match="feature_type is 'mfcc', but 'fbank'"):
        load_feature_config(path, "fbank")
    path.write_text("num_mel_bins: 30\n")
    with pytest.raises(ValueError, match="no feature_type"):
        load_feature_config(path)
    assert load_feature_config(path, "mfcc").num_mel_bins == 30


def test_command_line_overrides_yaml_and_round_trips(repo_root, tmp_path):
    parser = argparse.ArgumentParser()
    add_config_arguments(parser)
    args = parser.parse_args(["--num-mel-bins", "64", "--snip-edges", "false", "--high-freq", "-100"])
    config = load_feature_config(repo_root / "conf" / "fbank.yaml", overrides=config_overrides(args))
    assert (config.num_mel_bins, config.snip_edges, config.high_freq, config.window_type) == (
        64, False, -100.0, "povey")
    save_feature_config(config, tmp_path / "resolved.yaml")
    assert load_feature_config(tmp_path / "resolved.yaml") == config
    with pytest.raises(SystemExit):
        parser.parse_args(["--snip-edges", "maybe"])
    with pytest.raises(ValueError, match="option 'num_ceps' does not apply to fbank"):
        load_feature_config(repo_root / "conf" / "fbank.yaml", overrides={"num_ceps": 13})
