"""Word lattices: determinization of a hand-made raw lattice, the Kaldi text archive round
trip, and steps/decode.sh writing lattices for yes/no whose best paths are the decoder's."""

import io

import kaldifst
import pytest

from asr.decode.lattice import (CompactLattice, add_word_insertion_penalty, determinize_lattice, lattice_nbest,
                                read_lattices, write_lattice)
from asr.hmm.align import read_alignments
from tests.conftest import run_in_recipe as run


def _raw(arcs, finals):
    fst = kaldifst.Lattice()
    for _ in range(1 + max(max(a[0], a[1]) for a in arcs)):
        fst.add_state()
    fst.start = 0
    for src, dst, tid, word, g, a in arcs:
        fst.add_arc(src, kaldifst.LatticeArc(tid, word, kaldifst.LatticeWeight(g, a), dst))
    for s in finals:
        fst.set_final(s, kaldifst.LatticeWeight(0.0, 0.0))
    return fst


# words 7 and 8 over three frames; word 7 has two alignments (tids 1 1 2 and 1 2 2), the
# second one better; word 8 (tids 3 3 4) costs 1.0 more than the best path
RAW = _raw([(0, 1, 1, 7, 0.5, 1.0), (1, 2, 1, 0, 0.0, 1.0), (2, 5, 2, 0, 0.0, 1.0),
            (0, 3, 1, 7, 0.5, 1.0), (3, 4, 2, 0, 0.0, 0.5), (4, 5, 2, 0, 0.0, 1.0),
            (0, 6, 3, 8, 0.0, 2.0), (6, 7, 3, 0, 0.0, 1.0), (7, 5, 4, 0, 0.0, 1.0)], [5])


def test_determinize_keeps_best_alignment_per_word_sequence():
    lat = determinize_lattice(RAW, beam=5.0, acoustic_scale=0.5)
    assert lat.num_arcs == 2
    nbest = lattice_nbest(lat, n=5, acoustic_scale=0.5)
    assert [(w, t) for w, t, _ in nbest] == [([7], [1, 2, 2]), ([8], [3, 3, 4])]
    assert [c for _, _, c in nbest] == pytest.approx([3.0, 4.0])
    assert lattice_nbest(lat)[0][2] == pytest.approx(0.5 + 2.5 / 0.5)  # stored unscaled


def test_word_penalty_changes_the_best_path_by_its_word_count():
    # words 7 8 (acoustic cost 2) against word 9 alone (acoustic cost 3)
    lat = CompactLattice([[(1, 7, 0.0, 1.0, (1,)), (2, 9, 0.0, 3.0, (3,))], [(2, 8, 0.0, 1.0, (2,))], []],
                         [None, None, (0.0, 0.0, ())])
    assert [(w, c) for w, _, c in lattice_nbest(lat, n=2)] == [([7, 8], 2.0), ([9], 3.0)]
    penalized = add_word_insertion_penalty(lat, 2.0)
    assert [(w, c) for w, _, c in lattice_nbest(penalized, n=2)] == [([9], 5.0), ([7, 8], 6.0)]
    assert lattice_nbest(lat, n=1)[0][0] == [7, 8]  # the original is left alone


def test_lattice_beam_prunes_word_sequences():
    lat = determinize_lattice(RAW, beam=0.5, acoustic_scale=0.5)
    assert [w for w, _, _ in lattice_nbest(lat, n=5, acoustic_scale=0.5)] == [[7]]


def test_text_archive_round_trip(tmp_path):
    lat = determinize_lattice(RAW, beam=5.0, acoustic_scale=0.5)
    buf = io.StringIO()
    write_lattice(buf, "utt1", lat)
    write_lattice(buf, "utt2", lat)
    assert buf.getvalue().startswith("utt1 \n0\t")
    (tmp_path / "lat.ark").write_text(buf.getvalue())
    back = dict(read_lattices(tmp_path / "lat.ark"))
    assert list(back) == ["utt1", "utt2"]
    for got, want in zip(lattice_nbest(back["utt2"], n=5), lattice_nbest(lat, n=5), strict=True):
        assert got[:2] == want[:2] and got[2] == pytest.approx(want[2])


def test_malformed_archive_names_file_and_line(tmp_path):
    (tmp_path / "bad.ark").write_text("utt1 \n0\t1\t7\t0.5,x,1\n\n")
    with pytest.raises(ValueError, match=r"bad.ark:2: bad lattice line"):
        list(read_lattices(tmp_path / "bad.ark"))


