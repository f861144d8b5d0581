"""Every encoder: a padded batch gives the same valid outputs as each utterance alone
(on CUDA too, where there is a device)."""

from __future__ import annotations

import pytest
import torch

from asr.nnet.registry import ENCODERS

INPUT_DIM = 20
LENGTHS = [37, 11, 24, 5]

SMALL = {
    "conformer": dict(dim=32, num_heads=4, ffn_dim=64, num_blocks=2, kernel_size=7, dropout=0.0),
    "transformer": dict(dim=32, num_heads=4, ffn_dim=64, num_layers=2, dropout=0.0),
    "crnn": dict(conv_dim=32, hidden_size=16, num_layers=2, dropout=0.0),
}
CASES = [
    ("conformer", dict(conv_norm="batch_norm")),
    ("conformer", dict(conv_norm="layer_norm")),
    ("transformer", {}),
    ("crnn", dict(rnn_type="gru")),
    ("crnn", dict(rnn_type="lstm", bidirectional=True)),
]


def _encoder(name: str, extra: dict, rate: int) -> torch.nn.Module:
    torch.manual_seed(0)
    enc = ENCODERS.build({"type": name, **SMALL[name], **extra, "subsampling_rate": rate}, input_dim=INPUT_DIM)
    # give batch-norm running statistics non-trivial values, as after training
    for module in enc.modules():
        if hasattr(module, "running_mean"):
            module.running_mean.normal_()
            module.running_var.uniform_(0.5, 2.0)
    return enc.eval()


def _padded_batch(pad_to: int, seed: int = 1) -> tuple[torch.Tensor, torch.Tensor, list[torch.Tensor]]:
    """Utterances of LENGTHS padded to ``pad_to`` with large garbage (not zeros) after their ends."""
    gen = torch.Generator().manual_seed(seed)
    utts = [torch.randn(n, INPUT_DIM, generator=gen) for n in LENGTHS]
    batch = 100.0 * torch.randn(len(utts), pad_to, INPUT_DIM, generator=gen)
    for i, u in enumerate(utts):
        batch[i, : len(u)] = u
    return batch, torch.tensor(LENGTHS), utts


DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(),
                                                                  reason="needs a CUDA device"))]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("rate", [1, 2, 4, 6])
@pytest.mark.parametrize("name,extra", CASES, ids=lambda v: v if isinstance(v, str) else "-".join(map(str, v.values())))
def test_batched_equals_single(name: str, extra: dict, rate: int, device: str, monkeypatch) -> None:
    # on CUDA compare masking, not TF32 rounding (cuDNN's convolutions use TF32 by default)
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)
    enc = _encoder(name, extra, rate).to(device)
    batch, lengths, utts = _padded_batch(max(LENGTHS) + 3)
    with torch.no_grad():
        out, out_lengths = enc(batch.to(device), lengths.to(device))
        for i, u in enumerate(utts):
            single, single_len = enc(u[None].to(device), torch.tensor([len(u)], device=device))
            n = int(single_len)
            assert int(out_lengths[i]) == n == -(-len(u) // rate)
            assert single.shape[1] == n
            torch.testing.assert_close(out[i, :n], single[0], atol=1e-5 if device == "cpu" else 1e-4, rtol=0)
            assert torch.all(out[i, n:] == 0), "padded output frames must be zero"
    assert out.shape[2] == enc.output_size


@pytest.mark.parametrize("name,extra", CASES[:3], ids=["conformer-bn", "conformer-ln", "transformer"])
def test_training_mode_ignores_padding(name: str, extra: dict) -> None:
    """With batch statistics in use, extra padding must change neither outputs nor gradients."""
    results = []
    for pad_to in (max(LENGTHS), max(LENGTHS) + 9):
        enc = _encoder(name, extra, 2).train()
        batch, lengths, _ = _padded_batch(pad_to)
        out, out_lengths = enc(batch, lengths)
        mask = torch.arange(out.size(1))[None, :] < out_lengths[:, None]
        out[mask].square().sum().backward()
        grads = [p.grad.clone() for p in enc.parameters()]
        results.append((out[mask].detach(), grads))
    torch.testing.assert_close(results[0][0], results[1][0], atol=1e-5, rtol=0)
    for g0, g1 in zip(results[0][1], results[1][1]):
        torch.testing.assert_close(g0, g1, atol=1e-4, rtol=1e-4)


def test_equivalence_check_detects_torchaudio_conformer() -> None:
    """The check above has teeth: torchaudio's Conformer (DESIGN.md pitfall) fails it."""
    from torchaudio.models import Conformer

    torch.manual_seed(0)
    model = Conformer(input_dim=INPUT_DIM, num_heads=4, ffn_dim=32, num_layers=1, depthwise_conv_kernel_size=7).eval()
    batch, lengths, utts = _padded_batch(max(LENGTHS))  # torchaudio needs T == max(lengths)
    with torch.no_grad():
        out, _ = model(batch, lengths)
        worst = max(
            (out[i, : len(u)] - model(u[None], torch.tensor([len(u)]))[0][0]).abs().max().item()
            for i, u in enumerate(utts)
        )
    assert worst > 1e-3


@pytest.mark.parametrize("name", sorted(SMALL))
def test_bad_lengths_are_value_errors(name: str) -> None:
    enc = _encoder(name, {}, 2)
    x = torch.randn(2, 10, INPUT_DIM)
    for bad in (torch.tensor([10, 0]), torch.tensor([11, 3]), torch.tensor([10]), torch.tensor([10.0, 3.0])):
        with pytest.raises(ValueError):
            enc(x, bad)


def test_registry_lists_encoders() -> None:
    assert set(SMALL) <= set(ENCODERS.names)
