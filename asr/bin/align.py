"""Forced alignment of a data dir with a GMM-HMM model dir (Kaldi steps/align_si.sh):
writes <ali-dir>/ali.{ark,scp} (transition ids) and pdf_ali.{ark,scp}, and copies the
model. Each utterance that fails to align is named with the reason, and counted; the
exit status is non-zero when more than --max-failed-fraction of them fail.

e.g.: python -m asr.bin.align data/mfcc/train data/lang exp/mono exp/mono_ali
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from pathlib import Path

import torch

from asr.hmm.align import write_exp_alignments
from asr.hmm.model_dir import load_model_dir
from asr.hmm.train_mono import MonoConfig, align_all, load_utterances
from asr.lang.lang import load_lang
from asr.utils.logging_setup import setup_logging

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("data_dir", type=Path, help="data dir with feats.scp, cmvn.scp, text")
    parser.add_argument("lang_dir", type=Path, help="lang dir the model was trained with")
    parser.add_argument("model_dir", type=Path, help="GMM-HMM model dir (final.mdl, hmm.yaml)")
    parser.add_argument("ali_dir", type=Path, help="output dir")
    parser.add_argument("--beam", type=float, default=10.0)
    parser.add_argument("--retry-beam", type=float, default=40.0)
    parser.add_argument("--num-threads", type=int, default=1,
                        help="torch threads (more than 1 is slower on these small matrices "
                             "when other jobs share the cores)")
    parser.add_argument("--max-failed-fraction", type=float, default=0.1,
                        help="fail when more utterances than this fraction cannot be aligned")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging(args.ali_dir / "log" / "align.log")
    torch.set_num_threads(args.num_threads)
    try:
        model, options = load_model_dir(args.model_dir)
        lang = load_lang(args.lang_dir)
        utts = load_utterances(args.data_dir, lang, options)
        alis, failed = align_all(model, lang, utts,
                                 MonoConfig(beam=args.beam, retry_beam=args.retry_beam))
        if alis:
            write_exp_alignments(alis, model.trans.tid_pdf, args.ali_dir)
        if args.ali_dir.resolve() != args.model_dir.resolve():
            for name in ("final.mdl", "hmm.yaml", "feats.yaml", "phones.txt", "words.txt", "topo"):
                if (args.model_dir / name).is_file():
                    shutil.copyfile(args.model_dir / name, args.ali_dir / name)
    except (OSError, ValueError) as e:
        print(f"align: {e}", file=sys.stderr)
        sys.exit(1)
    for utt, why in failed.items():
        logging.error("utterance %s failed to align: %s", utt, why)
    logging.info("aligned %d of %d utterances of %s; %d failed", len(alis), len(utts),
                 args.data_dir, len(failed))
    if len(failed) > args.max_failed_fraction * len(utts):
        print(f"align: {len(failed)} of {len(utts)} utterances of {args.data_dir} failed to "
              f"align (more than --max-failed-fraction {args.max_failed_fraction}); see "
              f"{args.ali_dir / 'log' / 'align.log'}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
