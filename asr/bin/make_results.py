"""Write <exp-dir>/RESULTS.md: one WER table per test set from every decode_*/wer file.

e.g.: python -m asr.bin.make_results exp
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from asr.score.results import collect_results, render_results
from asr.utils.fileio import atomic_write

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("exp_dir", nargs="?", default="exp",
                        help="searched recursively for decode_<set>[.<tag>]/wer")
    parser.add_argument("--out", type=Path, default=None,
                        help="report path; None means <exp_dir>/RESULTS.md")
    parser.add_argument("--command", default=None,
                        help="command named in the report header; None means "
                        "python -m asr.bin.make_results <exp_dir>")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    out = args.out if args.out is not None else Path(args.exp_dir) / "RESULTS.md"
    command = args.command or f"python -m asr.bin.make_results {args.exp_dir}"
    try:
        results, unscored = collect_results(args.exp_dir)
        text = render_results(results, unscored, command=command)
        with atomic_write(out) as f:
            f.write(text)
    except (OSError, ValueError) as e:
        print(f"make_results: {e}", file=sys.stderr)
        sys.exit(1)
    if not results:
        print(f"make_results: warning: no decode_*/wer files under {args.exp_dir}", file=sys.stderr)
    print(f"make_results: wrote {out} ({len(results)} decode dirs)", file=sys.stderr)


if __name__ == "__main__":
    main()
