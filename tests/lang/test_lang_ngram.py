"""Witten-Bell n-gram training (hand-computed probabilities) and ARPA reading/writing."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from asr.lang.ngram import NgramLM, read_arpa, train_witten_bell, write_arpa


def test_witten_bell_bigram_by_hand():
    # Tokens: <s> A B </s> and <s> A </s>. Unigrams (no <s>): A 2, B 1, </s> 2; N = 5,
    # T = 3 types, uniform 1/3 over {A, B, </s>}: P(w) = (c(w) + 3 * 1/3) / (5 + 3).
    lm = train_witten_bell([["A", "B"], ["A"]], order=2)
    p = {g: 10 ** lp for level in lm.ngrams for g, (lp, _) in level.items()}
    assert p[("A",)] == pytest.approx(3 / 8) and p[("B",)] == pytest.approx(2 / 8)
    assert p[("</s>",)] == pytest.approx(3 / 8)
    # History <s>: c = 2, T = 1: P(A | <s>) = (2 + 1 * 3/8) / 3, back-off 1/3.
    assert p[("<s>", "A")] == pytest.approx(19 / 24)
    # History A: c = 2, T = 2: P(B | A) = (1 + 2 * 2/8) / 4, P(</s> | A) = (1 + 2 * 3/8) / 4.
    assert p[("A", "B")] == pytest.approx(3 / 8) and p[("A", "</s>")] == pytest.approx(7 / 16)
    # History B: c = 1, T = 1: P(</s> | B) = (1 + 3/8) / 2.
    assert p[("B", "</s>")] == pytest.approx(11 / 16)
    bow = {g: b for level in lm.ngrams for g, (_, b) in level.items()}
    assert 10 ** bow[("<s>",)] == pytest.approx(1 / 3) and 10 ** bow[("A",)] == pytest.approx(1 / 2)
    assert bow[("</s>",)] is None and lm.ngrams[0][("<s>",)][0] == -99.0
    assert set(lm.ngrams[1]) == {("<s>", "A"), ("A", "B"), ("A", "</s>"), ("B", "</s>")}
    # Sentence probabilities, one listed bigram each, and one through back-off:
    # P(B | <s>) = bow(<s>) P(B) = 1/3 * 2/8; P(</s> | B) = 11/16.
    assert 10 ** lm.sentence_log10_prob(["A", "B"]) == pytest.approx(19 / 24 * 3 / 8 * 11 / 16)
    assert 10 ** lm.sentence_log10_prob(["B"]) == pytest.approx(1 / 3 * 2 / 8 * 11 / 16)


def test_vocabulary_gives_unseen_words_mass():
    lm = train_witten_bell([["A", "B"], ["A"]], order=2, vocab=["C"])
    # Uniform part now 1/4 over {A, B, C, </s>}: P(C) = 3 * 1/4 / 8.
    assert 10 ** lm.ngrams[0][("C",)][0] == pytest.approx(3 / 32)
    assert 10 ** lm.ngrams[0][("A",)][0] == pytest.approx((2 + 3 / 4) / 8)


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_every_history_sums_to_one(order):
    rng = random.Random(order)
    vocab = ["A", "B", "C", "D", "E"]
    sentences = [[rng.choice(vocab[:4]) for _ in range(rng.randint(1, 6))] for _ in range(30)]
    lm = train_witten_bell(sentences, order=order, vocab=vocab)
    outcomes = vocab + ["</s>"]
    histories = [()] + [h for n in range(1, order) for h in itertools.product(["<s>"] + vocab, repeat=n)
                        if "<s>" not in h[1:]]
    for h in histories:
        total = sum(10 ** lm.log10_prob(w, h) for w in outcomes)
        assert total == pytest.approx(1.0, abs=1e-9), h


def test_arpa_round_trip(tmp_path):
    lm = train_witten_bell([["ONE", "TWO"], ["TWO", "THREE"], ["ONE", "TWO", "THREE"]], order=3)
    write_arpa(lm, tmp_path / "lm.arpa")
    text = (tmp_path / "lm.arpa").read_text()
    assert text.startswith("\n\\data\\\nngram 1=5\nngram 2=")
    assert text.endswith("\n\\end\\\n")
    back = read_arpa(tmp_path / "lm.arpa")
    assert back.order == 3
    for level, back_level in zip(lm.ngrams, back.ngrams):
        assert level.keys() == back_level.keys()
        for g, (p, b) in level.items():
            assert back_level[g][0] == pytest.approx(p, abs=1e-6)
            assert (b is None) == (back_level[g][1] is None)


def test_read_arpa_with_backoff_scores(tmp_path):
    (tmp_path / "lm.arpa").write_text(
        "\\data\\\nngram 1=3\nngram 2=1\n\n\\1-grams:\n-0.5\t</s>\n-99\t<s>\t-0.3\n"
        "-0.2\tA\n\n\\2-grams:\n-0.1\t<s> A\n\n\\end\\\n")
    lm = read_arpa(tmp_path / "lm.arpa")
    assert lm.log10_prob("A", ("<s>",)) == pytest.approx(-0.1)
    assert lm.log10_prob("</s>", ("<s>", "A")) == pytest.approx(-0.5)  # A has no bow: weight 1
    assert lm.log10_prob("A", ("A",)) == pytest.approx(-0.2)
    assert lm.log10_prob("</s>", ("<s>",)) == pytest.approx(-0.3 - 0.5)
    with pytest.raises(ValueError, match="word 'B' is not in the language model"):
        lm.log10_prob("B", ())


@pytest.mark.parametrize("text, message", [
    ("hello\n", r"no \\data\\ section"),
    ("\\data\\\nngram 1=2\n\n\\1-grams:\n-1\tA\n\n\\end\\\n", r"lm.arpa:4: .*declares 2 1-grams, this section has 1"),
    ("\\data\\\nngram 1=1\n\n\\1-grams:\nx\tA\n\n\\end\\\n", r"lm.arpa:5: bad log-probability or back-off weight in 'x\\tA'"),
    ("\\data\\\nngram 1=1\n\n\\1-grams:\n-1\tA B C\n\n\\end\\\n", r"lm.arpa:5: expected 'logprob' \+ 1 words"),
    ("\\data\\\nngram 1=1\n\n\\1-grams:\n-1\tA\n", r"expected \\end\\"),
    ("\\data\\\nngram 2=1\n", r"lm.arpa:2: expected 'ngram 1=<count>'"),
    ("\\data\\\nngram 1=2\n\n\\1-grams:\n-1\tA\n-2\tA\n\n\\end\\\n", "lm.arpa:6: duplicate n-gram 'A'"),
    ("\\data\\\nngram 1=2\nngram 2=1\n\n\\1-grams:\n-1\tA\n-1\t</s>\n\n\\2-grams:\n-1\tB A\n\n\\end\\\n",
     "lm.arpa:10: n-gram 'B A' has no 1-gram for its history 'B'"),
    ("\\data\\\nngram 1=2\nngram 2=1\n\n\\1-grams:\n-1\tA\n-1\t</s>\n\n\\2-grams:\n-1\tA B\n\n\\end\\\n",
     "lm.arpa:10: n-gram 'A B': word 'B' has no 1-gram"),
])
def test_read_arpa_errors(tmp_path, text, message):
    (tmp_path / "lm.arpa").write_text(text)
    with pytest.raises(ValueError, match=message):
        read_arpa(tmp_path / "lm.arpa")


def test_bad_training_input():
    with pytest.raises(ValueError, match="order must be >= 1"):
        train_witten_bell([["A"]], order=0)
    with pytest.raises(ValueError, match="no training sentences"):
        train_witten_bell([], order=2)
    with pytest.raises(ValueError, match="contains <s> or </s>"):
        train_witten_bell([["A", "</s>"]], order=2)


def test_unigram_model_has_no_sentence_start():
    lm = train_witten_bell([["A", "A"]], order=1)
    assert isinstance(lm, NgramLM) and ("<s>",) not in lm.ngrams[0]
    # A: 2 of 3 tokens, T = 2 types, uniform 1/2: (2 + 1) / 5; </s>: (1 + 1) / 5.
    assert 10 ** lm.sentence_log10_prob(["A"]) == pytest.approx(3 / 5 * 2 / 5)
    assert math.isclose(sum(10 ** lp for lp, _ in lm.ngrams[0].values()), 1.0)
