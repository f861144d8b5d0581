"""Smoke test of the hybrid DNN path on yes/no through the shell tools: monophone GMM
(small), alignment, TDNN training on fbank for a few epochs (dev = held-out training
utterances), mkgraph from the DNN dir, decoding a data dir that has only wav.scp, text
and utt2spk (fbank computed with the model's feats.yaml), and scoring."""

import re

import pytest
import yaml

from tests.conftest import run_in_recipe as run


@pytest.fixture(scope="module")
def recipe(yesno_mono):
    """The shared yes/no recipe copy with its small monophone system; the last 6 training
    recordings are held out as the DNN's dev set."""
    run("utils/subset_data_dir.sh --first data/fbank/train_yesno 25 data/fbank/train_tr && "
        "utils/subset_data_dir.sh --last data/fbank/train_yesno 6 data/fbank/train_cv", yesno_mono)
    run("steps/train_dnn.sh --num-epochs 10 --hidden-dim 64 --batch-frames 1000 --num-threads 1 "
        "data/fbank/train_tr data/fbank/train_cv data/lang exp/mono_ali exp/mono_ali exp/dnn", yesno_mono)
    return yesno_mono


def test_model_dir_is_self_contained(recipe):
    dnn = recipe / "exp/dnn"
    for name in ("final.pt", "final.mdl", "hmm.yaml", "dnn.yaml", "priors.txt",
                 "global_cmvn.mat", "feats.yaml", "words.txt", "phones/sets.int", "best-valid.pt"):
        assert (dnn / name).is_file(), name
    meta = yaml.safe_load((dnn / "dnn.yaml").read_text())
    accs = [r["dev_acc"] for r in meta["history"]]
    assert len(accs) == 10 and max(accs) > 0.7
    assert meta["history"][meta["best_epoch"] - 1]["dev_acc"] == max(accs)


def test_decode_raw_test_set(recipe):
    r = run("utils/mkgraph.sh data/lang_test exp/dnn exp/dnn/graph && "
            "steps/decode.sh --nj 2 exp/dnn data/test_yesno exp/dnn/decode_test_yesno", recipe)
    assert "real-time factor" in r.stderr
    wer = (recipe / "exp/dnn/decode_test_yesno/wer").read_text()
    m = re.search(r"%WER ([\d.]+) \[ (\d+) / 232", wer)
    assert m, wer
    assert float(m.group(1)) <= 5.0
    assert len((recipe / "exp/dnn/decode_test_yesno/hyp").read_text().splitlines()) == 29


def test_missing_alignments_fail_loudly(recipe):
    r = run("steps/train_dnn.sh --num-epochs 1 data/fbank/train_tr data/fbank/train_cv data/lang "
            "exp/mono_ali exp/does_not_exist exp/dnn_bad", recipe, check=False)
    assert r.returncode != 0 and "no such file exp/does_not_exist/pdf_ali.scp" in r.stderr


def test_prior_scale_reaches_the_decoder(recipe):
    run("{ [ -f exp/dnn/graph/HCLG.fst ] || utils/mkgraph.sh data/lang_test exp/dnn exp/dnn/graph; } && "
        "steps/decode.sh --nj 1 --prior-scale 0.5 exp/dnn data/fbank/test_yesno exp/dnn/decode_ps0.5", recipe)
    assert "--prior-scale 0.5" in (recipe / "exp/dnn/decode_ps0.5/log/decode.1.log").read_text()
    assert re.search(r"%WER [\d.]+ \[ \d+ / 232", (recipe / "exp/dnn/decode_ps0.5/wer").read_text())
    r = run("steps/decode.sh --nj 1 --prior-scale 0.5 --graph-dir exp/dnn/graph exp/mono data/mfcc/test_yesno "
            "exp/mono/decode_ps0.5", recipe, check=False)
    assert r.returncode != 0
    assert "--prior-scale 0.5: exp/mono is a GMM model dir (no priors)" in (
        recipe / "exp/mono/decode_ps0.5/log/decode.1.log").read_text()
