"""Grammar FSTs G: from an ARPA n-gram (via ``kaldilm``) or a word loop.

Both are deterministic acceptors over word ids of ``words.txt``, except that back-off
arcs of an n-gram G read the disambiguation symbol ``#0`` and write ``<eps>`` (Kaldi's
``arpa2fst --disambig-symbol=#0``); ``<s>`` and ``</s>`` never appear as labels (the
start state is the sentence start, final weights are the sentence end).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import kaldifst
import kaldilm

from asr.lang.lang import Lang
from asr.lang.ngram import BOS, EOS, read_arpa
from asr.lang.symbols import SymbolTable

__all__ = ["arpa_to_fst", "make_word_loop_fst", "word_loop_vocabulary", "is_deterministic",
           "write_fst"]


def is_deterministic(fst: kaldifst.StdVectorFst) -> bool:
    """True when no state has two arcs with the same input label."""
    for state in kaldifst.StateIterator(fst):
        labels = [arc.ilabel for arc in kaldifst.ArcIterator(fst, state)]
        if len(labels) != len(set(labels)):
            return False
    return True


def write_fst(fst: kaldifst.StdVectorFst, path: str | os.PathLike) -> None:
    """Write ``fst`` (binary OpenFst) to a temporary file, then rename it to ``path``."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        if not fst.write(str(tmp)):
            raise OSError(f"{path}: could not write the FST")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def arpa_to_fst(arpa: str | os.PathLike, words_txt: str | os.PathLike,
                out: str | os.PathLike) -> kaldifst.StdVectorFst:
    """Convert an ARPA LM to G (binary OpenFst at ``out``, written atomically).

    Args:
        arpa (str or PathLike): the LM (plain text).
        words_txt (str or PathLike): the lang dir's ``words.txt``; it must hold ``#0``.
        out (str or PathLike): where G goes, e.g. ``data/lang_test/G.fst``.

    Raises:
        ValueError: a malformed ARPA file, or an LM word not in ``words.txt`` (named;
            ``arpa2fst`` itself would only warn and drop it).
    """
    lm = read_arpa(arpa)
    words = SymbolTable.read(words_txt)
    if "#0" not in words:
        raise ValueError(f"{words_txt}: no #0 (not a words.txt made by prepare_lang?)")
    for (w,) in lm.ngrams[0]:
        if w not in (BOS, EOS) and (w not in words or w.startswith("#") or w == "<eps>"):
            raise ValueError(f"{arpa}: word {w!r} is not in the lexicon ({words_txt})")
    out = Path(out)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        kaldilm.arpa2fst(str(arpa), str(tmp), disambig_symbol="#0",
                         read_symbol_table=str(words_txt))
        fst = kaldifst.StdVectorFst.read(str(tmp))
        if fst is None or not is_deterministic(fst):
            raise ValueError(f"{arpa}: arpa2fst made no FST or a non-deterministic one")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return fst


def word_loop_vocabulary(lang: Lang) -> list[int]:
    """Word ids a word loop should cover: every lexicon word with a non-silence phone in
    some pronunciation, except the OOV word (so ``<SIL>`` and ``<UNK>`` are left out)."""
    silence = set(lang.silence_phones)
    return sorted(w for w, prons in lang.pronunciations.items()
                  if w != 0 and w != lang.oov_id and any(set(p) - silence for p in prons))


def make_word_loop_fst(word_ids: list[int]) -> kaldifst.StdVectorFst:
    """A one-state G: any sequence of ``word_ids``, each word and the end of the sentence
    equally likely (cost ``log(N + 1)`` each for N words).

    Raises:
        ValueError: an empty list, a repeated id, or id 0 (epsilon).
    """
    if not word_ids:
        raise ValueError("word loop: no words")
    if len(set(word_ids)) != len(word_ids) or 0 in word_ids:
        raise ValueError("word loop: word ids must be distinct and non-zero")
    cost = math.log(len(word_ids) + 1)
    fst = kaldifst.StdVectorFst()
    state = fst.add_state()
    fst.start = state
    fst.set_final(state, cost)
    for w in sorted(word_ids):
        fst.add_arc(state, kaldifst.StdArc(w, w, cost, state))
    return fst
