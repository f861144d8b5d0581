"""prepare_lang: the lang dir's symbol tables, phone lists, topology and L, checked by hand;
utils/prepare_lang.sh end to end on the shipped dictionaries."""

from __future__ import annotations

import math
import re
import subprocess

import kaldifst
import pytest

from asr.lang.grammar import is_deterministic, make_word_loop_fst
from asr.lang.lang import load_lang
from asr.lang.prepare import prepare_lang

YESNO = ["<SIL> SIL", "<UNK> SPN", "YES Y EH S", "NO N OW"]


def read(path):
    return path.read_text().splitlines()


def test_phones_and_words_tables(tmp_path, make_dict):
    prepare_lang(make_dict(tmp_path / "dict", YESNO), "<UNK>", tmp_path / "tmp", tmp_path / "lang")
    lang = tmp_path / "lang"
    expected = ["<eps>"]
    for p in ("SIL", "SPN"):
        expected += [p, p + "_B", p + "_E", p + "_I", p + "_S"]
    for p in ("EH", "N", "OW", "S", "Y"):
        expected += [p + "_B", p + "_E", p + "_I", p + "_S"]
    expected += ["#0", "#1"]  # no homophones: #0 for G, #1 after optional silence
    assert read(lang / "phones.txt") == [f"{p} {i}" for i, p in enumerate(expected)]
    assert read(lang / "words.txt") == ["<eps> 0", "<SIL> 1", "<UNK> 2", "NO 3", "YES 4",
                                        "#0 5", "<s> 6", "</s> 7"]
    assert read(lang / "oov.txt") == ["<UNK>"] and read(lang / "oov.int") == ["2"]
    assert read(lang / "phones/optional_silence.csl") == ["1"]
    assert read(lang / "phones/silence.csl") == [":".join(map(str, range(1, 11)))]
    assert read(lang / "phones/nonsilence.int") == [str(i) for i in range(11, 31)]
    assert read(lang / "phones/disambig.txt") == ["#0", "#1"]
    assert read(lang / "phones/disambig.int") == ["31", "32"]
    assert read(lang / "phones/wdisambig_phones.int") == ["31"]
    assert read(lang / "phones/wdisambig_words.int") == ["5"]
    assert read(lang / "phones/context_indep.txt") == expected[1:11]
    assert read(lang / "phones/roots.txt")[:2] == ["shared split SIL SIL_B SIL_E SIL_I SIL_S",
                                                   "shared split SPN SPN_B SPN_E SPN_I SPN_S"]
    assert read(lang / "phones/sets.int")[2] == "11 12 13 14"
    assert read(lang / "phones/roots.int")[2] == "shared split 11 12 13 14"
    assert "EH_B N_B OW_B S_B Y_B" in read(lang / "phones/extra_questions.txt")
    wb = dict(line.split() for line in read(lang / "phones/word_boundary.txt"))
    assert (wb["SIL"], wb["SIL_S"], wb["Y_B"], wb["EH_I"], wb["S_E"]) == (
        "nonword", "singleton", "begin", "internal", "end")
    assert "YES YES Y_B EH_I S_E" in read(lang / "phones/align_lexicon.txt")
    assert "4 4 27 13 24" in read(lang / "phones/align_lexicon.int")
    assert read(tmp_path / "tmp/lexiconp.txt")[2] == "YES\t1\tY_B EH_I S_E"


def test_int_files_agree_with_txt_files(tmp_path, make_dict):
    prepare_lang(make_dict(tmp_path / "dict", YESNO), "<UNK>", tmp_path / "tmp", tmp_path / "lang")
    lang = tmp_path / "lang"
    ids = dict(line.split() for line in read(lang / "phones.txt"))
    for name in ("silence", "nonsilence", "optional_silence", "disambig", "context_indep",
                 "sets", "extra_questions"):
        txt, ints = read(lang / f"phones/{name}.txt"), read(lang / f"phones/{name}.int")
        assert [" ".join(ids[p] for p in line.split()) for line in txt] == ints, name
    for name in ("silence", "nonsilence", "disambig"):
        assert read(lang / f"phones/{name}.csl") == [":".join(read(lang / f"phones/{name}.int"))]


