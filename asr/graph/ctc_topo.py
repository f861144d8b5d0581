"""CTC decoding graphs: the token topology T, the unit lexicon L, and ``TLG``.

Label conventions. Units are the model's output ids ``0 .. V-1`` with ``0`` the CTC
blank. ``kaldi_decoder.DecodableCtc`` scores input label ``i`` with column ``i - 1`` of
the log-probability matrix, so T reads unit ``u`` as input label ``u + 1`` (the blank is
``1``) and writes ``u`` (the blank writes epsilon). Disambiguation symbols ``#k`` get
unit-side ids ``V + k`` in L and input labels ``V + k + 1`` in T; they become epsilon
once ``TLG`` is determinized (Kaldi ``mkgraph.sh``; Eesen's ``TLG``). The label prior
(:func:`add_label_prior`) turns the posteriors the graph scores into pseudo-likelihoods.
"""

from __future__ import annotations

from typing import Sequence

import kaldifst
import numpy as np

from asr.graph.arcs import map_arcs

__all__ = ["make_ctc_topo", "add_lexicon_disambig", "make_unit_lexicon_fst", "make_tlg", "add_label_prior"]


def make_ctc_topo(unit_ids: Sequence[int], disambig_ids: Sequence[int] = (),
                  blank_id: int = 0) -> kaldifst.StdVectorFst:
    """The CTC token topology T (Eesen/k2 ``ctc_topo``, not the compact variant).

    State 0 (start) means "last frame was blank or nothing yet"; state ``s_u`` means "last
    frame was unit ``u``". Repeating ``u`` in ``s_u`` writes nothing (repeats collapse),
    a blank returns to state 0, any other unit ``v`` writes ``v``. Every state is final.
    So ``a a`` writes ``a`` and ``a <blk> a`` writes ``a a``.

    Args:
        unit_ids (sequence of int): non-blank unit ids T may write (e.g. without ``<sos/eos>``).
        disambig_ids (sequence of int): unit-side disambiguation ids, passed through as
            self-loops on every state (input ``d + 1``, output ``d``). (Default: none)
        blank_id (int): the blank unit. (Default: ``0``)

    Returns:
        kaldifst.StdVectorFst: T, input labels ``unit + 1``, output labels unit ids;
        deterministic on its input; arcs sorted by output label.

    Raises:
        ValueError: no units, a repeated or negative id, or the blank among ``unit_ids``.
    """
    units = list(unit_ids)
    if not units:
        raise ValueError("CTC topology: no units")
    every = units + list(disambig_ids)
    if len(set(every)) != len(every) or min(every) < 0 or blank_id in every:
        raise ValueError("CTC topology: unit and disambiguation ids must be distinct, "
                         f"non-negative and differ from the blank {blank_id}")
    fst = kaldifst.StdVectorFst()
    start = fst.add_state()
    fst.start = start
    state_of = {u: fst.add_state() for u in units}
    for state in [start, *state_of.values()]:
        fst.set_final(state, 0.0)
        fst.add_arc(state, kaldifst.StdArc(blank_id + 1, 0, 0.0, start))
        for u in units:
            olabel = 0 if state == state_of[u] else u
            fst.add_arc(state, kaldifst.StdArc(u + 1, olabel, 0.0, state_of[u]))
        for d in disambig_ids:
            fst.add_arc(state, kaldifst.StdArc(d + 1, d, 0.0, state))
    kaldifst.arcsort(fst, sort_type="olabel")
    return fst


def add_lexicon_disambig(spellings: Sequence[tuple[int, Sequence[int]]]) -> tuple[list[tuple[int, list[int]]], int]:
    """Append ``#k`` markers as Kaldi's ``add_lex_disambig.pl`` does, so L o G determinizes.

    A spelling shared by several words, or a proper prefix of another word's spelling,
    gets ``#1``, ``#2``, ... (its n-th occurrence ``#n``); other spellings get none.

    Args:
        spellings (sequence of (word_id, unit ids)): non-empty spellings.

    Returns:
        (list, int): ``(word_id, units + [-k])`` pairs, where a negative entry ``-k`` stands
        for ``#k``; and the largest ``k`` used (0 if none).
    """
    counts: dict[tuple[int, ...], int] = {}
    prefixes: set[tuple[int, ...]] = set()
    for _, units in spellings:
        key = tuple(units)
        counts[key] = counts.get(key, 0) + 1
        prefixes.update(key[:i] for i in range(1, len(key)))
    seen: dict[tuple[int, ...], int] = {}
    out, max_k = [], 0
    for word, units in spellings:
        key = tuple(units)
        if counts[key] > 1 or key in prefixes:
            seen[key] = seen.get(key, 0) + 1
            max_k = max(max_k, seen[key])
            out.append((word, [*key, -seen[key]]))
        else:
            out.append((word, list(key)))
    return out, max_k


