"""train.consistency_weight (CR-CTC) in the trainer: every training batch is encoded as two
views, SpecAugment masks them apart, and the consistency loss is added."""

import pytest
import torch
from conftest import tiny_config

import asr.train.trainer as trainer_module
from asr.train.config import resolve_config
from asr.train.trainer import Trainer

torch.set_num_threads(1)


def test_every_training_batch_is_two_views(feats_dirs, tmp_path, monkeypatch):
    train, dev = feats_dirs
    calls = []
    original = trainer_module.ctc_consistency_loss

    def spy(log_probs, lengths):
        loss = original(log_probs, lengths)
        calls.append((log_probs.shape[0], float(loss.detach())))
        return loss

    monkeypatch.setattr(trainer_module, "ctc_consistency_loss", spy)
    config = tiny_config(max_epochs=1, consistency_weight=0.2, specaug={"num_time_masks": 2, "max_time_width": 4})
    progress = Trainer(resolve_config(config), train, dev, tmp_path / "exp", device="cpu").run()
    assert len(calls) == progress["step"] > 0
    assert sum(rows for rows, _ in calls) == 2 * 24  # each training utterance twice; no dev one
    assert all(loss > 0.0 for _, loss in calls)  # masked apart: the views' posteriors differ
    assert (tmp_path / "exp" / "final.pt").is_file()


def test_off_by_default_and_refused_with_mixup(feats_dirs, tmp_path, monkeypatch):
    train, dev = feats_dirs
    monkeypatch.setattr(trainer_module, "ctc_consistency_loss", lambda *a: pytest.fail("called at weight 0"))
    Trainer(resolve_config(tiny_config(max_epochs=1)), train, dev, tmp_path / "exp", device="cpu").run()
    with pytest.raises(ValueError, match="consistency_weight and mixup_prob"):
        resolve_config(tiny_config(consistency_weight=0.2, mixup_prob=0.5))
    with pytest.raises(ValueError, match="consistency_weight must be non-negative"):
        resolve_config(tiny_config(consistency_weight=-1.0))
