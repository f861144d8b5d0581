"""CTC head: loss against brute-force enumeration of alignments; required frame counts."""

from __future__ import annotations

import itertools
import math

import pytest
import torch

from asr.nnet.ctc import CTCHead, ctc_consistency_loss, ctc_required_frames


def _collapse(path: tuple[int, ...], blank: int = 0) -> tuple[int, ...]:
    return tuple(u for i, u in enumerate(path) if u != blank and (i == 0 or u != path[i - 1]))


def _brute_force_nll(log_probs: torch.Tensor, target: tuple[int, ...]) -> float:
    """-log sum over all alignments of ``(T, V)`` log-probs that collapse to ``target``."""
    t, v = log_probs.shape
    total = 0.0
    for path in itertools.product(range(v), repeat=t):
        if _collapse(path) == target:
            total += math.exp(sum(float(log_probs[i, u]) for i, u in enumerate(path)))
    return -math.log(total) if total > 0 else math.inf


@pytest.mark.parametrize(
    "tokens,frames",
    [([], 0), ([5], 1), ([1, 2, 3], 3), ([20, 8, 18, 5, 5], 6), ([1, 1, 1], 5), ([1, 2, 1], 3)],
)
def test_required_frames(tokens: list[int], frames: int) -> None:
    assert ctc_required_frames(tokens) == frames


def test_loss_matches_brute_force_and_is_batch_mean() -> None:
    torch.manual_seed(0)
    head = CTCHead(6, 4)
    log_probs = head(torch.randn(3, 5, 6))
    assert torch.allclose(log_probs.exp().sum(-1), torch.ones(3, 5))
    lengths = torch.tensor([5, 4, 3])
    targets = torch.tensor([[1, 2, 2], [3, 1, -1], [2, -1, -1]])  # -1 padding
    target_lengths = torch.tensor([3, 2, 1])
    loss = head.loss(log_probs, lengths, targets, target_lengths)
    expected = sum(
        _brute_force_nll(log_probs[b, : lengths[b]].detach(), tuple(targets[b, : target_lengths[b]].tolist()))
        for b in range(3)
    ) / 3
    assert loss.item() == pytest.approx(expected, rel=1e-5)


def test_loss_is_infinite_when_frames_are_too_few() -> None:
    head = CTCHead(4, 3)
    log_probs = head(torch.randn(1, 3, 4))
    target = torch.tensor([[1, 1]])  # needs 3 frames
    assert math.isfinite(head.loss(log_probs, torch.tensor([3]), target, torch.tensor([2])).item())
    assert math.isinf(head.loss(log_probs, torch.tensor([2]), target, torch.tensor([2])).item())


@pytest.mark.parametrize("kwargs", [dict(vocab_size=1), dict(vocab_size=4, blank_id=4)])
def test_bad_arguments(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        CTCHead(8, **kwargs)


def test_consistency_loss_is_symmetric_kl_over_valid_frames() -> None:
    torch.manual_seed(0)
    lengths = torch.tensor([4, 2])
    a = torch.randn(2, 4, 3).log_softmax(-1)
    b = torch.randn(2, 4, 3).log_softmax(-1)
    both = torch.cat([a, b])
    loss = ctc_consistency_loss(both, torch.cat([lengths, lengths]))
    expected = 0.0
    for i, n in enumerate(lengths.tolist()):  # KL summed over utterance i's valid frames
        for t in range(n):
            p, q = a[i, t].exp(), b[i, t].exp()
            expected += 0.5 * float((p * (p / q).log()).sum() + (q * (q / p).log()).sum())
    assert float(loss) == pytest.approx(expected / 2, rel=1e-5)
    assert float(ctc_consistency_loss(torch.cat([a, a]), torch.cat([lengths, lengths]))) == pytest.approx(0.0, abs=1e-6)
    # padding frames do not count
    b_padded = b.clone()
    b_padded[1, 2:] = torch.randn(2, 3).log_softmax(-1)
    assert float(ctc_consistency_loss(torch.cat([a, b_padded]), torch.cat([lengths, lengths]))) == pytest.approx(float(loss))


def test_consistency_loss_gradient_treats_the_other_view_as_fixed() -> None:
    a = torch.randn(1, 3, 4).log_softmax(-1).requires_grad_()
    b = torch.randn(1, 3, 4).log_softmax(-1)
    ctc_consistency_loss(torch.cat([a, b]), torch.tensor([3, 3])).backward()
    # d/da of 0.5 * [KL(sg(b) || a) + KL(sg(a) || b)] = -0.5 * exp(b): a's own target term is detached
    assert torch.allclose(a.grad, -0.5 * b.exp(), atol=1e-6)


def test_consistency_loss_needs_two_matching_views() -> None:
    with pytest.raises(ValueError, match="two views"):
        ctc_consistency_loss(torch.zeros(3, 2, 2), torch.tensor([2, 2, 2]))
    with pytest.raises(ValueError, match="two views"):
        ctc_consistency_loss(torch.zeros(2, 2, 2), torch.tensor([2, 1]))


@pytest.mark.parametrize("prob,vocab", [(0.95, 4), (0.5, 12), (0.99, 30)])
def test_blank_init_prob_sets_the_initial_blank_probability(prob: float, vocab: int) -> None:
    """With zero input the logits are the biases: the blank gets exactly ``prob``, the
    other units share the rest equally; random input stays close to it on average."""
    torch.manual_seed(0)
    head = CTCHead(16, vocab, blank_id=0, blank_init_prob=prob)
    with torch.no_grad():
        probs = head(torch.zeros(1, 1, 16)).exp()[0, 0]
        mean_blank = float(head(0.3 * torch.randn(8, 50, 16)).exp()[..., 0].mean())
    assert float(probs[0]) == pytest.approx(prob, abs=1e-6)
    torch.testing.assert_close(probs[1:], torch.full((vocab - 1,), (1 - prob) / (vocab - 1)))
    assert abs(mean_blank - prob) < 0.1


def test_blank_init_prob_unset_keeps_the_default_initialization() -> None:
    torch.manual_seed(0)
    default = CTCHead(16, 5).linear.bias.clone()
    torch.manual_seed(0)
    assert torch.equal(CTCHead(16, 5, blank_init_prob=None).linear.bias, default)
    assert default.abs().max() > 0  # so that the other test's zero biases are a change


@pytest.mark.parametrize("prob", [0.0, 1.0, -0.2, 1.5])
def test_blank_init_prob_outside_0_1_is_a_value_error(prob: float) -> None:
    with pytest.raises(ValueError, match="ctc_blank_init_prob"):
        CTCHead(16, 5, blank_init_prob=prob)
