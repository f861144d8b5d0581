"""The data-dir shell tools in utils/, run as a recipe runs them (path.sh sourced, from the
repository root): exit status, messages, and the files they write."""

import shlex
import subprocess

import pytest

from asr.data.validate import validate_data_dir


def sh(repo_root, command: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", f". ./path.sh && {command}"], cwd=repo_root, input=stdin,
                          capture_output=True, text=True)


def keys(path) -> list[str]:
    return [line.split()[0] for line in path.read_text().splitlines()]


def test_validate_passes_and_fails_with_the_message(repo_root, tiny_data_dir):
    d = shlex.quote(str(tiny_data_dir))
    r = sh(repo_root, f"utils/validate_data_dir.sh {d}")
    assert r.returncode == 0, r.stderr
    (tiny_data_dir / "text").write_text("spkA_u1 ONE TWO\nspkA_u2\nspkB_u1 FOUR FIVE\nspkB_u2 SIX\n")
    r = sh(repo_root, f"utils/validate_data_dir.sh {d}")
    assert r.returncode == 1
    assert f"{tiny_data_dir / 'text'}:2: empty transcript for utterance spkA_u2" in r.stderr


def test_validate_flags_are_kaldi_style(repo_root, tiny_data_dir):
    d = shlex.quote(str(tiny_data_dir))
    (tiny_data_dir / "text").unlink()
    assert sh(repo_root, f"utils/validate_data_dir.sh {d}").returncode == 1
    r = sh(repo_root, f"utils/validate_data_dir.sh --no-feats --no-text {d}")
    assert r.returncode == 0, r.stderr
    assert sh(repo_root, f"utils/validate_data_dir.sh --no-such-flag {d}").returncode == 1


@pytest.mark.parametrize("script", ["validate_data_dir.sh", "fix_data_dir.sh", "subset_data_dir.sh",
                                    "combine_data.sh", "copy_data_dir.sh", "perturb_data_dir_speed.sh",
                                    "make_noisy_data_dir.sh"])
def test_usage_on_wrong_argument_count(repo_root, script):
    r = sh(repo_root, f"utils/{script}")
    assert r.returncode == 1
    assert "Usage:" in r.stderr and "e.g.:" in r.stderr


def test_missing_directory_is_an_error(repo_root, tmp_path):
    r = sh(repo_root, f"utils/validate_data_dir.sh {tmp_path}/none")
    assert r.returncode == 1 and "no such directory" in r.stderr
    r = sh(repo_root, f"utils/fix_data_dir.sh {tmp_path}/none")
    assert r.returncode == 1 and "utt2spk" in r.stderr


def test_fix_then_validate(repo_root, tiny_data_dir):
    d = shlex.quote(str(tiny_data_dir))
    with open(tiny_data_dir / "text", "a") as f:
        f.write("spkA_u0 EXTRA\n")
    r = sh(repo_root, f"utils/fix_data_dir.sh {d} && utils/validate_data_dir.sh {d}")
    assert r.returncode == 0, r.stderr
    assert "kept all 4 utterances" in r.stdout
    assert keys(tiny_data_dir / "text") == keys(tiny_data_dir / "utt2spk")


def test_subset_combine_copy_perturb_scripts(repo_root, tiny_data_dir, tmp_path):
    d, t = shlex.quote(str(tiny_data_dir)), shlex.quote(str(tmp_path))
    (tmp_path / "list").write_text("spkB_u1\nspkB_u2\n")
    r = sh(repo_root, f"utils/subset_data_dir.sh --first {d} 2 {t}/first && "
                      f"utils/subset_data_dir.sh --utt-list {t}/list {d} {t}/listed && "
                      f"utils/combine_data.sh {t}/all {t}/first {t}/listed && "
                      f"utils/copy_data_dir.sh --utt-prefix p- --spk-prefix p- {t}/all {t}/copy && "
                      f"utils/perturb_data_dir_speed.sh 0.9 {t}/copy {t}/sp")
    assert r.returncode == 0, r.stderr
    assert keys(tmp_path / "first" / "utt2spk") == ["spkA_u1", "spkA_u2"]
    assert keys(tmp_path / "listed" / "utt2spk") == ["spkB_u1", "spkB_u2"]
    assert (tmp_path / "all" / "text").read_text() == (tiny_data_dir / "text").read_text()
    assert keys(tmp_path / "sp" / "utt2spk") == [f"sp0.9-p-{u}" for u in keys(tiny_data_dir / "utt2spk")]
    for name in ("first", "listed", "all", "copy", "sp"):
        assert validate_data_dir(tmp_path / name) == [], name


def test_script_failures_are_loud(repo_root, tiny_data_dir, tmp_path):
    d, t = shlex.quote(str(tiny_data_dir)), shlex.quote(str(tmp_path))
    r = sh(repo_root, f"utils/subset_data_dir.sh {d} 9 {t}/sub")
    assert r.returncode == 1 and "only 4" in r.stderr
    r = sh(repo_root, f"utils/perturb_data_dir_speed.sh zero {d} {t}/sp")
    assert r.returncode == 1 and "speed factor" in r.stderr
    r = sh(repo_root, f"utils/copy_data_dir.sh --no-such x {d} {t}/c")
    assert r.returncode == 1


def test_utt2spk_to_spk2utt_kaldi_order_and_round_trip(repo_root, tmp_path):
    # speakers in order of first appearance, utterances in input order (not sorted)
    utt2spk = "b s2\na s1\nc s2\nd s1\n"
    (tmp_path / "utt2spk").write_text(utt2spk)
    from_file = sh(repo_root, f"utils/utt2spk_to_spk2utt.pl {tmp_path}/utt2spk")
    from_stdin = sh(repo_root, "utils/utt2spk_to_spk2utt.pl", stdin=utt2spk)
    assert from_file.returncode == 0 and from_file.stdout == "s2 b c\ns1 a d\n"
    assert from_stdin.stdout == from_file.stdout
    back = sh(repo_root, "utils/spk2utt_to_utt2spk.pl", stdin=from_file.stdout)
    assert back.returncode == 0 and back.stdout == "b s2\nc s2\na s1\nd s1\n"


def test_utt2spk_spk2utt_bad_lines(repo_root):
    r = sh(repo_root, "utils/utt2spk_to_spk2utt.pl", stdin="a s1\nb s2 extra\n")
    assert r.returncode == 1 and "line 2" in r.stderr and r.stdout == ""
    r = sh(repo_root, "utils/spk2utt_to_utt2spk.pl", stdin="s1 a\ns2\n")
    assert r.returncode == 1 and "line 2" in r.stderr
