"""HMM topologies in Kaldi's text format (``data/lang/topo``).

Each ``<TopologyEntry>`` lists the phone ids it covers in ``<ForPhones>`` and its states;
an emitting state has a ``<PdfClass>`` and ``<Transition> dest prob`` pairs, and the last
state is the non-emitting final state::

    <Topology>
    <TopologyEntry>
    <ForPhones>
    6 7 8
    </ForPhones>
    <State> 0 <PdfClass> 0 <Transition> 0 0.75 <Transition> 1 0.25 </State>
    <State> 1 <PdfClass> 1 <Transition> 1 0.75 <Transition> 2 0.25 </State>
    <State> 2 <PdfClass> 2 <Transition> 2 0.75 <Transition> 3 0.25 </State>
    <State> 3 </State>
    </TopologyEntry>
    </Topology>
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from asr.utils.fileio import atomic_write

__all__ = ["HmmState", "TopologyEntry", "Topology", "make_topology"]


@dataclass(frozen=True)
class HmmState:
    """An HMM state: ``pdf_class`` (``None`` for the final state) and ``(dest, prob)`` arcs."""

    pdf_class: int | None
    transitions: tuple[tuple[int, float], ...] = ()


@dataclass(frozen=True)
class TopologyEntry:
    """The HMM shared by the phones ``phones`` (integer ids from ``phones.txt``)."""

    phones: tuple[int, ...]
    states: tuple[HmmState, ...]

    @property
    def num_pdf_classes(self) -> int:
        return 1 + max(s.pdf_class for s in self.states if s.pdf_class is not None)

    def check(self) -> None:
        """Raise ``ValueError`` unless this is a valid Kaldi topology entry."""
        n = len(self.states)
        if not self.phones:
            raise ValueError("topology entry with no phones")
        if n < 2:
            raise ValueError(f"phones {self.phones}: need an emitting state and a final state")
        final = self.states[-1]
        if final.pdf_class is not None or final.transitions:
            raise ValueError(f"phones {self.phones}: the last state must be final "
                             "(no <PdfClass>, no transitions)")
        classes = set()
        for i, s in enumerate(self.states[:-1]):
            if s.pdf_class is None or s.pdf_class < 0:
                raise ValueError(f"phones {self.phones}: state {i} needs a <PdfClass> >= 0")
            classes.add(s.pdf_class)
            if not s.transitions:
                raise ValueError(f"phones {self.phones}: state {i} has no transitions")
            for dest, prob in s.transitions:
                if not 0 <= dest < n:
                    raise ValueError(f"phones {self.phones}: state {i} goes to state {dest}, "
                                     f"which does not exist")
                if not prob > 0.0:
                    raise ValueError(f"phones {self.phones}: state {i}: transition "
                                     f"probability {prob} must be > 0")
            total = sum(p for _, p in s.transitions)
            if not math.isclose(total, 1.0, abs_tol=1e-4):
                raise ValueError(f"phones {self.phones}: state {i}: transition "
                                 f"probabilities sum to {total}, not 1")
        if classes != set(range(len(classes))):
            raise ValueError(f"phones {self.phones}: pdf classes {sorted(classes)} are not "
                             "0..N-1")


class Topology:
    """All topology entries of a lang dir; each phone belongs to exactly one.

    Raises:
        ValueError: an invalid entry or a phone in two entries.
    """

    def __init__(self, entries: list[TopologyEntry]) -> None:
        self.entries = list(entries)
        self._entry_of: dict[int, TopologyEntry] = {}
        for e in self.entries:
            e.check()
            for p in e.phones:
                if p in self._entry_of:
                    raise ValueError(f"phone {p} is in more than one topology entry")
                self._entry_of[p] = e

    @property
    def phones(self) -> list[int]:
        """Every phone id the topology covers, sorted."""
        return sorted(self._entry_of)

    def entry(self, phone: int) -> TopologyEntry:
        """The entry covering ``phone``; ``ValueError`` naming it when none does."""
        try:
            return self._entry_of[phone]
        except KeyError:
            raise ValueError(f"phone {phone} is in no topology entry") from None

    def num_pdf_classes(self, phone: int) -> int:
        return self.entry(phone).num_pdf_classes

    def to_text(self) -> str:
        lines = ["<Topology>"]
        for e in self.entries:
            lines += ["<TopologyEntry>", "<ForPhones>", " ".join(map(str, e.phones)), "</ForPhones>"]
            for i, s in enumerate(e.states):
                body = "" if s.pdf_class is None else f"<PdfClass> {s.pdf_class} "
                body += "".join(f"<Transition> {d} {p:.10g} " for d, p in s.transitions)
                lines.append(f"<State> {i} {body}</State>")
            lines.append("</TopologyEntry>")
        lines.append("</Topology>")
        return "\n".join(lines) + "\n"

    def write(self, path: str | os.PathLike) -> None:
        with atomic_write(path) as f:
            f.write(self.to_text())

    @classmethod
    def read(cls, path: str | os.PathLike) -> "Topology":
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            return cls.from_text(text)
        except ValueError as e:
            raise ValueError(f"{path}: {e}") from None

    @classmethod
    def from_text(cls, text: str) -> "Topology":
        """Parse Kaldi's text topology; ``ValueError`` names the unexpected token."""
        toks = text.split()
        pos = 0

        def take(expected: str | None = None) -> str:
            nonlocal pos
            if pos >= len(toks):
                raise ValueError(f"unexpected end of topology (expected {expected or 'more'})")
            tok = toks[pos]
            pos += 1
            if expected is not None and tok != expected:
                raise ValueError(f"expected {expected}, got {tok!r} (token {pos})")
            return tok

        def number(kind: type, what: str) -> int | float:
            tok = take()
            try:
                return kind(tok)
            except ValueError:
                raise ValueError(f"expected {what}, got {tok!r} (token {pos})") from None

        take("<Topology>")
        entries = []
        while take() == "<TopologyEntry>":
            take("<ForPhones>")
            phones = []
            while (tok := take()) != "</ForPhones>":
                try:
                    phones.append(int(tok))
                except ValueError:
                    raise ValueError(f"expected a phone id, got {tok!r} (token {pos})") from None
            states = []
            while take() == "<State>":
                if number(int, "a state number") != len(states):
                    raise ValueError(f"states must be numbered 0, 1, ... in order (token {pos})")
                pdf_class, trans = None, []
                while (tok := take()) != "</State>":
                    if tok == "<PdfClass>":
                        pdf_class = number(int, "a pdf class")
                    elif tok == "<Transition>":
                        trans.append((number(int, "a destination state"),
                                      number(float, "a probability")))
                    else:
                        raise ValueError(f"unexpected token {tok!r} in <State> (token {pos})")
                states.append(HmmState(pdf_class, tuple(trans)))
            if toks[pos - 1] != "</TopologyEntry>":
                raise ValueError(f"expected <State> or </TopologyEntry>, got {toks[pos - 1]!r}")
            entries.append(TopologyEntry(tuple(phones), tuple(states)))
        if toks[pos - 1] != "</Topology>" or pos != len(toks):
            raise ValueError(f"expected <TopologyEntry> or a final </Topology>, got "
                             f"{toks[pos - 1]!r} (token {pos})")
        return cls(entries)


