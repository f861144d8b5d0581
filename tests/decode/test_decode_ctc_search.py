"""CTC greedy and prefix beam search: hand cases, brute-force enumeration, batched == single."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict

import pytest
import torch

from asr.decode.ctc_search import ctc_greedy_search, ctc_prefix_beam_search


def _collapse(path: tuple[int, ...], blank: int) -> tuple[int, ...]:
    return tuple(u for i, u in enumerate(path) if u != blank and (i == 0 or u != path[i - 1]))


def _brute_force(log_probs: torch.Tensor, blank: int) -> dict[tuple[int, ...], float]:
    """Probability of every label sequence: enumerate all V^T alignments and collapse them."""
    t, v = log_probs.shape
    probs = log_probs.double().exp().tolist()
    totals: dict[tuple[int, ...], float] = defaultdict(float)
    for path in itertools.product(range(v), repeat=t):
        totals[_collapse(path, blank)] += math.prod(probs[i][u] for i, u in enumerate(path))
    return totals


def _random_log_probs(b: int, t: int, v: int, seed: int, sharpness: float = 2.0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.log_softmax(sharpness * torch.randn(b, t, v, generator=gen), dim=-1)


def test_greedy_hand_case() -> None:
    # frame-wise best units: 1 1 0 1 2 2 0 0 | padding 3 3
    best = [1, 1, 0, 1, 2, 2, 0, 0, 3, 3]
    log_probs = torch.full((1, 10, 4), -5.0)
    log_probs[0, torch.arange(10), torch.tensor(best)] = -0.1
    assert ctc_greedy_search(log_probs, torch.tensor([8])) == [[1, 1, 2]]
    assert ctc_greedy_search(log_probs, torch.tensor([10])) == [[1, 1, 2, 3]]
    assert ctc_greedy_search(log_probs, torch.tensor([8]), blank_id=1) == [[0, 2, 0]]
    assert ctc_greedy_search(log_probs, torch.tensor([0])) == [[]]


@pytest.mark.parametrize("blank", [0, 2])
@pytest.mark.parametrize("seed", range(5))
def test_prefix_beam_search_matches_brute_force(seed: int, blank: int) -> None:
    """V = 3 units + blank, T = 4: with a beam wide enough to prune nothing (121 prefixes),
    the n-best list is every label sequence with its exact total probability."""
    log_probs = _random_log_probs(1, 4, 4, seed)
    truth = _brute_force(log_probs[0], blank)
    assert sum(truth.values()) == pytest.approx(1.0)
    nbest = ctc_prefix_beam_search(log_probs, torch.tensor([4]), beam_size=200, blank_id=blank)[0]
    best_seq = max(truth, key=truth.get)
    assert nbest[0].tokens == best_seq
    assert nbest[0].log_prob == pytest.approx(math.log(truth[best_seq]), abs=1e-6)
    got = {h.tokens: h.log_prob for h in nbest}
    assert set(got) == {seq for seq, p in truth.items() if p > 0}
    for seq, log_prob in got.items():
        assert log_prob == pytest.approx(math.log(truth[seq]), abs=1e-6)
    assert [h.log_prob for h in nbest] == sorted((h.log_prob for h in nbest), reverse=True)


def test_best_prefix_differs_from_best_path() -> None:
    """Frames (p_blank, p_a): (.6,.4) twice. Best path is blank-blank (.36, empty output), but
    'a' collects a-a, a-blank, blank-a: .16 + .24 + .24 = .64."""
    log_probs = torch.tensor([[[0.6, 0.4], [0.6, 0.4]]]).log()
    assert ctc_greedy_search(log_probs, torch.tensor([2])) == [[]]
    nbest = ctc_prefix_beam_search(log_probs, torch.tensor([2]), beam_size=2)[0]
    assert nbest[0].tokens == (1,)
    assert nbest[0].log_prob == pytest.approx(math.log(0.64))
    assert nbest[1].tokens == () and nbest[1].log_prob == pytest.approx(math.log(0.36))


@pytest.mark.parametrize("beam", [1, 2, 3])
def test_narrow_beam_scores_are_lower_bounds(beam: int) -> None:
    log_probs = _random_log_probs(1, 5, 4, seed=11, sharpness=1.0)
    truth = _brute_force(log_probs[0], blank=0)
    nbest = ctc_prefix_beam_search(log_probs, torch.tensor([5]), beam_size=beam)[0]
    assert 1 <= len(nbest) <= beam
    for hyp in nbest:
        assert hyp.log_prob <= math.log(truth[hyp.tokens]) + 1e-9


def test_batched_equals_single() -> None:
    lengths = [9, 3, 14, 1]
    batch = _random_log_probs(4, 14, 6, seed=5)
    garbage = _random_log_probs(4, 14, 6, seed=6, sharpness=8.0)
    for b, n in enumerate(lengths):
        batch[b, n:] = garbage[b, n:]
    lens = torch.tensor(lengths)
    greedy = ctc_greedy_search(batch, lens)
    beams = ctc_prefix_beam_search(batch, lens, beam_size=4)
    for b, n in enumerate(lengths):
        alone = batch[b : b + 1, :n].clone()
        assert greedy[b] == ctc_greedy_search(alone, torch.tensor([n]))[0]
        assert beams[b] == ctc_prefix_beam_search(alone, torch.tensor([n]), beam_size=4)[0]


@pytest.mark.parametrize(
    "shape,lengths,kwargs,message",
    [
        ((2, 5), [5, 5], {}, r"\(B, T, V\)"),
        ((2, 5, 3), [5], {}, "lengths must have shape"),
        ((2, 5, 3), [5, 6], {}, r"lengths must lie in \[0, 5\]"),
        ((2, 5, 3), [5, 5], {"blank_id": 3}, "blank_id"),
        ((2, 5, 3), [5, 5], {"beam_size": 0}, "beam_size"),
    ],
)
def test_bad_arguments(shape: tuple, lengths: list[int], kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ctc_prefix_beam_search(torch.zeros(shape), torch.tensor(lengths), **kwargs)


def test_nan_and_impossible_inputs_are_errors() -> None:
    log_probs = _random_log_probs(2, 3, 3, seed=0)
    log_probs[1, 2, 1] = math.nan
    for search in (ctc_greedy_search, ctc_prefix_beam_search):
        with pytest.raises(ValueError, match="batch item 1 hold NaN"):
            search(log_probs, torch.tensor([3, 3]))
        assert len(search(log_probs, torch.tensor([3, 2]))) == 2  # NaN in padding is ignored
    with pytest.raises(ValueError, match="probability zero"):
        ctc_prefix_beam_search(torch.full((1, 2, 3), -math.inf), torch.tensor([2]))
