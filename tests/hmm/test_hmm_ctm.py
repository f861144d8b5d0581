"""CTM: phone and word time marks from hand-made alignments (checked by hand), from forced
alignments of synthesized tones (checked against the true word times), and the
get_ctm command line."""

import numpy as np
import pytest
import soundfile as sf

from asr.bin.get_ctm import main as get_ctm
from asr.bin.prepare_lang import main as prepare_lang
from asr.hmm.align import write_alignments
from asr.hmm.ctm import TimeMark, align_words, ctm_lines, split_to_phones
from asr.hmm.feats import FeatureOptions
from asr.hmm.gmm import DiagGmms
from asr.hmm.model import AcousticModel, mono_phone_pdfs
from asr.hmm.model_dir import write_model_dir
from asr.hmm.train_mono import MonoConfig, Utterance, train_mono
from asr.hmm.transition import TransitionModel
from asr.lang.lang import load_lang


@pytest.fixture(scope="module")
def ab_lang(tmp_path_factory):
    """Position-dependent lang, one emitting state per phone: AB = A B, C = C."""
    root = tmp_path_factory.mktemp("ablang")
    d = root / "dict"
    d.mkdir()
    (d / "lexicon.txt").write_text("<UNK> SPN\nAB A B\nC C\n")
    (d / "silence_phones.txt").write_text("SIL\nSPN\n")
    (d / "nonsilence_phones.txt").write_text("A\nB\nC\n")
    (d / "optional_silence.txt").write_text("SIL\n")
    prepare_lang(["--num-nonsil-states", "1", "--num-sil-states", "1", str(d), "<UNK>",
                  str(root / "tmp"), str(root / "lang")])
    lang = load_lang(root / "lang")
    return lang, TransitionModel(lang.topo, mono_phone_pdfs(lang))


def hand_alignment(lang, trans, phones_frames):
    """One-state HMMs: a phone of n frames is n - 1 self-loops then the exit."""
    tids = []
    for name, n in phones_frames:
        p = lang.phones.id(name)
        loop, exit_ = [t for t in range(1, trans.num_tids + 1) if trans.tid_phone[t] == p]
        assert trans.tid_self_loop[loop] and trans.is_final(exit_)
        tids += [loop] * (n - 1) + [exit_]
    return np.array(tids)


PHONES = [("SIL", 5), ("A_B", 4), ("B_E", 3), ("C_S", 6), ("SIL", 2), ("C_S", 3), ("SIL", 4)]


def test_hand_alignment_gives_hand_computed_ctm(ab_lang):
    lang, trans = ab_lang
    tids = hand_alignment(lang, trans, PHONES)
    phones = split_to_phones(trans, tids)
    assert [(lang.phones.symbol(p.label), p.length) for p in phones] == PHONES
    assert [p.start for p in phones] == [0, 5, 9, 12, 18, 20, 23]
    words = align_words(lang, lang.word_ids(["AB", "C", "C"]), phones)
    # AB: A_B from frame 5 to the end of B_E at 12; C at 12..18; C after a silence, 20..23
    assert words == [TimeMark(lang.words.id("AB"), 5, 7), TimeMark(lang.words.id("C"), 12, 6),
                     TimeMark(lang.words.id("C"), 20, 3)]
    lines = ctm_lines("u1", words, ["AB", "C", "C"], frame_shift=0.01, offset=1.5)
    assert lines == ["u1 1 1.55 0.07 AB", "u1 1 1.62 0.06 C", "u1 1 1.70 0.03 C"]
    assert ctm_lines("u1", phones[:1], ["SIL"], frame_shift=0.03) == ["u1 1 0.00 0.15 SIL"]
    assert ctm_lines("u1", phones[:1], ["SIL"], frame_shift=0.025) == ["u1 1 0.000 0.125 SIL"]


