"""Lexicon reading, dictionary-dir validation, word-position phones, disambiguation symbols."""

from __future__ import annotations

import pytest

from asr.lang.dict_dir import load_dict_dir
from asr.lang.lexicon import LexiconEntry, add_disambig_symbols, read_lexicon
from asr.lang.phones import add_word_positions, make_phone_map


def E(word, *phones):
    return LexiconEntry(word, 1.0, tuple(phones))


def test_read_lexicon_and_lexiconp(tmp_path):
    (tmp_path / "lexicon.txt").write_text("ZERO Z IH R OW\nZERO Z IY R OW\nTWO\tT UW\n")
    assert read_lexicon(tmp_path / "lexicon.txt") == [
        E("ZERO", "Z", "IH", "R", "OW"), E("ZERO", "Z", "IY", "R", "OW"), E("TWO", "T", "UW")]
    (tmp_path / "lexiconp.txt").write_text("A 0.25 a\nA 1.0 b\n")
    entries = read_lexicon(tmp_path / "lexiconp.txt", with_probs=True)
    assert [(e.prob, e.phones) for e in entries] == [(0.25, ("a",)), (1.0, ("b",))]


@pytest.mark.parametrize("content, message", [
    ("A a\nB\n", "lexicon.txt:2: word 'B' has no phones"),
    ("A a\n\nB b\n", "lexicon.txt:2: empty line"),
    ("A a\n<s> b\n", "lexicon.txt:2: '<s>' may not be a word"),
    ("#1 a\n", "lexicon.txt:1: '#1' may not be a word"),
    ("A a b\nB c\nA a  b\n", "lexicon.txt:3: repeats the pronunciation of 'A' from line 1"),
    ("", "lexicon is empty"),
])
def test_read_lexicon_errors_name_file_and_line(tmp_path, content, message):
    (tmp_path / "lexicon.txt").write_text(content)
    with pytest.raises(ValueError, match=message):
        read_lexicon(tmp_path / "lexicon.txt")


@pytest.mark.parametrize("line, message", [
    ("A 0 a", r"probability 0.0 not in \(0, 1\]"),
    ("A 1.5 a", r"probability 1.5 not in"),
    ("A x a", "probability 'x' is not a number"),
])
def test_read_lexiconp_bad_probabilities(tmp_path, line, message):
    (tmp_path / "lexiconp.txt").write_text(line + "\n")
    with pytest.raises(ValueError, match="lexiconp.txt:1: .*" + message):
        read_lexicon(tmp_path / "lexiconp.txt", with_probs=True)


def test_homophones_get_distinct_disambig_symbols():
    out, max_disambig = add_disambig_symbols([E("RED", "r", "eh", "d"), E("READ", "r", "eh", "d"),
                                              E("BLUE", "b", "l", "uw")])
    assert [e.phones for e in out] == [("r", "eh", "d", "#1"), ("r", "eh", "d", "#2"),
                                       ("b", "l", "uw")]
    assert max_disambig == 2


def test_prefix_word_gets_disambig_symbol():
    out, max_disambig = add_disambig_symbols([E("A", "a"), E("AB", "a", "b"), E("C", "c")])
    assert [e.phones for e in out] == [("a", "#1"), ("a", "b"), ("c",)]
    assert max_disambig == 1


def test_prefix_and_homophones_together():
    # "a b" twice (homophones) and "a" a prefix of both: #1, #2 for the pair, #1 for "a".
    out, max_disambig = add_disambig_symbols([E("X", "a", "b"), E("Y", "a", "b"), E("Z", "a")])
    assert [e.phones for e in out] == [("a", "b", "#1"), ("a", "b", "#2"), ("a", "#1")]
    assert max_disambig == 2
    # After disambiguation no pronunciation equals or prefixes another.
    prons = [e.phones for e in out]
    for i, p in enumerate(prons):
        for j, q in enumerate(prons):
            assert i == j or q[:len(p)] != p


def test_no_disambig_needed():
    out, max_disambig = add_disambig_symbols([E("A", "a", "b"), E("B", "b", "a")])
    assert [e.phones for e in out] == [("a", "b"), ("b", "a")] and max_disambig == 0


def test_word_positions():
    out = add_word_positions([E("SIX", "S", "IH", "K", "S"), E("TWO", "T", "UW"), E("<SIL>", "SIL")])
    assert [e.phones for e in out] == [("S_B", "IH_I", "K_I", "S_E"), ("T_B", "UW_E"), ("SIL_S",)]


def test_load_dict_dir_and_phone_map(tmp_path, make_dict):
    d = load_dict_dir(make_dict(tmp_path / "dict", ["<SIL> SIL", "YES Y EH S", "NO N OW"]))
    assert d.optional_silence == "SIL" and d.words == ["<SIL>", "YES", "NO"]
    pmap = make_phone_map(d, position_dependent=True)
    assert pmap["SIL"] == ["SIL", "SIL_B", "SIL_E", "SIL_I", "SIL_S"]
    assert pmap["EH"] == ["EH_B", "EH_E", "EH_I", "EH_S"]
    assert list(pmap)[:2] == ["SIL", "SPN"]  # silence first, as in phones.txt
    assert make_phone_map(d, position_dependent=False)["EH"] == ["EH"]


@pytest.mark.parametrize("edit, message", [
    (lambda d: (d / "lexicon.txt").write_text("YES Y EH S\nNO N OH\n"),
     r"lexicon.txt:2: phone 'OH' of word 'NO' is in neither"),
    (lambda d: (d / "nonsilence_phones.txt").write_text("EH\nN\nOW\nS\nY\nSIL\n"),
     r"nonsilence_phones.txt:6: phone 'SIL' already listed at .*silence_phones.txt:1"),
    (lambda d: (d / "optional_silence.txt").write_text("EH\n"), "'EH' is not in silence_phones.txt"),
    (lambda d: (d / "optional_silence.txt").write_text("SIL SPN\n"), "expected exactly one phone"),
    (lambda d: (d / "silence_phones.txt").unlink(), "missing silence_phones.txt"),
    (lambda d: (d / "lexicon.txt").unlink(), r"missing lexicon.txt"),
    (lambda d: (d / "nonsilence_phones.txt").write_text("EH\nN\nOW\nS\nY\nA_B\n"),
     r"nonsilence_phones.txt:6: phone 'A_B' ends in a word-position marker"),
    (lambda d: (d / "nonsilence_phones.txt").write_text("EH\n#1\n"), r"'#1' may not be a phone"),
])
def test_dict_dir_errors(tmp_path, make_dict, edit, message):
    d = make_dict(tmp_path / "dict", ["<SIL> SIL", "YES Y EH S", "NO N OW"])
    edit(d)
    with pytest.raises(ValueError, match=message):
        load_dict_dir(d)


def test_shipped_dictionaries_are_valid(repo_root):
    digits = load_dict_dir(repo_root / "local/dict")
    assert set(digits.words) == {"<SIL>", "<UNK>", "ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE",
                                 "SIX", "SEVEN", "EIGHT", "NINE"}
    prons = {e.word: e.phones for e in reversed(digits.lexicon)}
    assert prons["SEVEN"] == ("S", "EH", "V", "AH", "N") and prons["ZERO"] == ("Z", "IH", "R", "OW")
    assert prons["<UNK>"] == ("SPN",) and digits.optional_silence == "SIL"
    yesno = load_dict_dir(repo_root / "egs/yesno/local/dict")
    assert {e.word: e.phones for e in yesno.lexicon} == {
        "<SIL>": ("SIL",), "<UNK>": ("SPN",), "YES": ("Y", "EH", "S"), "NO": ("N", "OW")}
