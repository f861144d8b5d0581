"""ASRModel: every shipped model config (conf/model/*.yaml, and the recipes' e2e configs in
conf/train/ and egs/*/conf/) builds and trains one step; joint loss; a tiny overfit."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import yaml

from asr.decode.ctc_search import ctc_greedy_search
from asr.nnet import ASRModel, build_model
from asr.train.config import resolve_config

# configs over features; those with a wav2vec2/HuBERT front end are built in test_nnet_frontend.py
ROOT = Path(__file__).resolve().parents[2]
MODEL_CONFS = [p for p in sorted(ROOT.glob("conf/model/*.yaml")) if "frontend" not in yaml.safe_load(p.read_text())]
RECIPE_CONFS = sorted(ROOT.glob("conf/train/*.yaml")) + sorted(ROOT.glob("egs/*/conf/*_ctc_*.yaml"))


def _batch(input_dim: int, vocab: int) -> tuple[torch.Tensor, ...]:
    gen = torch.Generator().manual_seed(0)
    feats = torch.randn(3, 40, input_dim, generator=gen)
    feat_lengths = torch.tensor([40, 25, 14])
    targets = torch.randint(1, vocab - 1, (3, 5), generator=gen)
    return feats, feat_lengths, targets, torch.tensor([5, 3, 2])


def test_there_are_model_configs() -> None:
    assert len(MODEL_CONFS) >= 4 and len(RECIPE_CONFS) >= 2


@pytest.mark.parametrize("path", MODEL_CONFS + RECIPE_CONFS, ids=lambda p: str(p.relative_to(ROOT)))
def test_config_builds_and_trains_one_step(path: Path) -> None:
    config = resolve_config(yaml.safe_load(path.read_text()))["model"]  # train section validated too
    torch.manual_seed(0)
    model = build_model({**config, "vocab_size": 12}).train()
    feats, feat_lengths, targets, target_lengths = _batch(config["input_dim"], 12)
    out = model(feats, feat_lengths, targets, target_lengths)
    assert torch.isfinite(out["loss"])
    if model.decoder is not None:
        w = model.ctc_weight
        torch.testing.assert_close(out["loss"], w * out["ctc_loss"] + (1 - w) * out["att_loss"])
    out["loss"].backward()
    no_grad = [n for n, p in model.named_parameters() if p.grad is None or not torch.isfinite(p.grad).all()]
    assert not no_grad, f"parameters without a finite gradient: {no_grad}"
    model.eval()
    with torch.no_grad():
        log_probs, lengths = model.ctc_log_probs(feats, feat_lengths)
    assert torch.equal(lengths, model.output_lengths(feat_lengths))
    assert log_probs.shape == (3, int(lengths.max()), 12)


def test_ctc_weight_zero_skips_ctc_loss() -> None:
    model = ASRModel(
        input_dim=8, vocab_size=6, encoder={"type": "transformer", "dim": 16, "ffn_dim": 16, "num_layers": 1},
        decoder={"type": "transformer", "dim": 16, "ffn_dim": 16, "num_layers": 1}, ctc_weight=0.0,
    )
    feats, feat_lengths, targets, target_lengths = _batch(8, 6)
    out = model(feats, feat_lengths, targets, target_lengths)
    assert "ctc_loss" not in out
    torch.testing.assert_close(out["loss"], out["att_loss"])


def test_tiny_model_overfits_two_utterances() -> None:
    """End to end: CTC training of a small conformer makes greedy decoding reproduce the labels."""
    torch.manual_seed(0)
    model = build_model(
        {
            "input_dim": 8,
            "vocab_size": 5,
            "encoder": {"type": "conformer", "dim": 32, "num_heads": 2, "ffn_dim": 64, "num_blocks": 1,
                        "kernel_size": 5, "subsampling_rate": 2, "dropout": 0.0},
        }
    )
    feats = torch.randn(2, 30, 8)
    feat_lengths = torch.tensor([30, 18])
    targets = torch.tensor([[1, 2, 2, 3], [4, 1, 0, 0]])
    target_lengths = torch.tensor([4, 2])
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(60):  # converges in 30-40 steps
        opt.zero_grad()
        model(feats, feat_lengths, targets, target_lengths)["loss"].backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        log_probs, lengths = model.ctc_log_probs(feats, feat_lengths)
    assert ctc_greedy_search(log_probs, lengths) == [[1, 2, 2, 3], [4, 1]]
