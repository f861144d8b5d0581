"""fix_data_dir, subset_data_dir, combine_data_dirs, copy_data_dir on small real data dirs."""

import shutil
from pathlib import Path

import pytest

from asr.data.combine import MAX_LISTED, combine_data_dirs
from asr.data.copy_dir import copy_data_dir
from asr.data.fix import fix_data_dir
from asr.data.ops import read_tables
from asr.data.subset import select_utterances, subset_data_dir
from asr.data.validate import validate_data_dir

UTTS = ["spkA_u1", "spkA_u2", "spkB_u1", "spkB_u2"]
FILES = ("wav.scp", "text", "utt2spk", "spk2utt")


def keys(path: Path) -> list[str]:
    return [line.split()[0] for line in path.read_text().splitlines()]


def make_segmented(d: Path) -> None:
    wavs = dict(line.split() for line in (d / "wav.scp").read_text().splitlines())
    (d / "wav.scp").write_text(f"recA {wavs['spkA_u1']}\nrecB {wavs['spkB_u1']}\n")
    (d / "segments").write_text("spkA_u1 recA 0.0 0.2\nspkA_u2 recA 0.2 0.4\n"
                                "spkB_u1 recB 0 0.25\nspkB_u2 recB 0.25 -1\n")


# --- fix_data_dir -------------------------------------------------------------------------

def test_fix_repairs_extra_utterance_and_unsorted_file(tiny_data_dir):
    d = tiny_data_dir
    original_utt2spk = (d / "utt2spk").read_text()
    (d / "text").write_text((d / "text").read_text() + "spkC_u1 EXTRA\n")
    (d / "utt2spk").write_text("".join(reversed(original_utt2spk.splitlines(keepends=True))))
    assert validate_data_dir(d) != []
    assert fix_data_dir(d) == (4, 4)
    assert validate_data_dir(d) == []
    assert keys(d / "text") == UTTS
    assert (d / "utt2spk").read_text() == original_utt2spk
    assert "spkC_u1" in (d / ".backup" / "text").read_text()  # the original is kept


def test_fix_drops_utterances_missing_anywhere_and_their_empty_speakers(tiny_data_dir):
    d = tiny_data_dir
    (d / "text").write_text("spkA_u1 ONE TWO\nspkA_u2 THREE\n")  # speaker B has no text left
    (d / "cmvn.scp").write_text("spkA c.ark:1\nspkB c.ark:2\n")
    assert fix_data_dir(d) == (2, 4)
    assert validate_data_dir(d) == []
    assert (d / "spk2utt").read_text() == "spkA spkA_u1 spkA_u2\n"
    assert keys(d / "wav.scp") == ["spkA_u1", "spkA_u2"]
    assert keys(d / "cmvn.scp") == ["spkA"]


def test_fix_drops_speakers_without_cmvn(tiny_data_dir):
    (tiny_data_dir / "cmvn.scp").write_text("spkB c.ark:2\n")
    assert fix_data_dir(tiny_data_dir) == (2, 4)
    assert keys(tiny_data_dir / "utt2spk") == ["spkB_u1", "spkB_u2"]


def test_fix_cleans_crlf_blank_lines_repeats_and_final_newline(tiny_data_dir):
    d = tiny_data_dir
    (d / "text").write_bytes(b"spkA_u2 THREE\r\n\nspkA_u1 ONE TWO\r\nspkA_u2 THREE\nspkB_u1 FOUR FIVE\nspkB_u2 SIX")
    assert fix_data_dir(d) == (4, 4)
    assert (d / "text").read_text() == "spkA_u1 ONE TWO\nspkA_u2 THREE\nspkB_u1 FOUR FIVE\nspkB_u2 SIX\n"
    assert validate_data_dir(d) == []


