"""Score a hypothesis text against a reference text; print Kaldi ``compute-wer`` lines.

e.g.: python -m asr.bin.compute_wer --mode present data/test/text exp/mono/decode_test/hyp
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from asr.score.kaldi_format import format_ops, format_per_utt, format_wer_lines, read_text
from asr.score.wer import MODES, align_utterances
from asr.utils.fileio import atomic_write

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("ref_text", help="reference transcripts, Kaldi text format "
                        "(utt-id word ...; no empty transcripts)")
    parser.add_argument("hyp_text", help="hypotheses, Kaldi text format (a line may hold "
                        "only the utt-id); every utt-id must be in ref_text")
    parser.add_argument("--mode", choices=MODES, default="strict",
                        help="reference utterances missing from hyp_text: strict = error, "
                        "present = skip them, all = score them as empty; present and all "
                        "mark the %%WER line [PARTIAL]")
    parser.add_argument("--wer-file", type=Path, default=None,
                        help="also write the three lines here (atomically)")
    parser.add_argument("--details-dir", type=Path, default=None,
                        help="write Kaldi's per_utt alignments and ops counts in this dir")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    try:
        ref = read_text(args.ref_text, allow_empty=False)
        hyp = read_text(args.hyp_text, allow_empty=True)
        stats, alignments = align_utterances(ref, hyp, mode=args.mode, ref_name=args.ref_text,
                                             hyp_name=args.hyp_text)
        lines = format_wer_lines(stats)
        if args.details_dir is not None:
            for name, content in (("per_utt", format_per_utt(alignments)),
                                  ("ops", format_ops(alignments))):
                with atomic_write(args.details_dir / name) as f:
                    f.writelines(line + "\n" for line in content)
        if args.wer_file is not None:
            with atomic_write(args.wer_file) as f:
                f.writelines(line + "\n" for line in lines)
    except (OSError, ValueError) as e:
        print(f"compute_wer: {e}", file=sys.stderr)
        sys.exit(1)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
