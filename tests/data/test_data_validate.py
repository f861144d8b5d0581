"""validate_data_dir: every defect is caught on its own, named by file and line; valid dirs pass."""

import re
import time
from pathlib import Path

import pytest

from asr.bin.validate_data_dir import main as validate_main
from asr.data.validate import validate_data_dir

# tiny_data_dir's text, one line per utterance, in this (sorted) order
UTTS = ["spkA_u1", "spkA_u2", "spkB_u1", "spkB_u2"]


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines(keepends=True)


def set_line(path: Path, lineno: int, new: str) -> None:
    content = lines(path)
    content[lineno - 1] = new
    path.write_text("".join(content))


def assert_error(errors: list[str], path: Path, lineno: int | None, pattern: str) -> None:
    where = f"{path}:{lineno}: " if lineno is not None else f"{path}: "
    hits = [e for e in errors if e.startswith(where) and re.search(pattern, e)]
    assert hits, f"no error '{where}...{pattern}' in {errors}"


def make_segmented(d: Path) -> None:
    """Turn tiny_data_dir into one with two recordings and four segments."""
    wavs = dict(line.split() for line in (d / "wav.scp").read_text().splitlines())
    (d / "wav.scp").write_text(f"recA {wavs['spkA_u1']}\nrecB {wavs['spkB_u1']}\n")
    (d / "segments").write_text("spkA_u1 recA 0.0 0.2\nspkA_u2 recA 0.2 0.4\n"
                                "spkB_u1 recB 0 0.25\nspkB_u2 recB 0.25 -1\n")


def test_valid_dir_passes(tiny_data_dir):
    assert validate_data_dir(tiny_data_dir) == []


def test_valid_segmented_dir_with_optional_files_passes(tiny_data_dir):
    d = tiny_data_dir
    make_segmented(d)
    (d / "utt2dur").write_text("".join(f"{u} 0.2\n" for u in UTTS))
    (d / "utt2num_frames").write_text("".join(f"{u} 18\n" for u in UTTS))
    (d / "feats.scp").write_text("".join(f"{u} feats.ark:{i * 100}\n" for i, u in enumerate(UTTS)))
    (d / "cmvn.scp").write_text("spkA cmvn.ark:5\nspkB cmvn.ark:90\n")
    (d / "spk2gender").write_text("spkA m\nspkB f\n")
    (d / "reco2dur").write_text("recA 0.5\nrecB 0.5\n")
    assert validate_data_dir(d) == []


# (file, line to replace (1-based) or None to append, new text, line of the error, pattern)
LINE_DEFECTS = {
    "duplicate key": ("text", None, "spkB_u2 SIX\n", 5, "duplicate key spkB_u2"),
    "CRLF": ("text", 2, "spkA_u2 THREE\r\n", 2, "CRLF"),
    "blank line": ("utt2spk", 3, "\nspkB_u1 spkB\n", 3, "blank line"),
    "utt2spk 3 fields": ("utt2spk", 2, "spkA_u2 spkA extra\n", 2, "expected 2 fields, got 3"),
    "utt2spk 1 field": ("utt2spk", 2, "spkA_u2\n", 2, "expected 2 fields, got 1"),
    "spk2utt 1 field": ("spk2utt", 2, "spkB\n", 2, "expected at least 2 fields"),
    "wav.scp 1 field": ("wav.scp", 3, "spkB_u1\n", 3, "expected at least 2 fields"),
    "empty transcript": ("text", 3, "spkB_u1\n", 3, "empty transcript for utterance spkB_u1"),
    "empty transcript, spaces": ("text", 3, "spkB_u1   \n", 3, "empty transcript"),
    "control char": ("text", 2, "spkA_u2 THR\x07EE\n", 2, "non-printable character U\\+0007"),
    "byte-order mark": ("text", 1, "\ufeffspkA_u1 ONE TWO\n", 1, "non-printable character U\\+FEFF"),
    "reserved symbol": ("text", 2, "spkA_u2 <s> THREE\n", 2, "reserved symbol <s>"),
    "leading space": ("utt2spk", 2, " spkA_u2 spkA\n", 2, "starts with whitespace"),
    "text utt not in utt2spk": ("text", 4, "spkB_u2 SIX\nspkB_u3 SEVEN\n", 5, "spkB_u3 is not in utt2spk"),
    "wav utt not in utt2spk": ("wav.scp", 1, "spkA_u0 /x.wav\n", 1, "utterance spkA_u0 is not in utt2spk"),
    "spk2utt wrong speaker": ("spk2utt", 1, "spkA spkA_u1 spkA_u2 spkB_u1\n", 1,
                              "spkB_u1 is listed under speaker spkA, but utt2spk:3 says spkB"),
    "spk2utt order": ("spk2utt", 1, "spkA spkA_u2 spkA_u1\n", 1, "not in sorted order"),
    "spk2utt unknown utt": ("spk2utt", 2, "spkB spkB_u1 spkB_u2 spkB_u9\n", 2, "spkB_u9 .*not in utt2spk"),
    "missing audio": ("wav.scp", 2, "spkA_u2 /no/such/file.wav\n", 2, "audio file does not exist: /no/such/file.wav"),
    "tilde path": ("wav.scp", 2, "spkA_u2 ~/a.wav\n", 2, "does not exist.*~ is not expanded"),
    "pipe with missing audio": ("wav.scp", 2, "spkA_u2 cat /no/such/a.flac |\n", 2,
                                "audio file \\(in a pipe\\) does not exist: /no/such/a.flac"),
    "pipe with shell operator": ("wav.scp", 2, "spkA_u2 cat /x.wav; rm -rf / |\n", 2, "not allowed"),
    "pipe with a shell": ("wav.scp", 2, "spkA_u2 sh -c 'cat x' |\n", 2, "a shell"),
    "pipe with unknown program": ("wav.scp", 2, "spkA_u2 no-such-program-xyz -q |\n", 2,
                                  "program no-such-program-xyz .*not found"),
}