def test_load_lang(tmp_path, make_dict):
    prepare_lang(make_dict(tmp_path / "dict", YESNO), "<UNK>", tmp_path / "tmp", tmp_path / "lang")
    lang = load_lang(tmp_path / "lang")
    assert lang.phones.id("SIL") == lang.optional_silence == 1
    assert lang.silence_phones == list(range(1, 11)) and lang.nonsilence_phones == list(range(11, 31))
    assert lang.real_phones == lang.topo.phones == list(range(1, 31))
    assert lang.disambig_phones == [31, 32] and lang.wdisambig_phones == [31]
    assert lang.topo.num_pdf_classes(lang.phones.id("Y_B")) == 3
    assert lang.topo.num_pdf_classes(lang.phones.id("SIL")) == 5
    assert lang.position_dependent and lang.word_boundary[lang.phones.id("OW_E")] == "end"
    assert lang.oov_word == "<UNK>" and lang.oov_id == 2
    assert lang.pronunciations[lang.words.id("NO")] == [lang.phones.ids(["N_B", "OW_E"])]
    assert lang.roots[0] == ("shared", "split", [1, 2, 3, 4, 5])
    assert lang.word_ids(["YES", "NO"]) == [4, 3]
    with pytest.raises(ValueError, match="word 'MAYBE' is not in the lexicon"):
        lang.word_ids(["YES", "MAYBE"])
    L = lang.load_fst("L.fst")
    assert L.num_states == 3 + 2 + 1  # start, loop, silence; YES 2 inner states, NO 1
    Ld = lang.load_fst("L_disambig.fst")
    assert Ld.num_states == L.num_states + 1
    with pytest.raises(ValueError, match="G.fst: no such file"):
        lang.load_fst("G.fst")
    (tmp_path / "lang/G.fst").write_text("not an FST")
    with pytest.raises(ValueError, match="G.fst: not a binary OpenFst file"):
        lang.load_fst("G.fst")


def test_l_maps_words_to_position_phones(tmp_path, make_dict):
    prepare_lang(make_dict(tmp_path / "dict", YESNO), "<UNK>", tmp_path / "tmp", tmp_path / "lang",
                 sil_prob=0.3)
    lang = load_lang(tmp_path / "lang")
    L = lang.load_fst("L.fst")
    kaldifst.invert(L)
    kaldifst.arcsort(L, sort_type="ilabel")
    best = kaldifst.shortest_path(kaldifst.compose(
        kaldifst.make_linear_acceptor(lang.word_ids(["YES", "NO"])), L))
    ok, words, phones, weight = kaldifst.get_linear_symbol_sequence(best)
    assert ok and lang.phones.symbols(phones) == ["Y_B", "EH_I", "S_E", "N_B", "OW_E"]
    assert weight.value == pytest.approx(-3 * math.log(0.7), abs=1e-5)


def test_position_independent_and_options(tmp_path, make_dict):
    prepare_lang(make_dict(tmp_path / "dict", YESNO), "<UNK>", tmp_path / "tmp", tmp_path / "lang",
                 position_dependent=False, num_nonsil_states=1, num_sil_states=3,
                 share_silence_phones=True)
    lang = load_lang(tmp_path / "lang")
    assert [s for s, _ in lang.phones] == ["<eps>", "SIL", "SPN", "EH", "N", "OW", "S", "Y",
                                           "#0", "#1"]
    assert lang.word_boundary is None and not (tmp_path / "lang/phones/word_boundary.txt").exists()
    assert lang.roots[0] == ("not-shared", "not-split", [1, 2])
    assert lang.topo.num_pdf_classes(3) == 1 and lang.topo.num_pdf_classes(1) == 3
    assert read(tmp_path / "lang/phones/extra_questions.txt") == []


