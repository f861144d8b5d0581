"""Config resolution, the train_e2e entry point's errors, and steps/train_e2e.sh usage."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from asr.train.config import resolve_config

REPO = Path(__file__).resolve().parents[2]


def test_flat_model_config_with_sections_and_overrides():
    raw = yaml.safe_load((REPO / "conf/model/conformer_ctc.yaml").read_text())
    raw["train"] = {"lr": 0.01}
    config = resolve_config(raw, ["model.encoder.num_blocks=2", "train.max_epochs=3", "units.type=bpe"])
    assert config["model"]["encoder"]["num_blocks"] == 2 and "train" not in config["model"]
    assert config["train"]["lr"] == 0.01 and config["train"]["max_epochs"] == 3
    assert config["train"]["accum_grad"] == 1  # defaults filled in
    assert config["units"] == {"type": "bpe"} and config["cmvn"] == "global"
    # a resolved config resolves to itself
    assert resolve_config(config) == config


@pytest.mark.parametrize("override, message", [
    ("train.learning_rate=1", "unknown key.*learning_rate"),
    ("train.amp=fp32", "amp must be one of"),
    ("units.size=3", "unknown key.*size"),
    ("cmvn=utterance", "cmvn must be one of global, speaker, none"),
    ("train.noise={snr: 5}", "noise: unknown key.*snr.*known: min_snr, max_snr, prob, babble"),
    ("train.time_stretch={rate: 1.1}", "time_stretch: unknown key.*rate"),
    ("train.specaug={num_masks: 1}", "specaug: unknown key.*num_masks"),
    ("train.noise=5", "noise must be a mapping or null"),
    ("train.lr=fast", "lr must be a number, got 'fast'"),
    ("train.max_epochs=ten", "max_epochs must be a number"),
    ("train.max_epochs=true", "max_epochs must be a number"),
])
def test_bad_config_values_are_named(override, message):
    with pytest.raises(ValueError, match=message):
        resolve_config({"input_dim": 40, "encoder": {"type": "conformer"}}, [override])


def test_exponent_without_a_dot_is_a_number():
    """YAML 1.1 (PyYAML's default) reads 4e-3 as a string; configs and overrides take it
    as a number in every section, not only in train."""
    config = resolve_config({"input_dim": 40, "encoder": {"type": "conformer"}},
                            ["train.lr=4e-3", "model.encoder.dropout=1e-1", "model.ctc_blank_init_prob=95E-2"])
    assert config["train"]["lr"] == pytest.approx(0.004)
    assert config["model"]["encoder"]["dropout"] == pytest.approx(0.1)
    assert config["model"]["ctc_blank_init_prob"] == pytest.approx(0.95)


def test_entry_point_reports_errors_without_traceback(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("input_dim: 8\nencoder: {type: conformer}\ntrain: {epochs: 3}\n")
    proc = subprocess.run([sys.executable, "-m", "asr.bin.train_e2e", "--config", str(config), str(tmp_path / "t"),
                           str(tmp_path / "d"), str(tmp_path / "exp")], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 1
    assert "unknown key(s) epochs" in proc.stderr and "Traceback" not in proc.stderr


def test_shell_usage():
    proc = subprocess.run(["steps/train_e2e.sh", "a", "b"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 1 and "e.g.:" in proc.stderr
    proc = subprocess.run(["steps/train_e2e.sh", "--config", "no/such.yaml", "a", "b", "c"], cwd=REPO,
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "no such file no/such.yaml" in proc.stderr
