"""Word n-gram language models: Witten-Bell training and ARPA files.

An :class:`NgramLM` holds, per order, each listed n-gram's log10 probability and (for
n-grams that are histories of longer ones) log10 back-off weight, exactly what an ARPA
file holds. Sentences are scored with the usual back-off rule: ``P(w | h) = P_listed(w | h)``
when ``h w`` is listed, else ``bow(h) * P(w | h minus its first word)``.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from asr.utils.fileio import atomic_write, read_lines

__all__ = ["NgramLM", "train_witten_bell", "write_arpa", "read_arpa", "BOS", "EOS"]

BOS, EOS = "<s>", "</s>"
# ARPA's log10 probability for <s>, which is only ever a history.
_LOG10_ZERO = -99.0


@dataclass
class NgramLM:
    """``ngrams[k - 1]`` maps each k-gram (a tuple of words) to ``(log10 prob, log10 bow)``;
    ``bow`` is ``None`` when the file lists none (weight 1)."""

    ngrams: list[dict[tuple[str, ...], tuple[float, float | None]]]

    @property
    def order(self) -> int:
        return len(self.ngrams)

    def log10_prob(self, word: str, history: tuple[str, ...]) -> float:
        """log10 P(word | history) with back-off; ``ValueError`` for a word with no unigram."""
        history = history[max(0, len(history) - (self.order - 1)):] if self.order > 1 else ()
        total = 0.0
        while True:
            entry = self.ngrams[len(history)].get(history + (word,))
            if entry is not None:
                return total + entry[0]
            if not history:
                raise ValueError(f"word {word!r} is not in the language model")
            entry = self.ngrams[len(history) - 1].get(history)
            if entry is not None and entry[1] is not None:
                total += entry[1]
            history = history[1:]

    def sentence_log10_prob(self, words: list[str]) -> float:
        """log10 P(words, </s> | <s>)."""
        tokens = [BOS, *words, EOS]
        return sum(self.log10_prob(tokens[i], tuple(tokens[:i])) for i in range(1, len(tokens)))


def train_witten_bell(sentences: Iterable[list[str]], order: int = 2,
                      vocab: Iterable[str] | None = None) -> NgramLM:
    """Interpolated Witten-Bell n-gram LM.

    For a history ``h`` seen ``c(h)`` times followed by ``T(h)`` distinct words,
    ``P(w | h) = (c(h w) + T(h) P(w | h')) / (c(h) + T(h))`` where ``h'`` drops the first
    word of ``h``; the unigram level interpolates with the uniform distribution over the
    vocabulary plus ``</s>``. The back-off weight of ``h`` is therefore exactly
    ``T(h) / (c(h) + T(h))``, and every distribution sums to one.

    Args:
        sentences (iterable of list[str]): training sentences, without ``<s>``/``</s>``.
        order (int): n-gram order, >= 1. (Default: ``2``)
        vocab (iterable of str or None): words that get probability mass even if unseen;
            the seen words are always included. (Default: ``None``)

    Raises:
        ValueError: ``order < 1``, no sentences, or a sentence containing ``<s>``/``</s>``.
    """
    if order < 1:
        raise ValueError(f"order must be >= 1, got {order}")
    counts: list[dict[tuple[str, ...], int]] = [defaultdict(int) for _ in range(order)]
    num_sentences = 0
    for words in sentences:
        if BOS in words or EOS in words:
            raise ValueError(f"sentence contains {BOS} or {EOS}: {' '.join(words)}")
        num_sentences += 1
        tokens = [BOS, *words, EOS]
        for i in range(1, len(tokens)):
            for k in range(1, min(order, i + 1) + 1):
                counts[k - 1][tuple(tokens[i - k + 1:i + 1])] += 1
    if num_sentences == 0:
        raise ValueError("no training sentences")

    # Per history: total count c(h) and number of distinct followers T(h).
    hist_count: dict[tuple[str, ...], int] = defaultdict(int)
    hist_types: dict[tuple[str, ...], int] = defaultdict(int)
    for level in counts:
        for ngram, c in level.items():
            hist_count[ngram[:-1]] += c
            hist_types[ngram[:-1]] += 1

    vocabulary = {w for (w,) in counts[0]} | set(vocab or ()) | {EOS}
    vocabulary.discard(BOS)
    uniform = 1.0 / len(vocabulary)
    probs: list[dict[tuple[str, ...], float]] = [{} for _ in range(order)]
    n, t = hist_count[()], hist_types[()]
    probs[0] = {(w,): (counts[0].get((w,), 0) + t * uniform) / (n + t) for w in vocabulary}
    for k in range(2, order + 1):
        for ngram, c in counts[k - 1].items():
            h = ngram[:-1]
            lower = probs[k - 2][ngram[1:]]
            probs[k - 1][ngram] = (c + hist_types[h] * lower) / (hist_count[h] + hist_types[h])

    def bow(ngram: tuple[str, ...]) -> float | None:
        if len(ngram) >= order or ngram not in hist_types:
            return None
        return math.log10(hist_types[ngram] / (hist_count[ngram] + hist_types[ngram]))

    ngrams = [{g: (math.log10(p), bow(g)) for g, p in level.items()} for level in probs]
    if order > 1:
        ngrams[0][(BOS,)] = (_LOG10_ZERO, bow((BOS,)))
    return NgramLM(ngrams)


def write_arpa(lm: NgramLM, path: str | os.PathLike) -> None:
    """Write ``lm`` as an ARPA file (n-grams sorted by their UTF-8 bytes), atomically."""
    with atomic_write(path) as f:
        f.write("\n\\data\\\n")
        for k, level in enumerate(lm.ngrams, 1):
            f.write(f"ngram {k}={len(level)}\n")
        for k, level in enumerate(lm.ngrams, 1):
            f.write(f"\n\\{k}-grams:\n")
            for ngram in sorted(level, key=lambda g: " ".join(g).encode("utf-8")):
                prob, bow = level[ngram]
                line = f"{prob:.7f}\t{' '.join(ngram)}"
                f.write(line + (f"\t{bow:.7f}\n" if bow is not None else "\n"))
        f.write("\n\\end\\\n")


def read_arpa(path: str | os.PathLike) -> NgramLM:
    """Read an ARPA file; ``ValueError`` names the file and line of anything malformed:
    counts that disagree with the sections, bad numbers, n-grams of the wrong length, and
    n-grams whose history or last word is not listed (``arpa2fst`` would skip those)."""
    lines = read_lines(path)
    i = 0

    def fail(msg: str) -> ValueError:
        return ValueError(f"{path}:{i + 1}: {msg}")

    while i < len(lines) and lines[i].strip() != "\\data\\":
        i += 1
    if i == len(lines):
        raise ValueError(f"{path}: no \\data\\ section (not an ARPA file?)")
    i += 1
    declared: list[int] = []
    while i < len(lines) and lines[i].startswith("ngram "):
        key, _, value = lines[i][6:].partition("=")
        if not (key.strip().isdigit() and value.strip().isdigit()) or int(key) != len(declared) + 1:
            raise fail(f"expected 'ngram {len(declared) + 1}=<count>', got {lines[i]!r}")
        declared.append(int(value))
        i += 1
    if not declared:
        raise fail("no 'ngram 1=<count>' line after \\data\\")
    ngrams: list[dict[tuple[str, ...], tuple[float, float | None]]] = []
    for k in range(1, len(declared) + 1):
        while i < len(lines) and not lines[i].strip():
            i += 1
        if i == len(lines) or lines[i].strip() != f"\\{k}-grams:":
            raise fail(f"expected \\{k}-grams:")
        header = i
        i += 1
        level: dict[tuple[str, ...], tuple[float, float | None]] = {}
        while i < len(lines) and lines[i].strip() and not lines[i].startswith("\\"):
            fields = lines[i].split()
            if len(fields) not in (k + 1, k + 2):
                raise fail(f"expected 'logprob' + {k} words [+ backoff], got {lines[i]!r}")
            try:
                prob = float(fields[0])
                bow = float(fields[k + 1]) if len(fields) == k + 2 else None
            except ValueError:
                raise fail(f"bad log-probability or back-off weight in {lines[i]!r}") from None
            ngram = tuple(fields[1:k + 1])
            if ngram in level:
                raise fail(f"duplicate n-gram {' '.join(ngram)!r}")
            if k > 1 and ngram[:-1] not in ngrams[k - 2]:
                raise fail(f"n-gram {' '.join(ngram)!r} has no {k - 1}-gram for its history "
                           f"{' '.join(ngram[:-1])!r}")
            if k > 1 and (ngram[-1],) not in ngrams[0]:
                raise fail(f"n-gram {' '.join(ngram)!r}: word {ngram[-1]!r} has no 1-gram")
            level[ngram] = (prob, bow)
            i += 1
        if len(level) != declared[k - 1]:
            raise ValueError(f"{path}:{header + 1}: \\data\\ declares {declared[k - 1]} "
                             f"{k}-grams, this section has {len(level)}")
        ngrams.append(level)
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines) or lines[i].strip() != "\\end\\":
        raise fail("expected \\end\\")
    return NgramLM(ngrams)
