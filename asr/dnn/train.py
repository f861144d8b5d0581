"""Frame-level cross-entropy training of a hybrid TDNN on GMM alignments.

Inputs are per-speaker-CMVN features normalized globally (stats of the training set);
batches are length-sorted utterances padded with edge frames; SpecAugment-style masks
apply during training. AdamW with a linear warm-up then cosine decay. After each epoch
the dev-set frame accuracy is measured; ``epoch-N.pt`` is saved and the best epoch is kept
as ``best-valid.pt`` (and returned).
"""

from __future__ import annotations

import logging
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from asr.dnn.frames import IGNORE_INDEX, FrameData, collate, make_batches
from asr.dnn.model_dir import load_network, save_network
from asr.dnn.specaug import spec_augment
from asr.dnn.tdnn import DEFAULT_LAYERS, Tdnn
from asr.features.cmvn import apply_cmvn, cmvn_stats
from asr.train.checkpoint import mean_state_dict

__all__ = ["DnnConfig", "TrainingDivergedError", "normalize", "frame_accuracy", "train_dnn"]

_log = logging.getLogger(__name__)


class TrainingDivergedError(ValueError):
    """The loss became NaN or infinite."""


@dataclass
class DnnConfig:
    """Network and training options.

    Attributes:
        hidden_dim (int), layers (list of [kernel, dilation]), dropout (float): the TDNN.
        num_epochs (int): passes over the training data.
        batch_frames (int): padded frames per batch.
        lr (float): peak learning rate; weight_decay (float): AdamW's.
        warmup_fraction (float): share of the steps with a linear warm-up; then cosine
            decay to ``final_lr_fraction * lr``.
        freq_masks, freq_width, time_masks, time_width (int): SpecAugment masks.
        label_smoothing (float): of the cross-entropy.
        average_last (int): 0: the network of the epoch with the best dev frame accuracy;
            ``K``: the average of the last ``K`` epochs' weights (less seed-to-seed
            variance on small data; Kaldi combines its last models in the same spirit).
        prior_smoothing (float): count added to every pdf for the priors.
        seed (int): initialization, batch order and masks.
    """

    hidden_dim: int = 256
    layers: list[list[int]] = field(default_factory=lambda: [list(x) for x in DEFAULT_LAYERS])
    dropout: float = 0.1
    num_epochs: int = 8
    batch_frames: int = 6000
    lr: float = 2e-3
    weight_decay: float = 1e-2
    warmup_fraction: float = 0.05
    final_lr_fraction: float = 0.02
    freq_masks: int = 2
    freq_width: int = 8
    time_masks: int = 2
    time_width: int = 5
    label_smoothing: float = 0.0
    average_last: int = 0
    prior_smoothing: float = 1.0
    seed: int = 0

    def check(self) -> None:
        if self.num_epochs < 1 or self.batch_frames < 1 or self.lr <= 0:
            raise ValueError("num_epochs, batch_frames and lr must be positive")
        if not 0 <= self.warmup_fraction < 1 or not 0 <= self.final_lr_fraction <= 1:
            raise ValueError("warmup_fraction must be in [0, 1), final_lr_fraction in [0, 1]")
        if not 0 <= self.average_last <= self.num_epochs:
            raise ValueError(f"average_last must be in [0, num_epochs = {self.num_epochs}], got {self.average_last}")


def normalize(data: FrameData, stats: np.ndarray) -> list[np.ndarray]:
    """Features of ``data`` scaled to zero mean and unit variance by ``stats``."""
    return [apply_cmvn(f, stats, norm_vars=True) for f in data.feats]


def frame_accuracy(net: Tdnn, feats: list[np.ndarray], pdfs: list[np.ndarray],
                   batch_frames: int) -> float:
    """Share of frames whose most likely pdf is the aligned one (net in eval mode)."""
    net.eval()
    correct = total = 0
    with torch.inference_mode():
        for idx in make_batches([len(p) for p in pdfs], batch_frames):
            x, y = collate([feats[i] for i in idx], [pdfs[i] for i in idx],
                           net.left_context, net.right_context)
            valid = y != IGNORE_INDEX
            correct += int((net(x).argmax(-1)[valid] == y[valid]).sum())
            total += int(valid.sum())
    return correct / max(total, 1)


def _lr_lambda(total: int, config: DnnConfig):
    warmup = max(1, int(config.warmup_fraction * total))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = min(1.0, (step - warmup) / max(1, total - warmup))
        floor = config.final_lr_fraction
        return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))

    return factor


