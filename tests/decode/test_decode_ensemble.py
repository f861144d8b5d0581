"""CTC ensembles: the sequence log-likelihood against brute-force enumeration of alignments,
ensemble decoding of the tiny yes/no models of test_decode_e2e (batched == single, the
pooled n-best's best summed likelihood), ensemble dirs through the shell tools, and
their errors."""

import itertools
import math
import subprocess

import numpy as np
import pytest
import torch

from asr.data.datadir import load_data_dir
from asr.decode.ctc_search import ctc_prefix_beam_search
from asr.decode.ensemble import (CTCEnsembleDecoder, ctc_sequence_log_likelihood, iter_ensemble_features,
                                 load_ensemble_dir, write_ensemble_dir)
from asr.units import Units
from tests.conftest import run_in_recipe as run
from tests.decode.test_decode_e2e import UNITS, decode_all, setup  # noqa: F401 (fixture)


def _brute_force(log_probs: np.ndarray, tokens: tuple) -> float:
    total = -math.inf
    for path in itertools.product(range(log_probs.shape[1]), repeat=len(log_probs)):
        collapsed = [u for i, u in enumerate(path) if u != 0 and (i == 0 or path[i - 1] != u)]
        if tuple(collapsed) == tokens:
            total = np.logaddexp(total, sum(log_probs[t, u] for t, u in enumerate(path)))
    return total


def test_sequence_log_likelihood_sums_every_alignment():
    rng = np.random.default_rng(0)
    log_probs = torch.log_softmax(torch.from_numpy(rng.normal(size=(5, 3)) * 2), dim=-1)
    for tokens in [(), (1,), (2,), (1, 1), (1, 2), (2, 1, 2), (1, 1, 1)]:
        assert ctc_sequence_log_likelihood(log_probs, tokens) == pytest.approx(
            _brute_force(log_probs.numpy(), tokens), abs=1e-9), tokens
    assert ctc_sequence_log_likelihood(log_probs, (1, 1, 1, 2)) == -math.inf  # needs 6 frames


def _ensemble_decode(tmp, members, batch_size):
    data = load_data_dir(tmp / "data")
    feats = dict(iter_ensemble_features(data, members, data.utt_ids))
    decoder = CTCEnsembleDecoder(members, beam_size=4)
    keys, out = list(feats), {}
    for i in range(0, len(keys), batch_size):
        part = keys[i:i + batch_size]
        out.update(zip(part, decoder.decode([feats[k] for k in part])))
    return out, feats


def test_ensemble_decoding(setup, tmp_path):  # noqa: F811
    tmp, _, _ = setup
    write_ensemble_dir(tmp_path / "ens", [tmp / "model", tmp / "partial_model"])
    members = load_ensemble_dir(tmp_path / "ens")
    batched, feats = _ensemble_decode(tmp, members, batch_size=10)
    single, _ = _ensemble_decode(tmp, members, batch_size=1)
    assert len(batched) == 10 and batched == single
    for utt, hyp in batched.items():
        log_probs = [m.model.ctc_log_probs(torch.from_numpy(f)[None], torch.tensor([len(f)]))[0][0]
                     for m, f in zip(members, feats[utt])]
        total = lambda tokens: sum(ctc_sequence_log_likelihood(lp, tokens) for lp in log_probs)
        for lp in log_probs:  # each member's own best is in the pool: the ensemble's is no worse
            own = ctc_prefix_beam_search(lp[None], torch.tensor([len(lp)]), 4)[0][0].tokens
            assert total(hyp) >= total(own) - 1e-9, utt
    # an ensemble of a model with itself decides as the model does
    write_ensemble_dir(tmp_path / "twice", [tmp / "model", tmp / "model"])
    twice, _ = _ensemble_decode(tmp, load_ensemble_dir(tmp_path / "twice"), batch_size=10)
    assert twice == decode_all(tmp / "model", tmp / "data", "ctc_prefix_beam", batch_size=10)


def test_ensemble_dir_errors_name_the_member(setup, tmp_path):  # noqa: F811
    tmp, _, _ = setup
    with pytest.raises(ValueError, match="at least 2"):
        write_ensemble_dir(tmp_path / "one", [tmp / "model"])
    with pytest.raises(ValueError, match=f"{tmp_path / 'nothing'}: no final.pt"):
        write_ensemble_dir(tmp_path / "bad", [tmp / "model", tmp_path / "nothing"])
    other = tmp_path / "other_units"
    other.mkdir()
    (other / "final.pt").write_bytes((tmp / "model" / "final.pt").read_bytes())
    Units("char", UNITS[:-1] + ["X", UNITS[-1]]).write(other / "units.txt")
    with pytest.raises(ValueError, match=f"ensemble member {other}: units.txt differs"):
        write_ensemble_dir(tmp_path / "bad", [tmp / "model", other])
    assert not (tmp_path / "bad").exists()


def test_decode_sh_with_an_ensemble_dir(setup, repo_root):  # noqa: F811
    tmp, train_text, _ = setup
    run(f"utils/make_ensemble_dir.sh {tmp}/ens {tmp}/model {tmp}/model && "
        f"steps/decode.sh --nj 2 {tmp}/ens {tmp}/train {tmp}/ens/decode_train", repo_root)
    hyp = dict(line.split(" ", 1) for line in (tmp / "ens/decode_train/hyp").read_text().splitlines())
    assert hyp == train_text and "%WER 0.00" in (tmp / "ens/decode_train/wer").read_text()
    r = subprocess.run(["bash", "-c", f". ./path.sh && steps/decode.sh --decoding-method ctc_greedy "
                        f"{tmp}/ens {tmp}/train {tmp}/ens/decode_greedy"],
                       cwd=repo_root, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert "ensemble dir: it decodes with ctc_prefix_beam only" in (tmp / "ens/decode_greedy/log/decode.1.log").read_text()
