"""End-to-end decoding: every method on a tiny conformer CTC/attention model overfit to six
yes/no recordings (character units), batched == one at a time, WFST decoding through a
TLG graph, the attention plot, and steps/decode.sh + utils/mkgraph_ctc.sh on a data dir
holding only wav.scp, text and utt2spk."""

import subprocess
from pathlib import Path

import kaldifst
import numpy as np
import pytest
import torch
import yaml

from asr.bin import mkgraph_ctc
from asr.data.audio import AudioReader
from asr.data.datadir import load_data_dir, write_data_dir
from asr.decode.attention_plot import attention_maps, plot_attention
from asr.decode.e2e import DECODING_METHODS, E2EDecoder, iter_model_features, load_e2e_model_dir, spell_words
from asr.features.cmvn import apply_cmvn, cmvn_stats, write_global_cmvn_stats
from asr.features.config import config_to_dict, load_feature_config
from asr.features.extract import FeatureExtractor
from asr.lang.grammar import make_word_loop_fst, write_fst
from asr.lang.symbols import SymbolTable
from asr.nnet import build_model
from asr.train.model_dir import write_config
from asr.units import Units, train_units

WORDS = {"0": "NO", "1": "YES"}
UNITS = ["<blk>", "<unk>", "E", "N", "O", "S", "Y", "<space>", "<sos/eos>"]
MODEL = {
    "input_dim": 40, "vocab_size": len(UNITS),
    "encoder": {"type": "conformer", "dim": 32, "num_heads": 2, "ffn_dim": 64, "num_blocks": 1,
                "kernel_size": 7, "subsampling_rate": 4, "dropout": 0.0},
    "decoder": {"type": "transformer", "dim": 32, "num_heads": 2, "ffn_dim": 64, "num_layers": 1,
                "dropout": 0.0, "label_smoothing": 0.0},
    "ctc_weight": 0.5,
}


def make_data_dir(wavs: list[Path], d: Path) -> dict[str, str]:
    wav_scp = {w.stem: str(w) for w in wavs}
    text = {w.stem: " ".join(WORDS[c] for c in w.stem.split("_")) for w in wavs}
    write_data_dir(d, wav_scp, {u: u for u in wav_scp}, text)
    return text


def write_model_dir(d: Path, model: torch.nn.Module, stats: np.ndarray, features: dict) -> None:
    d.mkdir(parents=True, exist_ok=True)
    write_config(d, {"model": MODEL, "units": {"type": "char"}, "features": features, "cmvn": "global"})
    Units("char", UNITS).write(d / "units.txt")
    write_global_cmvn_stats(stats, d / "cmvn_global.mat")
    torch.save(model.state_dict(), d / "final.pt")


@pytest.fixture(scope="module")
def setup(repo_root, yesno_root, tmp_path_factory):
    """Train on 6 recordings (300 steps, ~12 s on one thread; at 160 one CPU type met a loss
    spike and misspelled every utterance); 4 more are held out."""
    torch.set_num_threads(1)
    tmp = tmp_path_factory.mktemp("e2e")
    wavs = sorted((yesno_root / "waves_yesno").glob("*.wav"))
    train_text = make_data_dir(wavs[:6], tmp / "train")
    all_text = make_data_dir(wavs[:6] + wavs[30:34], tmp / "data")
    fc = load_feature_config(repo_root / "conf" / "fbank.yaml")
    train = load_data_dir(tmp / "train")
    feats = dict(FeatureExtractor(fc).stream(AudioReader(train, fc.sample_rate)))
    stats = cmvn_stats(feats.values())
    torch.manual_seed(0)
    model = build_model(MODEL)
    units = Units("char", UNITS)
    keys = sorted(feats)
    x = [torch.from_numpy(apply_cmvn(feats[k], stats, norm_vars=True)) for k in keys]
    lengths = torch.tensor([len(f) for f in x])
    ys = [units.encode(train_text[k]) for k in keys]
    targets = torch.nn.utils.rnn.pad_sequence([torch.tensor(y) for y in ys], batch_first=True, padding_value=-1)
    opt = torch.optim.Adam(model.parameters(), lr=4e-3)
    batch = torch.nn.utils.rnn.pad_sequence(x, batch_first=True)
    for step in range(300):
        loss = model(batch, lengths, targets, torch.tensor([len(y) for y in ys]))["loss"]
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step == 90:  # half-trained: its greedy output misspells words
            write_model_dir(tmp / "partial_model", model, stats, config_to_dict(fc))
    write_model_dir(tmp / "model", model, stats, config_to_dict(fc))
    lang = tmp / "lang_test"
    lang.mkdir()
    SymbolTable.from_symbols(["<eps>", "<UNK>", "NO", "YES", "#0", "<s>", "</s>"]).write(lang / "words.txt")
    write_fst(make_word_loop_fst([2, 3]), lang / "G.fst")
    mkgraph_ctc.main(["--prior-scale", "0", str(lang), str(tmp / "model"), str(tmp / "graph")])
    return tmp, train_text, all_text