def train_dnn(train: FrameData, dev: FrameData, num_pdfs: int, config: DnnConfig,
              out_dir: str | os.PathLike, input_stats: np.ndarray | None = None
              ) -> tuple[Tdnn, dict, np.ndarray, list[dict]]:
    """Train a TDNN and return the best-dev-accuracy network.

    Args:
        train, dev (FrameData): features (after per-speaker CMVN) and pdf targets.
        num_pdfs (int): network outputs.
        config (DnnConfig): options.
        out_dir: where ``epoch-N.pt`` and ``best-valid.pt`` go.
        input_stats (np.ndarray or None): ``(2, D + 1)`` Kaldi CMVN stats that normalize
            the inputs. (Default: ``None``, those of ``train``)

    Returns:
        (Tdnn, dict, np.ndarray, list[dict]): the best network (eval mode), its
        constructor arguments, the global CMVN stats of its inputs and per-epoch
        statistics (``epoch``, ``loss``, ``train_acc``, ``dev_acc``, ``lr``, ``seconds``).

    Raises:
        TrainingDivergedError: a non-finite loss (the message names the batch's utterances).
    """
    config.check()
    out_dir = Path(out_dir)
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    gen = torch.Generator().manual_seed(config.seed)
    stats = cmvn_stats(train.feats) if input_stats is None else np.asarray(input_stats)
    train_x, dev_x = normalize(train, stats), normalize(dev, stats)
    net_config = {"input_dim": int(stats.shape[1] - 1), "num_pdfs": num_pdfs,
                  "hidden_dim": config.hidden_dim, "layers": [list(x) for x in config.layers],
                  "dropout": config.dropout}
    net = Tdnn(**net_config)
    _log.info("TDNN: %d parameters, context %d+%d frames; %d training utterances (%d frames), "
              "%d dev utterances (%d frames), %d pdfs", sum(p.numel() for p in net.parameters()),
              net.left_context, net.right_context, len(train.utts), train.num_frames,
              len(dev.utts), dev.num_frames, num_pdfs)
    lengths = [len(p) for p in train.pdfs]
    steps_per_epoch = len(make_batches(lengths, config.batch_frames))
    optimizer = torch.optim.AdamW(net.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, _lr_lambda(steps_per_epoch * config.num_epochs, config))
    loss_fn = nn.CrossEntropyLoss(ignore_index=IGNORE_INDEX, label_smoothing=config.label_smoothing)
    history: list[dict] = []
    best_acc = -1.0
    for epoch in range(1, config.num_epochs + 1):
        start = time.time()
        net.train()
        loss_sum = correct = frames = 0.0
        for idx in make_batches(lengths, config.batch_frames, rng):
            x, y = collate([train_x[i] for i in idx], [train.pdfs[i] for i in idx],
                           net.left_context, net.right_context)
            x = spec_augment(x, config.freq_masks, config.freq_width, config.time_masks,
                             config.time_width, gen)
            logits = net(x)
            loss = loss_fn(logits.reshape(-1, num_pdfs), y.reshape(-1))
            if not torch.isfinite(loss):
                names = [train.utts[i] for i in idx]
                raise TrainingDivergedError(
                    f"epoch {epoch}: loss is {loss.item()} on the batch of utterances "
                    f"{' '.join(names)} (bad features, or learning rate {config.lr} too high?)")
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            valid = y != IGNORE_INDEX
            n = int(valid.sum())
            loss_sum += loss.item() * n
            frames += n
            correct += int((logits.detach().argmax(-1)[valid] == y[valid]).sum())
        dev_acc = frame_accuracy(net, dev_x, dev.pdfs, config.batch_frames)
        row = {"epoch": epoch, "loss": loss_sum / frames, "train_acc": correct / frames,
               "dev_acc": dev_acc, "lr": optimizer.param_groups[0]["lr"],
               "seconds": time.time() - start}
        history.append(row)
        save_network(net, net_config, out_dir / f"epoch-{epoch}.pt")
        is_best = dev_acc > best_acc
        if is_best:
            best_acc = dev_acc
            save_network(net, net_config, out_dir / "best-valid.pt")
        _log.info("epoch %d: train loss %.4f, train frame accuracy %.4f (masked), dev frame "
                  "accuracy %.4f%s, lr %.2e (%.1f s)", epoch, row["loss"], row["train_acc"],
                  dev_acc, " (best)" if is_best else "", row["lr"], row["seconds"])
    if not config.average_last:
        return load_network(out_dir / "best-valid.pt"), net_config, stats, history
    epochs = range(config.num_epochs - config.average_last + 1, config.num_epochs + 1)
    paths = [out_dir / f"epoch-{e}.pt" for e in epochs]
    net.load_state_dict(mean_state_dict([torch.load(p, map_location="cpu", weights_only=True)["state_dict"]
                                         for p in paths], [str(p) for p in paths]))
    _log.info("final network: the average of epochs %d-%d", epochs[0], epochs[-1])
    return net.eval(), net_config, stats, history
