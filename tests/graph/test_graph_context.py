"""Triphone context: C maps a phone sequence to its triphone windows, and the
context-dependent HCLG of a two-word language uses the pdf the tree gives each window."""

import kaldifst
import numpy as np
import pytest

from asr.bin.make_grammar import main as make_grammar
from asr.bin.prepare_lang import main as prepare_lang
from asr.decode.hybrid import HybridDecoder
from asr.graph.compile import TrainingGraphCompiler, linear_acceptor, make_hclg
from asr.graph.context_fst import compose_triphone_context
from asr.hmm.context import ContextDependency, TreeTransitionModel
from asr.lang.lang import load_lang


def windows_of(phones, disambig=()):
    clg, windows = compose_triphone_context(linear_acceptor(phones), disambig)
    ok, ilabels, olabels, _ = kaldifst.get_linear_symbol_sequence(clg)
    assert ok and olabels == phones
    return [windows[i] for i in ilabels]


def test_c_maps_phones_to_triphone_windows():
    # each phone is written once its right neighbour is read (0 at the edges)
    assert windows_of([4, 5, 6]) == [(0, 4, 5), (4, 5, 6), (5, 6, 0)]
    assert windows_of([7]) == [(0, 7, 0)]


def test_c_passes_disambiguation_symbols_through():
    # with disambiguation symbols the delay is read as #-1 (the window (0,))
    # and a disambiguation symbol passes at once, ahead of the delayed window of 4
    assert windows_of([4, 9, 5], disambig=[9]) == [(0,), (-9,), (0, 4, 5), (4, 5, 0)]


@pytest.fixture(scope="module")
def lang(tmp_path_factory):
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
    return load_lang(root / "lang_test")


def tree_model(lang):
    """L's pdf depends on its left phone: 4 after H, 3 otherwise; one pdf per other phone."""
    sil, spn, h, low = (lang.phones.id(p) for p in ("SIL", "SPN", "H", "L"))
    roots = [[sil], [spn], [h], [low]]
    trees = [[0], [1], [2], [[0, [h], 4, 3]]]
    return TreeTransitionModel(lang.topo, ContextDependency(roots, trees, num_pdfs=5))


def best_tids(graph, word_ids):
    """Input labels of the cheapest path of ``graph`` writing ``word_ids``."""
    fst = kaldifst.compose(graph, linear_acceptor(word_ids))
    ok, tids, words, _ = kaldifst.get_linear_symbol_sequence(kaldifst.shortest_path(fst))
    assert ok and words == word_ids
    return tids


def test_hclg_uses_context_dependent_pdfs(lang):
    trans = tree_model(lang)
    hclg = make_hclg(lang, trans)
    kaldifst.arcsort(hclg, sort_type="olabel")
    high, low = lang.words.id("HIGH"), lang.words.id("LOW")
    # cheapest paths skip optional silence: one exit transition per phone
    assert trans.tid_pdf[best_tids(hclg, [high, low])].tolist() == [2, 4]
    assert trans.tid_pdf[best_tids(hclg, [low, low])].tolist() == [3, 3]
    assert trans.tid_pdf[best_tids(hclg, [low, high, low])].tolist() == [3, 2, 4]


def test_training_graph_has_context_dependent_pdfs(lang):
    trans = tree_model(lang)
    graph = TrainingGraphCompiler(lang, trans).compile(lang.word_ids(["HIGH", "LOW"]))
    kaldifst.arcsort(graph, sort_type="olabel")
    tids = best_tids(graph, lang.word_ids(["HIGH", "LOW"]))
    assert trans.tid_pdf[tids].tolist() == [2, 4]
    assert all(1 <= t <= trans.num_tids for t in tids)


def test_decoding_without_a_final_state_gives_the_best_partial_path(lang):
    """Exit transitions scored far below self-loops: no final state survives the beam,
    and the decoder falls back to the best partial path (Kaldi --allow-partial)."""
    trans = tree_model(lang)
    hclg = make_hclg(lang, trans)
    scores = np.where(trans.tid_self_loop[1:], 0.0, -100.0).astype(np.float32)
    h_loop = next(t for t in range(1, trans.num_tids + 1)
                  if trans.tid_self_loop[t] and trans.tid_phone[t] == lang.phones.id("H"))
    scores = np.tile(scores, (5, 1))
    scores[:, h_loop - 1] = 1.0  # H's self-loop is the best frame everywhere
    result = HybridDecoder(hclg, beam=13.0).decode(scores)
    assert not result.reached_final
    assert result.words == [lang.words.id("HIGH")] and len(result.tids) == 5