def _left_to_right(num_states: int, self_loop: float = 0.75) -> tuple[HmmState, ...]:
    states = [HmmState(i, ((i, self_loop), (i + 1, 1.0 - self_loop))) for i in range(num_states)]
    return tuple(states) + (HmmState(None),)


def _silence(num_states: int) -> tuple[HmmState, ...]:
    # Kaldi's silence model: the first state may skip ahead to any but the last emitting
    # state, the middle ones are fully connected among themselves and to the last, and
    # the last is an ordinary left-to-right state.
    if num_states < 3:
        return _left_to_right(num_states)
    p = 1.0 / (num_states - 1)
    first = HmmState(0, tuple((d, p) for d in range(num_states - 1)))
    middle = [HmmState(i, tuple((d, p) for d in range(1, num_states)))
              for i in range(1, num_states - 1)]
    last = HmmState(num_states - 1, ((num_states - 1, 0.75), (num_states, 0.25)))
    return (first, *middle, last, HmmState(None))


def make_topology(nonsilence_phones: list[int], silence_phones: list[int],
                  num_nonsil_states: int = 3, num_sil_states: int = 5) -> Topology:
    """Kaldi's default topology (``utils/gen_topo.pl``).

    Args:
        nonsilence_phones (list[int]): phone ids given a left-to-right HMM of
            ``num_nonsil_states`` emitting states, each with self-loop 0.75. (Default: ``3``)
        silence_phones (list[int]): phone ids given the silence HMM of ``num_sil_states``
            states (``_silence``); fewer than 3 states give a left-to-right HMM. (Default: ``5``)

    Raises:
        ValueError: a count below 1 or an empty phone list.
    """
    if num_nonsil_states < 1 or num_sil_states < 1:
        raise ValueError(f"state counts must be >= 1, got nonsil={num_nonsil_states} "
                         f"sil={num_sil_states}")
    entries = []
    if nonsilence_phones:
        entries.append(TopologyEntry(tuple(nonsilence_phones), _left_to_right(num_nonsil_states)))
    if silence_phones:
        entries.append(TopologyEntry(tuple(silence_phones), _silence(num_sil_states)))
    if not entries:
        raise ValueError("make_topology: no phones")
    return Topology(entries)
