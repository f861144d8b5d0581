"""Speed and agreement of Kaldi fbank implementations on the whole FSDD corpus, one thread.

(a) this repository's batched extractor (asr.features.FeatureExtractor), (b)
torchaudio.compliance.kaldi.fbank one utterance at a time, (c) kaldi-native-fbank one
utterance at a time, all with the same options (conf/fbank.yaml by default). All audio is
loaded first, so reading files is timed for none; scaling to int16 values is timed for all.
Prints x-real-time per core (audio seconds / wall seconds; best of --repeats runs, as
other processes on the machine add noise) and the max abs difference of (a) and (c) vs (b).

e.g.: python benchmarks/fbank_speed.py --fsdd-root ../shared/corpora/fsdd
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from pathlib import Path
from typing import Callable

import kaldi_native_fbank as knf
import numpy as np
import soundfile
import torch
import torchaudio.compliance.kaldi as kaldi

from asr.features.config import FbankConfig, load_feature_config
from asr.features.extract import INT16_SCALE, FeatureExtractor

REPO_ROOT = Path(__file__).resolve().parent.parent


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--fsdd-root", type=Path,
                        default=Path(os.environ.get("FSDD_ROOT", REPO_ROOT.parent / "shared" / "corpora" / "fsdd")),
                        help="folder holding FSDD's recordings/ ($FSDD_ROOT)")
    parser.add_argument("--config", type=Path, default=REPO_ROOT / "conf" / "fbank.yaml", help="fbank config")
    parser.add_argument("--chunk-frames", type=int, default=4000, help="frames per batch in (a)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per implementation; the best counts")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N files (0: all)")
    return parser


def _knf_options(config: FbankConfig) -> knf.FbankOptions:
    opts = knf.FbankOptions()
    frame = opts.frame_opts
    frame.samp_freq = config.sample_frequency
    frame.frame_shift_ms = config.frame_shift
    frame.frame_length_ms = config.frame_length
    frame.dither = config.dither
    frame.preemph_coeff = config.preemphasis_coefficient
    frame.remove_dc_offset = config.remove_dc_offset
    frame.window_type = config.window_type
    frame.round_to_power_of_two = config.round_to_power_of_two
    frame.blackman_coeff = config.blackman_coeff
    frame.snip_edges = config.snip_edges
    opts.mel_opts.num_bins = config.num_mel_bins
    opts.mel_opts.low_freq = config.low_freq
    opts.mel_opts.high_freq = config.high_freq
    opts.use_energy = config.use_energy
    opts.energy_floor = config.energy_floor
    opts.raw_energy = config.raw_energy
    opts.use_log_fbank = config.use_log_fbank
    opts.use_power = config.use_power
    return opts


def _torchaudio_options(config: FbankConfig) -> dict:
    names = ("sample_frequency", "frame_length", "frame_shift", "dither", "preemphasis_coefficient",
             "remove_dc_offset", "window_type", "blackman_coeff", "round_to_power_of_two", "snip_edges",
             "num_mel_bins", "low_freq", "high_freq", "use_energy", "energy_floor", "raw_energy",
             "use_log_fbank", "use_power")
    return {name: getattr(config, name) for name in names}


def _best_time(run: Callable[[], list[np.ndarray]], repeats: int) -> tuple[float, list[np.ndarray]]:
    best, out = float("inf"), []
    for _ in range(repeats):
        start = time.perf_counter()
        out = run()
        best = min(best, time.perf_counter() - start)
    return best, out


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    torch.set_num_threads(1)
    wavs = sorted((args.fsdd_root / "recordings").glob("*.wav"))
    if args.limit:
        wavs = wavs[:args.limit]
    if not wavs:
        print(f"fbank_speed: error: no wav files in {args.fsdd_root / 'recordings'}", file=sys.stderr)
        sys.exit(1)
    config = load_feature_config(args.config, "fbank")
    audio = []
    for path in wavs:
        samples, rate = soundfile.read(path, dtype="float32")
        if rate != config.sample_rate or samples.ndim != 1:
            print(f"fbank_speed: error: {path}: expected mono {config.sample_rate} Hz", file=sys.stderr)
            sys.exit(1)
        audio.append(samples)
    seconds = sum(len(a) for a in audio) / config.sample_frequency

    extractor = FeatureExtractor(config, chunk_frames=args.chunk_frames)
    ta_opts = _torchaudio_options(config)
    knf_opts = _knf_options(config)

    def ours() -> list[np.ndarray]:
        return [feats for _, feats in extractor.stream(enumerate(audio))]

    def torchaudio_fbank() -> list[np.ndarray]:
        return [kaldi.fbank(torch.from_numpy(a * np.float32(INT16_SCALE)).unsqueeze(0), **ta_opts).numpy()
                for a in audio]

    def native() -> list[np.ndarray]:
        out = []
        for a in audio:
            fbank = knf.OnlineFbank(knf_opts)
            fbank.accept_waveform(config.sample_frequency, a * np.float32(INT16_SCALE))
            fbank.input_finished()
            out.append(np.array([fbank.get_frame(i) for i in range(fbank.num_frames_ready)], dtype=np.float32))
        return out

    results = {name: _best_time(run, args.repeats)
               for name, run in (("a", ours), ("b", torchaudio_fbank), ("c", native))}
    reference = results["b"][1]

    def max_diff(feats: list[np.ndarray]) -> float:
        return max(float(np.abs(x - y).max()) for x, y in zip(feats, reference))

    labels = {"a": "(a) asr.features (batched)", "b": "(b) torchaudio.compliance.kaldi.fbank",
              "c": "(c) kaldi_native_fbank"}
    print(f"FSDD: {len(audio)} files, {seconds:.1f} s of audio, {sum(len(f) for f in reference)} frames; "
          f"{args.config}; 1 thread; best of {args.repeats}")
    for key, (elapsed, _) in results.items():
        print(f"{labels[key]:40s} {elapsed:7.3f} s  {seconds / elapsed:9.0f}x real time per core")
    print(f"ratio (a)/(b) x-real-time: {results['b'][0] / results['a'][0]:.2f}")
    print(f"max abs diff (a) vs (b): {max_diff(results['a'][1]):.3g}")
    print(f"max abs diff (c) vs (b): {max_diff(results['c'][1]):.3g}")
    print("reproduce: " + " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv]))


if __name__ == "__main__":
    main()