def test_fix_with_segments_drops_utterances_of_a_missing_recording(tiny_data_dir):
    d = tiny_data_dir
    make_segmented(d)
    (d / "wav.scp").write_text((d / "wav.scp").read_text().splitlines()[1] + "\n")  # recB only
    assert fix_data_dir(d) == (2, 4)
    assert keys(d / "segments") == ["spkB_u1", "spkB_u2"]
    assert validate_data_dir(d) == []


@pytest.mark.parametrize("name,content,pattern", [
    ("text", "spkA_u1 ONE\nspkA_u1 TWO\n", "text:2: spkA_u1 was on line 1 with a different value"),
    ("utt2spk", "spkA_u1 spkA x\n", "utt2spk:1: expected 2 fields"),
])
def test_fix_refuses_what_it_cannot_decide_and_changes_nothing(tiny_data_dir, name, content, pattern):
    d = tiny_data_dir
    (d / name).write_text(content)
    before = {f: (d / f).read_bytes() for f in FILES}
    with pytest.raises(ValueError, match=pattern):
        fix_data_dir(d)
    assert {f: (d / f).read_bytes() for f in FILES} == before
    assert not (d / ".backup").exists()


def test_fix_refuses_to_leave_nothing(tiny_data_dir):
    (tiny_data_dir / "text").write_text("other ONE\n")
    with pytest.raises(ValueError, match="no utterance is in every file"):
        fix_data_dir(tiny_data_dir)
    assert keys(tiny_data_dir / "utt2spk") == UTTS


# --- subset_data_dir ----------------------------------------------------------------------

@pytest.mark.parametrize("mode,num,expected", [
    ("even", 2, {"spkA_u2", "spkB_u2"}),  # indices (2i+1)*4//4 = 1, 3
    ("even", 4, set(UTTS)),
    ("first", 3, {"spkA_u1", "spkA_u2", "spkB_u1"}),
    ("last", 1, {"spkB_u2"}),
    ("per-spk", 1, {"spkA_u1", "spkB_u1"}),
    ("per-spk", 5, set(UTTS)),
])
def test_select_utterances(tiny_data_dir, mode, num, expected):
    assert select_utterances(read_tables(tiny_data_dir), num, mode=mode) == expected


def test_select_shortest_uses_durations(tiny_data_dir):
    (tiny_data_dir / "utt2dur").write_text("spkA_u1 3.0\nspkA_u2 1.0\nspkB_u1 0.5\nspkB_u2 2.0\n")
    assert select_utterances(read_tables(tiny_data_dir), 2, mode="shortest") == {"spkA_u2", "spkB_u1"}
    (tiny_data_dir / "utt2dur").unlink()
    with pytest.raises(ValueError, match="neither utt2num_frames nor utt2dur"):
        select_utterances(read_tables(tiny_data_dir), 2, mode="shortest")


def test_select_more_than_there_are_is_an_error(tiny_data_dir):
    with pytest.raises(ValueError, match="only 4"):
        select_utterances(read_tables(tiny_data_dir), 5)


def test_subset_restricts_every_file(tiny_data_dir, tmp_path):
    d = tiny_data_dir
    (d / "cmvn.scp").write_text("spkA c.ark:1\nspkB c.ark:2\n")
    (d / "utt2dur").write_text("".join(f"{u} 0.5\n" for u in UTTS))
    dest = tmp_path / "sub"
    assert subset_data_dir(d, dest, utts={"spkB_u1", "spkB_u2"}) == 2
    assert validate_data_dir(dest) == []
    for name in ("wav.scp", "text", "utt2spk", "utt2dur"):
        assert keys(dest / name) == ["spkB_u1", "spkB_u2"]
    assert keys(dest / "cmvn.scp") == ["spkB"]
    assert (dest / "spk2utt").read_text() == "spkB spkB_u1 spkB_u2\n"


