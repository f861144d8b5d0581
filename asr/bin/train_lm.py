"""Train a Witten-Bell word n-gram LM on Kaldi transcripts and write it as an ARPA file.

Every transcript word must be in the lang dir's words.txt: a word missing from the
lexicon is an error naming the file, line, utterance and word.

e.g.: python -m asr.bin.train_lm --order 2 data/train/text data/lang/words.txt data/local/lm/lm.arpa
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from asr.lang.ngram import train_witten_bell, write_arpa
from asr.lang.symbols import SymbolTable
from asr.lang.text import read_transcripts
from asr.utils.logging_setup import setup_logging

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("text", type=Path, help="transcripts, Kaldi text format (utt-id word ...)")
    parser.add_argument("words_txt", type=Path, help="the lang dir's words.txt")
    parser.add_argument("arpa", type=Path, help="output ARPA file")
    parser.add_argument("--order", type=int, default=2, help="n-gram order")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging()
    try:
        words = SymbolTable.read(args.words_txt)
        transcripts = read_transcripts(args.text, words)
        lm = train_witten_bell(transcripts.values(), order=args.order)
        args.arpa.parent.mkdir(parents=True, exist_ok=True)
        write_arpa(lm, args.arpa)
    except (OSError, ValueError) as e:
        print(f"train_lm: {e}", file=sys.stderr)
        sys.exit(1)
    counts = ", ".join(f"{k}-grams: {len(level)}" for k, level in enumerate(lm.ngrams, 1))
    logging.info("wrote %s from %d sentences (%s)", args.arpa, len(transcripts), counts)


if __name__ == "__main__":
    main()
