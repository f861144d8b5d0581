"""The training loop of end-to-end models (see :class:`Trainer`)."""

from __future__ import annotations

import contextlib
import logging
import math
import os
import shutil
import time
import warnings
from pathlib import Path
from typing import Any

import kaldiio
import numpy as np
import torch
import torch.distributed as dist
import yaml
from torch import nn

from asr.augment import FeatureNoise, FeatureReverb, SpecAugment, TimeStretch, colored_noise_bank, mixup_batch
from asr.features.cmvn import cmvn_mean_std, utterance_speaker_stats
from asr.features.config import FbankConfig, make_feature_config
from asr.nnet import ASRModel, build_model
from asr.nnet.ctc import ctc_consistency_loss, ctc_required_frames
from asr.nnet.frontend import is_waveform_frontend
from asr.train.checkpoint import (
    average_state_dicts,
    epoch_checkpoints,
    load_checkpoint,
    rng_state,
    save_checkpoint,
    set_rng_state,
)
from asr.train.config import TrainConfig
from asr.train.evaluate import evaluate
from asr.train.loader import Batch, FeatureStore, WaveformStore, collate, load_examples, make_batches
from asr.train.model_dir import write_config
from asr.train.plot import plot_curves
from asr.units import Units, load_units, train_units
from asr.utils.fileio import read_table
from asr.utils.yaml_config import load_config_yaml

__all__ = ["Trainer", "TrainingError"]

log = logging.getLogger(__name__)

# Keys that may change between a run and its resumption without changing the result.
_RESUME_FREE_KEYS = ("max_steps", "log_interval", "max_epochs", "plot")


class TrainingError(RuntimeError):
    """Training cannot go on (e.g. a whole epoch of non-finite losses)."""


class _LossModule(nn.Module):
    """What DDP wraps: the model's training losses, with optional mixup targets.

    Mixup encodes the mixed features once and interpolates the losses of both target
    sets (:meth:`ASRModel.losses`). ``augment`` (SpecAugment for a
    waveform front end) is applied to the front end's output.
    """

    def __init__(self, model: ASRModel, augment: nn.Module | None = None) -> None:
        super().__init__()
        self.model = model
        self.augment = augment

    def forward(self, feats: torch.Tensor, lengths: torch.Tensor, targets: torch.Tensor, target_lengths: torch.Tensor,
                mix_targets: torch.Tensor | None = None, mix_target_lengths: torch.Tensor | None = None,
                lam: float = 1.0, consistency_weight: float = 0.0) -> torch.Tensor:
        """Scalar loss (sum over utterances / batch size); with ``consistency_weight`` the
        batch holds two views of each utterance (:func:`asr.nnet.ctc.ctc_consistency_loss`)."""
        enc, enc_lengths = self.model.encode(feats, lengths, self.augment)
        loss = self.model.losses(enc, enc_lengths, targets, target_lengths)["loss"]
        if consistency_weight > 0.0:
            loss = loss + consistency_weight * ctc_consistency_loss(self.model.ctc(enc), enc_lengths)
        if mix_targets is None:
            return loss
        return lam * loss + (1.0 - lam) * self.model.losses(enc, enc_lengths, mix_targets, mix_target_lengths)["loss"]


def _lr_lambda(cfg: TrainConfig, total_steps: int):
    def factor(step: int) -> float:
        if cfg.warmup_steps and step < cfg.warmup_steps:
            return (step + 1) / cfg.warmup_steps
        if cfg.decay == "none":
            return 1.0
        if cfg.decay == "noam":
            return math.sqrt(max(cfg.warmup_steps, 1) / (step + 1))
        progress = min(1.0, (step - cfg.warmup_steps) / max(1, total_steps - cfg.warmup_steps))
        return cfg.min_lr_ratio + (1.0 - cfg.min_lr_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))

    return factor


