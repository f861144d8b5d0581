"""Unit inventories: char, word and BPE round trips and the id conventions."""

from __future__ import annotations

import pytest

from asr.units import load_units, train_units

TEXTS = ["ZERO", "ONE TWO", "THREE THREE", "NINE EIGHT SEVEN", "SIX FIVE FOUR"] * 5


@pytest.mark.parametrize("unit_type", ["char", "word", "bpe"])
def test_round_trip_and_reload(tmp_path, unit_type):
    units = train_units(TEXTS, unit_type, tmp_path, bpe_vocab_size=30)
    again = load_units(tmp_path, unit_type)
    assert again.symbols == units.symbols
    assert units.symbols[:2] == ["<blk>", "<unk>"]
    for text in ["ONE TWO THREE", "NINE", "FOUR ZERO ZERO"]:
        ids = again.encode(text)
        assert ids and 0 not in ids
        assert again.decode(ids) == text.split()


def test_char_units_spell_words_with_space_marks(tmp_path):
    units = train_units(["AB BA"], "char", tmp_path)
    assert units.symbols == ["<blk>", "<unk>", "A", "B", "<space>"]
    assert units.tokenize("AB BA") == ["A", "B", "<space>", "B", "A"]
    assert units.encode("AB C") == [2, 3, 4, 1]  # C is unknown


def test_sos_eos_is_last_and_ignored_by_decode(tmp_path):
    units = train_units(["ONE TWO"], "word", tmp_path, sos_eos=True)
    assert units.symbols == ["<blk>", "<unk>", "ONE", "TWO", "<sos/eos>"]
    assert units.has_sos_eos
    assert units.decode([2, 4, 3, 0]) == ["ONE", "TWO"]
    lines = (tmp_path / "units.txt").read_text().splitlines()
    assert lines[0] == "<blk> 0" and lines[-1] == "<sos/eos> 4"


def test_bpe_uses_subword_pieces(tmp_path):
    units = train_units(TEXTS, "bpe", tmp_path, bpe_vocab_size=30)
    assert (tmp_path / "bpe.model").is_file()
    pieces = units.tokenize("SEVEN")
    assert "".join(pieces).lstrip("\u2581") == "SEVEN"


def test_bad_units_txt_names_the_line(tmp_path):
    (tmp_path / "units.txt").write_text("<blk> 0\nA 2\n")
    with pytest.raises(ValueError, match=r"units.txt:2"):
        load_units(tmp_path, "char")
    with pytest.raises(ValueError, match="unit type"):
        train_units(["A"], "phone", tmp_path)
