"""Triphone context dependency: phone windows, the decision tree that maps a window and a
pdf class to a pdf, and the transition model of a context-dependent system.

A *window* is ``(left, center, right)`` phone ids, ``0`` standing for the utterance edge
(Kaldi's ``N=3, P=1``). Each tree root (a line of ``phones/roots.int``) holds one tree per
pdf class (Kaldi's shared roots let a tree ask about the pdf class; with one tree per class
that question is simply asked first). A tree is a leaf (a pdf id) or a node
``[position, phones, yes, no]`` asking whether ``window[position]`` is in ``phones``.

:class:`TreeTransitionModel` is Kaldi's general transition model: its transition states
are the ``(phone, hmm_state, pdf)`` tuples the tree can produce, so ``tid_phone`` is the
real (center) phone and every window of any graph has transition ids.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from asr.hmm.transition import TransitionModel
from asr.lang.topology import Topology

__all__ = ["phone_windows", "split_to_phones", "ContextDependency", "TreeTransitionModel"]


def phone_windows(phones: list[int]) -> list[tuple[int, int, int]]:
    """The triphone window of each phone of a sequence (``0`` beyond either end).

    >>> phone_windows([5, 6, 7])
    [(0, 5, 6), (5, 6, 7), (6, 7, 0)]
    """
    padded = [0, *phones, 0]
    return [tuple(padded[i:i + 3]) for i in range(len(phones))]


def split_to_phones(trans: TransitionModel, tids: np.ndarray) -> list[tuple[int, int, int]]:
    """Cut a transition-id alignment into phones (Kaldi ``SplitToPhones``): a phone ends
    with a transition into its topology's final state.

    Returns:
        list[tuple[int, int, int]]: ``(phone, start frame, end frame)`` each.

    Raises:
        ValueError: the alignment does not end at the end of a phone.
    """
    out, start = [], 0
    for t, tid in enumerate(np.asarray(tids)):
        if trans.is_final(int(tid)):
            out.append((int(trans.tid_phone[tid]), start, t + 1))
            start = t + 1
    if start != len(tids):
        raise ValueError("alignment ends inside a phone")
    return out


@dataclass
class ContextDependency:
    """Decision trees of a triphone system.

    Attributes:
        roots (list[list[int]]): the phones of each root.
        trees (list[list]): per root, one tree per pdf class (see the module docstring).
        num_pdfs (int): leaves are pdf ids ``0..num_pdfs-1``.
    """

    roots: list[list[int]]
    trees: list[list]
    num_pdfs: int

    def __post_init__(self) -> None:
        self._root_of = {p: r for r, phones in enumerate(self.roots) for p in phones}
        self._compiled = [[self._compile(t) for t in trees] for trees in self.trees]

    @staticmethod
    def _compile(tree):
        if isinstance(tree, int):
            return tree
        pos, phones, yes, no = tree
        return (pos, frozenset(phones), ContextDependency._compile(yes),
                ContextDependency._compile(no))

    def has_phone(self, phone: int) -> bool:
        return phone in self._root_of

    def num_pdf_classes(self, phone: int) -> int:
        return len(self.trees[self._root(phone)])

    def _root(self, phone: int) -> int:
        try:
            return self._root_of[phone]
        except KeyError:
            raise ValueError(f"phone {phone} has no tree root") from None

    def pdf(self, window: tuple[int, int, int], pdf_class: int) -> int:
        """The pdf of pdf class ``pdf_class`` of the center phone in ``window``."""
        node = self._compiled[self._root(window[1])][pdf_class]
        while not isinstance(node, int):
            pos, phones, yes, no = node
            node = yes if window[pos] in phones else no
        return node

    def pdfs(self, window: tuple[int, int, int]) -> tuple[int, ...]:
        """The pdf of every pdf class of the center phone."""
        return tuple(self.pdf(window, k) for k in range(self.num_pdf_classes(window[1])))

    def reachable_pdfs(self, phone: int, pdf_class: int) -> list[int]:
        """Every pdf some window with center ``phone`` can reach (sorted)."""
        out, stack = set(), [self._compiled[self._root(phone)][pdf_class]]
        while stack:
            node = stack.pop()
            if isinstance(node, int):
                out.add(node)
                continue
            pos, phones, yes, no = node
            if pos == 1:
                stack.append(yes if phone in phones else no)
            else:
                stack += [yes, no]
        return sorted(out)

    def to_json(self) -> str:
        return json.dumps({"roots": self.roots, "trees": self.trees, "num_pdfs": self.num_pdfs})

    @classmethod
    def from_json(cls, text: str) -> "ContextDependency":
        """Read :meth:`to_json` output; ``ValueError`` when malformed."""
        try:
            d = json.loads(text)
            return cls([list(map(int, r)) for r in d["roots"]], d["trees"], int(d["num_pdfs"]))
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f"malformed context-dependency tree ({e})") from None


class TreeTransitionModel(TransitionModel):
    """Transition model whose transition states are ``(phone, hmm_state, pdf)`` tuples.

    Args:
        topo (Topology): the HMM topology.
        ctx (ContextDependency): the trees; every topology phone needs a root whose
            number of pdf classes matches its topology entry.
        log_probs (np.ndarray or None): ``(num_tids + 1,)`` log transition probabilities;
            ``None`` takes the topology's.

    Attributes (besides :class:`TransitionModel`'s arrays):
        ctx (ContextDependency); tstate_tuples (list[tuple[int, int, int]]).
    """

    def __init__(self, topo: Topology, ctx: ContextDependency,
                 log_probs: np.ndarray | None = None) -> None:
        self.topo = topo
        self.ctx = ctx
        self.phone_pdfs = {}
        self.phone_tstates = {}
        tables = self._new_tables()
        self.tstate_tids: list[np.ndarray] = []
        self.tstate_tuples: list[tuple[int, int, int]] = []
        self._tstate_of: dict[tuple[int, int, int], int] = {}
        for phone in topo.phones:
            entry = topo.entry(phone)
            if not ctx.has_phone(phone) or ctx.num_pdf_classes(phone) != entry.num_pdf_classes:
                raise ValueError(f"phone {phone}: the tree and the topology disagree")
            self.phone_tstates[phone] = []
            for s, state in enumerate(entry.states[:-1]):
                for pdf in ctx.reachable_pdfs(phone, state.pdf_class):
                    ts = self._add_tstate(tables, phone, s, state.transitions, pdf)
                    self.phone_tstates[phone].append(ts)
                    self.tstate_tuples.append((phone, s, pdf))
                    self._tstate_of[(phone, s, pdf)] = ts
        self._set_tables(tables, log_probs)

    @property
    def num_pdfs(self) -> int:
        return self.ctx.num_pdfs

    def window_tstates(self, window: tuple[int, int, int]) -> list[int]:
        """The transition state of each emitting HMM state of the window's center phone."""
        phone = window[1]
        entry = self.topo.entry(phone)
        return [self._tstate_of[(phone, s, self.ctx.pdf(window, st.pdf_class))]
                for s, st in enumerate(entry.states[:-1])]

    def tid_for(self, window: tuple[int, int, int], state: int, dest: int) -> int:
        """The transition id of arc ``state -> dest`` of the window's center phone."""
        entry = self.topo.entry(window[1])
        ts = self._tstate_of[(window[1], state, self.ctx.pdf(window, entry.states[state].pdf_class))]
        for tid in self.tstate_tids[ts]:
            if self.tid_dest[tid] == dest:
                return int(tid)
        raise ValueError(f"phone {window[1]}: no transition {state} -> {dest}")