@pytest.mark.parametrize("name", LINE_DEFECTS)
def test_each_line_defect_is_caught(tiny_data_dir, name):
    file, lineno, new, err_line, pattern = LINE_DEFECTS[name]
    path = tiny_data_dir / file
    if lineno is None:
        path.write_text(path.read_text() + new)
    else:
        set_line(path, lineno, new)
    errors = validate_data_dir(tiny_data_dir)
    assert_error(errors, path, err_line, pattern)


def test_unsorted_keys(tiny_data_dir):
    text = tiny_data_dir / "text"
    content = lines(text)
    text.write_text("".join([content[1], content[0]] + content[2:]))
    errors = validate_data_dir(tiny_data_dir)
    assert_error(errors, text, 2, "not sorted: spkA_u1 comes after spkA_u2")
    assert len(errors) == 1


def test_sort_order_is_bytes_not_locale(tiny_data_dir):
    # byte order puts upper case before lower case and '-' (0x2d) before '_' (0x5f)
    d = tiny_data_dir
    for name in ("text", "wav.scp"):
        (d / name).unlink()
    (d / "utt2spk").write_text("spkA-x spkA\nspkA_u1 spkA\nspkB spkB\nspka spka\n")
    (d / "spk2utt").write_text("spkA spkA-x spkA_u1\nspkB spkB\nspka spka\n")
    assert validate_data_dir(d, check_text=False, check_wav=False) == []
    (d / "utt2spk").write_text("spkA_u1 spkA\nspkA-x spkA\nspkB spkB\nspka spka\n")
    assert_error(validate_data_dir(d, check_text=False, check_wav=False), d / "utt2spk", 2, "not sorted")


def test_missing_final_newline(tiny_data_dir):
    text = tiny_data_dir / "text"
    text.write_text(text.read_text().rstrip("\n"))
    assert_error(validate_data_dir(tiny_data_dir), text, 4, "no newline at end of file")


def test_non_utf8_text(tiny_data_dir):
    text = tiny_data_dir / "text"
    content = text.read_bytes().split(b"\n")
    content[1] = b"spkA_u2 THR\xffEE"
    text.write_bytes(b"\n".join(content))
    assert_error(validate_data_dir(tiny_data_dir), text, 2, "not valid UTF-8")


def test_non_print_ok_allows_control_chars_in_text_only(tiny_data_dir):
    set_line(tiny_data_dir / "text", 2, "spkA_u2 THR\x07EE\n")
    assert validate_data_dir(tiny_data_dir, non_print_ok=True) == []
    set_line(tiny_data_dir / "utt2spk", 2, "spkA_u2 spkA\x07\n")
    assert validate_data_dir(tiny_data_dir, non_print_ok=True) != []


def test_utterance_missing_from_text_is_named_at_its_utt2spk_line(tiny_data_dir):
    text = tiny_data_dir / "text"
    content = lines(text)
    text.write_text("".join(content[:2] + content[3:]))
    errors = validate_data_dir(tiny_data_dir)
    assert errors == [f"{tiny_data_dir / 'utt2spk'}:3: utterance spkB_u1 is missing from text"]


def test_utt2spk_line_missing_from_spk2utt(tiny_data_dir):
    set_line(tiny_data_dir / "spk2utt", 2, "spkB spkB_u2\n")
    assert_error(validate_data_dir(tiny_data_dir), tiny_data_dir / "utt2spk", 3, "spkB_u1 is missing from spk2utt")


