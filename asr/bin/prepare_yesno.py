"""Get the yes/no corpus (a verified local copy, or download it) and write data dirs
train_yesno (names starting with 0, 31 files) and test_yesno (starting with 1, 29 files).

e.g.: python -m asr.bin.prepare_yesno --yesno-root /corpora/yesno data
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from asr.corpora.download import verify_manifest
from asr.corpora.yesno import YESNO_MANIFEST, YESNO_URL, download_yesno, prepare_yesno
from asr.utils.logging_setup import setup_logging

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("data_dir", type=Path, help="where train_yesno/ and test_yesno/ go")
    parser.add_argument("--yesno-root", type=Path, default=None,
                        help="local copy: the folder holding waves_yesno/ (verified against "
                        "--manifest); without it the corpus is downloaded into --download-dir")
    parser.add_argument("--download-dir", type=Path, default=Path("downloads"),
                        help="where waves_yesno.tar.gz is downloaded and extracted")
    parser.add_argument("--url", default=YESNO_URL, help="the corpus tarball")
    parser.add_argument("--manifest", type=Path, default=YESNO_MANIFEST,
                        help="sha256 checksums of the 60 wavs")
    parser.add_argument("--download-only", action="store_true",
                        help="only download (or verify the local copy); write no data dirs")
    parser.add_argument("--overwrite", action="store_true",
                        help="rebuild data dirs that are already complete")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging()
    try:
        if args.yesno_root is not None:
            verify_manifest(args.yesno_root, args.manifest)
            root = args.yesno_root
        else:
            root = download_yesno(args.download_dir, url=args.url, manifest=args.manifest)
        if args.download_only:
            return
        prepare_yesno(root, args.data_dir, overwrite=args.overwrite)
    except (OSError, ValueError) as e:
        print(f"prepare_yesno: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
