"""Compute Kaldi CMVN stats of a data dir's features (called by steps/compute_cmvn_stats.sh).

Writes per-speaker stats to <cmvn-dir>/cmvn_<name>.{ark,scp} and <data-dir>/cmvn.scp (a
copy of that scp, written last), and stats over all utterances to
<data-dir>/cmvn_global.mat (one Kaldi binary double matrix). Stats are (2, D+1):
row 0 = sum of features then frame count, row 1 = sum of squares then 0.

e.g.: python -m asr.bin.compute_cmvn_stats data/train data/train/data
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

import kaldiio

from asr.data.datadir import load_data_dir
from asr.features.cmvn import speaker_cmvn_stats, write_cmvn_stats, write_global_cmvn_stats
from asr.utils.fileio import read_table, write_table
from asr.utils.logging_setup import setup_logging

logger = logging.getLogger("compute_cmvn_stats")


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("data_dir", help="data dir with feats.scp and utt2spk")
    parser.add_argument("cmvn_dir", help="where cmvn_<name>.ark/.scp are written")
    parser.add_argument("--name", default=None, help="file name part; default: the data dir's name")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging()
    try:
        data = load_data_dir(args.data_dir)
        feats_scp = data.path / "feats.scp"
        if not feats_scp.is_file():
            raise ValueError(f"{feats_scp} does not exist: compute features first")
        name = args.name or Path(os.path.abspath(args.data_dir)).name
        stats = speaker_cmvn_stats(data, kaldiio.load_scp(str(feats_scp)))
        ark = Path(args.cmvn_dir) / f"cmvn_{name}.ark"
        scp = Path(args.cmvn_dir) / f"cmvn_{name}.scp"
        write_cmvn_stats(stats, ark, scp)
        total = sum(stats.values())
        write_global_cmvn_stats(total, data.path / "cmvn_global.mat")
        write_table(data.path / "cmvn.scp", read_table(scp))
        logger.info("%s: CMVN stats for %d speakers, %d frames, dimension %d", data.path, len(stats),
                    int(total[0, -1]), total.shape[1] - 1)
    except (ValueError, OSError) as e:
        print(f"compute_cmvn_stats: error: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
