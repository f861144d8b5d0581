"""Kaldi's transition model: pdf ids, transition states and transition ids of an HMM topology.

Each phone's emitting HMM states become *transition states*; each arc of a transition
state gets a *transition id* (1-based; 0 is epsilon in FSTs). A transition id tells the
phone, HMM state, destination state and pdf of the frame it emits, so frame-level
transition-id alignments carry both the pdf and the phone sequence.

Pdfs are shared among the phones of a line of ``phones/sets.int`` (the word-position
variants of a phone), per pdf class, as Kaldi's ``gmm-init-mono --shared-phones``.
"""

from __future__ import annotations

import math

import numpy as np

from asr.lang.topology import Topology

__all__ = ["TransitionModel"]


class TransitionModel:
    """Transition ids and probabilities for a topology and a phone-to-pdf map.

    Args:
        topo (Topology): the HMM topology (``data/lang/topo``).
        phone_pdfs (dict[int, list[int]]): phone id to the pdf id of each pdf class.
        log_probs (np.ndarray or None): ``(num_tids + 1,)`` log transition probabilities
            indexed by transition id (entry 0 unused); ``None`` takes the topology's.

    Raises:
        ValueError: a phone of ``phone_pdfs`` with no topology entry, or a pdf list whose
            length differs from the phone's number of pdf classes.
    """

    def __init__(self, topo: Topology, phone_pdfs: dict[int, list[int]],
                 log_probs: np.ndarray | None = None) -> None:
        self.topo = topo
        self.phone_pdfs = {int(p): list(map(int, v)) for p, v in phone_pdfs.items()}
        tables = self._new_tables()
        self.tstate_tids: list[np.ndarray] = []
        self.phone_tstates: dict[int, list[int]] = {}
        for phone in sorted(self.phone_pdfs):
            entry = topo.entry(phone)
            pdfs = self.phone_pdfs[phone]
            if len(pdfs) != entry.num_pdf_classes:
                raise ValueError(f"phone {phone}: {len(pdfs)} pdfs for "
                                 f"{entry.num_pdf_classes} pdf classes")
            self.phone_tstates[phone] = [
                self._add_tstate(tables, phone, s, state.transitions, pdfs[state.pdf_class])
                for s, state in enumerate(entry.states[:-1])
            ]
        self._set_tables(tables, log_probs)

    _COLUMNS = ("phone", "state", "dest", "pdf", "tstate")

    @classmethod
    def _new_tables(cls) -> dict[str, list]:
        """Per-transition-id columns; row 0 stands for transition id 0 (epsilon)."""
        return {"phone": [0], "state": [0], "dest": [0], "pdf": [-1], "tstate": [-1], "init": [0.0]}

    def _add_tstate(self, tables: dict[str, list], phone: int, state: int,
                    transitions: list[tuple[int, float]], pdf: int) -> int:
        """Add a transition state and a transition id per arc; returns the state's index."""
        ts = len(self.tstate_tids)
        first = len(tables["phone"])
        for dest, prob in transitions:
            for name, value in zip(self._COLUMNS, (phone, state, dest, pdf, ts)):
                tables[name].append(value)
            tables["init"].append(math.log(prob))
        self.tstate_tids.append(np.arange(first, len(tables["phone"])))
        return ts

    def _set_tables(self, tables: dict[str, list], log_probs: np.ndarray | None) -> None:
        for name in self._COLUMNS:
            setattr(self, f"tid_{name}", np.array(tables[name], dtype=np.int64))
        num = len(tables["phone"])
        self.tid_self_loop = (self.tid_state == self.tid_dest) & (np.arange(num) > 0)
        self.log_probs = np.array(tables["init"]) if log_probs is None else np.asarray(log_probs, float)
        if self.log_probs.shape != (num,):
            raise ValueError(f"log_probs has shape {self.log_probs.shape}, expected ({num},)")

    @property
    def num_tids(self) -> int:
        """Number of transition ids (they run 1..num_tids)."""
        return len(self.tid_phone) - 1

    @property
    def num_pdfs(self) -> int:
        return 1 + max(max(v) for v in self.phone_pdfs.values())

    def is_final(self, tid: int) -> bool:
        """True when ``tid`` leaves its phone (goes to the topology's final state)."""
        return self.tid_dest[tid] == len(self.topo.entry(int(self.tid_phone[tid])).states) - 1

    def graph_costs(self, transition_scale: float = 1.0, self_loop_scale: float = 0.1) -> np.ndarray:
        """Arc costs (``-log``) of each transition id for graphs, as Kaldi scales them:
        a self-loop costs ``-self_loop_scale * log p``; any other arc
        ``-(transition_scale * log(p / (1 - p_loop)) + self_loop_scale * log(1 - p_loop))``
        where ``p_loop`` is its state's self-loop probability (0 without one).

        Returns:
            np.ndarray: ``(num_tids + 1,)`` costs; entry 0 is 0.
        """
        costs = np.zeros(len(self.tid_phone))
        loop_logp = np.full(len(self.tstate_tids), -np.inf)
        loops = np.nonzero(self.tid_self_loop)[0]
        loop_logp[self.tid_tstate[loops]] = self.log_probs[loops]
        for tid in range(1, len(costs)):
            lp = self.log_probs[tid]
            if self.tid_self_loop[tid]:
                costs[tid] = -self_loop_scale * lp
            else:
                log_rest = math.log1p(-math.exp(loop_logp[self.tid_tstate[tid]])) \
                    if loop_logp[self.tid_tstate[tid]] > -np.inf else 0.0
                costs[tid] = -(transition_scale * (lp - log_rest) + self_loop_scale * log_rest)
        return costs

    def update(self, counts: np.ndarray, min_count: float = 5.0, floor: float = 0.01) -> None:
        """Maximum-likelihood re-estimation from transition-id counts (Kaldi's
        ``MleUpdate``): a transition state seen fewer than ``min_count`` times keeps its
        probabilities; others become count ratios floored at ``floor`` and renormalized.

        Args:
            counts (np.ndarray): ``(num_tids + 1,)`` occupation counts per transition id.
            min_count (float): (Default: ``5.0``). floor (float): (Default: ``0.01``)
        """
        counts = np.asarray(counts, dtype=float)
        if counts.shape != self.log_probs.shape:
            raise ValueError(f"counts has shape {counts.shape}, expected {self.log_probs.shape}")
        for tids in self.tstate_tids:
            total = counts[tids].sum()
            if total < min_count or len(tids) == 1:
                continue
            p = np.maximum(counts[tids] / total, floor)
            self.log_probs[tids] = np.log(p / p.sum())
