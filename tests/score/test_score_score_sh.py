"""steps/score.sh end to end: data dir text + decode dir hyp -> wer, wer_details."""

from __future__ import annotations

import subprocess
from pathlib import Path


def _score(repo_root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", ". ./path.sh && steps/score.sh " + " ".join(args)],
                          cwd=repo_root, capture_output=True, text=True)


def _setup(tmp_path: Path, hyp: str) -> tuple[Path, Path]:
    data, dec = tmp_path / "data/test", tmp_path / "exp/mono/decode_test"
    data.mkdir(parents=True)
    dec.mkdir(parents=True)
    (data / "text").write_text("0_jackson_0 ZERO\n1_theo_3 ONE TWO\n2_nicolas_1 TWO TWO THREE\n")
    (dec / "hyp").write_text(hyp)
    return data, dec


def test_score_sh_writes_kaldi_files(repo_root, tmp_path):
    # ZERO -> OH (sub); ONE TWO -> ONE TWO FIVE (ins); TWO TWO THREE -> TWO THREE (del).
    data, dec = _setup(tmp_path, "0_jackson_0 OH\n1_theo_3 ONE TWO FIVE\n2_nicolas_1 TWO THREE\n")
    out = _score(repo_root, str(data), str(dec))
    assert out.returncode == 0, out.stderr
    assert out.stdout == "%WER 50.00 [ 3 / 6, 1 ins, 1 del, 1 sub ]\n"
    assert (dec / "wer").read_text() == (
        "%WER 50.00 [ 3 / 6, 1 ins, 1 del, 1 sub ]\n"
        "%SER 100.00 [ 3 / 3 ]\n"
        "Scored 3 sentences, 0 not present in hyp.\n")
    per_utt = (dec / "wer_details/per_utt").read_text().splitlines()
    assert per_utt[:4] == [
        "0_jackson_0 ref  ZERO",
        "0_jackson_0 hyp   OH ",
        "0_jackson_0 op     S ",  # cjustify: odd space on the left
        "0_jackson_0 #csid 0 1 0 0",
    ]
    assert per_utt[7] == "1_theo_3 #csid 2 0 1 0"
    assert per_utt[11] == "2_nicolas_1 #csid 2 0 0 1"
    # ops: operation padded to 14, words right-aligned to the longest (THREE: 5), sorted
    # by operation, count descending, then words.
    assert (dec / "wer_details/ops").read_text().splitlines() == [
        "correct         TWO      TWO    2",
        "correct         ONE      ONE    1",
        "correct       THREE    THREE    1",
        "deletion        TWO      ***    1",
        "insertion       ***     FIVE    1",
        "substitution   ZERO       OH    1",
    ]
    assert (dec / "log/score.log").is_file()


def test_score_sh_missing_hyp_utterance_is_partial(repo_root, tmp_path):
    data, dec = _setup(tmp_path, "0_jackson_0 ZERO\n2_nicolas_1 TWO TWO THREE\n")
    out = _score(repo_root, str(data), str(dec))
    assert out.returncode == 0, out.stderr
    assert out.stdout == "%WER 0.00 [ 0 / 4, 0 ins, 0 del, 0 sub ] [PARTIAL]\n"
    assert (dec / "wer").read_text().splitlines()[2] == "Scored 2 sentences, 1 not present in hyp."


def test_score_sh_strict_mode_fails_and_removes_stale_wer(repo_root, tmp_path):
    data, dec = _setup(tmp_path, "0_jackson_0 ZERO\n")
    (dec / "wer").write_text("%WER 0.00 [ 0 / 1, 0 ins, 0 del, 0 sub ]\n")  # earlier run
    out = _score(repo_root, "--mode strict", str(data), str(dec))
    assert out.returncode != 0
    assert "score.log" in out.stderr
    assert "1_theo_3" in (dec / "log/score.log").read_text()
    assert not (dec / "wer").exists()


def test_score_sh_missing_input_and_usage(repo_root, tmp_path):
    data, dec = _setup(tmp_path, "0_jackson_0 ZERO\n")
    (dec / "hyp").unlink()
    out = _score(repo_root, str(data), str(dec))
    assert out.returncode != 0 and f"{dec}/hyp" in out.stderr
    out = _score(repo_root, str(data))
    assert out.returncode == 1 and "e.g.:" in out.stderr
