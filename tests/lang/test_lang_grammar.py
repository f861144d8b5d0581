"""G.fst from a hand-computed ARPA bigram (via kaldilm) and from a word loop; the
train_lm / format_lm / make_word_loop tools end to end, with their errors."""

from __future__ import annotations

import math
import subprocess

import kaldifst
import pytest

from asr.bin import train_lm
from asr.lang.grammar import arpa_to_fst, is_deterministic, make_word_loop_fst, word_loop_vocabulary
from asr.lang.lang import load_lang
from asr.lang.ngram import read_arpa
from asr.lang.prepare import prepare_lang

LN10 = math.log(10)
# P(A|<s>) = 0.8, P(B|A) = 0.4, P(</s>|B) = 0.6 listed; unigrams P(</s>) = 0.25,
# P(A) = 0.5, P(B) = 0.25; back-off weights <s> 0.5, A 10^-0.2, B 10^-0.1.
ARPA = """
\\data\\
ngram 1=4
ngram 2=3

\\1-grams:
-0.6020600\t</s>
-99\t<s>\t-0.3010300
-0.3010300\tA\t-0.2
-0.6020600\tB\t-0.1

\\2-grams:
-0.0969100\t<s> A
-0.3979400\tA B
-0.2218487\tB </s>

\\end\\
"""
WORDS = "<eps> 0\nA 1\nB 2\nC 3\n#0 4\n<s> 5\n</s> 6\n"


def g_cost(G, word_ids, disambig=4):
    """Cost of the best path of G reading ``word_ids``, following #0 back-off arcs freely."""
    acceptor = kaldifst.make_linear_acceptor(word_ids)
    kaldifst.add_self_loops(acceptor, isyms=[disambig], osyms=[disambig])
    kaldifst.arcsort(acceptor, sort_type="olabel")
    composed = kaldifst.compose(acceptor, G)
    if composed.num_states == 0:
        return math.inf
    return kaldifst.get_linear_symbol_sequence(kaldifst.shortest_path(composed))[3].value


@pytest.fixture
def hand_g(tmp_path):
    (tmp_path / "lm.arpa").write_text(ARPA)
    (tmp_path / "words.txt").write_text(WORDS)
    return arpa_to_fst(tmp_path / "lm.arpa", tmp_path / "words.txt", tmp_path / "G.fst")


def test_g_from_hand_bigram_path_costs(hand_g, tmp_path):
    G = kaldifst.StdVectorFst.read(str(tmp_path / "G.fst"))
    assert G.num_states == hand_g.num_states == 4  # histories: none, <s>, A, B
    # A B: three listed bigrams.
    assert g_cost(G, [1, 2]) == pytest.approx(-math.log(0.8 * 0.4 * 0.6), abs=1e-4)
    # B A: every step backs off: bow(<s>) P(B), bow(B) P(A), bow(A) P(</s>).
    expected = -math.log(0.5 * 0.25) - math.log(10 ** -0.1 * 0.5) - math.log(10 ** -0.2 * 0.25)
    assert g_cost(G, [2, 1]) == pytest.approx(expected, abs=1e-4)
    # The same numbers from the ARPA file through our back-off scoring.
    lm = read_arpa(tmp_path / "lm.arpa")
    assert -lm.sentence_log10_prob(["B", "A"]) * LN10 == pytest.approx(expected, abs=1e-4)
    assert g_cost(G, [3]) == math.inf  # C is in words.txt but not in the LM


def test_g_is_deterministic_with_disambig_backoff(hand_g):
    assert is_deterministic(hand_g)
    labels = [(a.ilabel, a.olabel) for s in kaldifst.StateIterator(hand_g)
              for a in kaldifst.ArcIterator(hand_g, s)]
    backoff = [x for x in labels if x[0] == 4]
    assert backoff and all(o == 0 for _, o in backoff)  # #0:<eps>
    assert all(i == o for i, o in labels if i != 4)
    assert not {5, 6} & {i for i, _ in labels}  # <s>, </s> are never labels
    assert hand_g.is_ilabel_sorted


def test_arpa_word_not_in_words_txt(tmp_path):
    (tmp_path / "lm.arpa").write_text(ARPA.replace("\tB\t", "\tMAYBE\t").replace("A B", "A MAYBE")
                                      .replace("B </s>", "MAYBE </s>"))
    (tmp_path / "words.txt").write_text(WORDS)
    with pytest.raises(ValueError, match="lm.arpa: word 'MAYBE' is not in the lexicon"):
        arpa_to_fst(tmp_path / "lm.arpa", tmp_path / "words.txt", tmp_path / "G.fst")
    assert not (tmp_path / "G.fst").exists()


