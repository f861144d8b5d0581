"""utils/run.pl and utils/slurm.pl: job arrays, per-job logs, loud failures."""

import os
import re
import subprocess

FAKE_SBATCH = """#!/usr/bin/env bash
# Stands in for Slurm: records its options, then runs each array task here.
printf '%s\\n' "$@" > "$(dirname "$0")/sbatch.args"
for a in "$@"; do case $a in --array=*) array=${a#--array=};; esac; done
range=${array%%%*}
for i in $(seq ${range%-*} ${range#*-}); do SLURM_ARRAY_TASK_ID=$i bash "${@: -1}"; done
"""


def run(tool, repo_root, cwd, *args, env=None):
    return subprocess.run([str(repo_root / "utils" / tool), *args], cwd=cwd,
                          capture_output=True, text=True, env=env)


def check_log(path, expect_code):
    lines = path.read_text().splitlines()
    assert lines[0].startswith("# ")
    assert lines[1].startswith("# Started at")
    assert re.match(rf"# Ended \(code {expect_code}\) at .*elapsed time \d+ seconds", lines[-1])
    return lines


def test_run_pl_job_array_substitutes_job(repo_root, tmp_path):
    r = run("run.pl", repo_root, tmp_path, "JOB=1:3", "log/x.JOB.log", "echo", "job=JOB",
            "|", "tr", "a-z", "A-Z")
    assert r.returncode == 0, r.stderr
    for i in (1, 2, 3):
        lines = check_log(tmp_path / f"log/x.{i}.log", 0)
        assert lines[0] == f"# echo job={i} | tr a-z A-Z"
        assert f"JOB={i}" in lines


def test_run_pl_reports_failures_and_exits_nonzero(repo_root, tmp_path):
    r = run("run.pl", repo_root, tmp_path, "JOB=1:4", "log/f.JOB.log", "exit", "$((JOB%2))")
    assert r.returncode == 1
    assert "2 / 4 failed, log is in log/f.1.log" in r.stderr
    check_log(tmp_path / "log/f.1.log", 1)
    check_log(tmp_path / "log/f.2.log", 0)


def test_run_pl_max_jobs_and_usage(repo_root, tmp_path):
    r = run("run.pl", repo_root, tmp_path, "--max-jobs-run", "1", "JOB=1:3", "log/m.JOB.log", "true")
    assert r.returncode == 0
    assert run("run.pl", repo_root, tmp_path, "log/only.log").returncode == 1
    r = run("run.pl", repo_root, tmp_path, "JOB=1:2", "log/nojob.log", "true")
    assert r.returncode == 1 and "must contain JOB" in r.stderr


def test_slurm_pl_submits_array_and_checks_logs(repo_root, tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "sbatch").write_text(FAKE_SBATCH)
    (bindir / "sbatch").chmod(0o755)
    env = dict(os.environ, PATH=f"{bindir}:{os.environ['PATH']}", SLURM_OPTS="--partition=cpu")
    r = run("slurm.pl", repo_root, tmp_path, "--mem", "2G", "--num-threads", "2", "JOB=1:3",
            "log/s.JOB.log", "echo", "task JOB", ";", "exit", "$((JOB==3))", env=env)
    assert r.returncode == 1
    assert "1 / 3 failed, log is in log/s.3.log" in r.stderr
    assert "task 2" in check_log(tmp_path / "log/s.2.log", 0)
    args = (bindir / "sbatch.args").read_text().splitlines()
    for expected in ("--array=1-3", "--mem=2G", "--cpus-per-task=2", "--partition=cpu", "--wait"):
        assert expected in args


def test_slurm_pl_without_sbatch_fails_clearly(repo_root, tmp_path):
    env = dict(os.environ, PATH="/usr/bin:/bin")
    r = run("slurm.pl", repo_root, tmp_path, "log/x.log", "true", env=env)
    assert r.returncode == 1 and "sbatch not found" in r.stderr
