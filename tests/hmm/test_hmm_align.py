"""Monophone training and forced alignment on synthesized tone "words" with known
boundaries; failures for bad inputs."""

import numpy as np
import pytest

from asr.graph.compile import TrainingGraphCompiler
from asr.hmm.align import AlignmentError, equal_align, read_alignments, write_alignments
from asr.hmm.model_dir import load_model_dir, write_model_dir
from asr.hmm.feats import FeatureOptions
from asr.hmm.train_mono import MonoConfig, Utterance, align_all, train_mono

SMALL = MonoConfig(num_iters=8, totgauss=40, max_iter_inc=6, realign_iters=(1, 2, 3, 5, 7))


@pytest.fixture(scope="module")
def trained(tone_corpus):
    lang, corpus = tone_corpus
    utts = {u: Utterance(f, lang.word_ids(w)) for u, (f, w, _) in corpus.items()}
    model, alis = train_mono(lang, utts, SMALL)
    return lang, corpus, utts, model, alis


def test_alignment_recovers_word_boundaries(trained):
    lang, corpus, utts, model, alis = trained
    assert set(alis) == set(corpus)
    errors = []
    for utt, (feats, words, segs) in corpus.items():
        phones = lang.phones.symbols(model.trans.tid_phone[alis[utt]].tolist())
        assert len(phones) == len(feats)
        # word spans: maximal runs of non-silence phones, in 10 ms frames
        runs, t = [], 0
        while t < len(phones):
            if phones[t] in ("H", "L"):
                s = t
                while t < len(phones) and phones[t] == phones[s]:
                    t += 1
                runs.append((phones[s], s, t))
            else:
                t += 1
        assert [p for p, _, _ in runs] == [{"HIGH": "H", "LOW": "L"}[w] for w in words]
        for (_, s, e), (_, start, end) in zip(runs, segs):
            errors += [s - start * 100, e - end * 100]
    # A 25 ms window that overlaps a tone at all looks like tone (log energies over a
    # near-silent floor), so spans come out about 2.5 frames wider on each side, symmetrically.
    assert max(abs(e) for e in errors) <= 4, f"boundary errors (frames): {errors}"
    starts, ends = errors[0::2], errors[1::2]
    assert abs(np.mean(starts) + np.mean(ends)) <= 1.0, "spans shifted to one side"


def test_transition_probabilities_were_reestimated(trained):
    lang, _, _, model, alis = trained
    h = lang.phones.id("H")
    loop = [t for t in range(1, model.trans.num_tids + 1)
            if model.trans.tid_phone[t] == h and model.trans.tid_self_loop[t]]
    p = np.exp(model.trans.log_probs[loop])
    assert len(p) == 3 and np.abs(p - 0.75).max() > 0.1
    # ML self-loop probabilities: expected frames in a state 1 / (1 - p), summed over the
    # states, is the mean length of an H segment in the alignments
    lengths = []
    for ali in alis.values():
        is_h = np.concatenate([[0], (model.trans.tid_phone[ali] == h).astype(int), [0]])
        edges = np.flatnonzero(np.diff(is_h))
        lengths += (edges[1::2] - edges[0::2]).tolist()
    assert np.sum(1.0 / (1.0 - p)) == pytest.approx(np.mean(lengths), rel=0.15)


def test_model_dir_and_alignment_archives_round_trip(trained, tmp_path):
    lang, _, _, model, alis = trained
    write_model_dir(tmp_path / "mono", model, FeatureOptions(), lang.path, None)
    loaded, options = load_model_dir(tmp_path / "mono")
    assert options == FeatureOptions()
    np.testing.assert_array_equal(loaded.gmms.means, model.gmms.means)
    np.testing.assert_array_equal(loaded.trans.log_probs, model.trans.log_probs)
    write_alignments(alis, tmp_path / "ali.ark", tmp_path / "ali.scp")
    back = read_alignments(tmp_path / "ali.scp")
    assert all(np.array_equal(back[u], alis[u]) for u in alis)


def test_too_short_utterance_fails_clearly(trained):
    lang, corpus, _, model, _ = trained
    feats = next(iter(corpus.values()))[0]
    short = Utterance(feats[:4], lang.word_ids(["HIGH", "LOW"]))  # needs >= 6 frames
    graph = TrainingGraphCompiler(lang, model.trans).compile(short.word_ids)
    with pytest.raises(AlignmentError, match="too few"):
        equal_align(graph, 4)
    alis, failed = align_all(model, lang, {"short": short}, SMALL)
    assert alis == {} and "short" in failed
    with pytest.raises(ValueError, match="no utterance could be aligned"):
        train_mono(lang, {"short": short}, SMALL)


def test_word_not_in_lexicon_is_named(tone_corpus):
    lang, _ = tone_corpus
    with pytest.raises(ValueError, match="utt7: word 'MEDIUM' is not in the lexicon"):
        lang.word_ids(["LOW", "MEDIUM"], "text: utt7")


def test_boost_silence_moves_frames_between_silence_and_words(trained):
    lang, _, utts, model, _ = trained

    def silence_frames(boost):
        alis, failed = align_all(model, lang, utts, MonoConfig(boost_silence=boost))
        assert not failed
        phones = np.concatenate([model.trans.tid_phone[a] for a in alis.values()])
        return int(np.isin(phones, lang.silence_phones).sum())

    # scaling silence likelihoods by 1e-3 / 1e3 (acoustic scale 0.1: -0.69 / +0.69 per
    # frame) must shift some boundary frames one way or the other
    assert silence_frames(1e-3) < silence_frames(1.0) < silence_frames(1e3)
    with pytest.raises(ValueError, match="boost_silence must be positive"):
        MonoConfig(boost_silence=0.0).check()
