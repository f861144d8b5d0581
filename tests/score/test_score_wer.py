"""WER counts and Kaldi compute-wer lines against hand-counted cases."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import kaldialign
import pytest

from asr.score.kaldi_format import format_wer_lines, parse_wer_lines, read_text
from asr.score.wer import WerStats, align_utterances


def _texts(tmp_path: Path, ref: str, hyp: str) -> tuple[Path, Path]:
    (tmp_path / "ref").write_text(ref)
    (tmp_path / "hyp").write_text(hyp)
    return tmp_path / "ref", tmp_path / "hyp"


def _compute_wer(tmp_path: Path, ref: str, hyp: str, *opts: str) -> subprocess.CompletedProcess:
    ref_path, hyp_path = _texts(tmp_path, ref, hyp)
    return subprocess.run([sys.executable, "-m", "asr.bin.compute_wer", *opts, str(ref_path),
                           str(hyp_path)], capture_output=True, text=True)


def test_one_sub_one_ins(tmp_path):
    # A B C D -> A X C D E: B->X substituted, E inserted; 2 errors over 4 words.
    out = _compute_wer(tmp_path, "u1 A B C D\n", "u1 A X C D E\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "%WER 50.00 [ 2 / 4, 1 ins, 0 del, 1 sub ]",
        "%SER 100.00 [ 1 / 1 ]",
        "Scored 1 sentences, 0 not present in hyp.",
    ]


def test_sentence_errors_and_empty_hyp(tmp_path):
    # u1 correct; u2 hyp empty (key only): 2 deletions; u3 one deletion (THREE).
    # 3 errors / 7 words = 42.857 -> 42.86; 2 of 3 sentences wrong = 66.67.
    ref = "u1 ONE TWO\nu2 YES NO\nu3 ONE TWO THREE\n"
    hyp = "u1 ONE TWO\nu2\nu3 ONE TWO\n"
    out = _compute_wer(tmp_path, ref, hyp)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "%WER 42.86 [ 3 / 7, 0 ins, 3 del, 0 sub ]",
        "%SER 66.67 [ 2 / 3 ]",
        "Scored 3 sentences, 0 not present in hyp.",
    ]


def test_zero_errors_prints_exact_zero(tmp_path):
    text = "a YES NO YES\nb NO NO\n"
    out = _compute_wer(tmp_path, text, text)
    assert out.stdout.splitlines()[0] == "%WER 0.00 [ 0 / 5, 0 ins, 0 del, 0 sub ]"
    assert out.stdout.splitlines()[1] == "%SER 0.00 [ 0 / 2 ]"


def test_case_sensitive(tmp_path):
    out = _compute_wer(tmp_path, "u1 YES NO\n", "u1 yes NO\n")
    assert out.stdout.splitlines()[0] == "%WER 50.00 [ 1 / 2, 0 ins, 0 del, 1 sub ]"


def test_present_mode_partial(tmp_path):
    # u2 missing: scored only u1 and u3 (5 words, 1 sub), tagged [PARTIAL].
    ref = "u1 A B\nu2 C D E\nu3 F G H\n"
    hyp = "u3 F X H\nu1 A B\n"
    out = _compute_wer(tmp_path, ref, hyp, "--mode", "present")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "%WER 20.00 [ 1 / 5, 0 ins, 0 del, 1 sub ] [PARTIAL]",
        "%SER 50.00 [ 1 / 2 ]",
        "Scored 2 sentences, 1 not present in hyp.",
    ]


def test_all_mode_scores_missing_as_empty(tmp_path):
    # u2 missing counts 3 deletions: 4 errors / 8 words.
    ref = "u1 A B\nu2 C D E\nu3 F G H\n"
    hyp = "u3 F X H\nu1 A B\n"
    out = _compute_wer(tmp_path, ref, hyp, "--mode", "all")
    assert out.stdout.splitlines() == [
        "%WER 50.00 [ 4 / 8, 0 ins, 3 del, 1 sub ] [PARTIAL]",
        "%SER 66.67 [ 2 / 3 ]",
        "Scored 3 sentences, 1 not present in hyp.",
    ]


def test_strict_mode_missing_is_error(tmp_path):
    out = _compute_wer(tmp_path, "u1 A\nu2 B\n", "u1 A\n", "--mode", "strict")
    assert out.returncode != 0
    assert "u2" in out.stderr and "Traceback" not in out.stderr


def test_hyp_utterance_not_in_ref_is_error(tmp_path):
    out = _compute_wer(tmp_path, "u1 A\n", "u1 A\nzz9 B\n", "--mode", "present")
    assert out.returncode != 0
    assert "zz9" in out.stderr and "hyp" in out.stderr and "Traceback" not in out.stderr


def test_empty_reference_names_file_and_line(tmp_path):
    out = _compute_wer(tmp_path, "u1 A\nu2\n", "u1 A\nu2 B\n")
    assert out.returncode != 0
    assert f"{tmp_path / 'ref'}:2:" in out.stderr and "u2" in out.stderr


def test_read_text_splits_on_any_whitespace(tmp_path):
    (tmp_path / "t").write_text("u1\tA  B \nu2\n")
    assert read_text(tmp_path / "t", allow_empty=True) == {"u1": ["A", "B"], "u2": []}


def test_percent_rounds_like_kaldi_float32():
    # 100 * 1074 / 1541 = 69.695003...; Kaldi stores it as float32 (69.6949997) and
    # prints 69.69, where double precision would print 69.70.
    stats = WerStats(words=1541, ins=0, dels=0, subs=1074, sent_errors=1, sentences=1)
    assert format_wer_lines(stats)[0] == "%WER 69.69 [ 1074 / 1541, 0 ins, 0 del, 1074 sub ]"


def test_totals_agree_with_kaldialign():
    rng = random.Random(0)
    vocab = ["YES", "NO", "ONE", "TWO"]
    ref = {f"u{i}": [rng.choice(vocab) for _ in range(rng.randint(1, 8))] for i in range(200)}
    hyp = {u: [rng.choice(vocab) for _ in range(rng.randint(0, 8))] for u in ref}
    stats, alignments = align_utterances(ref, hyp)
    expected = sum(kaldialign.edit_distance(ref[u], hyp[u])["total"] for u in ref)
    assert stats.errors == expected
    assert stats.words == sum(map(len, ref.values()))
    assert stats.sent_errors == sum(ref[u] != hyp[u] for u in ref)
    for a in alignments:  # each alignment reproduces its ref and hyp
        assert [w for w in a.ref if w is not None] == ref[a.utt]
        assert [w for w in a.hyp if w is not None] == hyp[a.utt]


def test_bad_mode_is_value_error():
    with pytest.raises(ValueError, match="mode"):
        align_utterances({"u": ["A"]}, {"u": ["A"]}, mode="lenient")


def test_parse_wer_lines_round_trip_and_garbage():
    lines = ["%WER 1.23 [ 4 / 325, 1 ins, 2 del, 1 sub ]", "%SER 10.00 [ 2 / 20 ]",
             "Scored 20 sentences, 0 not present in hyp."]
    stats = parse_wer_lines(lines, "w")
    assert (stats.errors, stats.words, stats.ins, stats.dels, stats.subs) == (4, 325, 1, 2, 1)
    assert (stats.sent_errors, stats.sentences, stats.partial) == (2, 20, False)
    with pytest.raises(ValueError, match="w:2:"):
        parse_wer_lines([lines[0], "%SER ten", lines[2]], "w")
    with pytest.raises(ValueError, match="inconsistent"):  # 4/325 is 1.23, not 1.24
        parse_wer_lines(["%WER 1.24 [ 4 / 325, 1 ins, 2 del, 1 sub ]", *lines[1:]], "w")
