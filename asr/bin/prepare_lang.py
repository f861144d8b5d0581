"""Build a lang dir (phones.txt, words.txt, topo, L.fst, L_disambig.fst, phones/...) from a
dictionary dir, as Kaldi's utils/prepare_lang.sh.

e.g.: python -m asr.bin.prepare_lang local/dict "<UNK>" data/local/lang_tmp data/lang
"""

from __future__ import annotations

import argparse
import logging
import sys

from asr.lang.prepare import prepare_lang
from asr.utils.cli import shell_bool
from asr.utils.logging_setup import setup_logging

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("dict_dir", help="lexicon.txt (or lexiconp.txt), silence_phones.txt, "
                        "nonsilence_phones.txt, optional_silence.txt[, extra_questions.txt]")
    parser.add_argument("oov_word", help="lexicon word that unknown words map to, e.g. <UNK>")
    parser.add_argument("tmp_dir", help="for intermediate lexicons")
    parser.add_argument("lang_dir", help="output lang dir (replaced as a whole)")
    parser.add_argument("--position-dependent-phones", type=shell_bool, default=True,
                        help="word-position phones _B _E _I _S (true|false)")
    parser.add_argument("--num-sil-states", type=int, default=5,
                        help="emitting HMM states of silence phones")
    parser.add_argument("--num-nonsil-states", type=int, default=3,
                        help="emitting HMM states of non-silence phones")
    parser.add_argument("--sil-prob", type=float, default=0.5,
                        help="probability of optional silence between words, in [0, 1)")
    parser.add_argument("--share-silence-phones", type=shell_bool, default=False,
                        help="all silence phones share one tree root (true|false)")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging()
    try:
        prepare_lang(args.dict_dir, args.oov_word, args.tmp_dir, args.lang_dir,
                     position_dependent=args.position_dependent_phones,
                     num_sil_states=args.num_sil_states,
                     num_nonsil_states=args.num_nonsil_states, sil_prob=args.sil_prob,
                     share_silence_phones=args.share_silence_phones)
    except (OSError, ValueError) as e:
        print(f"prepare_lang: {e}", file=sys.stderr)
        sys.exit(1)
    logging.info("wrote %s", args.lang_dir)


if __name__ == "__main__":
    main()
