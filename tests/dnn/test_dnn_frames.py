"""Frame data from feats.scp + cmvn.scp + pdf alignments, batching, padding, priors."""

from pathlib import Path

import kaldiio
import numpy as np
import pytest

from asr.dnn.frames import IGNORE_INDEX, collate, load_frame_data, make_batches, pdf_priors
from asr.features.cmvn import cmvn_stats
from asr.hmm.align import write_alignments
from asr.hmm.feats import FeatureOptions


def write_feats_dir(d: Path, feats: dict[str, np.ndarray], spk: dict[str, str]) -> None:
    d.mkdir(parents=True)
    (d / "wav.scp").write_text("".join(f"{u} /dev/null\n" for u in sorted(feats)))
    (d / "utt2spk").write_text("".join(f"{u} {spk[u]}\n" for u in sorted(feats)))
    kaldiio.save_ark(str(d / "feats.ark"), feats, scp=str(d / "feats.scp"))
    stats = {s: cmvn_stats([feats[u] for u in feats if spk[u] == s]) for s in sorted(set(spk.values()))}
    kaldiio.save_ark(str(d / "cmvn.ark"), stats, scp=str(d / "cmvn.scp"))


@pytest.fixture
def corpus(tmp_path):
    rng = np.random.default_rng(0)
    feats = {"a1": rng.normal(size=(7, 3)).astype(np.float32) + 5,
             "a2": rng.normal(size=(4, 3)).astype(np.float32) + 5,
             "b1": rng.normal(size=(5, 3)).astype(np.float32) - 2}
    spk = {"a1": "A", "a2": "A", "b1": "B"}
    write_feats_dir(tmp_path / "data", feats, spk)
    alis = {"a1": np.array([0, 0, 1, 1, 2, 2, 2]), "a2": np.array([3, 3, 3, 0]),
            "b1": np.array([1, 2, 2, 3, 3])}
    write_alignments(alis, tmp_path / "pdf_ali.ark", tmp_path / "pdf_ali.scp")
    return tmp_path, feats, spk, alis


def test_load_applies_speaker_cmvn_and_pairs_targets(corpus):
    root, feats, spk, alis = corpus
    data = load_frame_data(root / "data", root / "pdf_ali.scp", FeatureOptions(delta_order=0), 4)
    assert data.utts == ["a1", "a2", "b1"]
    assert data.num_frames == 16
    mean_a = np.concatenate([feats["a1"], feats["a2"]]).mean(0)
    np.testing.assert_allclose(data.feats[1], feats["a2"] - mean_a, rtol=1e-5, atol=1e-5)
    assert data.pdfs[2].tolist() == alis["b1"].tolist()


def test_unaligned_utterances_are_left_out_with_a_warning(corpus, caplog):
    root, _, _, alis = corpus
    del alis["a2"]
    write_alignments(alis, root / "pdf_ali.ark", root / "pdf_ali.scp")
    data = load_frame_data(root / "data", root / "pdf_ali.scp", FeatureOptions(delta_order=0), 4)
    assert data.utts == ["a1", "b1"]
    assert "1 utterances have no alignment" in caplog.text and "a2" in caplog.text


def test_length_mismatch_names_the_utterance(corpus):
    root, _, _, alis = corpus
    alis["b1"] = alis["b1"][:-1]
    write_alignments(alis, root / "pdf_ali.ark", root / "pdf_ali.scp")
    with pytest.raises(ValueError, match="utterance b1 has 4 aligned frames but 5 feature frames"):
        load_frame_data(root / "data", root / "pdf_ali.scp", FeatureOptions(delta_order=0), 4)


def test_pdf_out_of_range_and_nan_features_are_errors(corpus):
    root, feats, spk, _ = corpus
    with pytest.raises(ValueError, match="outside"):
        load_frame_data(root / "data", root / "pdf_ali.scp", FeatureOptions(delta_order=0), 3)
    feats["b1"][1, 0] = np.nan
    write_feats_dir(root / "nan", feats, spk)
    with pytest.raises(ValueError, match="utterance b1 has NaN"):
        load_frame_data(root / "nan", root / "pdf_ali.scp", FeatureOptions(delta_order=0), 4)


def test_priors_are_normalized_counts():
    alis = [np.array([0, 0, 2, 2, 2]), np.array([2, 4, 0])]
    counts = np.zeros(5)
    for a in alis:
        for p in a:
            counts[p] += 1
    np.testing.assert_allclose(pdf_priors(alis, 5, smoothing=0.5), (counts + 0.5) / (8 + 2.5))
    with pytest.raises(ValueError, match=r"pdfs \[1, 3\] never occur"):
        pdf_priors(alis, 5, smoothing=0.0)


def test_batches_cover_all_and_respect_the_budget():
    lengths = [5, 30, 12, 7, 12, 40, 3]
    batches = make_batches(lengths, 40, np.random.default_rng(1))
    assert sorted(i for b in batches for i in b) == list(range(7))
    for b in batches:
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= 40


def test_collate_pads_with_edge_frames_and_ignores_padding():
    f1 = np.arange(6, dtype=np.float32).reshape(3, 2)
    f2 = np.array([[9.0, 9.5]], dtype=np.float32)
    x, y = collate([f1, f2], [np.array([1, 2, 3]), np.array([4])], 1, 2)
    assert x.shape == (2, 3 + 1 + 2, 2)
    assert x[0].tolist() == [[0, 1], [0, 1], [2, 3], [4, 5], [4, 5], [4, 5]]
    assert x[1].tolist() == [[9, 9.5]] * 6
    assert y.tolist() == [[1, 2, 3], [4, IGNORE_INDEX, IGNORE_INDEX]]
