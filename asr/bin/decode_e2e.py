"""Decode one job's share of a data dir with an end-to-end model dir (config.yaml,
units.txt, final.pt) or an ensemble dir of them (``members``, utils/make_ensemble_dir.sh;
ctc_prefix_beam only: the members' n-best pooled and rescored by their summed CTC
log-likelihoods): writes ``utt word...`` lines (Kaldi text) to <hyp-out> and logs the
real-time factor. Features come from the data dir's feats.scp when they match the
model's feature config, otherwise from its audio; a model with a wav2vec2/HuBERT front
end reads the audio (wav.scp).

e.g.: python -m asr.bin.decode_e2e --decoding-method attention_rescoring exp/conformer \\
          data/fbank/test exp/conformer/decode_test/hyp.1
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import kaldifst
import numpy as np
import torch
import yaml

from asr.data.datadir import load_data_dir
from asr.decode.attention_plot import plot_attention
from asr.decode.e2e import (DECODING_METHODS, E2EDecoder, checkpoint_sha256, iter_model_features,
                            load_e2e_model_dir)
from asr.decode.ensemble import CTCEnsembleDecoder, is_ensemble_dir, iter_ensemble_features, load_ensemble_dir
from asr.features.archive import job_utterances
from asr.lang.symbols import SymbolTable
from asr.utils.fileio import atomic_write
from asr.utils.logging_setup import setup_logging

__all__ = ["get_parser", "main"]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("model_dir", type=Path, help="end-to-end model dir, or ensemble dir")
    parser.add_argument("data_dir", type=Path, help="data dir (feats.scp, or wav.scp for features on the fly)")
    parser.add_argument("hyp_out", type=Path, help="output hypotheses (Kaldi text)")
    parser.add_argument("--job", type=int, default=1, help="this job (1-based)")
    parser.add_argument("--num-jobs", type=int, default=1)
    parser.add_argument("--decoding-method", choices=DECODING_METHODS, default="ctc_prefix_beam")
    parser.add_argument("--beam-size", type=int, default=10, help="prefix beam / n-best size")
    parser.add_argument("--ctc-weight", type=float, default=0.5, help="CTC share of the rescoring score")
    parser.add_argument("--batch-size", type=int, default=16, help="utterances per forward pass")
    parser.add_argument("--graph-dir", type=Path, help="TLG graph dir for wfst (utils/mkgraph_ctc.sh)")
    parser.add_argument("--search-beam", type=float, default=13.0, help="wfst search beam")
    parser.add_argument("--acwt", type=float, default=1.0, help="wfst scale of CTC log-probabilities")
    parser.add_argument("--num-threads", type=int, default=1, help="torch threads")
    parser.add_argument("--attention-plot-dir", type=Path,
                        help="job 1 saves the attention map of its first utterance here")
    return parser


def _load_graph(graph_dir: Path, model_dir: Path) -> tuple[kaldifst.StdVectorFst, SymbolTable]:
    for name in ("TLG.fst", "words.txt", "units.txt"):
        if not (graph_dir / name).is_file():
            raise ValueError(f"{graph_dir}: no {name} (run utils/mkgraph_ctc.sh)")
    if (graph_dir / "units.txt").read_bytes() != (model_dir / "units.txt").read_bytes():
        raise ValueError(f"{graph_dir}/units.txt differs from {model_dir}/units.txt: rerun utils/mkgraph_ctc.sh")
    info = yaml.safe_load((graph_dir / "graph.yaml").read_text()) if (graph_dir / "graph.yaml").is_file() else None
    digest = (info or {}).get("checkpoint_sha256")
    if digest is not None and digest != checkpoint_sha256(model_dir / "final.pt"):
        raise ValueError(f"{graph_dir}/TLG.fst holds the label prior of another {model_dir}/final.pt: "
                         "rerun utils/mkgraph_ctc.sh")
    graph = kaldifst.StdVectorFst.read(str(graph_dir / "TLG.fst"))
    if graph is None:
        raise ValueError(f"{graph_dir / 'TLG.fst'}: unreadable")
    return graph, SymbolTable.read(graph_dir / "words.txt")


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging()
    torch.set_num_threads(args.num_threads)
    if args.batch_size < 1:
        print(f"decode_e2e: --batch-size must be positive, got {args.batch_size}", file=sys.stderr)
        sys.exit(1)
    frames = 0
    try:
        graph = words = None
        data = load_data_dir(args.data_dir)
        utts = job_utterances(data.utt_ids, args.job, args.num_jobs)
        plot = args.attention_plot_dir if args.job == 1 else None
        if is_ensemble_dir(args.model_dir):
            if args.decoding_method != "ctc_prefix_beam":
                raise ValueError(f"{args.model_dir} is an ensemble dir: it decodes with ctc_prefix_beam "
                                 f"only, not {args.decoding_method}")
            members = load_ensemble_dir(args.model_dir)
            model_dir, plot = members[0], None
            decoder = CTCEnsembleDecoder(members, args.beam_size)
            stream = iter_ensemble_features(data, members, utts)
        else:
            model_dir = load_e2e_model_dir(args.model_dir)
            if args.decoding_method == "wfst":
                if args.graph_dir is None:
                    raise ValueError("--decoding-method wfst needs --graph-dir")
                graph, words = _load_graph(args.graph_dir, args.model_dir)
            decoder = E2EDecoder(model_dir.model, args.decoding_method, args.beam_size, args.ctc_weight,
                                 graph, args.search_beam, args.acwt)
            stream = iter_model_features(data, model_dir, utts)
        start = time.time()  # model loading is not part of the real-time factor
        hyps: dict[str, list[str]] = {}
        batch: list[tuple[str, np.ndarray]] = []
        for i, (utt, feats) in enumerate(stream):
            batch.append((utt, feats))
            frames += len(feats[0] if isinstance(feats, list) else feats)
            if len(batch) == args.batch_size or i == len(utts) - 1:
                try:
                    results = decoder.decode([f for _, f in batch])
                except ValueError as e:
                    raise ValueError(f"batch with utterances {batch[0][0]} .. {batch[-1][0]}: {e}") from None
                for (key, _), ids in zip(batch, results):
                    hyps[key] = words.symbols(ids) if words is not None else model_dir.units.decode(ids)
                if plot is not None:
                    key, feats0 = batch[0]
                    tokens = None if words is not None else results[0]
                    png = plot / f"attention_{key}.png"
                    if plot_attention(model_dir.model, feats0, png, f"{key}: {' '.join(hyps[key])}", tokens,
                                      None if tokens is None else [model_dir.units.symbols[t] for t in tokens]):
                        logging.info("wrote %s", png)
                    else:
                        logging.warning("the model has no attention layers: no attention plot")
                    plot = None
                batch = []
        with atomic_write(args.hyp_out) as out:
            for utt in utts:
                out.write(" ".join([utt] + hyps[utt]) + "\n")
    except (OSError, ValueError, yaml.YAMLError) as e:
        print(f"decode_e2e: {e}", file=sys.stderr)
        sys.exit(1)
    elapsed = time.time() - start
    audio = frames / model_dir.frames_per_second
    if isinstance(decoder, E2EDecoder) and decoder.partial:  # wfst only
        logging.warning("%d utterance(s) reached no final graph state; used the best partial path", decoder.partial)
    logging.info("decoded %d utterances (%d frames, %.1f s of audio) with %s in %.1f s on %d thread(s), "
                 "real-time factor %.4f (model loading excluded)", len(utts), frames, audio,
                 args.decoding_method, elapsed, args.num_threads, elapsed / max(audio, 1e-9))


if __name__ == "__main__":
    main()
