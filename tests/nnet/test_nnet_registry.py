"""Registry and build_model: unknown types and keys are errors that name them."""

from __future__ import annotations

import pytest

from asr.nnet import build_model
from asr.nnet.registry import ENCODERS, Registry

ENCODER = {"type": "crnn", "conv_dim": 8, "hidden_size": 4, "num_layers": 1}


def _config(**overrides) -> dict:
    return {"input_dim": 10, "vocab_size": 5, "encoder": dict(ENCODER)} | overrides


def test_builds_registered_class_with_injected_arguments() -> None:
    enc = ENCODERS.build(ENCODER, input_dim=10)
    assert type(enc).__name__ == "CRNNEncoder"
    assert enc.output_size == 8


@pytest.mark.parametrize(
    "config,message",
    [
        ({"conv_dim": 8}, "no 'type' key"),
        ({"type": "lstm_mystery"}, "unknown encoder type 'lstm_mystery'.*conformer.*crnn.*transformer"),
        ({"type": "crnn", "hiden_size": 4}, "encoder 'crnn': unknown key 'hiden_size'"),
        ({"type": "crnn", "input_dim": 4}, "key 'input_dim' is set by the model"),
        (["crnn"], "must be a mapping"),
    ],
)
def test_encoder_config_errors(config, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ENCODERS.build(config, input_dim=10)


def test_missing_required_key() -> None:
    reg = Registry("thing")

    @reg.register("needs_size")
    class NeedsSize:
        def __init__(self, size: int, scale: float = 1.0) -> None:
            self.size = size

    assert reg.build({"type": "needs_size", "size": 3}).size == 3
    with pytest.raises(ValueError, match="thing 'needs_size': missing required key.*'size'"):
        reg.build({"type": "needs_size", "scale": 2.0})
    with pytest.raises(ValueError, match="already registered"):
        reg.register("needs_size")(NeedsSize)


@pytest.mark.parametrize(
    "config,message",
    [
        (_config(ctc_wieght=0.5), "model config: unknown key 'ctc_wieght'"),
        (_config(vocab_size=None), "'vocab_size' is not set"),
        (_config(ctc_weight=0.5), "no decoder"),
        (_config(ctc_weight=1.5, decoder={"type": "transformer"}), r"ctc_weight must lie in \[0, 1\]"),
        (_config(decoder={"type": "transformer", "dimm": 4}), "decoder 'transformer': unknown key 'dimm'"),
        (_config(decoder={"type": "transformer", "vocab_size": 4}), "key 'vocab_size' is set by the model"),
        (_config(sos_eos_id=2), "no decoder"),
        (_config(decoder={"type": "transformer"}, sos_eos_id=0), "blank"),
        (_config(encoder={"type": "crnn", "rnn_type": "elman"}), "rnn_type"),
    ],
)
def test_model_config_errors(config: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_model(config)