def test_homophones_and_prefixes_add_disambig_symbols(tmp_path, make_dict):
    # Position-independent, so that "a" is a prefix of "a b" (with word positions a_S and
    # a_B differ and no prefix remains); TO/TOO are homophones.
    d = make_dict(tmp_path / "dict", ["<UNK> SPN", "TO t uw", "TOO t uw", "A a", "AB a b"])
    prepare_lang(d, "<UNK>", tmp_path / "tmp", tmp_path / "lang", position_dependent=False)
    assert read(tmp_path / "tmp/lexiconp_disambig.txt") == [
        "<UNK>\t1\tSPN", "TO\t1\tt uw #1", "TOO\t1\tt uw #2", "A\t1\ta #1", "AB\t1\ta b"]
    assert read(tmp_path / "lang/phones/disambig.txt") == ["#0", "#1", "#2", "#3"]
    lang = load_lang(tmp_path / "lang")
    # L_disambig o word loop is determinizable (what mkgraph needs); L alone would not be.
    Ld = lang.load_fst("L_disambig.fst")
    G = make_word_loop_fst(lang.word_ids(["TO", "TOO", "A", "AB"]))
    LG = kaldifst.compose(Ld, G)
    assert kaldifst.determinize_star(LG, max_states=10000) is False
    assert is_deterministic(LG)


def test_oov_word_must_be_in_lexicon(tmp_path, make_dict):
    with pytest.raises(ValueError, match="OOV word '<OOV>' is not in the lexicon"):
        prepare_lang(make_dict(tmp_path / "dict", YESNO), "<OOV>", tmp_path / "tmp", tmp_path / "lang")
    assert not (tmp_path / "lang").exists()


def test_rebuild_replaces_whole_dir(tmp_path, make_dict):
    d = make_dict(tmp_path / "dict", YESNO)
    prepare_lang(d, "<UNK>", tmp_path / "tmp", tmp_path / "lang")
    (tmp_path / "lang/G.fst").write_text("stale")
    prepare_lang(d, "<UNK>", tmp_path / "tmp", tmp_path / "lang", position_dependent=False)
    assert not (tmp_path / "lang/G.fst").exists()
    assert not (tmp_path / "lang/phones/word_boundary.txt").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def _run(cwd, cmd):
    """Run ``cmd`` in a recipe dir (repository root or egs/<corpus>) after its path.sh."""
    return subprocess.run(["bash", "-c", f". ./path.sh && {cmd}"], cwd=cwd, capture_output=True,
                          text=True)


def test_prepare_lang_sh_on_digit_dictionary(repo_root, tmp_path):
    out = _run(repo_root, f"utils/prepare_lang.sh local/dict '<UNK>' {tmp_path}/tmp {tmp_path}/lang")
    assert out.returncode == 0, out.stderr
    lang = load_lang(tmp_path / "lang")
    assert len(lang.words) == 12 + 4  # 10 digits, <SIL>, <UNK>; <eps> #0 <s> </s>
    assert lang.pronunciations[lang.words.id("ZERO")] == [
        lang.phones.ids(["Z_B", "IH_I", "R_I", "OW_E"]), lang.phones.ids(["Z_B", "IY_I", "R_I", "OW_E"])]
    assert lang.topo.phones == lang.real_phones


def test_prepare_lang_sh_in_yesno_recipe(repo_root, tmp_path):
    recipe = repo_root / "egs/yesno"
    out = _run(recipe, f"utils/prepare_lang.sh --position-dependent-phones false --sil-prob 0.2 "
                       f"local/dict '<UNK>' {tmp_path}/tmp {tmp_path}/lang")
    assert out.returncode == 0, out.stderr
    lang = load_lang(tmp_path / "lang")
    assert not lang.position_dependent
    assert lang.words.symbols(range(1, 5)) == ["<SIL>", "<UNK>", "NO", "YES"]


@pytest.mark.parametrize("args, message", [
    ("local/dict", "Usage: utils/prepare_lang.sh"),
    ("local/dict '<OOV>' {tmp}/tmp {tmp}/lang", "OOV word '<OOV>' is not in the lexicon"),
    ("{tmp}/nodict '<UNK>' {tmp}/tmp {tmp}/lang", "no such file {tmp}/nodict/silence_phones.txt"),
    ("--sil-prob 1.0 local/dict '<UNK>' {tmp}/tmp {tmp}/lang", r"sil_prob must be in \[0, 1\)"),
    ("--position-dependent-phones yes local/dict '<UNK>' {tmp}/tmp {tmp}/lang", "takes true or false"),
])
def test_prepare_lang_sh_errors(repo_root, tmp_path, args, message):
    out = _run(repo_root, "utils/prepare_lang.sh " + args.format(tmp=tmp_path))
    assert out.returncode != 0
    assert re.search(message.format(tmp=tmp_path), out.stderr), out.stderr
