"""Compute Kaldi-compatible fbank or MFCC features for one job of a data dir, or combine
the jobs' outputs into ``feats.scp`` and ``utt2num_frames`` (called by steps/make_fbank.sh
and steps/make_mfcc.sh).

e.g.: python -m asr.bin.compute_feats --config conf/fbank.yaml --job 1 --num-jobs 4 data/train data/train/data
      python -m asr.bin.compute_feats --config conf/fbank.yaml --combine --num-jobs 4 data/train data/train/data
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Iterator

import numpy as np
import torch
from tqdm import tqdm

from asr.data.audio import AudioReader
from asr.data.datadir import DataDir, load_data_dir
from asr.features.archive import combine_jobs, job_files, job_status, job_utterances, write_job
from asr.features.config import (FEATURE_CONFIGS, FeatureConfig, add_config_arguments, config_overrides,
                                 dump_feature_config, load_feature_config, save_feature_config)
from asr.features.extract import FeatureExtractor
from asr.utils.logging_setup import setup_logging

logger = logging.getLogger("compute_feats")


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("data_dir", help="Kaldi data dir (wav.scp, utt2spk[, segments])")
    parser.add_argument("feats_dir", help="where the jobs write <prefix>.<job>.{ark,scp,yaml}")
    parser.add_argument("--config", default=None, help="feature config YAML (conf/fbank.yaml, conf/mfcc.yaml)")
    parser.add_argument("--feature-type", choices=sorted(FEATURE_CONFIGS), default=None,
                        help="fbank or mfcc; default: the config's feature_type")
    parser.add_argument("--job", type=int, default=1, help="this job's number, 1..num-jobs")
    parser.add_argument("--num-jobs", type=int, default=1, help="number of jobs the utterances are split into")
    parser.add_argument("--combine", action="store_true",
                        help="instead of computing: check all jobs are complete and write "
                             "<data-dir>/feats.scp, utt2num_frames and conf/feats.yaml (the resolved config)")
    parser.add_argument("--prefix", default=None, help="file name prefix; default raw_<feature-type>_<data-dir name>")
    parser.add_argument("--chunk-frames", type=int, default=4000, help="frames computed per batch")
    parser.add_argument("--num-threads", type=int, default=1, help="torch CPU threads of this job")
    parser.add_argument("--seed", type=int, default=0, help="dither noise: job J seeds with seed + J")
    add_config_arguments(parser)
    return parser


def _compute(args: argparse.Namespace, data: DataDir, extractor: FeatureExtractor, config_text: str,
             prefix: str) -> None:
    utts = job_utterances(data.utt_ids, args.job, args.num_jobs)
    files = job_files(args.feats_dir, prefix, args.job)
    reason = job_status(files, utts, config_text)
    if reason is None:
        logger.info("job %d: %s is complete for %d utterances, skipping", args.job, files.scp, len(utts))
        return
    logger.info("job %d: computing %d utterances (%s)", args.job, len(utts), reason)
    reader = AudioReader(data, extractor.config.sample_rate)
    # Closed before any error message, so that the message starts its own line in the log.
    with tqdm(total=len(utts), desc=f"{prefix}.{args.job}", file=sys.stderr, ascii=True,
              mininterval=5.0, disable=False) as progress:

        def audio() -> Iterator[tuple[str, np.ndarray]]:
            for utt in utts:
                yield utt, reader.read(utt)
                progress.update()

        write_job(files, extractor.stream(audio()), config_text)
    reader.log_summary()
    logger.info("job %d: wrote %s", args.job, files.scp)


def _combine(args: argparse.Namespace, data: DataDir, config: FeatureConfig, config_text: str,
             prefix: str) -> None:
    frames = combine_jobs(data.path, args.feats_dir, prefix, data.utt_ids, args.num_jobs, config_text)
    save_feature_config(config, data.path / "conf" / "feats.yaml")
    logger.info("%s: wrote feats.scp and utt2num_frames for %d utterances, %d frames",
                data.path, len(frames), sum(frames.values()))


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging()
    torch.set_num_threads(args.num_threads)
    try:
        config = load_feature_config(args.config, args.feature_type, config_overrides(args))
        data = load_data_dir(args.data_dir)
        prefix = args.prefix or f"raw_{config.feature_type}_{Path(os.path.abspath(args.data_dir)).name}"
        config_text = dump_feature_config(config)
        if args.combine:
            _combine(args, data, config, config_text, prefix)
        else:
            extractor = FeatureExtractor(config, chunk_frames=args.chunk_frames, seed=args.seed + args.job)
            _compute(args, data, extractor, config_text, prefix)
    except (ValueError, OSError) as e:
        print(f"compute_feats: error: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