def test_subset_with_segments_keeps_only_needed_recordings(tiny_data_dir, tmp_path):
    make_segmented(tiny_data_dir)
    dest = tmp_path / "sub"
    subset_data_dir(tiny_data_dir, dest, utts={"spkA_u2"})
    assert keys(dest / "wav.scp") == ["recA"]
    assert (dest / "segments").read_text() == "spkA_u2 recA 0.2 0.4\n"
    assert validate_data_dir(dest) == []


def test_subset_by_speakers_and_unknown_ids(tiny_data_dir, tmp_path):
    assert subset_data_dir(tiny_data_dir, tmp_path / "a", speakers={"spkA"}) == 2
    assert keys(tmp_path / "a" / "utt2spk") == ["spkA_u1", "spkA_u2"]
    with pytest.raises(ValueError, match="1 utterance.*spkZ_u1"):
        subset_data_dir(tiny_data_dir, tmp_path / "b", utts={"spkA_u1", "spkZ_u1"})
    with pytest.raises(ValueError, match="speaker.*spkZ"):
        subset_data_dir(tiny_data_dir, tmp_path / "b", speakers={"spkZ"})
    with pytest.raises(ValueError, match="same data dir"):
        subset_data_dir(tiny_data_dir, tiny_data_dir, utts={"spkA_u1"})


def test_subset_removes_stale_tables_in_dest(tiny_data_dir, tmp_path):
    dest = tmp_path / "sub"
    dest.mkdir()
    (dest / "feats.scp").write_text("old f.ark:1\n")
    subset_data_dir(tiny_data_dir, dest, utts={"spkA_u1"})
    assert not (dest / "feats.scp").exists()
    assert validate_data_dir(dest) == []


# --- combine_data_dirs --------------------------------------------------------------------

def test_combine_of_two_subsets_is_the_original(tiny_data_dir, tmp_path):
    subset_data_dir(tiny_data_dir, tmp_path / "a", utts={"spkA_u1", "spkB_u2"})
    subset_data_dir(tiny_data_dir, tmp_path / "b", utts={"spkA_u2", "spkB_u1"})
    assert combine_data_dirs(tmp_path / "all", [tmp_path / "a", tmp_path / "b"]) == 4
    for name in FILES:
        assert (tmp_path / "all" / name).read_text() == (tiny_data_dir / name).read_text(), name


def test_combine_identical_overlap_is_kept_once(tiny_data_dir, tmp_path):
    subset_data_dir(tiny_data_dir, tmp_path / "a", utts={"spkA_u1", "spkA_u2"})
    assert combine_data_dirs(tmp_path / "all", [tiny_data_dir, tmp_path / "a"]) == 4
    assert validate_data_dir(tmp_path / "all") == []


