"""wav2vec 2.0 / HuBERT front ends over tiny random models that the tests save themselves:
shapes and lengths, agreement with torchaudio, padding, freezing, checkpoint files and errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torchaudio
import yaml

from asr.bin import save_ssl_checkpoint as save_cli
from asr.nnet import build_model
from asr.nnet.ssl_checkpoint import convert_bundle, load_ssl_checkpoint, save_ssl_checkpoint

REPO = Path(__file__).resolve().parents[2]
# 3 conv layers: receptive field 325 samples, stride 320 (20 ms at 16 kHz, as in the base models)
TINY_ARGS = {
    "extractor_mode": "layer_norm", "extractor_conv_layer_config": [(16, 10, 5), (16, 8, 8), (16, 8, 8)],
    "extractor_conv_bias": False, "encoder_embed_dim": 32, "encoder_projection_dropout": 0.1,
    "encoder_pos_conv_kernel": 16, "encoder_pos_conv_groups": 4, "encoder_num_layers": 2, "encoder_num_heads": 2,
    "encoder_attention_dropout": 0.1, "encoder_ff_interm_features": 64, "encoder_ff_interm_dropout": 0.0,
    "encoder_dropout": 0.1, "encoder_layer_norm_first": False, "encoder_layer_drop": 0.0, "aux_num_out": None,
}
ENCODER = {"type": "conformer", "dim": 16, "num_heads": 2, "ffn_dim": 32, "num_blocks": 1, "kernel_size": 3,
           "subsampling_rate": 1, "dropout": 0.0, "conv_norm": "batch_norm"}


def tiny_checkpoint(path: Path, kind: str = "wav2vec2", **args) -> Path:
    torch.manual_seed(0)
    save_ssl_checkpoint(path, kind, {**TINY_ARGS, **args})
    return path


def ssl_model(checkpoint: Path, kind: str = "wav2vec2", **frontend):
    torch.manual_seed(1)
    return build_model({"vocab_size": 5, "encoder": ENCODER,
                        "frontend": {"type": kind, "checkpoint": str(checkpoint), **frontend}})


def waves(*lengths: int) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    x = torch.zeros(len(lengths), max(lengths))
    for i, n in enumerate(lengths):
        x[i, :n] = 0.1 * torch.randn(n, generator=gen)
    return x, torch.tensor(lengths)


def test_shapes_lengths_and_torchaudio_agreement(tmp_path):
    ckpt = tiny_checkpoint(tmp_path / "w2v.pt")
    model = ssl_model(ckpt, layer=1).eval()
    x, lengths = waves(16000, 9000, 4000)
    with torch.no_grad():
        h, h_lengths = model.frontend(x, lengths)
        enc, enc_lengths = model.encode(x, lengths)
    expected = (lengths - 325) // 320 + 1  # one frame per 20 ms
    assert h_lengths.tolist() == expected.tolist() == [49, 28, 12]
    assert h.shape == (3, 49, 32) and enc.shape == (3, 49, 16)
    assert torch.equal(enc_lengths, expected) and torch.equal(model.output_lengths(lengths), expected)
    assert float(h[2, 12:].abs().max()) == 0.0
    reference = load_ssl_checkpoint(ckpt, "wav2vec2").model
    with torch.no_grad():
        ref = reference.extract_features(x[:1], None, num_layers=1)[0][-1]
    torch.testing.assert_close(h[:1], ref)


@pytest.mark.parametrize("mode", ["group_norm", "layer_norm"])
def test_padded_batch_equals_one_at_a_time(tmp_path, mode):
    model = ssl_model(tiny_checkpoint(tmp_path / "w2v.pt", extractor_mode=mode), proj_dim=8).eval()
    x, lengths = waves(12000, 7000, 3000)
    with torch.no_grad():
        enc, enc_lengths = model.encode(x, lengths)
        for i, n in enumerate(lengths.tolist()):
            alone, alone_lengths = model.encode(x[i:i + 1, :n], lengths[i:i + 1])
            assert alone_lengths[0] == enc_lengths[i]
            torch.testing.assert_close(enc[i, : enc_lengths[i]], alone[0], atol=1e-5, rtol=1e-4)


def test_frozen_front_end_stays_fixed_and_out_of_the_state_dict(tmp_path):
    model = ssl_model(tiny_checkpoint(tmp_path / "w2v.pt"), proj_dim=8).train()
    assert not model.frontend.model.training and model.frontend.proj.training
    x, lengths = waves(8000, 6000)
    out = model(x, lengths, torch.tensor([[1, 2], [3, 0]]), torch.tensor([2, 1]))
    out["loss"].backward()
    assert all(p.grad is None and not p.requires_grad for p in model.frontend.model.parameters())
    assert model.frontend.proj[1].weight.grad is not None
    state = model.state_dict()
    assert not any(k.startswith("frontend.model.") for k in state) and "frontend.proj.1.weight" in state
    other = ssl_model(tmp_path / "w2v.pt", proj_dim=8)
    other.load_state_dict(state)  # strict: the frozen weights come from the checkpoint file
    model.eval(), other.eval()
    with torch.no_grad():
        torch.testing.assert_close(model.encode(x, lengths)[0], other.encode(x, lengths)[0])


def test_unfrozen_front_end_trains_and_is_saved(tmp_path):
    model = ssl_model(tiny_checkpoint(tmp_path / "w2v.pt"), freeze=False, layer=1).train()
    assert model.frontend.model.training
    assert len(model.frontend.model.encoder.transformer.layers) == 1  # layers past `layer` are dropped
    x, lengths = waves(8000, 6000)
    model(x, lengths, torch.tensor([[1, 2], [3, 0]]), torch.tensor([2, 1]))["loss"].backward()
    assert all(p.grad is not None for p in model.frontend.model.parameters())
    assert any(k.startswith("frontend.model.encoder.") for k in model.state_dict())


def test_hubert_checkpoint_builds_and_kinds_are_checked(tmp_path):
    ckpt = tiny_checkpoint(tmp_path / "hubert.pt", kind="hubert")
    model = ssl_model(ckpt, kind="hubert")
    assert type(model.frontend).__name__ == "HuBERTFrontend" and model.frontend.output_dim == 32
    with pytest.raises(ValueError, match="holds a hubert model, the config asks for wav2vec2"):
        ssl_model(ckpt, kind="wav2vec2")


@pytest.mark.parametrize("change, message", [
    ({"checkpoint": "MISSING"}, "checkpoint file .*no_such.pt does not exist"),
    ({"checkpoint": None}, "'checkpoint' is not set"),
    ({"layer": 3}, r"layer must lie in \[1, 2\]"),
    ({"frozen": True}, "unknown key 'frozen'"),
])
def test_config_errors_are_named(tmp_path, change, message):
    frontend = {"type": "wav2vec2", "checkpoint": str(tiny_checkpoint(tmp_path / "w2v.pt")), **change}
    if frontend["checkpoint"] == "MISSING":
        frontend["checkpoint"] = str(tmp_path / "no_such.pt")
    with pytest.raises(ValueError, match=message):
        build_model({"vocab_size": 5, "encoder": ENCODER, "frontend": frontend})


def test_input_dim_goes_with_features_only(tmp_path):
    ckpt = str(tiny_checkpoint(tmp_path / "w2v.pt"))
    with pytest.raises(ValueError, match="takes waveforms: remove input_dim"):
        build_model({"input_dim": 40, "vocab_size": 5, "encoder": ENCODER,
                     "frontend": {"type": "hubert", "checkpoint": ckpt}})
    with pytest.raises(ValueError, match="'input_dim' .* is not set"):
        build_model({"vocab_size": 5, "encoder": ENCODER})
    assert build_model({"input_dim": 8, "vocab_size": 5, "encoder": ENCODER,
                        "frontend": {"type": "fbank"}}).frontend.output_dim == 8


def test_bare_state_dict_is_refused(tmp_path):
    torch.save(torchaudio.models.wav2vec2_model(**TINY_ARGS).state_dict(), tmp_path / "bare.pt")
    with pytest.raises(ValueError, match="bare.pt: not an asr.ssl_checkpoint file"):
        load_ssl_checkpoint(tmp_path / "bare.pt", "wav2vec2")


def test_shipped_config_builds_with_a_checkpoint(tmp_path):
    config = yaml.safe_load((REPO / "conf" / "model" / "conformer_wav2vec2.yaml").read_text())
    config.pop("cmvn")
    config["frontend"]["checkpoint"] = str(tiny_checkpoint(tmp_path / "w2v.pt"))
    model = build_model({**config, "vocab_size": 12}).train()
    x, lengths = waves(8000, 5000)
    out = model(x, lengths, torch.tensor([[1, 2, 3], [4, 5, 0]]), torch.tensor([3, 2]))
    assert torch.isfinite(out["loss"])


def test_cli_random_init(tmp_path, capsys):
    (tmp_path / "args.yaml").write_text(yaml.safe_dump({**TINY_ARGS, "extractor_conv_layer_config":
                                                        [list(c) for c in TINY_ARGS["extractor_conv_layer_config"]]}))
    save_cli.main(["--random-init", str(tmp_path / "args.yaml"), "--kind", "hubert", str(tmp_path / "h.pt")])
    assert load_ssl_checkpoint(tmp_path / "h.pt", "hubert").model.encoder.transformer.layers[0] is not None
    with pytest.raises(SystemExit):
        save_cli.main(["--bundle", "WAVLM_BASE", str(tmp_path / "w.pt")])
    assert "not a wav2vec 2.0 / HuBERT bundle" in capsys.readouterr().err


def test_bundle_conversion_from_a_saved_state_dict(tmp_path):
    """HUBERT_BASE's architecture, weights from a saved state dict (random here: no download)."""
    torch.manual_seed(0)
    weights = torchaudio.models.hubert_base().state_dict()
    torch.save(weights, tmp_path / "hubert_base_state.pt")
    convert_bundle("HUBERT_BASE", tmp_path / "hubert_base.pt", tmp_path / "hubert_base_state.pt")
    ckpt = load_ssl_checkpoint(tmp_path / "hubert_base.pt", "hubert")
    assert ckpt.sample_rate == 16000 and not ckpt.normalize_waveform
    name = "encoder.transformer.layers.11.attention.k_proj.weight"
    assert torch.equal(ckpt.model.state_dict()[name], weights[name])
