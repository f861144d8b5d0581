"""utils/make_results.sh: per-test-set Markdown tables from hand-written wer files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from asr.score.results import parse_decode_dir_name


def _write_wer(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines))


def _make_results(repo_root: Path, exp: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", f". ./path.sh && utils/make_results.sh {exp}"],
                          cwd=repo_root, capture_output=True, text=True)


def _tables(markdown: str) -> dict[str, list[dict[str, str]]]:
    """Parse '## <set>' sections holding one pipe table each into rows of dicts."""
    tables: dict[str, list[dict[str, str]]] = {}
    section, header = None, None
    for line in markdown.splitlines():
        if line.startswith("## "):
            section, header = line[3:], None
        elif line.startswith("|") and section is not None:
            cells = [c.strip() for c in line.strip("|").split("|")]
            if header is None:
                header = cells
            elif not set("".join(cells)) <= set("-:"):
                tables.setdefault(section, []).append(dict(zip(header, cells)))
    return tables


@pytest.fixture
def exp(tmp_path) -> Path:
    exp = tmp_path / "exp"
    _write_wer(exp / "mono/decode_test/wer", [
        "%WER 12.50 [ 5 / 40, 1 ins, 2 del, 2 sub ]", "%SER 40.00 [ 4 / 10 ]",
        "Scored 10 sentences, 0 not present in hyp."])
    _write_wer(exp / "tri1/decode_test/wer", [
        "%WER 7.50 [ 3 / 40, 0 ins, 1 del, 2 sub ]", "%SER 20.00 [ 2 / 10 ]",
        "Scored 10 sentences, 0 not present in hyp."])
    _write_wer(exp / "ctc/conformer/decode_test.beam4/wer", [
        "%WER 10.00 [ 3 / 30, 0 ins, 0 del, 3 sub ] [PARTIAL]", "%SER 37.50 [ 3 / 8 ]",
        "Scored 8 sentences, 2 not present in hyp."])
    _write_wer(exp / "mono/decode_test_noisy/wer", [
        "%WER 25.00 [ 10 / 40, 3 ins, 3 del, 4 sub ]", "%SER 60.00 [ 6 / 10 ]",
        "Scored 10 sentences, 0 not present in hyp."])
    (exp / "tri1/decode_unlabelled").mkdir(parents=True)
    return exp


def test_tables_per_set_sorted_by_wer(repo_root, exp):
    out = _make_results(repo_root, exp)
    assert out.returncode == 0, out.stderr
    text = (exp / "RESULTS.md").read_text()
    assert f"utils/make_results.sh {exp}" in text
    tables = _tables(text)
    assert set(tables) == {"test", "test_noisy"}
    test = tables["test"]
    assert [r["model"] for r in test] == ["tri1", "ctc/conformer", "mono"]
    assert [r["WER %"] for r in test] == ["7.50", "10.00", "12.50"]
    assert test[1]["decode dir"] == "decode_test.beam4"
    assert test[1]["errors / words"] == "3 / 30"
    assert (test[2]["ins"], test[2]["del"], test[2]["sub"]) == ("1", "2", "2")
    assert test[0]["SER %"] == "20.00" and test[0]["sentences"] == "10"
    assert test[1]["partial"].startswith("yes") and "2" in test[1]["partial"]
    assert test[0]["partial"] == "no"
    assert [r["model"] for r in tables["test_noisy"]] == ["mono"]
    assert tables["test_noisy"][0]["WER %"] == "25.00"
    assert "- tri1/decode_unlabelled" in text


def test_rerun_is_byte_identical(repo_root, exp):
    assert _make_results(repo_root, exp).returncode == 0
    first = (exp / "RESULTS.md").read_bytes()
    assert _make_results(repo_root, exp).returncode == 0
    assert (exp / "RESULTS.md").read_bytes() == first


def test_garbled_wer_file_is_named(repo_root, exp):
    bad = exp / "tri1/decode_test/wer"
    bad.write_text("%WER 7.50 [ 3 / 40 ]\n%SER 20.00 [ 2 / 10 ]\nScored 10 sentences, 0 not present in hyp.\n")
    out = _make_results(repo_root, exp)
    assert out.returncode != 0
    assert f"{bad}:1:" in out.stderr and "Traceback" not in out.stderr
    assert not (exp / "RESULTS.md").exists()


def test_no_wer_files_gives_a_report_saying_so(repo_root, tmp_path):
    (tmp_path / "exp/mono").mkdir(parents=True)
    out = _make_results(repo_root, tmp_path / "exp")
    assert out.returncode == 0 and "warning: no decode_*/wer" in out.stderr
    report = (tmp_path / "exp/RESULTS.md").read_text()
    assert "No scored decode dirs" in report and "|" not in report


def test_decode_dir_names():
    assert parse_decode_dir_name("decode_test") == ("test", None)
    assert parse_decode_dir_name("decode_test_cd") == ("test_cd", None)
    assert parse_decode_dir_name("decode_dev.beam20.lm2") == ("dev", "beam20.lm2")
    with pytest.raises(ValueError, match="decode_<set>"):
        parse_decode_dir_name("decode_.x")
