"""Best paths of a decode dir's word lattices at a range of language-model weights and word
insertion penalties (Kaldi's ``lattice-scale --inv-acoustic-scale=LMWT |
lattice-add-penalty --word-ins-penalty=WIP | lattice-best-path``, the loops in Kaldi's
``local/score.sh``): writes ``<out-dir>/hyp.<LMWT>_<WIP>`` (Kaldi text) for every integer
LMWT from --min-lmwt to --max-lmwt and every WIP of --word-ins-penalty. An LMWT of
``1 / acwt`` with the decoding's penalty reproduces the decoder's 1-best.

e.g.: python -m asr.bin.lattice_best_path --min-lmwt 7 --max-lmwt 17 --word-ins-penalty 0.0,0.5,1.0 \\
          exp/mono/graph/words.txt exp/mono/decode_test exp/mono/decode_test/scoring
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from asr.decode.lattice import add_word_insertion_penalty, lattice_nbest, read_lattices
from asr.lang.symbols import SymbolTable
from asr.utils.fileio import atomic_write
from asr.utils.logging_setup import setup_logging

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("words", type=Path, help="the graph's words.txt")
    parser.add_argument("decode_dir", type=Path, help="decode dir with lat.*.gz (steps/decode.sh)")
    parser.add_argument("out_dir", type=Path, help="where hyp.<LMWT> files go")
    parser.add_argument("--min-lmwt", type=int, default=7)
    parser.add_argument("--max-lmwt", type=int, default=17)
    parser.add_argument("--word-ins-penalty", default="0.0",
                        help="comma-separated word insertion penalties, e.g. 0.0,0.5,1.0")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging()
    try:
        if not 1 <= args.min_lmwt <= args.max_lmwt:
            raise ValueError(f"need 1 <= --min-lmwt <= --max-lmwt, got {args.min_lmwt} and {args.max_lmwt}")
        archives = sorted(args.decode_dir.glob("lat.*.gz"))
        if not archives:
            raise ValueError(f"{args.decode_dir}: no lat.*.gz (decode with --write-lattices true)")
        try:
            penalties = [p.strip() for p in args.word_ins_penalty.split(",")]
            values = [float(p) for p in penalties]
        except ValueError:
            raise ValueError(f"--word-ins-penalty: expected numbers separated by commas, "
                             f"got {args.word_ins_penalty!r}") from None
        words = SymbolTable.read(args.words)
        lmwts = range(args.min_lmwt, args.max_lmwt + 1)
        hyps: dict[str, list[str]] = {f"{w}_{p}": [] for w in lmwts for p in penalties}
        for archive in archives:
            for utt, lat in read_lattices(archive):
                for name, value in zip(penalties, values):
                    penalized = add_word_insertion_penalty(lat, value)
                    for lmwt in lmwts:
                        best = lattice_nbest(penalized, 1, acoustic_scale=1.0 / lmwt)
                        text = " ".join(words.symbols(best[0][0])) if best else ""
                        hyps[f"{lmwt}_{name}"].append(f"{utt} {text}".rstrip())
        args.out_dir.mkdir(parents=True, exist_ok=True)
        for key, lines in hyps.items():
            with atomic_write(args.out_dir / f"hyp.{key}") as f:
                f.write("".join(line + "\n" for line in sorted(lines)))
    except (OSError, ValueError) as e:
        print(f"lattice_best_path: {e}", file=sys.stderr)
        sys.exit(1)
    logging.info("wrote %s/hyp.{%d..%d}_{%s} from %d lattice archive(s)", args.out_dir,
                 args.min_lmwt, args.max_lmwt, args.word_ins_penalty, len(archives))


if __name__ == "__main__":
    main()
