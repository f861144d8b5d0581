"""Copy a lang dir and add G.fst: from an ARPA LM (#0 on back-off arcs, as Kaldi's
arpa2fst --disambig-symbol=#0) or a word loop over the lexicon's words. The output dir is
built beside its destination and replaces it as a whole; it may be the input lang dir.

e.g.: python -m asr.bin.make_grammar --arpa data/local/lm/lm.arpa data/lang data/lang_test
e.g.: python -m asr.bin.make_grammar --word-loop data/lang data/lang_test_loop
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from pathlib import Path

from asr.lang.grammar import arpa_to_fst, make_word_loop_fst, word_loop_vocabulary, write_fst
from asr.lang.lang import load_lang
from asr.lang.staging import staged_dir
from asr.utils.logging_setup import setup_logging

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("lang_dir", type=Path, help="lang dir made by prepare_lang")
    parser.add_argument("out_dir", type=Path, help="output lang dir: a copy of lang_dir with G.fst")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--arpa", type=Path, help="ARPA LM (plain text) to convert")
    source.add_argument("--word-loop", action="store_true",
                        help="every lexicon word (except silence-only words and the OOV "
                        "word) equally likely, in any sequence")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging()
    try:
        lang = load_lang(args.lang_dir)
        with staged_dir(args.out_dir) as stage:
            shutil.copytree(args.lang_dir, stage, dirs_exist_ok=True)
            if args.arpa is not None:
                fst = arpa_to_fst(args.arpa, stage / "words.txt", stage / "G.fst")
            else:
                fst = make_word_loop_fst(word_loop_vocabulary(lang))
                write_fst(fst, stage / "G.fst")
    except (OSError, ValueError) as e:
        print(f"make_grammar: {e}", file=sys.stderr)
        sys.exit(1)
    logging.info("wrote %s (%d states, %d arcs)", args.out_dir / "G.fst", fst.num_states,
                 sum(fst.num_arcs(s) for s in range(fst.num_states)))


if __name__ == "__main__":
    main()
