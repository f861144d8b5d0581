"""Ensembles of CTC models: an ensemble dir lists member model dirs (one per line in
``<dir>/members``, relative to the dir or absolute), all with the same units.

Decoding rescores hypotheses at the sequence level: each member's prefix-beam n-best are
pooled, and the hypothesis with the highest sum over members of ``log P_ctc(y | x)``
(every alignment summed, exactly) wins. Averaging the members' frame posteriors instead
does not work for CTC: models trained from different seeds put their label spikes on
different frames, and the average is mostly blank.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from asr.data.datadir import DataDir
from asr.decode.ctc_search import ctc_prefix_beam_search
from asr.decode.e2e import E2EModelDir, iter_model_features, load_e2e_model_dir, pad_features

__all__ = ["is_ensemble_dir", "load_ensemble_dir", "write_ensemble_dir", "ctc_sequence_log_likelihood",
           "CTCEnsembleDecoder", "iter_ensemble_features"]

MEMBERS = "members"


def is_ensemble_dir(path: str | os.PathLike) -> bool:
    return (Path(path) / MEMBERS).is_file()


def _member_paths(path: Path) -> list[Path]:
    lines = [line.strip() for line in (path / MEMBERS).read_text(encoding="utf-8").splitlines()]
    members = [path / m if not os.path.isabs(m) else Path(m) for m in lines if m]
    if len(members) < 2:
        raise ValueError(f"{path / MEMBERS}: an ensemble needs at least 2 member model dirs, got {len(members)}")
    return members


def _check_units(members: Sequence[Path]) -> None:
    for m in members:
        if not (m / "units.txt").is_file():
            raise ValueError(f"ensemble member {m}: no units.txt (not an end-to-end model dir?)")
    first = (members[0] / "units.txt").read_bytes()
    for m in members[1:]:
        if (m / "units.txt").read_bytes() != first:
            raise ValueError(f"ensemble member {m}: units.txt differs from {members[0]}/units.txt")


def write_ensemble_dir(path: str | os.PathLike, members: Sequence[str | os.PathLike]) -> None:
    """Create ``path/members`` listing ``members`` (stored relative to ``path``).

    Raises:
        ValueError: fewer than 2 members, a member without ``final.pt`` or ``units.txt``,
            or members with different units (named).
    """
    path = Path(path)
    members = [Path(m).resolve() for m in members]
    if len(members) < 2:
        raise ValueError(f"an ensemble needs at least 2 member model dirs, got {len(members)}")
    for m in members:
        if not (m / "final.pt").is_file():
            raise ValueError(f"ensemble member {m}: no final.pt")
    _check_units(members)
    path.mkdir(parents=True, exist_ok=True)
    tmp = path / f"{MEMBERS}.tmp"
    tmp.write_text("".join(os.path.relpath(m, path.resolve()) + "\n" for m in members), encoding="utf-8")
    tmp.replace(path / MEMBERS)


def load_ensemble_dir(path: str | os.PathLike) -> list[E2EModelDir]:
    """The loaded members of an ensemble dir.

    Raises:
        ValueError: a missing member, fewer than 2, or different units (named).
    """
    members = _member_paths(Path(path))
    for m in members:
        if not m.is_dir():
            raise ValueError(f"{Path(path) / MEMBERS}: member {m} does not exist")
    _check_units(members)
    return [load_e2e_model_dir(m) for m in members]


def iter_ensemble_features(data: DataDir, members: Sequence[E2EModelDir],
                           utts: Sequence[str]) -> Iterator[tuple[str, list[np.ndarray]]]:
    """``(utt, [features for each member])``: each member gets its own features and CMVN."""
    streams = [iter_model_features(data, m, utts) for m in members]
    for items in zip(*streams, strict=True):
        yield items[0][0], [feats for _, feats in items]


def ctc_sequence_log_likelihood(log_probs: torch.Tensor, tokens: Sequence[int], blank_id: int = 0) -> float:
    """``log P(tokens | x)`` under CTC: every alignment of ``tokens`` to the ``(T, V)``
    log-probabilities summed (``-inf`` when ``tokens`` cannot fit in ``T`` frames)."""
    lp = log_probs.detach().to(dtype=torch.float64, device="cpu")
    if not tokens:
        return float(lp[:, blank_id].sum())
    loss = F.ctc_loss(lp[:, None], torch.tensor([list(tokens)]), torch.tensor([len(lp)]),
                      torch.tensor([len(tokens)]), blank=blank_id, reduction="sum", zero_infinity=False)
    return -float(loss)


class CTCEnsembleDecoder:
    """Decodes with several CTC models: pooled n-best, summed sequence log-likelihoods.

    Args:
        members (sequence of E2EModelDir): models with the same units.
        beam_size (int): each member's prefix-beam width and n-best size. (Default: ``10``)
    """

    def __init__(self, members: Sequence[E2EModelDir], beam_size: int = 10) -> None:
        if len(members) < 2 or beam_size < 1:
            raise ValueError(f"need at least 2 members and beam_size >= 1, got {len(members)} and {beam_size}")
        self.members, self.beam_size = list(members), beam_size

    @torch.inference_mode()
    def _log_probs(self, member: E2EModelDir, feats: Sequence[np.ndarray]) -> list[torch.Tensor]:
        log_probs, out_lengths = member.model.ctc_log_probs(*pad_features(feats))
        return [log_probs[i, :n] for i, n in enumerate(out_lengths.tolist())]

    def decode(self, feats: Sequence[Sequence[np.ndarray]]) -> list[list[int]]:
        """Best unit ids of each utterance.

        Args:
            feats: for each utterance, its features for each member (as
                :func:`iter_ensemble_features` gives them).
        """
        if not feats:
            return []
        per_member = [self._log_probs(m, [f[k] for f in feats]) for k, m in enumerate(self.members)]
        best = []
        for u in range(len(feats)):
            scores = [lp[u] for lp in per_member]
            pool = set()
            for lp in scores:
                nbest = ctc_prefix_beam_search(lp[None], torch.tensor([len(lp)]), self.beam_size)[0]
                pool.update(h.tokens for h in nbest)
            ranked = sorted(pool)  # fixed order: ties go to the smallest unit sequence
            totals = [sum(ctc_sequence_log_likelihood(lp, hyp) for lp in scores) for hyp in ranked]
            best.append(list(ranked[int(np.argmax(totals))]))
        return best