class Trainer:
    """Trains an :class:`ASRModel` on a Kaldi data dir and writes a model dir.

    Single process, or one process per rank under ``torchrun`` (DDP: gloo on CPU, nccl on
    CUDA; the ranks split each epoch's batches; rank 0 evaluates and writes files).

    Args:
        config (dict): resolved config (:func:`asr.train.config.resolve_config`).
        train_dir (str or PathLike): training data dir (``feats.scp``, ``text``,
            ``conf/feats.yaml``, and ``cmvn_global.mat`` when ``cmvn`` is global; with a
            waveform front end ``wav.scp``, ``utt2spk`` and ``text``, and ``cmvn: none``).
            With a waveform front end, ``max_frames_per_batch`` and ``max_utt_frames``
            count 10 ms of audio.
        dev_dir (str or PathLike): dev data dir for model selection.
        exp_dir (str or PathLike): output model dir; a ``last.pt`` there is resumed from.
        device (str or None): ``cpu`` or ``cuda``; CUDA when available if ``None``. (Default: ``None``)
    """

    def __init__(self, config: dict[str, Any], train_dir: str | os.PathLike, dev_dir: str | os.PathLike,
                 exp_dir: str | os.PathLike, device: str | None = None) -> None:
        self.config = config
        self.cfg = TrainConfig.from_dict(config["train"])
        self.train_dir, self.dev_dir, self.exp_dir = Path(train_dir), Path(dev_dir), Path(exp_dir)
        self.distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
        use_cuda = torch.cuda.is_available() if device is None else device == "cuda"
        if self.distributed and not dist.is_initialized():
            dist.init_process_group("nccl" if use_cuda else "gloo")
        self.rank = dist.get_rank() if self.distributed else 0
        self.world = dist.get_world_size() if self.distributed else 1
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        self.device = torch.device(f"cuda:{local_rank}" if use_cuda else "cpu")
        amp = self.cfg.amp
        if amp == "fp16" and not use_cuda:
            raise ValueError("train config: amp fp16 needs CUDA (use bf16 or none on CPU)")
        self.amp_dtype = {"none": None, "bf16": torch.bfloat16, "fp16": torch.float16,
                          "auto": torch.float16 if use_cuda else None}[amp]
        self.time_stretch = TimeStretch(**self.cfg.time_stretch) if self.cfg.time_stretch is not None else None
        self.noise: FeatureNoise | None = None  # built once the features and CMVN are known
        self.reverb: FeatureReverb | None = None
        self.speaker_mean_std: dict[str, tuple[np.ndarray, np.ndarray]] | None = None  # cmvn: speaker

    # ----- setup -------------------------------------------------------------------------

    def _barrier(self) -> None:
        if self.distributed:
            dist.barrier()

    def _prepare_model_dir(self) -> Units:
        """Units, cmvn_global.mat and config.yaml in the exp dir (rank 0); every rank loads the units."""
        units_cfg = self.config["units"]
        model_cfg = dict(self.config["model"])
        waveform = is_waveform_frontend(model_cfg.get("frontend"))
        feats_yaml = self.train_dir / "conf" / "feats.yaml"
        required = ("wav.scp", "text") if waveform else ("feats.scp", "text", "conf/feats.yaml")
        for name in required:
            if not (self.train_dir / name).is_file():
                raise ValueError(f"{self.train_dir}: no {name}")
        if waveform and self.config["cmvn"] != "none":
            raise ValueError(f"config: cmvn is {self.config['cmvn']!r} but the {model_cfg['frontend']['type']} "
                             "front end takes waveforms: set cmvn: none")
        if waveform and (self.time_stretch is not None or self.cfg.noise is not None or self.cfg.reverb is not None):
            raise ValueError("train.time_stretch, train.noise and train.reverb change features; they do not work "
                             "with a waveform front end")
        if self.rank == 0:
            self.exp_dir.mkdir(parents=True, exist_ok=True)
            if (self.exp_dir / "last.pt").is_file():
                self._check_resume_config()
            else:
                texts = read_table(self.train_dir / "text", min_fields=1).values()
                train_units(texts, units_cfg["type"], self.exp_dir, units_cfg.get("bpe_vocab_size", 100),
                            sos_eos=model_cfg.get("decoder") is not None)
            if self.config["cmvn"] == "global":
                src = self.train_dir / "cmvn_global.mat"
                if not src.is_file():
                    raise ValueError(f"{self.train_dir}: cmvn is 'global' but there is no cmvn_global.mat "
                                     "(run steps/compute_cmvn_stats.sh)")
                shutil.copyfile(src, self.exp_dir / "cmvn_global.mat")
        self._barrier()
        units = load_units(self.exp_dir, units_cfg["type"])
        model_cfg.update(vocab_size=len(units))
        features = None  # a waveform front end reads audio, not features
        if not waveform:
            first = next(iter(read_table(self.train_dir / "feats.scp").items()))
            dim = kaldiio.load_mat(first[1]).shape[1]
            if model_cfg.get("input_dim", dim) != dim:
                raise ValueError(f"model input_dim is {model_cfg['input_dim']} but the features of "
                                 f"{self.train_dir} have dimension {dim}")
            model_cfg.update(input_dim=dim)
            with open(feats_yaml, encoding="utf-8") as f:
                features = load_config_yaml(f)
        self.config = {"model": model_cfg, "units": units_cfg, "features": features, "cmvn": self.config["cmvn"],
                       "train": self.config["train"]}
        if self.rank == 0:
            write_config(self.exp_dir, self.config)
        return units

    def _feature_augmenters(self, stats: np.ndarray | None) -> None:
        """``train.noise`` (over a colored-noise bank made with the training features'
        config: the same bank on every rank and on resumption, seeded by ``train.seed``)
        and ``train.reverb``, for features normalized with ``stats`` (``None``: none or per speaker)."""
        features = dict(self.config["features"])
        config = make_feature_config(features.pop("feature_type", None), features, f"{self.train_dir}/conf/feats.yaml")
        if not isinstance(config, FbankConfig) or not config.use_log_fbank or not config.use_power:
            name = "train.noise" if self.cfg.noise is not None else "train.reverb"
            raise ValueError(f"{name}: needs log-mel power filterbank features (fbank with use_log_fbank and "
                             f"use_power); {self.train_dir} has other features")
        dim = config.num_mel_bins
        mean, std = (torch.from_numpy(x) for x in (cmvn_mean_std(stats) if stats is not None
                                                   else (np.zeros(dim), np.ones(dim))))
        if self.cfg.noise is not None:
            self.noise = FeatureNoise(colored_noise_bank(config, seed=self.cfg.seed), mean, std, **self.cfg.noise)
        if self.cfg.reverb is not None:
            self.reverb = FeatureReverb(mean, std, config.frame_shift / 1000.0, **self.cfg.reverb)

    def _check_resume_config(self) -> None:
        with open(self.exp_dir / "config.yaml", encoding="utf-8") as f:
            saved = load_config_yaml(f)
        mine = {k: v for k, v in self.config["train"].items() if k not in _RESUME_FREE_KEYS}
        theirs = {k: v for k, v in saved["train"].items() if k not in _RESUME_FREE_KEYS}
        for key in ("units", "cmvn"):
            if saved[key] != self.config[key]:
                raise ValueError(f"{self.exp_dir}/config.yaml: {key} differs from this run's; resume with the same "
                                 "config or use a new exp dir")
        if mine != theirs:
            diff = sorted(k for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k))
            raise ValueError(f"{self.exp_dir}/config.yaml: train options {', '.join(diff)} differ from this run's; "
                             "resume with the same config or use a new exp dir")

    # ----- checkpoints -------------------------------------------------------------------

    def _save_state(self, path: Path) -> None:
        rngs = [None] * self.world
        if self.distributed:
            dist.all_gather_object(rngs, rng_state())
        else:
            rngs = [rng_state()]
        if self.rank == 0:
            save_checkpoint({"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                             "scheduler": self.scheduler.state_dict(), "scaler": self.scaler.state_dict(),
                             "rng": rngs, "progress": dict(self.progress)}, path)

    def _load_state(self, path: Path) -> None:
        state = load_checkpoint(path)
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.scaler.load_state_dict(state["scaler"])
        if len(state["rng"]) != self.world:
            raise ValueError(f"{path}: saved by {len(state['rng'])} process(es), resumed with {self.world}")
        set_rng_state(state["rng"][self.rank])
        self.progress = state["progress"]
        p = self.progress
        log.info("resumed from %s: epoch %d, batch %d, step %d", path, p["epoch"], p["batch"], p["step"])

    # ----- the loop ----------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        """Train (or resume) to ``max_epochs``; write epoch-N.pt, best-valid.pt, final.pt,
        curves.png. Returns the progress record (``history`` holds per-epoch results).

        Raises:
            TrainingError: a whole epoch without a finite step (names utterances).
            ValueError: bad data or config (named).
        """
        cfg = self.cfg
        units = self._prepare_model_dir()
        log.info("resolved config:\n%s", yaml.safe_dump(self.config, sort_keys=False).rstrip())
        log.info("rank %d of %d, device %s, amp %s, torch threads %d", self.rank, self.world, self.device,
                 self.amp_dtype, torch.get_num_threads())
        torch.manual_seed(cfg.seed)
        model = build_model(self.config["model"]).to(self.device)
        torch.manual_seed(cfg.seed + self.rank)  # different dropout/augmentation per rank
        np.random.seed(cfg.seed + self.rank)
        self.model = model
        log.info("model: %.2fM parameters, %.2fM trainable", sum(p.numel() for p in model.parameters()) / 1e6,
                 sum(p.numel() for p in model.parameters() if p.requires_grad) / 1e6)

        waveform = model.frontend.takes_waveform
        if waveform:  # lengths in samples; the frame limits count 10 ms
            scale = model.frontend.sample_rate // 100
            store: FeatureStore | WaveformStore = WaveformStore(self.train_dir, model.frontend.sample_rate)
            dev_store: FeatureStore | WaveformStore = WaveformStore(self.dev_dir, model.frontend.sample_rate)
        else:
            scale = 1
            stats = None
            if self.config["cmvn"] == "global":
                stats = np.asarray(kaldiio.load_mat(str(self.exp_dir / "cmvn_global.mat")), dtype=np.float64)
            if self.config["cmvn"] == "speaker":
                utt_stats = utterance_speaker_stats(self.train_dir)
                store = FeatureStore(utt_stats=utt_stats)
                dev_store = FeatureStore(utt_stats=utterance_speaker_stats(self.dev_dir))
                if cfg.noise is not None or cfg.reverb is not None:  # applied with each utterance's speaker stats
                    self.speaker_mean_std = {utt: cmvn_mean_std(s) for utt, s in utt_stats.items()}
            else:
                store = dev_store = FeatureStore(stats)
            if cfg.noise is not None or cfg.reverb is not None:
                self._feature_augmenters(stats)
        train_ex, _ = load_examples(self.train_dir, units, model.output_lengths, cfg.max_utt_frames * scale,
                                    store if waveform else None)
        dev_ex, _ = load_examples(self.dev_dir, units, model.output_lengths, None, dev_store if waveform else None)
        self._train_examples = train_ex
        if not train_ex or not dev_ex:
            raise ValueError(f"no usable utterances in {self.train_dir if not train_ex else self.dev_dir}")
        dev_text = read_table(self.dev_dir / "text", min_fields=1)
        refs = {e.utt: dev_text[e.utt].split() for e in dev_ex}
        dev_batches = [collate([dev_ex[i] for i in b], dev_store)
                       for b in make_batches(dev_ex, cfg.max_frames_per_batch * scale, shuffle=False)]

        def my_batches(epoch: int) -> list[list[int]]:
            batches = make_batches(train_ex, cfg.max_frames_per_batch * scale, cfg.seed, epoch)
            usable = len(batches) // self.world * self.world
            if usable == 0:
                raise ValueError(f"{len(batches)} batch(es) for {self.world} processes: lower max_frames_per_batch")
            return batches[self.rank:usable:self.world]

        steps_per_epoch = math.ceil(len(my_batches(1)) / cfg.accum_grad)
        trainable = [q for q in model.parameters() if q.requires_grad]  # not a frozen front end
        self.optimizer = torch.optim.AdamW(trainable, lr=cfg.lr, betas=tuple(cfg.betas),
                                           eps=cfg.eps, weight_decay=cfg.weight_decay)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, _lr_lambda(cfg, steps_per_epoch * cfg.max_epochs))
        self.scaler = torch.amp.GradScaler(self.device.type, enabled=self.amp_dtype == torch.float16)
        self.progress: dict[str, Any] = {"epoch": 1, "batch": 0, "step": 0, "skipped_batches": 0,
                                         "skipped_steps": 0, "history": [], "lrs": [], "best": None,
                                         "train_seconds": 0.0}
        last = self.exp_dir / "last.pt"
        if last.is_file():
            self._load_state(last)
        specaug = SpecAugment(**cfg.specaug) if cfg.specaug is not None else None
        # features are augmented before the model; a waveform front end's output inside it
        ddp = _LossModule(model, specaug if waveform else None)
        input_augment = None if waveform else specaug
        if self.distributed:
            ddp = nn.parallel.DistributedDataParallel(
                ddp, device_ids=[self.device.index] if self.device.type == "cuda" else None)

        p = self.progress
        while p["epoch"] <= cfg.max_epochs:
            if self._train_epoch(ddp, my_batches(p["epoch"]), store, input_augment):
                return p  # max_steps reached
            if self.rank == 0:
                self._end_epoch(units, dev_batches, refs)
            p["epoch"] += 1
            p["batch"] = 0
            self._save_state(last)
            self._barrier()
        if self.rank == 0:
            self._finish()
        self._barrier()
        return p

    def _autocast(self):
        if self.amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.amp_dtype)

    def _all_finite(self, loss: torch.Tensor) -> bool:
        finite = torch.isfinite(loss.detach()).float().reshape(1)
        if self.distributed:
            finite = finite.to(self.device)
            dist.all_reduce(finite, op=dist.ReduceOp.MIN)
        return bool(finite.item() > 0)

    def _train_epoch(self, ddp: nn.Module, batches: list[list[int]], store: FeatureStore | WaveformStore,
                     specaug: SpecAugment | None) -> bool:
        """Train from ``progress['batch']`` to the end of the epoch; ``True`` if ``max_steps`` stopped it."""
        cfg, p, model = self.cfg, self.progress, self.model
        epoch = p["epoch"]
        acc = p.setdefault("epoch_acc", {"loss": 0.0, "utts": 0, "updates": 0, "first_bad": None})
        if p["batch"] == 0:
            acc.update(loss=0.0, utts=0, updates=0, first_bad=None)
        model.train()
        if specaug is not None:
            specaug.train()
        params = [q for q in model.parameters() if q.requires_grad]
        start = time.time()
        group_finite = 0
        for index in range(p["batch"], len(batches)):
            group_start = index - index % cfg.accum_grad
            group_size = min(cfg.accum_grad, len(batches) - group_start)
            last_in_group = index == group_start + group_size - 1
            batch = collate([self._train_examples[i] for i in batches[index]], store)
            loss = self._forward(ddp, batch, specaug, sync=last_in_group)
            if loss is None:
                p["skipped_batches"] += 1
                if acc["first_bad"] is None:
                    acc["first_bad"] = batch.utts
            else:
                group_finite += 1
                acc["loss"] += float(loss) * len(batch.utts)
                acc["utts"] += len(batch.utts)
            p["batch"] = index + 1
            if not last_in_group:
                continue
            if loss is None and group_finite and self.distributed:
                self._sync_grads(params)  # the skipped backward would have all-reduced them
            if group_finite and self._optimizer_step(params):
                acc["updates"] += 1
            else:
                p["skipped_steps"] += 1
            self.optimizer.zero_grad(set_to_none=True)
            group_finite = 0
            p["step"] += 1
            lr = self.scheduler.get_last_lr()[0]
            p["lrs"].append((p["step"], lr))
            with warnings.catch_warnings():  # a skipped first step makes torch warn about the call order
                warnings.filterwarnings("ignore", message=r"Detected call of `lr_scheduler\.step\(\)`")
                self.scheduler.step()
            if p["step"] % cfg.log_interval == 0:
                log.info("epoch %d batch %d/%d step %d: loss %.4f (epoch mean %.4f), lr %.2e, skipped %d/%d",
                         epoch, index + 1, len(batches), p["step"], float(loss) if loss is not None else math.nan,
                         acc["loss"] / max(acc["utts"], 1), lr, p["skipped_steps"], p["step"])
            if cfg.max_steps is not None and p["step"] >= cfg.max_steps:
                log.info("stopping after max_steps=%d (no checkpoint written)", cfg.max_steps)
                return True
            if cfg.checkpoint_every_steps and p["step"] % cfg.checkpoint_every_steps == 0:
                p["train_seconds"] += time.time() - start
                start = time.time()
                self._save_state(self.exp_dir / "last.pt")
        p["train_seconds"] += time.time() - start
        if acc["updates"] == 0:
            bad = acc["first_bad"] or []
            raise TrainingError(f"epoch {epoch}: no step had a finite loss and gradient; first non-finite batch: "
                                f"{', '.join(bad)}")
        return False

    def _forward(self, ddp: nn.Module, batch: Batch, specaug: SpecAugment | None, sync: bool) -> torch.Tensor | None:
        """Forward and backward of one batch; ``None`` (no backward) when its loss is not finite."""
        cfg = self.cfg
        feats, lengths = batch.feats.to(self.device), batch.feat_lengths.to(self.device)
        targets, target_lengths = batch.targets.to(self.device), batch.target_lengths.to(self.device)
        if self.time_stretch is not None:
            required = torch.tensor([ctc_required_frames(row[:n].tolist())
                                     for row, n in zip(batch.targets, batch.target_lengths)])
            feats, lengths = self.time_stretch(
                feats, lengths, fits=lambda n: self.model.output_lengths(n).cpu() >= required)
        speaker_stats = None
        if self.speaker_mean_std is not None:
            mean, std = zip(*(self.speaker_mean_std[utt] for utt in batch.utts))
            speaker_stats = (torch.from_numpy(np.stack(mean)), torch.from_numpy(np.stack(std)))
        if self.reverb is not None:  # a room: the speech reverberates, the noise is recorded with it
            feats = self.reverb(feats, lengths, speaker_stats)
        if self.noise is not None:
            feats = self.noise(feats, lengths, speaker_stats)
        if cfg.consistency_weight > 0.0:  # SpecAugment (here or in the model) masks each copy apart
            feats, lengths = torch.cat([feats, feats]), torch.cat([lengths, lengths])
            targets, target_lengths = torch.cat([targets, targets]), torch.cat([target_lengths, target_lengths])
        if specaug is not None:
            feats = specaug(feats, lengths)
        loss_opts: dict[str, Any] = {"consistency_weight": cfg.consistency_weight}
        if cfg.mixup_prob > 0.0 and len(batch.utts) > 1 and float(torch.rand(())) < cfg.mixup_prob:
            feats, lengths, perm, lam = mixup_batch(feats, lengths, cfg.mixup_alpha)
            perm = perm.to(self.device)
            loss_opts.update(mix_targets=targets[perm], mix_target_lengths=target_lengths[perm], lam=lam)
        no_sync = ddp.no_sync() if self.distributed and not sync else contextlib.nullcontext()
        saved = [b.detach().clone() for b in self.model.buffers()]  # e.g. batch-norm statistics
        with no_sync:
            with self._autocast():
                loss = ddp(feats, lengths, targets, target_lengths, **loss_opts)
            if not self._all_finite(loss):
                with torch.no_grad():  # a non-finite batch must not leave its statistics behind
                    for buffer, old in zip(self.model.buffers(), saved):
                        buffer.copy_(old)
                return None
            self.scaler.scale(loss / cfg.accum_grad).backward()
        return loss.detach()

    def _sync_grads(self, params: list[torch.Tensor]) -> None:
        for q in params:
            if q.grad is not None:
                dist.all_reduce(q.grad)
                q.grad /= self.world

    def _optimizer_step(self, params: list[torch.Tensor]) -> bool:
        """Clip and step; ``False`` (step skipped) when the gradient norm is not finite."""
        self.scaler.unscale_(self.optimizer)
        max_norm = self.cfg.grad_clip if self.cfg.grad_clip > 0 else math.inf
        norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
        if not torch.isfinite(norm):
            if self.scaler.is_enabled():
                self.scaler.update()
            return False
        self.scaler.step(self.optimizer)
        self.scaler.update()
        return True

    def _end_epoch(self, units: Units, dev_batches: list[Batch], refs: dict[str, list[str]]) -> None:
        """Evaluate on dev, write epoch-N.pt and best-valid.pt (rank 0)."""
        p, acc = self.progress, self.progress["epoch_acc"]
        result = evaluate(self.model, dev_batches, units, refs, self.device)
        record = {"epoch": p["epoch"], "train_loss": acc["loss"] / max(acc["utts"], 1), "dev_loss": result["loss"],
                  "dev_wer": result["wer"], "seconds": p["train_seconds"], "skipped_steps": p["skipped_steps"]}
        p["history"].append(record)
        save_checkpoint(self.model.state_dict(), self.exp_dir / f"epoch-{p['epoch']}.pt")
        score = (result["wer"], result["loss"]) if self.cfg.select_by == "wer" else (result["loss"],)
        if p["best"] is None or list(score) < list(p["best"]["score"]):
            p["best"] = {"epoch": p["epoch"], "score": list(score)}
            save_checkpoint(self.model.state_dict(), self.exp_dir / "best-valid.pt")
        log.info("epoch %d: train loss %.4f, dev loss %.4f, dev WER %.2f%%, %.1f s of training so far, "
                 "skipped steps %d, best epoch %d", p["epoch"], record["train_loss"], result["loss"],
                 result["wer"], p["train_seconds"], p["skipped_steps"], p["best"]["epoch"])

    def _finish(self) -> None:
        """Average the last epochs into final.pt; plot curves.png."""
        epochs = epoch_checkpoints(self.exp_dir)
        chosen = [path for n, path in epochs.items() if n > self.cfg.max_epochs - self.cfg.average_last
                  and n <= self.cfg.max_epochs]
        save_checkpoint(average_state_dicts(chosen), self.exp_dir / "final.pt")
        if self.cfg.plot:
            plot_curves(self.progress["history"], self.progress["lrs"], self.exp_dir / "curves.png")
        log.info("final.pt = average of %s; training time %.1f s", ", ".join(c.name for c in chosen),
                 self.progress["train_seconds"])
