"""Transformer decoder: teacher-forced loss, causality, padding invariance, n-best scoring."""

from __future__ import annotations

import pytest
import torch

from asr.nnet.attention_decoder import TransformerDecoder

V, SOS_EOS, ENC_DIM = 7, 6, 12


def _decoder(label_smoothing: float = 0.0) -> TransformerDecoder:
    torch.manual_seed(0)
    return TransformerDecoder(
        vocab_size=V, encoder_dim=ENC_DIM, sos_id=SOS_EOS, eos_id=SOS_EOS, dim=16, num_heads=2, ffn_dim=32,
        num_layers=2, dropout=0.0, label_smoothing=label_smoothing,
    ).eval()


def _memory(lengths: list[int], pad_to: int) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(3)
    memory = 100.0 * torch.randn(len(lengths), pad_to, ENC_DIM, generator=gen)  # garbage padding
    for b, n in enumerate(lengths):
        memory[b, :n] = torch.randn(n, ENC_DIM, generator=gen)
    return memory, torch.tensor(lengths)


def _alone(dec: TransformerDecoder, memory: torch.Tensor, mem_len: torch.Tensor, b: int, seq: list[int]):
    """``(len(seq) + 1, V)`` log-probs for utterance ``b`` decoded alone, unpadded."""
    n = int(mem_len[b])
    ys_in = torch.tensor([[SOS_EOS] + seq])
    logits = dec(memory[b : b + 1, :n], mem_len[b : b + 1], ys_in, torch.tensor([len(seq) + 1]))
    return torch.log_softmax(logits, dim=-1)[0]


def test_loss_is_teacher_forced_cross_entropy() -> None:
    dec = _decoder()
    memory, mem_len = _memory([9, 4], 9)
    targets = torch.tensor([[1, 2, 3], [4, 4, -1]])
    loss, acc = dec.loss(memory, mem_len, targets, torch.tensor([3, 2]))
    expected, correct, total = 0.0, 0, 0
    for b, ys in enumerate([[1, 2, 3], [4, 4]]):
        logp = _alone(dec, memory, mem_len, b, ys)
        for i, y in enumerate(ys + [SOS_EOS]):
            expected -= logp[i, y].item()
            correct += int(logp[i].argmax() == y)
            total += 1
    assert loss.item() == pytest.approx(expected / 2, rel=1e-5)
    assert acc.item() == pytest.approx(correct / total)


def test_label_smoothing_mixes_in_uniform_targets() -> None:
    """Per token: ``(1 - eps) * -log p(y) + eps * mean_c -log p(c)``."""
    dec = _decoder(0.1)
    memory, mem_len = _memory([5], 5)
    loss, _ = dec.loss(memory, mem_len, torch.tensor([[1, 2]]), torch.tensor([2]))
    logp = _alone(dec, memory, mem_len, 0, [1, 2])
    expected = sum(0.9 * -logp[i, y].item() - 0.1 * logp[i].mean().item() for i, y in enumerate([1, 2, SOS_EOS]))
    assert loss.item() == pytest.approx(expected, rel=1e-5)


def test_causal_and_padding_invariant() -> None:
    dec = _decoder()
    memory, mem_len = _memory([8, 3], 8)
    ys_in = torch.tensor([[SOS_EOS, 1, 2, 3], [SOS_EOS, 5, 0, 0]])
    ys_len = torch.tensor([4, 2])
    with torch.no_grad():
        logits = dec(memory, mem_len, ys_in, ys_len)
        changed = ys_in.clone()
        changed[0, 3] = 4  # a later token must not affect earlier positions
        torch.testing.assert_close(dec(memory, mem_len, changed, ys_len)[0, :3], logits[0, :3])
        single = dec(memory[1:, :3], mem_len[1:], ys_in[1:, :2], ys_len[1:])
    torch.testing.assert_close(logits[1, :2], single[0], atol=1e-5, rtol=0)


def test_score_hypotheses_sums_token_and_eos_log_probs() -> None:
    dec = _decoder()
    memory, mem_len = _memory([6, 4], 6)
    hyps = [[[1, 2], [], [3, 3, 1]], [[5]]]
    with torch.no_grad():
        scores = dec.score_hypotheses(memory, mem_len, hyps)
        assert [s.shape for s in scores] == [(3,), (1,)]
        for b, nbest in enumerate(hyps):
            for n, seq in enumerate(nbest):
                logp = _alone(dec, memory, mem_len, b, seq)
                expected = sum(logp[i, y].item() for i, y in enumerate(seq + [SOS_EOS]))
                assert scores[b][n].item() == pytest.approx(expected, abs=1e-5)
        assert [s.tolist() for s in dec.score_hypotheses(memory, mem_len, [[], []])] == [[], []]
    with pytest.raises(ValueError, match="encoder output for 2"):
        dec.score_hypotheses(memory, mem_len, [[[1]]])


@pytest.mark.parametrize("kwargs", [dict(sos_id=7), dict(label_smoothing=1.0), dict(num_layers=0)])
def test_bad_arguments(kwargs: dict) -> None:
    args = dict(vocab_size=V, encoder_dim=ENC_DIM, sos_id=SOS_EOS, eos_id=SOS_EOS) | kwargs
    with pytest.raises(ValueError):
        TransformerDecoder(**args)
