"""Training throughput of an end-to-end config on CPU and CUDA, runs side by side in one process.

Each run trains the config (its augmentation, CR-CTC and all) for --epochs epochs on the
same data with one device, amp mode and batch size, and reports the training time of
those epochs (dev evaluation and setup excluded), steps per second, and speech seconds
trained per second (x real time; CR-CTC's second view is not counted twice), and its
speed relative to the first run. A run is ``device:amp:max_frames_per_batch``.

e.g.: python benchmarks/train_throughput.py --runs cpu:bf16:2500,cuda:fp16:2500,cuda:fp16:20000 \\
          data/fbank/train_all data/fbank/dev_all exp/throughput
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import torch

from asr.train.config import resolve_config
from asr.train.trainer import Trainer
from asr.utils.fileio import read_table
from asr.utils.logging_setup import setup_logging
from asr.utils.yaml_config import load_config_yaml

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    device: str
    amp: str
    max_frames: int

    @property
    def name(self) -> str:
        return f"{self.device}_{self.amp}_{self.max_frames}"


def parse_runs(text: str) -> list[Run]:
    runs = []
    for item in text.split(","):
        parts = item.strip().split(":")
        if len(parts) != 3 or parts[0] not in ("cpu", "cuda") or not parts[2].isdigit():
            raise ValueError(f"--runs: expected device:amp:max_frames_per_batch (device cpu or cuda), got {item!r}")
        runs.append(Run(parts[0], parts[1], int(parts[2])))
    return runs


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("train_dir", type=Path, help="training data dir (feats.scp, text, ...)")
    parser.add_argument("dev_dir", type=Path, help="dev data dir (evaluated after each epoch, not timed)")
    parser.add_argument("work_dir", type=Path, help="one model dir per run is written (and replaced) here")
    parser.add_argument("--config", type=Path, default=REPO_ROOT / "conf" / "train" / "conformer_ctc_fsdd.yaml",
                        help="YAML config, as for steps/train_e2e.sh")
    parser.add_argument("--runs", default="cpu:bf16:2500,cuda:fp16:2500,cuda:bf16:2500,cuda:fp16:20000",
                        help="comma-separated device:amp:max_frames_per_batch; the first is the reference")
    parser.add_argument("--epochs", type=int, default=1, help="epochs per run")
    parser.add_argument("--num-threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="extra config override for every run (repeatable)")
    return parser


def speech_seconds(data_dir: Path) -> float:
    """Total duration from ``utt2num_frames`` and the frame shift in ``conf/feats.yaml``."""
    frames = sum(int(n) for n in read_table(data_dir / "utt2num_frames").values())
    with open(data_dir / "conf" / "feats.yaml", encoding="utf-8") as f:
        shift_ms = float((load_config_yaml(f) or {}).get("frame_shift", 10.0))
    return frames * shift_ms / 1000.0


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    try:
        runs = parse_runs(args.runs)
        if args.epochs < 1:
            raise ValueError("--epochs must be at least 1")
        if any(r.device == "cuda" for r in runs) and not torch.cuda.is_available():
            raise ValueError("a run asks for cuda but no CUDA device is available")
        with open(args.config, encoding="utf-8") as f:
            raw = load_config_yaml(f) or {}
        seconds = speech_seconds(args.train_dir) * args.epochs
    except (OSError, ValueError) as e:
        sys.exit(f"{sys.argv[0]}: {e}")
    torch.set_num_threads(args.num_threads)
    args.work_dir.mkdir(parents=True, exist_ok=True)
    setup_logging(args.work_dir / "log" / "throughput.log")
    results = []
    for run in runs:
        exp = args.work_dir / run.name
        shutil.rmtree(exp, ignore_errors=True)  # a leftover last.pt would resume instead of timing
        overrides = [f"train.max_epochs={args.epochs}", f"train.amp={run.amp}",
                     f"train.max_frames_per_batch={run.max_frames}", "train.average_last=1", "train.plot=false",
                     *args.overrides]
        if run.device == "cuda":
            torch.cuda.reset_peak_memory_stats()
        try:
            progress = Trainer(resolve_config(raw, overrides), args.train_dir, args.dev_dir, exp, run.device).run()
        except ValueError as e:
            sys.exit(f"{sys.argv[0]}: run {run.name}: {e}")
        memory = f"{torch.cuda.max_memory_allocated() / 2**20:.0f}" if run.device == "cuda" else "-"
        results.append((run, progress["train_seconds"], progress["step"], memory, progress["history"][-1]["dev_wer"]))
        print(f"{run.name}: {progress['train_seconds']:.1f} s, {progress['step']} steps", flush=True)

    device_name = torch.cuda.get_device_name() if torch.cuda.is_available() else "no CUDA device"
    print(f"\n{args.config.name} on {args.train_dir} ({seconds / args.epochs / 3600:.2f} h of speech), "
          f"{args.epochs} epoch(s) per run, {args.num_threads} CPU thread(s), {device_name}, torch {torch.__version__}")
    print(f"| run | train s | steps/s | x real time | speed vs {runs[0].name} | peak GPU MiB | dev WER % |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    reference = results[0][1]
    for run, train_s, steps, memory, wer in results:
        print(f"| {run.name} | {train_s:.1f} | {steps / train_s:.1f} | {seconds / train_s:.0f} | "
              f"{reference / train_s:.2f} | {memory} | {wer:.2f} |")
    print("reproduce: python " + " ".join(shlex.quote(a) for a in [sys.argv[0], *(argv or sys.argv[1:])]))


if __name__ == "__main__":
    main()