def test_speaker_sort_rule_and_no_spk_sort(tiny_data_dir):
    # utterances sorted, but their speakers are not: Kaldi's `sort -k2 utt2spk` check
    d = tiny_data_dir
    (d / "utt2spk").write_text("spkA_u1 zed\nspkA_u2 zed\nspkB_u1 amy\nspkB_u2 amy\n")
    (d / "spk2utt").write_text("amy spkB_u1 spkB_u2\nzed spkA_u1 spkA_u2\n")
    assert_error(validate_data_dir(d), d / "utt2spk", 3, "not sorted by speaker")
    assert validate_data_dir(d, check_spk_sort=False) == []


@pytest.mark.parametrize("name", ["wav.scp", "utt2spk", "spk2utt", "text"])
def test_missing_required_file(tiny_data_dir, name):
    (tiny_data_dir / name).unlink()
    assert_error(validate_data_dir(tiny_data_dir), tiny_data_dir / name, None, "no such file")


def test_no_text_and_no_wav_make_them_optional_but_still_checked(tiny_data_dir):
    d = tiny_data_dir
    (d / "wav.scp").unlink()
    text = lines(d / "text")
    (d / "text").unlink()
    assert validate_data_dir(d, check_text=False, check_wav=False) == []
    (d / "text").write_text("".join(text[:3]))
    assert_error(validate_data_dir(d, check_text=False, check_wav=False), d / "utt2spk", 4, "missing from text")


def test_empty_file(tiny_data_dir):
    (tiny_data_dir / "text").write_text("")
    assert_error(validate_data_dir(tiny_data_dir), tiny_data_dir / "text", None, "file is empty")


@pytest.mark.parametrize("name,content,lineno,pattern", [
    ("feats.scp", "spkA_u1 f.ark:1\nspkA_u2 f.ark:2\nspkB_u2 f.ark:4\n", None, None),
    ("utt2num_frames", "spkA_u1 10\nspkA_u2 10\nspkB_u1 10\n", None, None),
    ("utt2dur", "spkA_u1 0.5\nspkA_u2 0.5\nspkB_u1 0.5\nspkB_u2 0.5\nspkB_u3 0.5\n", 5, "spkB_u3 is not in utt2spk"),
    ("utt2dur", "spkA_u1 0.5\nspkA_u2 0\nspkB_u1 0.5\nspkB_u2 0.5\n", 2, "duration must be a positive"),
    ("utt2num_frames", "spkA_u1 10\nspkA_u2 1.5\nspkB_u1 10\nspkB_u2 10\n", 2, "positive integer"),
    ("cmvn.scp", "spkA c.ark:1\n", None, None),
    ("spk2gender", "spkA m\nspkB x\n", 2, "gender must be m or f"),
    ("utt2uniq", "spkA_u1 a\nspkA_u2 b\nspkB_u1 c\n", None, None),
])
def test_optional_tables_are_checked_when_present(tiny_data_dir, name, content, lineno, pattern):
    d = tiny_data_dir
    (d / name).write_text(content)
    errors = validate_data_dir(d)
    if pattern is not None:
        assert_error(errors, d / name, lineno, pattern)
    else:  # a key missing from the table: named at the utt2spk/spk2utt line
        ref = "spk2utt" if name in ("cmvn.scp", "spk2gender") else "utt2spk"
        missing = {"feats.scp": ("spkB_u1", 3), "utt2num_frames": ("spkB_u2", 4),
                   "cmvn.scp": ("spkB", 2), "utt2uniq": ("spkB_u2", 4)}[name]
        assert_error(errors, d / ref, missing[1], f"{missing[0]} is missing from {name}")


@pytest.mark.parametrize("new,lineno,pattern", [
    ("spkA_u2 recA 0.4 0.2\n", 2, "end time 0.2 is not after start time 0.4"),
    ("spkA_u2 recA 0.4 0.4\n", 2, "not after"),
    ("spkA_u2 recA -0.1 0.2\n", 2, "negative start"),
    ("spkA_u2 recC 0.2 0.4\n", 2, "recording recC is not in wav.scp"),
    ("spkA_u2 recA 0.2 x\n", 2, "not numbers"),
    ("spkA_u2 recA 0.2 0.4 9\n", 2, "expected 4 fields, got 5"),
    ("spkA_u2 recA 0.2\n", 2, "expected 4 fields, got 3"),
    ("spkA_u2 recA nan 0.4\n", 2, "not finite"),
])
def test_segment_defects(tiny_data_dir, new, lineno, pattern):
    make_segmented(tiny_data_dir)
    set_line(tiny_data_dir / "segments", 2, new)
    assert_error(validate_data_dir(tiny_data_dir), tiny_data_dir / "segments", lineno, pattern)


