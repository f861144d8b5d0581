"""Decode one job's share of a data dir with a GMM-HMM or DNN-HMM model and its graph (Kaldi
gmm-latgen-faster): writes ``utt word...`` lines (Kaldi text) to <hyp-out>, with
--ali-out the best paths' transition ids to <ali-out>.{ark,scp} (for steps/get_ctm.sh), and
with --lat-out word lattices (Kaldi CompactLattice text archive, gzipped, acoustic costs
unscaled; meant for ``ark:gunzip -c lat.1.gz|``, not yet checked against a Kaldi build).

e.g.: python -m asr.bin.decode --job 1 --num-jobs 2 exp/mono/graph exp/mono data/mfcc/test \\
          exp/mono/decode_test/hyp.1
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import logging
import sys
import time
from pathlib import Path

import kaldifst
import numpy as np
import torch
import yaml

from asr.data.datadir import load_data_dir
from asr.decode.hybrid import HybridDecoder
from asr.decode.lattice import determinize_lattice, write_lattice
from asr.dnn.model_dir import is_dnn_model_dir, load_dnn_model_dir
from asr.features.archive import job_utterances
from asr.hmm.align import write_alignments
from asr.hmm.feats import iter_features
from asr.hmm.model_dir import load_model_dir
from asr.lang.symbols import SymbolTable
from asr.utils.fileio import atomic_write
from asr.utils.logging_setup import setup_logging

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("graph_dir", type=Path, help="graph dir (HCLG.fst, words.txt)")
    parser.add_argument("model_dir", type=Path, help="model dir (final.mdl, hmm.yaml; a DNN dir also final.pt)")
    parser.add_argument("data_dir", type=Path, help="data dir with feats.scp and cmvn.scp")
    parser.add_argument("hyp_out", type=Path, help="output hypotheses (Kaldi text)")
    parser.add_argument("--job", type=int, default=1, help="this job (1-based)")
    parser.add_argument("--num-jobs", type=int, default=1)
    parser.add_argument("--beam", type=float, default=13.0)
    parser.add_argument("--lattice-beam", type=float, default=6.0)
    parser.add_argument("--acwt", type=float, default=0.1, help="acoustic scale")
    parser.add_argument("--word-ins-penalty", type=float, default=0.0,
                        help="cost added per hypothesized word (graph cost units; Kaldi scoring's "
                             "--word-ins-penalty); lattices keep it in their graph costs")
    parser.add_argument("--prior-scale", type=float, default=1.0,
                        help="DNN model dirs: log posterior minus this times the log state prior")
    parser.add_argument("--ali-out", type=Path, default=None,
                        help="also write the best paths' transition ids to <ali-out>.{ark,scp}")
    parser.add_argument("--lat-out", type=Path, default=None,
                        help="also write word lattices (gzipped Kaldi text archive, e.g. lat.1.gz)")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging()
    start = time.time()
    frames = partial = 0
    lat_seconds = 0.0
    alis = {}
    try:
        if is_dnn_model_dir(args.model_dir):
            torch.set_num_threads(1)  # one core per job, like the GMM path
            model, options = load_dnn_model_dir(args.model_dir, args.prior_scale)
        elif args.prior_scale != 1.0:
            raise ValueError(f"--prior-scale {args.prior_scale}: {args.model_dir} is a GMM model dir (no priors)")
        else:
            model, options = load_model_dir(args.model_dir)
        with open(args.graph_dir / "graph.yaml", encoding="utf-8") as f:
            num_tids = (yaml.safe_load(f) or {}).get("num_tids")
        if num_tids != model.trans.num_tids:
            raise ValueError(f"{args.graph_dir} was built for {num_tids} transition ids, the "
                             f"model has {model.trans.num_tids}: rerun utils/mkgraph.sh")
        graph = kaldifst.StdVectorFst.read(str(args.graph_dir / "HCLG.fst"))
        if graph is None:
            raise ValueError(f"{args.graph_dir / 'HCLG.fst'}: unreadable")
        words = SymbolTable.read(args.graph_dir / "words.txt")
        decoder = HybridDecoder(graph, args.beam, args.lattice_beam, args.word_ins_penalty)
        data = load_data_dir(args.data_dir)
        utts = job_utterances(data.utt_ids, args.job, args.num_jobs)
        with atomic_write(args.hyp_out) as out, contextlib.ExitStack() as stack:
            lats = None
            if args.lat_out is not None:
                raw_out = stack.enter_context(atomic_write(args.lat_out, "wb"))
                lats = stack.enter_context(gzip.open(raw_out, "wt", encoding="utf-8", newline="\n"))
            for utt, feats in iter_features(data, options, utts):
                try:
                    result = decoder.decode(model.tid_log_likes(feats, args.acwt))
                    if lats is not None:
                        t = time.time()
                        write_lattice(lats, utt, determinize_lattice(
                            result.raw_lattice, beam=args.lattice_beam, acoustic_scale=args.acwt))
                        lat_seconds += time.time() - t
                except ValueError as e:
                    raise ValueError(f"utterance {utt}: {e}") from None
                if not result.reached_final:
                    partial += 1
                    logging.warning("utterance %s: no final state reached; using the best "
                                    "partial path", utt)
                frames += len(feats)
                alis[utt] = np.array(result.tids, dtype=np.int32)
                out.write(" ".join([utt] + words.symbols(result.words)) + "\n")
        if args.ali_out is not None:
            write_alignments(alis, f"{args.ali_out}.ark", f"{args.ali_out}.scp")
    except (OSError, ValueError) as e:
        print(f"decode: {e}", file=sys.stderr)
        sys.exit(1)
    elapsed = time.time() - start
    logging.info("decoded %d utterances (%d frames, %d without a final state) in %.1f s "
                 "(%.1f s of it writing lattices), real-time factor %.4f (10 ms frames)",
                 len(utts), frames, partial, elapsed, lat_seconds,
                 elapsed / max(frames * 0.01, 1e-9))


if __name__ == "__main__":
    main()
