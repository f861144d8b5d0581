"""Loader: filtering by subsampled length, bucketing by padded frames, deterministic order."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import digit_utts, write_feats_dir

from asr.features.cmvn import apply_cmvn
from asr.train.loader import FeatureStore, collate, load_examples, make_batches
from asr.units import train_units


def _halve(lengths: torch.Tensor) -> torch.Tensor:
    return (lengths + 1) // 2  # 2x subsampling: ceil(n / 2)


def test_filtering_counts(tmp_path):
    rng = np.random.default_rng(0)
    # char units: THREE needs 5 + 1 (the repeated E) = 6 output frames (11+ input frames), ONE 3 (5+)
    lengths = {"a_three11": (11, "THREE"), "a_three10": (10, "THREE"), "a_one4": (4, "ONE"),
               "a_one5": (5, "ONE"), "a_long": (40, "ONE")}
    utts = {u: (rng.normal(size=(n, 8)).astype(np.float32), t) for u, (n, t) in lengths.items()}
    data = write_feats_dir(tmp_path / "d", utts)
    units = train_units(["THREE", "ONE"], "char", tmp_path / "exp")
    kept, counts = load_examples(data, units, _halve, max_frames=39)
    assert sorted(e.utt for e in kept) == ["a_one5", "a_three11"]
    assert counts == {"kept": 2, "too_short": 2, "too_long": 1}


def test_missing_transcript_is_an_error(tmp_path):
    data = write_feats_dir(tmp_path / "d", digit_utts(4, 0))
    lines = (data / "text").read_text().splitlines()
    (data / "text").write_text("\n".join(lines[1:]) + "\n")
    units = train_units(["ZERO ONE TWO THREE"], "word", tmp_path / "exp")
    with pytest.raises(ValueError, match=lines[0].split()[0]):
        load_examples(data, units, _halve)


@pytest.fixture
def examples(tmp_path):
    data = write_feats_dir(tmp_path / "d", digit_utts(60, 0))
    units = train_units(["ZERO ONE TWO THREE"], "word", tmp_path / "exp")
    return load_examples(data, units, _halve)[0]


def test_batches_cover_everything_once_within_frame_budget(examples):
    budget = 150
    batches = make_batches(examples, budget, seed=3, epoch=1)
    assert sorted(i for b in batches for i in b) == list(range(len(examples)))
    for b in batches:
        assert len(b) * max(examples[i].num_frames for i in b) <= budget
    # bucketing: sorted by length, consecutive batches barely overlap, so a batch's
    # lengths span a small part of the whole range (14..29 frames)
    spans = [max(examples[i].num_frames for i in b) - min(examples[i].num_frames for i in b) for b in batches]
    assert np.mean(spans) < 5


def test_order_is_a_function_of_seed_and_epoch(examples):
    a = make_batches(examples, 150, seed=1, epoch=2)
    assert a == make_batches(examples, 150, seed=1, epoch=2)
    assert a != make_batches(examples, 150, seed=1, epoch=3)
    assert a != make_batches(examples, 150, seed=2, epoch=2)
    unshuffled = make_batches(examples, 150, shuffle=False)
    flat = [examples[i].num_frames for b in unshuffled for i in b]
    assert flat == sorted(flat)


def test_collate_pads_and_normalizes(tmp_path, examples):
    stats = np.zeros((2, 9))
    stats[0, :8], stats[1, :8], stats[0, 8] = 10.0, 60.0, 10.0  # mean 1, variance 5
    store = FeatureStore(stats)
    chosen = [examples[0], examples[1]]
    batch = collate(chosen, store)
    import kaldiio

    for row, e in enumerate(chosen):
        raw = kaldiio.load_mat(e.feats)
        expected = (raw - 1.0) / np.sqrt(5.0)
        np.testing.assert_allclose(batch.feats[row, : e.num_frames].numpy(), expected, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(expected, apply_cmvn(raw, stats, norm_vars=True), rtol=1e-5, atol=1e-6)
        assert (batch.feats[row, e.num_frames:] == 0).all()
        assert batch.targets[row, : len(e.tokens)].tolist() == list(e.tokens)
        assert (batch.targets[row, len(e.tokens):] == -1).all()
    assert batch.feat_lengths.tolist() == [e.num_frames for e in chosen]
