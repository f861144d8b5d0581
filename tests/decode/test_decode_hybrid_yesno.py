"""Smoke test of the monophone GMM-HMM path on yes/no, through the shell tools as a recipe
calls them: train (small configuration), align, mkgraph, decode (features computed on
the fly from a data dir holding only wav.scp, text, utt2spk) and scoring."""

import re
import shutil
import subprocess

import pytest

from asr.hmm.align import read_alignments
from tests.conftest import run_in_recipe as run


@pytest.fixture(scope="module")
def recipe(yesno_mono):
    return yesno_mono


def test_training_log_likelihood_improves(recipe):
    log = (recipe / "exp/mono/log/train.log").read_text()
    likes = [float(x) for x in re.findall(r"avg log-likelihood per frame (-?[\d.]+)", log)]
    assert len(likes) == 10 and likes[-1] > likes[0] + 5


def test_alignments_cover_every_frame(recipe):
    run("steps/align.sh data/mfcc/train_yesno data/lang exp/mono exp/mono_ali_check", recipe)
    num_frames = dict(line.split() for line in
                      (recipe / "data/mfcc/train_yesno/utt2num_frames").read_text().splitlines())
    for name in ("ali.scp", "pdf_ali.scp"):
        alis = read_alignments(recipe / "exp/mono_ali_check" / name)
        assert len(alis) == 31
        assert all(len(a) == int(num_frames[u]) for u, a in alis.items())


def test_decode_test_set(recipe):
    run("utils/mkgraph.sh data/lang_test exp/mono exp/mono/graph && "
        "steps/decode.sh --nj 2 exp/mono data/test_yesno exp/mono/decode_test_yesno", recipe)
    wer = (recipe / "exp/mono/decode_test_yesno/wer").read_text()
    m = re.search(r"%WER ([\d.]+) \[ (\d+) / 232", wer)
    assert m, wer
    assert float(m.group(1)) <= 5.0
    hyp = (recipe / "exp/mono/decode_test_yesno/hyp").read_text().splitlines()
    assert len(hyp) == 29


def test_word_not_in_lexicon_fails_loudly(recipe):
    bad = recipe / "data/mfcc/bad"
    shutil.copytree(recipe / "data/mfcc/train_yesno", bad)
    text = (bad / "text").read_text().splitlines()
    first = text[0].split()[0]
    text[0] = f"{first} YES MAYBE"
    (bad / "text").write_text("\n".join(text) + "\n")
    r = subprocess.run(["bash", "-c", ". ./path.sh && steps/align.sh data/mfcc/bad data/lang "
                        "exp/mono exp/bad_ali"], cwd=recipe, capture_output=True, text=True)
    assert r.returncode != 0
    assert f"utterance {first}: word 'MAYBE' is not in the lexicon" in r.stderr