def make_unit_lexicon_fst(spellings: Sequence[tuple[int, Sequence[int]]], num_units: int,
                          boundary_id: int | None = None,
                          word_disambig_id: int | None = None) -> tuple[kaldifst.StdVectorFst, list[int]]:
    """The lexicon L for units: spellings in, words out, with disambiguation symbols.

    One loop state (start and final). Each word is a chain of arcs from and back to it,
    the word on the first arc. ``boundary_id`` (e.g. the ``<space>`` unit of character models)
    may appear any number of times between words, writing nothing. ``word_disambig_id``
    (``#0`` of ``words.txt``) adds the self-loop ``#0:#0`` that G's back-off arcs need.

    Args:
        spellings (sequence of (word_id, unit ids)): non-empty spellings over ids ``1 .. V-1``.
        num_units (int): ``V``; unit-side ``#k`` is ``V + k``.
        boundary_id (int or None): optional word-boundary unit. (Default: ``None``)
        word_disambig_id (int or None): ``#0`` in ``words.txt``. (Default: ``None``)

    Returns:
        (kaldifst.StdVectorFst, list[int]): L sorted by output label, and the unit-side
        disambiguation ids it uses (``#0`` first), which T must pass through.

    Raises:
        ValueError: an empty spelling, or a unit id outside ``1 .. V-1``.
    """
    for word, units in spellings:
        if not units or min(units) < 1 or max(units) >= num_units:
            raise ValueError(f"unit lexicon: word id {word} has spelling {list(units)}; "
                             f"expected one or more unit ids in [1, {num_units})")
    marked, max_k = add_lexicon_disambig(spellings)
    fst = kaldifst.StdVectorFst()
    loop = fst.add_state()
    fst.start = loop
    fst.set_final(loop, 0.0)
    for word, units in marked:
        labels = [u if u > 0 else num_units - u for u in units]
        state, olabel = loop, word
        for i, label in enumerate(labels):
            nxt = loop if i == len(labels) - 1 else fst.add_state()
            fst.add_arc(state, kaldifst.StdArc(label, olabel, 0.0, nxt))
            state, olabel = nxt, 0
    if boundary_id is not None:
        fst.add_arc(loop, kaldifst.StdArc(boundary_id, 0, 0.0, loop))
    disambig = [num_units + k for k in range(max_k + 1)]
    if word_disambig_id is not None:
        fst.add_arc(loop, kaldifst.StdArc(num_units, word_disambig_id, 0.0, loop))
    kaldifst.arcsort(fst, sort_type="olabel")
    return fst, disambig


def _determinize(fst: kaldifst.StdVectorFst, max_states: int, what: str) -> None:
    if kaldifst.determinize_star(fst, max_states=max_states):
        raise ValueError(f"determinizing {what} exceeded {max_states} states")


def make_tlg(unit_ids: Sequence[int], lexicon: kaldifst.StdVectorFst, disambig_ids: Sequence[int],
             grammar: kaldifst.StdVectorFst, max_states: int = 2_000_000) -> kaldifst.StdVectorFst:
    """``TLG = minimize(rm_disambig(det(T o minimize(det(L o G)))))``.

    Args:
        unit_ids (sequence of int): non-blank units of T (see :func:`make_ctc_topo`).
        lexicon (kaldifst.StdVectorFst): L from :func:`make_unit_lexicon_fst`.
        disambig_ids (sequence of int): its unit-side disambiguation ids.
        grammar (kaldifst.StdVectorFst): G over ``words.txt`` ids (modified: arcs sorted).
        max_states (int): give up determinizing beyond this many states. (Default: 2,000,000)

    Returns:
        kaldifst.StdVectorFst: TLG, input labels ``unit + 1`` (or 0), output labels word ids.

    Raises:
        ValueError: an empty graph or a determinization beyond ``max_states``.
    """
    kaldifst.arcsort(grammar, sort_type="ilabel")
    lg = kaldifst.compose(lexicon, grammar)
    if lg.num_states == 0:
        raise ValueError("L o G is empty: G accepts no word sequence the units can spell")
    _determinize(lg, max_states, "L o G")
    kaldifst.minimize_encoded(lg)
    kaldifst.arcsort(lg, sort_type="ilabel")
    tlg = kaldifst.compose(make_ctc_topo(unit_ids, disambig_ids), lg)
    _determinize(tlg, max_states, "T o L o G")
    remove = {d + 1 for d in disambig_ids}
    map_arcs(tlg, lambda a: kaldifst.StdArc(0 if a.ilabel in remove else a.ilabel, a.olabel,
                                             a.weight.value, a.nextstate))
    kaldifst.minimize_encoded(tlg)
    kaldifst.arcsort(tlg, sort_type="ilabel")
    return tlg


def add_label_prior(tlg: kaldifst.StdVectorFst, prior: np.ndarray, scale: float) -> None:
    """Make ``TLG`` score CTC posteriors as pseudo-likelihoods ``P(u|x) / P(u)^scale``.

    A CTC posterior already holds the label prior the model learned, blank ~0.9 and each
    word unit far less; a grammar's word costs on top of it charge every word twice, so
    the search deletes words whose spike the greedy search keeps. As in hybrid decoding
    (Kaldi's priors; Eesen's label counts), the prior is divided out: every arc reading
    unit ``u`` gets ``scale * log P(u)`` added to its cost. Each frame is read by exactly
    one arc, so that equals subtracting ``scale * log P(u)`` from every frame's scores.

    Args:
        tlg (kaldifst.StdVectorFst): from :func:`make_tlg` (modified in place).
        prior (np.ndarray): ``(V,)`` unit probabilities, e.g. the model's mean posterior.
        scale (float): prior scale, ``0`` for raw posteriors.

    Raises:
        ValueError: a unit the graph reads has no positive prior.
    """
    used = {a.ilabel - 1 for s in kaldifst.StateIterator(tlg) for a in kaldifst.ArcIterator(tlg, s) if a.ilabel}
    bad = sorted(u for u in used if u >= len(prior) or not prior[u] > 0)
    if bad:
        raise ValueError(f"label prior: unit {bad[0]} of the graph has no positive prior "
                         f"(prior has {len(prior)} entries)")
    cost = scale * np.log(np.asarray(prior, dtype=np.float64))

    def divided(a: kaldifst.StdArc) -> kaldifst.StdArc:
        extra = float(cost[a.ilabel - 1]) if a.ilabel else 0.0
        return kaldifst.StdArc(a.ilabel, a.olabel, a.weight.value + extra, a.nextstate)

    map_arcs(tlg, divided)
