"""Smoke test of the triphone system on yes/no through the shell tools: monophone
training and alignment, steps/train_deltas.sh (small configuration), mkgraph with the
triphone context, decoding and scoring; then alignment with the triphone model."""

import re

import pytest

from asr.hmm.align import read_alignments
from asr.hmm.model import load_model
from tests.conftest import run_in_recipe as run


@pytest.fixture(scope="module")
def recipe(yesno_mono):
    run("steps/train_deltas.sh --num-iters 12 --realign-iters '4 8' 40 150 "
        "data/mfcc/train_yesno data/lang exp/mono_ali exp/tri1", yesno_mono)
    return yesno_mono


def test_tree_and_training(recipe):
    model = load_model(recipe / "exp/tri1/final.mdl")
    ctx = model.trans.ctx
    assert 10 < ctx.num_pdfs <= 40
    log = (recipe / "exp/tri1/log/train.log").read_text()
    likes = [float(x) for x in re.findall(r"avg log-likelihood per frame (-?[\d.]+)", log)]
    assert len(likes) == 11 and likes[-1] > likes[0]


def test_decode_test_set(recipe):
    run("utils/mkgraph.sh data/lang_test exp/tri1 exp/tri1/graph && "
        "steps/decode.sh --nj 2 exp/tri1 data/mfcc/test_yesno exp/tri1/decode_test_yesno", recipe)
    wer = (recipe / "exp/tri1/decode_test_yesno/wer").read_text()
    m = re.search(r"%WER ([\d.]+) \[ (\d+) / 232", wer)
    assert m, wer
    assert float(m.group(1)) <= 5.0


def test_align_with_triphone_model(recipe):
    run("steps/align.sh data/mfcc/train_yesno data/lang exp/tri1 exp/tri1_ali", recipe)
    num_frames = dict(line.split() for line in
                      (recipe / "data/mfcc/train_yesno/utt2num_frames").read_text().splitlines())
    model = load_model(recipe / "exp/tri1_ali/final.mdl")
    alis = read_alignments(recipe / "exp/tri1_ali/ali.scp")
    assert len(alis) == 31
    assert all(len(a) == int(num_frames[u]) for u, a in alis.items())
    pdfs = read_alignments(recipe / "exp/tri1_ali/pdf_ali.scp")
    assert all((model.trans.tid_pdf[alis[u]] == pdfs[u]).all() for u in alis)