def _decode(recipe, name, options):
    run("[ -f exp/mono/graph/HCLG.fst ] || utils/mkgraph.sh data/lang_test exp/mono exp/mono/graph; "
        f"steps/decode.sh --nj 2 {options} exp/mono data/mfcc/test_yesno exp/mono/{name}", recipe)
    return recipe / "exp/mono" / name


def _lattices(decode_dir):
    num_jobs = int((decode_dir / "num_jobs").read_text())
    return {utt: lat for n in range(1, num_jobs + 1)
            for utt, lat in read_lattices(decode_dir / f"lat.{n}.gz")}


@pytest.fixture(scope="module")
def decodes(yesno_mono):
    return {beam: _decode(yesno_mono, f"decode_lat{beam}", f"--lattice-beam {beam}") for beam in (1, 8)}


def test_lattice_best_path_is_the_decoder_best_path(decodes):
    d = decodes[8]
    ids = {w: int(i) for w, i in map(str.split, (d.parent / "graph/words.txt").read_text().splitlines())}
    hyps = {line.split()[0]: [ids[w] for w in line.split()[1:]]
            for line in (d / "hyp").read_text().splitlines()}
    alis = read_alignments(d / "ali.scp")
    lats = _lattices(d)
    assert len(hyps) == 29 and set(lats) == set(hyps)
    for utt, lat in lats.items():
        words_best, tids_best, _ = lattice_nbest(lat, n=1, acoustic_scale=0.1)[0]
        assert words_best == hyps[utt], utt
        assert tids_best == alis[utt].tolist(), utt


def test_wider_lattice_beam_gives_larger_lattices(decodes):
    narrow, wide = _lattices(decodes[1]), _lattices(decodes[8])
    assert sum(lat.num_arcs for lat in wide.values()) >= sum(lat.num_arcs for lat in narrow.values())
    assert sum(lat.num_states for lat in wide.values()) >= sum(lat.num_states for lat in narrow.values())
    assert (decodes[1] / "hyp").read_text() == (decodes[8] / "hyp").read_text()


def test_write_lattices_false(decodes, yesno_mono):
    d = _decode(yesno_mono, "decode_nolat", "--write-lattices false")
    assert not list(d.glob("lat.*"))
    assert (d / "hyp").read_text() == (decodes[8] / "hyp").read_text()


def test_score_lmwt_rescores_the_lattices(decodes, yesno_mono):
    d = decodes[8]
    run(f"steps/score_lmwt.sh --min-lmwt 8 --max-lmwt 12 --word-ins-penalty 0.0,1000 "
        f"data/mfcc/test_yesno exp/mono/graph {d}", yesno_mono)
    assert sorted(p.name for p in d.glob("wer_[0-9]*")) == sorted(
        f"wer_{n}_{p}" for n in (8, 9, 10, 11, 12) for p in ("0.0", "1000"))
    # LMWT 10 is the decoding acoustic scale 0.1: the decoder's own 1-best and WER
    assert (d / "scoring/hyp.10_0.0").read_text() == "".join(sorted((d / "hyp").read_text().splitlines(True)))
    assert (d / "wer_10_0.0").read_text().splitlines()[0] == (d / "wer").read_text().splitlines()[0]


def test_score_lmwt_without_lattices_fails_clearly(decodes, yesno_mono):
    d = _decode(yesno_mono, "decode_nolat2", "--write-lattices false")
    r = run(f"steps/score_lmwt.sh data/mfcc/test_yesno exp/mono/graph {d}", yesno_mono, check=False)
    assert r.returncode != 0 and "no lattices" in r.stderr


def test_word_insertion_penalty_adds_its_cost_per_word(decodes, yesno_mono):
    small = _decode(yesno_mono, "decode_wip", "--word-ins-penalty 0.5")
    assert (small / "hyp").read_text() == (decodes[8] / "hyp").read_text()
    plain, penalized = _lattices(decodes[8]), _lattices(small)
    for utt, lat in plain.items():
        words, _, cost = lattice_nbest(lat, n=1, acoustic_scale=0.1)[0]
        words_p, _, cost_p = lattice_nbest(penalized[utt], n=1, acoustic_scale=0.1)[0]
        assert words_p == words and cost_p == pytest.approx(cost + 0.5 * len(words), abs=1e-3), utt
    huge = _decode(yesno_mono, "decode_wip_huge", "--word-ins-penalty 1000")
    count = lambda d: sum(len(line.split()) - 1 for line in (d / "hyp").read_text().splitlines())
    assert count(huge) < count(decodes[8]) / 2