def test_word_loop_accepts_any_sequence():
    G = make_word_loop_fst([3, 5, 7])
    assert G.num_states == 1 and is_deterministic(G)
    for seq in ([], [3], [7, 7, 7], [5, 3, 7, 3, 5]):
        assert g_cost(G, seq) == pytest.approx((len(seq) + 1) * math.log(4), abs=1e-5), seq
    assert g_cost(G, [4]) == math.inf
    with pytest.raises(ValueError, match="no words"):
        make_word_loop_fst([])
    with pytest.raises(ValueError, match="distinct and non-zero"):
        make_word_loop_fst([3, 3])


def test_word_loop_vocabulary_leaves_out_silence_and_oov(tmp_path, make_dict):
    make_dict(tmp_path / "dict", ["<SIL> SIL", "<UNK> SPN", "YES Y EH S", "NO N OW"])
    prepare_lang(tmp_path / "dict", "<UNK>", tmp_path / "tmp", tmp_path / "lang")
    lang = load_lang(tmp_path / "lang")
    assert lang.words.symbols(word_loop_vocabulary(lang)) == ["NO", "YES"]


def test_train_lm_names_word_not_in_lexicon(tmp_path, capsys):
    (tmp_path / "words.txt").write_text(WORDS)
    (tmp_path / "text").write_text("u1 A B\nu2 B MAYBE A\n")
    with pytest.raises(SystemExit) as e:
        train_lm.main([str(tmp_path / "text"), str(tmp_path / "words.txt"), str(tmp_path / "lm.arpa")])
    assert e.value.code == 1
    assert "text:2: word 'MAYBE' of utterance 'u2' is not in the lexicon" in capsys.readouterr().err
    assert not (tmp_path / "lm.arpa").exists()


def _run(cwd, cmd):
    return subprocess.run(["bash", "-c", f". ./path.sh && {cmd}"], cwd=cwd, capture_output=True,
                          text=True)


def test_lm_and_word_loop_tools_end_to_end(repo_root, tmp_path):
    recipe = repo_root / "egs/yesno"
    (tmp_path / "text").write_text("0_0_1 NO NO YES\n0_1_1 NO YES YES\n1_0_0 YES NO NO\n")
    t = tmp_path
    out = _run(recipe, f"utils/prepare_lang.sh local/dict '<UNK>' {t}/tmp {t}/lang && "
                       f"utils/train_lm.sh --order 2 {t}/text {t}/lang {t}/lm && "
                       f"utils/format_lm.sh {t}/lang {t}/lm/lm.arpa {t}/lang_test && "
                       f"utils/make_word_loop.sh {t}/lang {t}/lang_loop")
    assert out.returncode == 0, out.stderr
    assert not (t / "lang/G.fst").exists()
    lm = read_arpa(t / "lm/lm.arpa")
    words = load_lang(t / "lang_test").words
    G = kaldifst.StdVectorFst.read(str(t / "lang_test/G.fst"))
    disambig = words.id("#0")
    for sentence in (["NO", "NO", "YES"], ["YES", "NO", "NO"], ["NO", "YES", "YES"]):
        exact = -lm.sentence_log10_prob(sentence) * LN10
        assert g_cost(G, words.ids(sentence), disambig) == pytest.approx(exact, abs=1e-4)
    loop = kaldifst.StdVectorFst.read(str(t / "lang_loop/G.fst"))
    assert g_cost(loop, words.ids(["YES", "YES", "NO"]), disambig) == pytest.approx(4 * math.log(3))
    # Both outputs are full lang dirs.
    assert load_lang(t / "lang_loop").topo.phones == load_lang(t / "lang").topo.phones


@pytest.mark.parametrize("cmd, message", [
    ("utils/train_lm.sh {t}/text {t}/lang", "Usage: utils/train_lm.sh"),
    ("utils/train_lm.sh {t}/bad_text {t}/lang {t}/lm",
     "bad_text:1: word 'MAYBE' of utterance 'u1' is not in the lexicon"),
    ("utils/format_lm.sh {t}/lang {t}/missing.arpa {t}/lang_test", "no such file {t}/missing.arpa"),
    ("utils/format_lm.sh {t}/lang {t}/bad.arpa {t}/lang_test",
     "bad.arpa: word 'MAYBE' is not in the lexicon"),
    ("utils/make_word_loop.sh {t}/nolang {t}/lang_loop", "no such file {t}/nolang/words.txt"),
])
def test_tool_errors(repo_root, tmp_path, cmd, message):
    t = tmp_path
    (t / "bad_text").write_text("u1 MAYBE\n")
    (t / "bad.arpa").write_text("\\data\\\nngram 1=2\n\n\\1-grams:\n-0.3\t</s>\n-0.3\tMAYBE\n\n\\end\\\n")
    assert _run(repo_root, f"utils/prepare_lang.sh local/dict '<UNK>' {t}/tmp {t}/lang").returncode == 0
    out = _run(repo_root, cmd.format(t=t))
    assert out.returncode != 0
    assert message.format(t=t) in out.stderr, out.stderr
    assert not (t / "lang_test").exists()