def test_combine_rejects_clashing_utterances_and_recordings(tiny_data_dir, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(tiny_data_dir, other)
    (other / "text").write_text((other / "text").read_text().replace("THREE", "TREE"))
    with pytest.raises(ValueError, match="utterance id spkA_u2 clashes"):
        combine_data_dirs(tmp_path / "all", [tiny_data_dir, other])
    seg_a, seg_b = tmp_path / "sa", tmp_path / "sb"
    for d in (seg_a, seg_b):
        shutil.copytree(tiny_data_dir, d)
        make_segmented(d)
    subset_data_dir(seg_a, tmp_path / "sa1", utts={"spkA_u1"})
    subset_data_dir(seg_b, tmp_path / "sb1", utts={"spkA_u2"})
    wav = tmp_path / "sb1" / "wav.scp"
    wav.write_text(wav.read_text().replace("spkA_u1.wav", "spkB_u1.wav"))  # recA: another file
    with pytest.raises(ValueError, match="recording id recA clashes"):
        combine_data_dirs(tmp_path / "all", [tmp_path / "sa1", tmp_path / "sb1"])
    assert not (tmp_path / "all").exists()


def test_combine_lists_the_first_clashes_and_counts_them(tiny_data_dir, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(tiny_data_dir, other)
    (other / "text").write_text("".join(f"{line.split()[0]} OTHER\n"
                                        for line in (other / "text").read_text().splitlines()))
    for u in range(12):  # 12 more utterances whose ids clash in text, wav.scp and utt2spk
        for name, value in (("text", "X"), ("wav.scp", f"/x/{u}.wav"), ("utt2spk", "spkZ")):
            with open(other / name, "a") as f:
                f.write(f"spkZ_{u:02d} {value}\n")
            with open(tiny_data_dir / name, "a") as f:
                f.write(f"spkZ_{u:02d} {value}-other\n")
    with pytest.raises(ValueError) as e:
        combine_data_dirs(tmp_path / "all", [tiny_data_dir, other])
    lines = str(e.value).splitlines()
    total = int(lines[0].split()[2])
    assert total > 12 and len(lines) == 1 + MAX_LISTED + 1
    assert lines[-1] == f"  ... and {total - MAX_LISTED} more"


def test_combine_carries_optional_files_only_when_all_have_them(tiny_data_dir, tmp_path, caplog):
    subset_data_dir(tiny_data_dir, tmp_path / "a", utts={"spkA_u1", "spkA_u2"})
    subset_data_dir(tiny_data_dir, tmp_path / "b", utts={"spkB_u1", "spkB_u2"})
    (tmp_path / "a" / "utt2dur").write_text("spkA_u1 0.5\nspkA_u2 0.5\n")
    (tmp_path / "a" / "spk2gender").write_text("spkA m\n")
    (tmp_path / "b" / "spk2gender").write_text("spkB f\n")
    combine_data_dirs(tmp_path / "all", [tmp_path / "a", tmp_path / "b"])
    assert not (tmp_path / "all" / "utt2dur").exists()
    assert "not creating utt2dur" in caplog.text
    assert (tmp_path / "all" / "spk2gender").read_text() == "spkA m\nspkB f\n"
    assert validate_data_dir(tmp_path / "all") == []


def test_combine_segmented_with_unsegmented(tiny_data_dir, tmp_path):
    seg = tmp_path / "seg"
    shutil.copytree(tiny_data_dir, seg)
    make_segmented(seg)
    subset_data_dir(seg, tmp_path / "a", utts={"spkA_u1", "spkA_u2"})
    subset_data_dir(tiny_data_dir, tmp_path / "b", utts={"spkB_u1", "spkB_u2"})
    combine_data_dirs(tmp_path / "all", [tmp_path / "a", tmp_path / "b"])
    all_dir = tmp_path / "all"
    assert (all_dir / "segments").read_text() == (
        "spkA_u1 recA 0.0 0.2\nspkA_u2 recA 0.2 0.4\nspkB_u1 spkB_u1 0 -1\nspkB_u2 spkB_u2 0 -1\n")
    assert keys(all_dir / "wav.scp") == ["recA", "spkB_u1", "spkB_u2"]
    assert validate_data_dir(all_dir) == []


# --- copy_data_dir ------------------------------------------------------------------------

def test_copy_with_prefixes_maps_ids_everywhere(tiny_data_dir, tmp_path):
    d = tiny_data_dir
    (d / "cmvn.scp").write_text("spkA c.ark:1\nspkB c.ark:2\n")
    (d / "utt2uniq").write_text("".join(f"{u} {u}\n" for u in UTTS))
    dest = tmp_path / "copy"
    assert copy_data_dir(d, dest, utt_prefix="rev1-", spk_prefix="rev1-") == 4
    assert validate_data_dir(dest) == []
    new = [f"rev1-{u}" for u in UTTS]
    for name in ("wav.scp", "text", "utt2spk", "utt2uniq"):
        assert keys(dest / name) == new, name
    assert keys(dest / "cmvn.scp") == ["rev1-spkA", "rev1-spkB"]
    assert (dest / "utt2uniq").read_text().split("\n")[0] == "rev1-spkA_u1 spkA_u1"
    assert (dest / "spk2utt").read_text().startswith("rev1-spkA rev1-spkA_u1 rev1-spkA_u2\n")
    assert (dest / "text").read_text().splitlines()[0] == "rev1-spkA_u1 ONE TWO"


def test_copy_with_segments_keeps_recording_ids(tiny_data_dir, tmp_path):
    make_segmented(tiny_data_dir)
    dest = tmp_path / "copy"
    copy_data_dir(tiny_data_dir, dest, utt_suffix="-x", spk_suffix="-x")
    assert validate_data_dir(dest) == []
    assert keys(dest / "wav.scp") == ["recA", "recB"]
    assert (dest / "segments").read_text().splitlines()[0] == "spkA_u1-x recA 0.0 0.2"


def test_copy_refuses_bad_affixes_and_same_dir(tiny_data_dir, tmp_path):
    with pytest.raises(ValueError, match="whitespace"):
        copy_data_dir(tiny_data_dir, tmp_path / "c", utt_prefix="a b")
    with pytest.raises(ValueError, match="same data dir"):
        copy_data_dir(tiny_data_dir, tiny_data_dir)


def test_copy_validates_the_result(tiny_data_dir, tmp_path):
    # a suffix can reorder utterances ("a" < "ab", but "abz" < "az"), breaking Kaldi's
    # rule that utt2spk is sorted by speaker too: caught unless that check is off
    d = tiny_data_dir
    wav = (d / "wav.scp").read_text().split()[1]
    (d / "wav.scp").write_text(f"a {wav}\nab {wav}\n")
    (d / "text").write_text("a ONE\nab TWO\n")
    (d / "utt2spk").write_text("a s1\nab s2\n")
    (d / "spk2utt").write_text("s1 a\ns2 ab\n")
    assert validate_data_dir(d) == []
    with pytest.raises(ValueError, match="not sorted by speaker"):
        copy_data_dir(d, tmp_path / "c", utt_suffix="z")
    assert copy_data_dir(d, tmp_path / "e", utt_suffix="z", check_spk_sort=False) == 2
    assert keys(tmp_path / "e" / "utt2spk") == ["abz", "az"]


def test_combine_skips_cmvn_and_carries_a_shared_feature_config(tiny_data_dir, tmp_path, caplog):
    a, b = tmp_path / "a", tmp_path / "b"
    subset_data_dir(tiny_data_dir, a, utts={"spkA_u1", "spkB_u1"})
    subset_data_dir(tiny_data_dir, b, utts={"spkA_u2", "spkB_u2"})
    for d, stats in ((a, "a.ark"), (b, "b.ark")):  # same speakers, different stats
        (d / "cmvn.scp").write_text(f"spkA {stats}:5\nspkB {stats}:99\n")
        (d / "conf").mkdir()
        (d / "conf" / "feats.yaml").write_text("feature_type: fbank\nnum_mel_bins: 40\n")
    combine_data_dirs(tmp_path / "all", [a, b])
    assert not (tmp_path / "all" / "cmvn.scp").exists()
    assert "cmvn.scp is not combined" in caplog.text
    assert (tmp_path / "all" / "conf" / "feats.yaml").read_text() == (a / "conf" / "feats.yaml").read_text()
    (b / "conf" / "feats.yaml").write_text("feature_type: mfcc\n")
    combine_data_dirs(tmp_path / "all2", [a, b])
    assert not (tmp_path / "all2" / "conf" / "feats.yaml").exists()


def test_subset_carries_the_feature_config(tiny_data_dir, tmp_path):
    (tiny_data_dir / "conf").mkdir()
    (tiny_data_dir / "conf" / "feats.yaml").write_text("feature_type: fbank\n")
    subset_data_dir(tiny_data_dir, tmp_path / "sub", utts={"spkA_u1"})
    assert (tmp_path / "sub" / "conf" / "feats.yaml").read_text() == "feature_type: fbank\n"