def test_recording_without_segments_is_an_error(tiny_data_dir):
    make_segmented(tiny_data_dir)
    wav = tiny_data_dir / "wav.scp"
    wav.write_text(wav.read_text() + f"recC {wav.read_text().split()[1]}\n")
    assert_error(validate_data_dir(tiny_data_dir), wav, 3, "recording recC is used by no segment")


def test_reco2dur_keyed_by_recording(tiny_data_dir):
    make_segmented(tiny_data_dir)
    (tiny_data_dir / "reco2dur").write_text("recA 0.5\n")
    assert_error(validate_data_dir(tiny_data_dir), tiny_data_dir / "wav.scp", 2, "recB is missing from reco2dur")


def test_pipes_are_parsed_not_run(tiny_data_dir, tmp_path):
    marker = tmp_path / "made.wav"
    set_line(tiny_data_dir / "wav.scp", 2, f"spkA_u2 touch {marker} |\n")
    assert_error(validate_data_dir(tiny_data_dir), tiny_data_dir / "wav.scp", 2, "does not exist")
    assert not marker.exists()


def test_valid_pipe_and_nested_pipe_pass(tiny_data_dir):
    wav = tiny_data_dir / "wav.scp"
    first = lines(wav)[0].split()
    set_line(wav, 1, f"{first[0]} cat {first[1]} |\n")
    assert validate_data_dir(tiny_data_dir) == []
    set_line(wav, 1, f"{first[0]} cat 'cat /no/such.wav |' |\n")  # an argument that is itself a pipe
    assert_error(validate_data_dir(tiny_data_dir), wav, 1, "does not exist: /no/such.wav")


def test_empty_audio_file(tiny_data_dir, tmp_path):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    set_line(tiny_data_dir / "wav.scp", 1, f"spkA_u1 {empty}\n")
    assert_error(validate_data_dir(tiny_data_dir), tiny_data_dir / "wav.scp", 1, "empty \\(0 bytes\\)")


def test_all_defects_are_reported_not_only_the_first(tiny_data_dir):
    d = tiny_data_dir
    set_line(d / "text", 3, "spkB_u1\n")
    set_line(d / "wav.scp", 4, "spkB_u2 /no/such.wav\n")
    set_line(d / "utt2spk", 2, "spkA_u2 spkA x\n")
    errors = validate_data_dir(d)
    assert_error(errors, d / "text", 3, "empty transcript")
    assert_error(errors, d / "wav.scp", 4, "does not exist")
    assert_error(errors, d / "utt2spk", 2, "expected 2 fields")


def test_not_a_directory(tmp_path):
    assert validate_data_dir(tmp_path / "nope") == [f"{tmp_path / 'nope'}: no such directory"]


def test_cli_exit_status_and_messages(tiny_data_dir, capsys):
    validate_main([str(tiny_data_dir)])
    set_line(tiny_data_dir / "text", 3, "spkB_u1\n")
    with pytest.raises(SystemExit) as exc:
        validate_main([str(tiny_data_dir)])
    assert exc.value.code == 1
    assert f"{tiny_data_dir / 'text'}:3: empty transcript for utterance spkB_u1" in capsys.readouterr().err
    (tiny_data_dir / "text").unlink()
    validate_main(["--no-text", str(tiny_data_dir)])


def test_fsdd_sized_dir_validates_fast(fsdd_root, tmp_path):
    wavs = sorted((fsdd_root / "recordings").glob("*.wav"))
    assert len(wavs) == 3000
    rows = sorted(((f"{w.stem.split('_')[1]}_{w.stem}", w.stem.split("_")[1], w) for w in wavs),
                  key=lambda r: r[0].encode())
    d = tmp_path / "fsdd"
    d.mkdir()
    (d / "wav.scp").write_text("".join(f"{u} {w}\n" for u, _, w in rows))
    (d / "utt2spk").write_text("".join(f"{u} {s}\n" for u, s, _ in rows))
    (d / "text").write_text("".join(f"{u} DIGIT\n" for u, _, _ in rows))
    spk2utt: dict[str, list[str]] = {}
    for u, s, _ in rows:
        spk2utt.setdefault(s, []).append(u)
    (d / "spk2utt").write_text("".join(f"{s} {' '.join(us)}\n" for s, us in sorted(spk2utt.items())))
    start = time.perf_counter()
    errors = validate_data_dir(d)
    elapsed = time.perf_counter() - start
    assert errors == []
    assert elapsed < 1.0, f"validating 3000 utterances took {elapsed:.2f}s"
