"""utils/parse_options.sh: Kaldi option semantics, loud on anything unknown."""

import subprocess

SCRIPT = """
nj=4
use_gpu=false
feat_type=fbank
. {root}/utils/parse_options.sh
echo "nj=$nj use_gpu=$use_gpu feat_type=$feat_type rest=$*"
"""


def run(repo_root, tmp_path, *args):
    script = tmp_path / "s.sh"
    script.write_text(SCRIPT.format(root=repo_root))
    return subprocess.run(["bash", str(script), *args], capture_output=True, text=True)


def test_sets_existing_variables_and_keeps_positionals(repo_root, tmp_path):
    r = run(repo_root, tmp_path, "--nj", "8", "--feat-type=mfcc", "--use-gpu", "true", "a", "--b")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "nj=8 use_gpu=true feat_type=mfcc rest=a --b"


def test_unknown_option_is_an_error(repo_root, tmp_path):
    r = run(repo_root, tmp_path, "--num-jobs", "8", "x")
    assert r.returncode != 0
    assert "--num-jobs" in r.stderr


def test_boolean_takes_only_true_or_false(repo_root, tmp_path):
    r = run(repo_root, tmp_path, "--use-gpu", "yes")
    assert r.returncode != 0
    assert "true or false" in r.stderr


def test_config_file_and_missing_value(repo_root, tmp_path):
    conf = tmp_path / "c.conf"
    conf.write_text("nj=2\nfeat_type=mfcc\n")
    r = run(repo_root, tmp_path, "--config", str(conf), "--nj", "3")
    assert r.stdout.strip() == "nj=3 use_gpu=false feat_type=mfcc rest="
    assert run(repo_root, tmp_path, "--config", str(tmp_path / "none")).returncode != 0
    assert run(repo_root, tmp_path, "--nj").returncode != 0


def test_value_is_never_evaluated(repo_root, tmp_path):
    marker = tmp_path / "pwned"
    r = run(repo_root, tmp_path, "--feat-type", f"$(touch {marker})")
    assert r.returncode == 0
    assert not marker.exists()
