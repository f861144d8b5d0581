"""Smoke test of the monophone GMM-HMM path on yes/no, through the shell tools as a recipe
calls them: train (small configuration), align, mkgraph, decode (features computed on
the fly from a data dir holding only wav.scp, text, utt2spk) and scoring."""

import os
import re
import shutil
import subprocess

import pytest

from asr.hmm.align import read_alignments


def run(cmd: str, cwd) -> subprocess.CompletedProcess:
    r = subprocess.run(["bash", "-c", ". ./path.sh && " + cmd], cwd=cwd, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, f"{cmd}\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}"
    return r


@pytest.fixture(scope="module")
def recipe(repo_root, yesno_root, tmp_path_factory):
    d = tmp_path_factory.mktemp("yesno_mono")
    src = repo_root / "egs" / "yesno"
    for name in ("steps", "utils"):
        os.symlink(repo_root / name, d / name)
    for name in ("conf", "local"):
        shutil.copytree(src / name, d / name)
    for name in ("path.sh", "cmd.sh"):
        shutil.copy2(src / name, d / name)
    run(f"local/prepare_data.sh --yesno-root {yesno_root} downloads data", d)
    run("utils/copy_data_dir.sh data/train_yesno data/mfcc/train_yesno && "
        "steps/make_mfcc.sh --nj 2 data/mfcc/train_yesno && "
        "steps/compute_cmvn_stats.sh data/mfcc/train_yesno && "
        "utils/prepare_lang.sh local/dict '<UNK>' data/local/lang_tmp data/lang && "
        "utils/make_word_loop.sh data/lang data/lang_test", d)
    run("steps/train_mono.sh --num-iters 10 --max-iter-inc 8 --totgauss 100 "
        "--realign-iters '1 2 3 5 7 9' data/mfcc/train_yesno data/lang exp/mono", d)
    return d


def test_training_log_likelihood_improves(recipe):
    log = (recipe / "exp/mono/log/train.log").read_text()
    likes = [float(x) for x in re.findall(r"avg log-likelihood per frame (-?[\d.]+)", log)]
    assert len(likes) == 10 and likes[-1] > likes[0] + 5


def test_alignments_cover_every_frame(recipe):
    run("steps/align.sh data/mfcc/train_yesno data/lang exp/mono exp/mono_ali", recipe)
    num_frames = dict(line.split() for line in
                      (recipe / "data/mfcc/train_yesno/utt2num_frames").read_text().splitlines())
    for name in ("ali.scp", "pdf_ali.scp"):
        alis = read_alignments(recipe / "exp/mono_ali" / name)
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