def test_bad_alignments_and_transcripts_fail_clearly(ab_lang):
    lang, trans = ab_lang
    tids = hand_alignment(lang, trans, PHONES)
    phones = split_to_phones(trans, tids)
    with pytest.raises(ValueError, match="not a pronunciation"):
        align_words(lang, lang.word_ids(["AB", "C"]), phones)
    with pytest.raises(ValueError, match="not a pronunciation"):
        align_words(lang, lang.word_ids(["C", "AB", "C"]), phones)
    broken = tids.copy()
    broken[4] = broken[3]  # SIL never leaves its HMM before A_B starts
    with pytest.raises(ValueError, match="frame 5: phone"):
        split_to_phones(trans, broken)
    with pytest.raises(ValueError, match="transition ids must be"):
        split_to_phones(trans, np.array([0, 1]))
    with pytest.raises(ValueError, match="non-empty"):
        split_to_phones(trans, np.array([], dtype=int))


def test_forced_alignment_word_times_match_the_synthesis(tone_corpus):
    lang, corpus = tone_corpus
    utts = {u: Utterance(f, lang.word_ids(w)) for u, (f, w, _) in corpus.items()}
    model, alis = train_mono(lang, utts, MonoConfig(num_iters=8, totgauss=40, max_iter_inc=6,
                                                    realign_iters=(1, 2, 3, 5, 7)))
    errors = []
    for utt, (_, words, segs) in corpus.items():
        marks = align_words(lang, lang.word_ids(words), split_to_phones(model.trans, alis[utt]))
        assert lang.words.symbols(m.label for m in marks) == words
        for m, (_, start, end) in zip(marks, segs):
            errors += [m.start - start * 100, m.start + m.length - end * 100]
    # see test_hmm_align: tones widen by about 2.5 frames on each side in 25 ms windows
    assert max(abs(e) for e in errors) <= 4, f"word boundary errors (frames): {errors}"


def test_get_ctm_command_on_alignment_and_decode_dirs(ab_lang, tmp_path, repo_root):
    lang, trans = ab_lang
    tids = hand_alignment(lang, trans, PHONES)  # 27 frames
    data = tmp_path / "data"
    data.mkdir()
    # 27 frames of 25 ms windows every 10 ms: 0.285 s at 8 kHz
    sf.write(data / "rec1.wav", np.zeros(int(0.285 * 8000), dtype=np.float32) + 0.01, 8000)
    (data / "wav.scp").write_text(f"rec1 {data / 'rec1.wav'}\n")
    (data / "segments").write_text("u1 rec1 0.0 0.285\n")
    (data / "utt2spk").write_text("u1 s1\n")
    (data / "text").write_text("u1 AB C C\n")
    model = AcousticModel(trans, DiagGmms.single(trans.num_pdfs, np.zeros(3), np.ones(3)))
    ali = tmp_path / "ali"
    write_model_dir(ali, model, FeatureOptions(), lang.path, repo_root / "conf" / "mfcc.yaml")
    write_alignments({"u1": tids}, ali / "ali.ark", ali / "ali.scp")
    get_ctm(["--plot", "true", str(data), str(lang.path), str(ali)])
    assert (ali / "alignment_u1.png").read_bytes()[:4] == b"\x89PNG"
    assert (ali / "ctm").read_text().splitlines() == [
        "rec1 1 0.05 0.07 AB", "rec1 1 0.12 0.06 C", "rec1 1 0.20 0.03 C"]
    assert (ali / "phone.ctm").read_text().splitlines()[:2] == [
        "rec1 1 0.00 0.05 SIL", "rec1 1 0.05 0.04 A_B"]
    # a decode dir: words from hyp, model from its parent; a wrong hyp is an error
    dec = ali / "decode"
    dec.mkdir()
    (dec / "hyp").write_text("u1 AB C C\n")
    write_alignments({"u1": tids}, dec / "ali.ark", dec / "ali.scp")
    get_ctm(["--use-segments", "false", str(data), str(lang.path), str(dec)])
    assert (dec / "ctm").read_text().splitlines()[0] == "u1 1 0.05 0.07 AB"
    (dec / "hyp").write_text("u1 C\n")
    with pytest.raises(SystemExit) as e:
        get_ctm([str(data), str(lang.path), str(dec)])
    assert e.value.code == 1
