"""utils/best_wer.sh: the lowest %WER line, in Kaldi's format, from grep or cat output."""

from __future__ import annotations

import subprocess
from pathlib import Path


def _best_wer(repo_root: Path, pipeline: str, cwd_files: Path) -> subprocess.CompletedProcess:
    # best_wer.sh sources utils/parse_options.sh from the recipe dir: run it from there.
    script = f'. ./path.sh && ( cd {cwd_files} && {pipeline} ) | utils/best_wer.sh'
    return subprocess.run(["bash", "-c", script], cwd=repo_root, capture_output=True, text=True)


def _write_wer(path: Path, wer_line: str, ser: str = "%SER 10.00 [ 1 / 10 ]",
               scored: str = "Scored 10 sentences, 0 not present in hyp.") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{wer_line}\n{ser}\n{scored}\n")


def test_picks_minimum_across_files_with_file_suffix(repo_root, tmp_path):
    # 10.00 vs 9.50 vs 12.25: numeric minimum (a string comparison would pick 10.00).
    _write_wer(tmp_path / "exp/mono/decode_test/wer", "%WER 10.00 [ 10 / 100, 2 ins, 3 del, 5 sub ]")
    _write_wer(tmp_path / "exp/tri1/decode_test/wer", "%WER 9.50 [ 19 / 200, 1 ins, 8 del, 10 sub ]")
    _write_wer(tmp_path / "exp/tdnn/decode_test/wer", "%WER 12.25 [ 49 / 400, 9 ins, 20 del, 20 sub ]")
    out = _best_wer(repo_root, "grep WER exp/*/decode_*/wer", tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "%WER 9.50 [ 19 / 200, 1 ins, 8 del, 10 sub ] exp/tri1/decode_test/wer\n"


def test_single_file_keeps_line_unchanged(repo_root, tmp_path):
    line = "%WER 1.23 [ 4 / 325, 1 ins, 2 del, 1 sub ]"
    _write_wer(tmp_path / "wer", line, ser="%SER 0.50 [ 1 / 200 ]")
    out = _best_wer(repo_root, "cat wer", tmp_path)
    # only %WER lines compete: the lower %SER value is not picked
    assert out.stdout == line + "\n"


def test_partial_tag_kept_and_tie_keeps_first(repo_root, tmp_path):
    _write_wer(tmp_path / "a/decode_x/wer", "%WER 5.00 [ 1 / 20, 0 ins, 1 del, 0 sub ] [PARTIAL]",
               scored="Scored 10 sentences, 2 not present in hyp.")
    _write_wer(tmp_path / "b/decode_x/wer", "%WER 5.00 [ 2 / 40, 0 ins, 0 del, 2 sub ]")
    out = _best_wer(repo_root, "grep WER a/decode_x/wer b/decode_x/wer", tmp_path)
    assert out.stdout == "%WER 5.00 [ 1 / 20, 0 ins, 1 del, 0 sub ] [PARTIAL] a/decode_x/wer\n"


def test_no_wer_line_is_error(repo_root, tmp_path):
    (tmp_path / "junk").write_text("nothing to see\n")
    out = _best_wer(repo_root, "cat junk", tmp_path)
    assert out.returncode != 0
    assert "no %WER line" in out.stderr


def test_arguments_print_usage(repo_root):
    out = subprocess.run(["bash", "-c", ". ./path.sh && utils/best_wer.sh exp </dev/null"],
                         cwd=repo_root, capture_output=True, text=True)
    assert out.returncode == 1 and "e.g.:" in out.stderr
