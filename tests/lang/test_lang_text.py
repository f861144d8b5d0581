"""Transcripts against a word list, and symbol tables: loud errors naming file and line."""

from __future__ import annotations

import logging

import pytest

from asr.lang.symbols import SymbolTable
from asr.lang.text import read_transcripts

WORDS = SymbolTable.from_symbols(["<eps>", "<UNK>", "NO", "YES", "#0", "<s>", "</s>"])


def test_read_transcripts(tmp_path):
    (tmp_path / "text").write_text("u1 YES NO\nu2\nu3 NO\n")
    assert read_transcripts(tmp_path / "text", WORDS) == {"u1": ["YES", "NO"], "u2": [], "u3": ["NO"]}


@pytest.mark.parametrize("content, message", [
    ("u1 YES\nu2 NO MAYBE\n", "text:2: word 'MAYBE' of utterance 'u2' is not in the lexicon"),
    ("u1 YES #0\n", "text:1: word '#0' of utterance 'u1' is not in the lexicon"),
    ("u1 <s> YES\n", "text:1: word '<s>' of utterance 'u1'"),
    ("u1 YES\nu1 NO\n", "text:2: duplicate utterance id 'u1'"),
    ("u1 YES\n\n", "text:2: empty line"),
])
def test_read_transcripts_errors(tmp_path, content, message):
    (tmp_path / "text").write_text(content)
    with pytest.raises(ValueError, match=message):
        read_transcripts(tmp_path / "text", WORDS)


def test_map_unknown_words_to_oov_with_a_count(tmp_path, caplog):
    (tmp_path / "text").write_text("u1 YES MAYBE\nu2 MAYBE PERHAPS NO\n")
    with caplog.at_level(logging.WARNING):
        out = read_transcripts(tmp_path / "text", WORDS, oov_word="<UNK>")
    assert out == {"u1": ["YES", "<UNK>"], "u2": ["<UNK>", "<UNK>", "NO"]}
    assert "mapped 3 tokens of 2 unknown words to <UNK> (most frequent: MAYBE PERHAPS)" in caplog.text


def test_symbol_table_round_trip_and_errors(tmp_path):
    WORDS.write(tmp_path / "words.txt")
    assert (tmp_path / "words.txt").read_text().splitlines()[:3] == ["<eps> 0", "<UNK> 1", "NO 2"]
    back = SymbolTable.read(tmp_path / "words.txt")
    assert list(back) == list(WORDS) and back.id("YES") == 3 and back.symbol(4) == "#0"
    assert back.max_id == 6 and len(back) == 7
    for content, message in (("A 0\nB 0\n", "words.txt:2: duplicate id 0"),
                             ("A 0\nA 1\n", "words.txt:2: duplicate symbol 'A'"),
                             ("A 0\nB\n", "words.txt:2: expected 'symbol id'"),
                             ("A -1\n", "words.txt:1: expected 'symbol id'")):
        (tmp_path / "words.txt").write_text(content)
        with pytest.raises(ValueError, match=message):
            SymbolTable.read(tmp_path / "words.txt")
    with pytest.raises(KeyError, match="symbol 'MAYBE' not in symbol table"):
        WORDS.id("MAYBE")
