"""CTC greedy decoding and CTC prefix beam search over log-probabilities.

Both work on a padded batch ``(B, T, V)`` with ``(B,)`` lengths and look only at each
utterance's valid frames, so a batch decodes exactly as its utterances one at a time.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch

__all__ = ["CTCHypothesis", "ctc_greedy_search", "ctc_prefix_beam_search"]

_NEG_INF = -math.inf


class CTCHypothesis(NamedTuple):
    """One prefix beam search result.

    Attributes:
        tokens (tuple[int, ...]): unit ids, blanks and repeats collapsed.
        log_prob (float): log of the summed probability of every alignment in the beam
            that collapses to ``tokens`` (exact when nothing was pruned).
    """

    tokens: tuple[int, ...]
    log_prob: float


def _check(log_probs: torch.Tensor, lengths: torch.Tensor, blank_id: int) -> None:
    if log_probs.dim() != 3:
        raise ValueError(f"log_probs must be (B, T, V), got shape {tuple(log_probs.shape)}")
    if lengths.shape != (log_probs.size(0),):
        raise ValueError(f"lengths must have shape ({log_probs.size(0)},), got {tuple(lengths.shape)}")
    if lengths.numel() and (int(lengths.min()) < 0 or int(lengths.max()) > log_probs.size(1)):
        raise ValueError(f"lengths must lie in [0, {log_probs.size(1)}]")
    if not 0 <= blank_id < log_probs.size(2):
        raise ValueError(f"blank_id must lie in [0, {log_probs.size(2)}), got {blank_id}")
    valid = torch.arange(log_probs.size(1), device=lengths.device)[None, :] < lengths[:, None]
    nan_frames = torch.isnan(log_probs).any(dim=-1) & valid.to(log_probs.device)
    if nan_frames.any():
        raise ValueError(f"log_probs of batch item {int(nan_frames.any(dim=1).nonzero()[0])} hold NaN")


def ctc_greedy_search(log_probs: torch.Tensor, lengths: torch.Tensor, blank_id: int = 0) -> list[list[int]]:
    """Best unit per frame, then merge repeats and drop blanks.

    Args:
        log_probs (Tensor): ``(B, T, V)`` log-probabilities (or any scores with the same argmax).
        lengths (Tensor): ``(B,)`` valid frames per utterance.
        blank_id (int): blank index. (Default: ``0``)

    Returns:
        list[list[int]]: ``B`` unit-id sequences.
    """
    _check(log_probs, lengths, blank_id)
    best = log_probs.argmax(dim=-1).cpu().tolist()
    results = []
    for path, length in zip(best, lengths.cpu().tolist()):
        tokens, previous = [], blank_id
        for unit in path[:length]:
            if unit != blank_id and unit != previous:
                tokens.append(unit)
            previous = unit
        results.append(tokens)
    return results


def _log_add(a: float, b: float) -> float:
    if a == _NEG_INF:
        return b
    if b == _NEG_INF:
        return a
    return max(a, b) + math.log1p(math.exp(-abs(a - b)))


def _beam_search_one(log_probs: np.ndarray, beam_size: int, blank_id: int) -> list[CTCHypothesis]:
    """Prefix beam search over ``(T, V)`` float64 log-probabilities of one utterance."""
    # each prefix keeps log P(prefix, path ends in blank) and log P(prefix, path ends in a unit)
    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (0.0, _NEG_INF)}
    num_candidates = min(beam_size, log_probs.shape[1])
    for frame in log_probs:
        candidates = np.argsort(-frame, kind="stable")[:num_candidates].tolist()
        next_beams: dict[tuple[int, ...], list[float]] = {}

        def entry(prefix: tuple[int, ...]) -> list[float]:
            return next_beams.setdefault(prefix, [_NEG_INF, _NEG_INF])

        for prefix, (p_blank, p_unit) in beams.items():
            p_prefix = _log_add(p_blank, p_unit)
            last = prefix[-1] if prefix else None
            for unit in candidates:
                p = float(frame[unit])
                if unit == blank_id:
                    e = entry(prefix)
                    e[0] = _log_add(e[0], p_prefix + p)
                elif unit == last:
                    e = entry(prefix)  # the repeat merges into the last unit
                    e[1] = _log_add(e[1], p_unit + p)
                    e = entry(prefix + (unit,))  # a new unit needs a blank in between
                    e[1] = _log_add(e[1], p_blank + p)
                else:
                    e = entry(prefix + (unit,))
                    e[1] = _log_add(e[1], p_prefix + p)
        scored = [(-_log_add(pb, pu), prefix) for prefix, (pb, pu) in next_beams.items()]
        ranked = sorted(item for item in scored if item[0] < math.inf)[:beam_size]  # drop zero-probability prefixes
        if not ranked:
            raise ValueError("CTC prefix beam search: every prefix has probability zero (log_probs are -inf)")
        beams = {prefix: tuple(next_beams[prefix]) for _, prefix in ranked}
    return [CTCHypothesis(prefix, _log_add(pb, pu)) for prefix, (pb, pu) in beams.items()]


def ctc_prefix_beam_search(
    log_probs: torch.Tensor, lengths: torch.Tensor, beam_size: int = 10, blank_id: int = 0
) -> list[list[CTCHypothesis]]:
    """CTC prefix beam search (Hannun et al., 2014), without a language model.

    At each frame only the ``beam_size`` most probable units extend the prefixes, and
    the ``beam_size`` most probable prefixes survive; ties are broken by the unit ids,
    so results are deterministic.

    Args:
        log_probs (Tensor): ``(B, T, V)`` log-probabilities (normalized over ``V``).
        lengths (Tensor): ``(B,)`` valid frames per utterance.
        beam_size (int): prefixes (and units per frame) kept. (Default: ``10``)
        blank_id (int): blank index. (Default: ``0``)

    Returns:
        list[list[CTCHypothesis]]: for each utterance, up to ``beam_size`` hypotheses,
        most probable first (the n-best list for attention rescoring).
    """
    _check(log_probs, lengths, blank_id)
    if beam_size < 1:
        raise ValueError(f"beam_size must be positive, got {beam_size}")
    scores = log_probs.detach().to(device="cpu", dtype=torch.float64).numpy()
    return [
        _beam_search_one(scores[b, :length], beam_size, blank_id) for b, length in enumerate(lengths.cpu().tolist())
    ]
