"""Fixtures for the lang tests: small dictionary dirs and FST path enumeration."""

from __future__ import annotations

from pathlib import Path

import kaldifst
import pytest


@pytest.fixture
def make_dict():
    """``make(dir, lexicon_lines, silence="SIL SPN", optional="SIL", nonsilence=None)`` writes
    a dictionary dir; non-silence phones default to the lexicon's other phones, one per line."""
    def make(d: Path, lexicon: list[str], silence: str = "SIL SPN", optional: str = "SIL",
             nonsilence: list[str] | None = None) -> Path:
        d.mkdir(parents=True, exist_ok=True)
        sil = silence.split()
        if nonsilence is None:
            nonsilence = sorted({p for line in lexicon for p in line.split()[1:]} - set(sil))
        (d / "lexicon.txt").write_text("".join(line + "\n" for line in lexicon))
        (d / "silence_phones.txt").write_text("".join(p + "\n" for p in sil))
        (d / "nonsilence_phones.txt").write_text("".join(p + "\n" for p in nonsilence))
        (d / "optional_silence.txt").write_text(optional + "\n")
        return d
    return make


@pytest.fixture
def all_paths():
    """``paths(fst)`` of an acyclic FST: {(input labels, output labels) without epsilons:
    lowest total cost}, cost including the final weight."""
    def paths(fst: kaldifst.StdVectorFst) -> dict[tuple[tuple[int, ...], tuple[int, ...]], float]:
        out: dict = {}

        def walk(state, ilabels, olabels, cost, depth):
            assert depth < 1000, "cyclic FST"
            final = fst.final(state).value
            if final != float("inf"):
                key = (tuple(ilabels), tuple(olabels))
                out[key] = min(out.get(key, float("inf")), cost + final)
            for arc in kaldifst.ArcIterator(fst, state):
                walk(arc.nextstate, ilabels + ([arc.ilabel] if arc.ilabel else []),
                     olabels + ([arc.olabel] if arc.olabel else []),
                     cost + arc.weight.value, depth + 1)

        walk(fst.start, [], [], 0.0, 0)
        return out
    return paths
