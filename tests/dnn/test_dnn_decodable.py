"""Scaled log-likelihoods of the DNN decodable (log-softmax minus log prior, by hand) and
the model dir round trip."""

import numpy as np
import pytest
import torch

from asr.dnn.decodable import DnnAcousticModel
from asr.dnn.model_dir import is_dnn_model_dir, load_dnn_model_dir, write_dnn_model_dir
from asr.dnn.tdnn import Tdnn
from asr.features.cmvn import cmvn_stats
from asr.hmm.feats import FeatureOptions
from asr.hmm.gmm import DiagGmms
from asr.hmm.model import AcousticModel
from asr.hmm.transition import TransitionModel
from asr.lang.topology import Topology

TOPO = """<Topology>
<TopologyEntry>
<ForPhones> 1 2 </ForPhones>
<State> 0 <PdfClass> 0 <Transition> 0 0.5 <Transition> 1 0.5 </State>
<State> 1 <PdfClass> 1 <Transition> 1 0.5 <Transition> 2 0.5 </State>
<State> 2 <PdfClass> 2 <Transition> 2 0.5 <Transition> 3 0.5 </State>
<State> 3 </State>
</TopologyEntry>
</Topology>
"""
# Two transitions (self-loop, forward) per state, phones in order: transition ids 1..12.
TID_PDF = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


@pytest.fixture
def parts():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    trans = TransitionModel(Topology.from_text(TOPO), {1: [0, 1, 2], 2: [3, 4, 5]})
    net = Tdnn(4, 6, hidden_dim=8, layers=[(3, 1)], dropout=0.0).eval()
    train = [rng.normal(2.0, 3.0, size=(20, 4)).astype(np.float32) for _ in range(3)]
    priors = rng.uniform(0.5, 2.0, size=6)
    priors /= priors.sum()
    return trans, net, cmvn_stats(train), priors


def test_scores_are_log_softmax_minus_log_prior(parts):
    trans, net, stats, priors = parts
    model = DnnAcousticModel(trans, net, stats, priors)
    feats = np.random.default_rng(1).normal(2.0, 3.0, size=(9, 4)).astype(np.float32)

    n = stats[0, -1]
    mean = stats[0, :-1] / n
    std = np.sqrt(stats[1, :-1] / n - mean ** 2)
    padded = np.pad((feats - mean) / std, ((1, 1), (0, 0)), mode="edge")  # context 1 + 1
    with torch.no_grad():
        logits = net(torch.tensor(padded, dtype=torch.float32)[None])[0].double().numpy()
    log_post = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    expected = log_post - np.log(priors)

    np.testing.assert_allclose(model.pdf_log_likes(feats), expected, rtol=1e-4, atol=1e-4)
    tid = model.tid_log_likes(feats, acoustic_scale=0.1)
    assert tid.shape == (9, 12) and tid.dtype == np.float32
    np.testing.assert_allclose(tid, 0.1 * expected[:, TID_PDF], rtol=1e-4, atol=1e-5)

    for scale in (0.0, 0.5):
        scaled = DnnAcousticModel(trans, net, stats, priors, prior_scale=scale).pdf_log_likes(feats)
        np.testing.assert_allclose(scaled, log_post - scale * np.log(priors), rtol=1e-4, atol=1e-4)


def test_inconsistent_parts_are_errors(parts):
    trans, net, stats, priors = parts
    with pytest.raises(ValueError, match="pdfs"):
        DnnAcousticModel(trans, net, stats, priors[:5] / priors[:5].sum())
    with pytest.raises(ValueError, match="positive"):
        DnnAcousticModel(trans, net, stats, np.r_[priors[:5], 0.0])
    with pytest.raises(ValueError, match="prior scale"):
        DnnAcousticModel(trans, net, stats, priors, prior_scale=-0.5)


def test_model_dir_round_trip(parts, tmp_path):
    trans, net, stats, priors = parts
    ali, lang = tmp_path / "ali", tmp_path / "lang"
    ali.mkdir()
    (lang / "phones").mkdir(parents=True)
    for name in ("phones.txt", "words.txt", "topo", "phones/sets.int"):
        (lang / name).write_text(name + "\n")
    AcousticModel(trans, DiagGmms.single(6, np.zeros(4), np.ones(4))).write(ali / "final.mdl")
    config = {"input_dim": 4, "num_pdfs": 6, "hidden_dim": 8, "layers": [[3, 1]], "dropout": 0.0}
    out = tmp_path / "dnn"
    write_dnn_model_dir(out, net, config, stats, priors, FeatureOptions(True, 0), ali, lang, None)
    assert is_dnn_model_dir(out) and not is_dnn_model_dir(ali)
    loaded, options = load_dnn_model_dir(out)
    assert options == FeatureOptions(norm_vars=True, delta_order=0)
    assert (out / "phones" / "sets.int").is_file() and (out / "final.mdl").is_file()
    feats = np.random.default_rng(2).normal(size=(6, 4)).astype(np.float32)
    np.testing.assert_allclose(loaded.tid_log_likes(feats, 0.1),
                               DnnAcousticModel(trans, net, stats, priors).tid_log_likes(feats, 0.1),
                               rtol=1e-6, atol=1e-6)
    (out / "priors.txt").write_text("0.1 0.9\n")
    with pytest.raises(ValueError, match="priors.txt: not a prior vector"):
        load_dnn_model_dir(out)
