"""Dev-set evaluation during training: mean loss and greedy-CTC word error rate."""

from __future__ import annotations

from typing import Sequence

import torch

from asr.decode.ctc_search import ctc_greedy_search
from asr.nnet import ASRModel
from asr.score.wer import align_utterances
from asr.train.loader import Batch
from asr.units import Units

__all__ = ["evaluate"]


@torch.no_grad()
def evaluate(
    model: ASRModel, batches: Sequence[Batch], units: Units, references: dict[str, list[str]], device: torch.device
) -> dict[str, float]:
    """Evaluate in eval mode (the previous mode is restored).

    Args:
        model (ASRModel): the model (not a DDP wrapper).
        batches (Sequence[Batch]): dev batches.
        units (Units): to turn unit ids into words.
        references (dict): utterance id to reference words, for the batches' utterances.
        device (torch.device): where the model lives.

    Returns:
        dict: ``loss`` (mean per utterance) and ``wer`` (percent, Kaldi-style).
    """
    was_training = model.training
    model.eval()
    total, count, hyps = 0.0, 0, {}
    try:
        for batch in batches:
            feats, lengths = batch.feats.to(device), batch.feat_lengths.to(device)
            out = model(feats, lengths, batch.targets.to(device), batch.target_lengths.to(device))
            total += float(out["loss"]) * len(batch.utts)
            count += len(batch.utts)
            log_probs, out_lengths = model.ctc_log_probs(feats, lengths)
            for utt, ids in zip(batch.utts, ctc_greedy_search(log_probs, out_lengths, model.blank_id)):
                hyps[utt] = units.decode(ids)
    finally:
        model.train(was_training)
    stats, _ = align_utterances({u: references[u] for u in hyps}, hyps)
    return {"loss": total / max(count, 1), "wer": stats.wer}
