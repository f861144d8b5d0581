"""Get FSDD v1.0.10 (a verified local copy, or download it) and write its six data dirs:
test dev train (isolated digits) and test_cd dev_cd train_cd (connected digits).

e.g.: python -m asr.bin.prepare_fsdd --fsdd-root /corpora/fsdd data
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from asr.corpora.connected import ConnectedConfig
from asr.corpora.download import verify_manifest
from asr.corpora.fsdd import FSDD_MANIFEST, FSDD_URL, download_fsdd, prepare_fsdd
from asr.utils.logging_setup import setup_logging

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("data_dir", type=Path, help="where the <set>/ data dirs go")
    parser.add_argument("--fsdd-root", type=Path, default=None,
                        help="local copy: the folder holding recordings/ (verified against "
                        "--manifest); without it the corpus is downloaded into --download-dir")
    parser.add_argument("--download-dir", type=Path, default=Path("downloads"),
                        help="where the release tarball is downloaded and extracted")
    parser.add_argument("--url", default=FSDD_URL, help="the release tarball")
    parser.add_argument("--manifest", type=Path, default=FSDD_MANIFEST,
                        help="sha256 checksums of every recording")
    parser.add_argument("--seed", type=int, default=0, help="seed of the connected-digit sets")
    parser.add_argument("--download-only", action="store_true",
                        help="only download (or verify the local copy); write no data dirs")
    parser.add_argument("--overwrite", action="store_true",
                        help="rebuild data dirs that are already complete")
    ConnectedConfig.add_arguments(parser)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging()
    try:
        if args.fsdd_root is not None:
            verify_manifest(args.fsdd_root, args.manifest)
            root = args.fsdd_root
        else:
            root = download_fsdd(args.download_dir, url=args.url, manifest=args.manifest)
        if args.download_only:
            return
        prepare_fsdd(root, args.data_dir, seed=args.seed, connected=ConnectedConfig.from_args(args),
                     overwrite=args.overwrite)
    except (OSError, ValueError) as e:
        print(f"prepare_fsdd: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