def decode_all(model_dir_path: Path, data_path: Path, method: str, batch_size: int, graph=None) -> dict:
    model_dir = load_e2e_model_dir(model_dir_path)
    data = load_data_dir(data_path)
    feats = dict(iter_model_features(data, model_dir, data.utt_ids))
    decoder = E2EDecoder(model_dir.model, method, beam_size=4, graph=graph)
    keys = list(feats)
    out = {}
    for i in range(0, len(keys), batch_size):
        part = keys[i:i + batch_size]
        for key, ids in zip(part, decoder.decode([feats[k] for k in part])):
            out[key] = ids
    return out


def read_graph(tmp: Path) -> kaldifst.StdVectorFst:
    return kaldifst.StdVectorFst.read(str(tmp / "graph" / "TLG.fst"))


@pytest.mark.parametrize("method", DECODING_METHODS)
def test_batched_equals_single(setup, method):
    tmp, _, all_text = setup
    graph = read_graph(tmp) if method == "wfst" else None
    batched = decode_all(tmp / "model", tmp / "data", method, batch_size=10, graph=graph)
    single = decode_all(tmp / "model", tmp / "data", method, batch_size=1, graph=graph)
    assert len(batched) == len(all_text) == 10
    assert batched == single


@pytest.mark.parametrize("method", DECODING_METHODS)
def test_overfit_model_recognizes_its_training_utterances(setup, method):
    tmp, train_text, _ = setup
    graph = read_graph(tmp) if method == "wfst" else None
    hyps = decode_all(tmp / "model", tmp / "train", method, batch_size=4, graph=graph)
    words = SymbolTable.read(tmp / "graph" / "words.txt")
    units = Units("char", UNITS)
    as_text = {k: " ".join(words.symbols(v) if method == "wfst" else units.decode(v)) for k, v in hyps.items()}
    assert as_text == train_text


def test_wfst_equals_prefix_beam_on_overfit_model(setup):
    tmp, _, _ = setup
    words = SymbolTable.read(tmp / "graph" / "words.txt")
    wfst = decode_all(tmp / "model", tmp / "train", "wfst", 6, read_graph(tmp))
    beam = decode_all(tmp / "model", tmp / "train", "ctc_prefix_beam", 6)
    units = Units("char", UNITS)
    assert {k: words.symbols(v) for k, v in wfst.items()} == {k: units.decode(v) for k, v in beam.items()}


def test_wfst_only_outputs_vocabulary_words(setup):
    tmp, _, _ = setup
    words = SymbolTable.read(tmp / "graph" / "words.txt")
    hyps = decode_all(tmp / "partial_model", tmp / "data", "wfst", 10, read_graph(tmp))
    greedy = decode_all(tmp / "partial_model", tmp / "data", "ctc_greedy", 10)
    units = Units("char", UNITS)
    assert any(set(units.decode(v)) - {"YES", "NO"} for v in greedy.values())  # misspellings
    decoded = [w for v in hyps.values() for w in words.symbols(v)]
    assert decoded and set(decoded) <= {"YES", "NO"}


def test_wfst_search_on_hand_made_scores(setup):
    """Frames spelling ``N O <space> Y E`` at probability 0.9 each: greedy reads "NO YE";
    the graph must pay for an S (-log 0.0125 = 4.4) or drop Y and E (2 x 4.4), so the best
    path is "NO YES" (graph cost log 3 per word and at the end)."""
    tmp, _, _ = setup
    words = SymbolTable.read(tmp / "graph" / "words.txt")
    frames = [3, 4, 7, 6, 2, 0]  # N O <space> Y E <blk>
    probs = np.full((len(frames), len(UNITS)), 0.1 / (len(UNITS) - 1))
    probs[np.arange(len(frames)), frames] = 0.9
    decoder = E2EDecoder(load_e2e_model_dir(tmp / "model").model, "wfst", graph=read_graph(tmp))
    assert words.symbols(decoder.wfst_search(np.log(probs))) == ["NO", "YES"]
    assert Units("char", UNITS).decode([3, 4, 7, 6, 2]) == ["NO", "YE"]


