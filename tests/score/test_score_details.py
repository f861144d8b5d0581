"""wer_details/per_utt and ops in Kaldi's layout, on hand-aligned cases."""

from __future__ import annotations

from asr.score.kaldi_format import format_ops, format_per_utt
from asr.score.wer import UttAlignment, align_utterances


def test_per_utt_matches_kaldi_documented_example():
    # The example in the documentation of Kaldi's utils/scoring/wer_per_utt_details.pl,
    # with its special symbol <eps>; columns centred, the odd space on the left.
    a = UttAlignment(
        utt="UTT-A",
        ref=["word-A", None, "word-B", "word-C", "word-D", "word-E"],
        hyp=["word-A", "word-A", "word-B", None, "word-D", "word-X"],
        ops=["C", "I", "C", "D", "C", "S"])
    assert format_per_utt([a], gap="<eps>") == [
        "UTT-A ref  word-A   <eps>  word-B  word-C  word-D  word-E",
        "UTT-A hyp  word-A  word-A  word-B   <eps>  word-D  word-X",
        "UTT-A op      C       I       C       D       C       S  ",
        "UTT-A #csid 3 1 1 1",
    ]


def test_per_utt_from_alignment():
    # ref A B C D, hyp A X C D E: one sub (B/X) and one insertion (E) at the end.
    _, [a] = align_utterances({"u1": ["A", "B", "C", "D"]}, {"u1": ["A", "X", "C", "D", "E"]})
    assert a.ops == ["C", "S", "C", "C", "I"]
    assert format_per_utt([a]) == [
        "u1 ref  A  B  C  D  ***",
        "u1 hyp  A  X  C  D   E ",
        "u1 op   C  S  C  C   I ",
        "u1 #csid 3 1 1 0",
    ]


def test_per_utt_empty_hyp_is_all_deletions():
    _, [a] = align_utterances({"u": ["YES", "NO"]}, {"u": []})
    assert format_per_utt([a]) == [
        "u ref  YES   NO",
        "u hyp  ***  ***",
        "u op    D    D ",
        "u #csid 0 0 0 2",
    ]


def test_ops_counts_and_order():
    _, al = align_utterances({"a": ["YES", "NO", "NO"], "b": ["NO", "YES"]},
                             {"a": ["YES", "YES", "NO"], "b": ["NO", "YES", "YES"]})
    # a: YES=YES, NO->YES sub, NO=NO; b: NO=NO, YES=YES, +YES inserted.
    assert format_ops(al) == [
        "correct        NO     NO    2",
        "correct       YES    YES    2",
        "insertion     ***    YES    1",
        "substitution   NO    YES    1",
    ]
