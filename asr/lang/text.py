"""Transcripts (Kaldi ``text``: ``utt-id word...``) checked against a word list."""

from __future__ import annotations

import logging
import os
from typing import Container

from asr.lang.lexicon import is_disambig_symbol
from asr.utils.fileio import read_lines

__all__ = ["read_transcripts"]

_log = logging.getLogger(__name__)


def read_transcripts(path: str | os.PathLike, vocab: Container[str],
                     oov_word: str | None = None) -> dict[str, list[str]]:
    """Read a ``text`` file; every word must be in ``vocab`` (e.g. a ``words.txt`` table).

    Args:
        path (str or PathLike): the transcripts.
        vocab (container of str): the known words. ``<eps>``, ``<s>``, ``</s>`` and ``#n``
            never count as words.
        oov_word (str or None): when given, unknown words become this word and their
            count is logged (Kaldi's ``sym2int.pl --map-oov``); when ``None`` an unknown
            word is an error. (Default: ``None``)

    Returns:
        dict[str, list[str]]: utterance id to words, in file order (may be empty lists).

    Raises:
        ValueError: naming file, line, utterance and word, for a word not in ``vocab``
            (without ``oov_word``), and for a duplicate utterance id.
    """
    out: dict[str, list[str]] = {}
    unknown: dict[str, int] = {}
    for lineno, line in enumerate(read_lines(path), 1):
        fields = line.split()
        if not fields:
            raise ValueError(f"{path}:{lineno}: empty line")
        utt, words = fields[0], fields[1:]
        if utt in out:
            raise ValueError(f"{path}:{lineno}: duplicate utterance id {utt!r}")
        for i, w in enumerate(words):
            if w in vocab and w not in ("<eps>", "<s>", "</s>") and not is_disambig_symbol(w):
                continue
            if oov_word is None:
                raise ValueError(f"{path}:{lineno}: word {w!r} of utterance {utt!r} is not "
                                 "in the lexicon")
            unknown[w] = unknown.get(w, 0) + 1
            words[i] = oov_word
        out[utt] = words
    if unknown:
        _log.warning("%s: mapped %d tokens of %d unknown words to %s (most frequent: %s)",
                     path, sum(unknown.values()), len(unknown), oov_word,
                     " ".join(sorted(unknown, key=unknown.get, reverse=True)[:10]))
    return out