def test_spell_words_for_each_unit_type(setup, tmp_path):
    words = SymbolTable.from_symbols(["<eps>", "<UNK>", "NO", "YES", "#0", "<s>", "</s>"])
    spellings, unspellable = spell_words(words, Units("char", UNITS))
    assert spellings == [(2, [3, 4]), (3, [6, 2, 5])] and unspellable == ["<UNK>"]
    word_units = Units("word", ["<blk>", "<unk>", "NO", "YES"])
    assert spell_words(words, word_units)[0] == [(2, [2]), (3, [3])]
    bpe = train_units(["YES NO YES", "NO NO YES", "YES YES"], "bpe", tmp_path, bpe_vocab_size=12)
    spellings, unspellable = spell_words(words, bpe)
    assert [w for w, _ in spellings] == [2, 3] and unspellable == ["<UNK>"]
    for wid, ids in spellings:
        assert bpe.decode(ids) == [words.symbol(wid)]
        assert bpe.symbols[ids[0]].startswith("\u2581")


def test_attention_maps_and_plot(setup, tmp_path):
    tmp, _, _ = setup
    model_dir = load_e2e_model_dir(tmp / "model")
    data = load_data_dir(tmp / "train")
    utt, feats = next(iter_model_features(data, model_dir, data.utt_ids[:1]))
    tokens = model_dir.units.encode("NO NO")
    maps = attention_maps(model_dir.model, feats, tokens)
    frames = int(model_dir.model.output_lengths(torch.tensor([len(feats)])))
    assert [m.shape for _, m in maps] == [(frames, frames), (len(tokens) + 1, frames)]  # 1 block: one map
    for _, m in maps:
        np.testing.assert_allclose(m.sum(axis=1), 1.0, rtol=1e-5)  # each query's attention sums to 1
    png = tmp_path / "att.png"
    assert plot_attention(model_dir.model, feats, png, utt, tokens, ["N", "O", "<space>", "N", "O"]) == 2
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def run(cmd: str, cwd: Path) -> subprocess.CompletedProcess:
    r = subprocess.run(["bash", "-c", ". ./path.sh && " + cmd], cwd=cwd, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, f"{cmd}\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}"
    return r


def test_decode_sh_dispatches_e2e_and_scores(setup, repo_root):
    tmp, train_text, _ = setup
    r = run(f"steps/decode.sh --nj 2 --decoding-method attention_rescoring --batch-size 2 "
            f"{tmp}/model {tmp}/train {tmp}/decode_att", repo_root)
    hyp = dict(line.split(" ", 1) for line in (tmp / "decode_att" / "hyp").read_text().splitlines())
    assert hyp == train_text
    assert "%WER 0.00" in (tmp / "decode_att" / "wer").read_text()
    assert "real-time factor" in r.stderr
    assert len(list((tmp / "decode_att").glob("attention_*.png"))) == 1

    run(f"utils/mkgraph_ctc.sh --prior-data {tmp}/train {tmp}/lang_test {tmp}/model {tmp}/graph_sh && "
        f"steps/decode.sh --nj 1 --decoding-method wfst --graph-dir {tmp}/graph_sh "
        f"{tmp}/model {tmp}/train {tmp}/decode_wfst", repo_root)
    assert "%WER 0.00" in (tmp / "decode_wfst" / "wer").read_text()
    prior = yaml.safe_load((tmp / "graph_sh" / "graph.yaml").read_text())["prior"]
    assert len(prior) == len(UNITS) and sum(prior) == pytest.approx(1.0, abs=1e-6) and max(prior) == prior[0]
    r = subprocess.run(["bash", "-c", f". ./path.sh && steps/decode.sh --decoding-method wfst --graph-dir "
                        f"{tmp}/graph_sh {tmp}/partial_model {tmp}/train {tmp}/decode_stale"],
                       cwd=repo_root, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "label prior of another" in (tmp / "decode_stale" / "log" / "decode.1.log").read_text()


def test_decode_sh_errors_name_the_problem(setup, repo_root):
    tmp, _, _ = setup
    r = subprocess.run(["bash", "-c", f". ./path.sh && steps/decode.sh --decoding-method wfst "
                        f"--graph-dir {tmp}/nograph {tmp}/model {tmp}/train {tmp}/decode_bad"],
                       cwd=repo_root, capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and f"no such file {tmp}/nograph/TLG.fst" in r.stderr
    r = subprocess.run(["bash", "-c", f". ./path.sh && utils/mkgraph_ctc.sh {tmp}/lang_test {tmp}/model {tmp}/g"],
                       cwd=repo_root, capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "--prior-data (the model's training data) unless it is 0" in r.stderr

