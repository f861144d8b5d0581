"""HCLG for a two-word language with one-state HMMs, checked path by path by hand, and
decoded with kaldi_decoder."""

import math

import kaldifst
import numpy as np
import pytest

from asr.bin.make_grammar import main as make_grammar
from asr.bin.prepare_lang import main as prepare_lang
from asr.decode.hybrid import HybridDecoder
from asr.graph.compile import linear_acceptor, make_hclg
from asr.graph.hmm_fst import make_h_fst
from asr.hmm.model import mono_phone_pdfs
from asr.hmm.transition import TransitionModel
from asr.lang.lang import load_lang

LOG2, LOG3 = math.log(2), math.log(3)


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    """Words HIGH (phone H), LOW (L); silence SIL; one-state HMMs; a word-loop G."""
    root = tmp_path_factory.mktemp("lang")
    d = root / "dict"
    d.mkdir()
    (d / "lexicon.txt").write_text("<SIL> SIL\n<UNK> SPN\nHIGH H\nLOW L\n")
    (d / "silence_phones.txt").write_text("SIL\nSPN\n")
    (d / "nonsilence_phones.txt").write_text("H\nL\n")
    (d / "optional_silence.txt").write_text("SIL\n")
    prepare_lang(["--position-dependent-phones", "false", "--num-nonsil-states", "1",
                  "--num-sil-states", "1", str(d), "<UNK>", str(root / "tmp"), str(root / "lang")])
    make_grammar(["--word-loop", str(root / "lang"), str(root / "lang_test")])
    lang = load_lang(root / "lang_test")
    trans = TransitionModel(lang.topo, mono_phone_pdfs(lang))
    return lang, trans, make_hclg(lang, trans)


def tids(lang, trans, phone):
    """(self-loop, exit) transition ids of a one-state phone."""
    p = lang.phones.id(phone)
    (loop,) = [t for t in range(1, trans.num_tids + 1) if trans.tid_phone[t] == p and trans.tid_self_loop[t]]
    (exit_,) = [t for t in range(1, trans.num_tids + 1) if trans.tid_phone[t] == p and not trans.tid_self_loop[t]]
    return loop, exit_


def best(hclg, inputs):
    """Words and cost of the best path reading ``inputs`` (weights are quantized to
    1/1024 by the encoded minimization, hence the tolerances below)."""
    path = kaldifst.shortest_path(kaldifst.compose(linear_acceptor(inputs), hclg))
    ok, _, words, weight = kaldifst.get_linear_symbol_sequence(path)
    return (words, weight.value) if ok and path.num_states else (None, None)


def test_hclg_paths_and_costs_by_hand(graph):
    lang, trans, hclg = graph
    high, low = lang.words.id("HIGH"), lang.words.id("LOW")
    h_loop, h_exit = tids(lang, trans, "H")
    l_loop, l_exit = tids(lang, trans, "L")
    _, sil_exit = tids(lang, trans, "SIL")
    exit_cost = -0.1 * math.log(0.25)   # exit 0.25 of a state with self-loop 0.75
    loop_cost = -0.1 * math.log(0.75)
    # G: word loop over 2 words, log 3 per word and for the end; L: no silence at the
    # start and after the word, log 2 each.
    words, cost = best(hclg, [h_exit])
    assert words == [high] and cost == pytest.approx(2 * LOG3 + 2 * LOG2 + exit_cost, abs=2e-3)
    words, cost = best(hclg, [h_loop, h_loop, h_exit])
    assert words == [high]
    assert cost == pytest.approx(2 * LOG3 + 2 * LOG2 + exit_cost + 2 * loop_cost, abs=2e-3)
    words, cost = best(hclg, [h_exit, sil_exit, l_exit])
    assert words == [high, low]
    assert cost == pytest.approx(3 * LOG3 + 3 * LOG2 + 3 * exit_cost, abs=2e-3)
    assert best(hclg, [h_loop])[0] is None          # a phone must be left to end
    assert best(hclg, [sil_exit, sil_exit])[0] is None  # no two silences in a row


def test_no_disambiguation_symbols_left(graph):
    _, trans, hclg = graph
    labels = {a.ilabel for s in kaldifst.StateIterator(hclg) for a in kaldifst.ArcIterator(hclg, s)}
    assert max(labels) <= trans.num_tids


def test_h_reads_transition_ids_and_writes_phones(graph):
    lang, trans, _ = graph
    h = make_h_fst(trans)
    h_loop, h_exit = tids(lang, trans, "H")
    kaldifst.arcsort(h, sort_type="ilabel")
    path = kaldifst.shortest_path(kaldifst.compose(linear_acceptor([h_loop, h_exit, h_exit]), h))
    ok, _, phones, _ = kaldifst.get_linear_symbol_sequence(path)
    assert ok and phones == [lang.phones.id("H")] * 2


def test_decoder_follows_the_scores(graph):
    lang, trans, hclg = graph
    frames = 20
    scores = np.full((frames, trans.num_tids), -5.0, dtype=np.float32)
    phone_of = trans.tid_phone[1:]
    scores[:8, phone_of == lang.phones.id("L")] = 0.0
    scores[8:12, phone_of == lang.phones.id("SIL")] = 0.0
    scores[12:, phone_of == lang.phones.id("H")] = 0.0
    result = HybridDecoder(hclg).decode(scores)
    assert result.reached_final and len(result.tids) == frames
    assert lang.words.symbols(result.words) == ["LOW", "HIGH"]
    with pytest.raises(ValueError, match="non-empty"):
        HybridDecoder(hclg).decode(np.zeros((0, trans.num_tids), dtype=np.float32))
