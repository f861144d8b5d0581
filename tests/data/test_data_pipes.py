"""wav.scp pipes run without a shell; failures and injection attempts are rejected."""

import pytest

from asr.data.pipes import parse_pipe, run_pipe


def test_parses_multi_stage_pipe_with_quotes():
    assert parse_pipe("sox 'my file.wav' -t wav - | cat |") == [
        ["sox", "my file.wav", "-t", "wav", "-"], ["cat"]]


@pytest.mark.parametrize("entry", [
    "cat a.wav; rm -rf / |",
    "cat a.wav && touch x |",
    "cat a.wav || touch x |",
    "cat a.wav & touch x |",
    "cat a.wav > /tmp/x |",
    "cat < /etc/passwd |",
    "cat $(touch x) |",
    "cat `touch x` |",
    "(cat a.wav) |",
    "bash -c 'cat a.wav' |",
    "/bin/sh -c 'cat a.wav' |",
    "cat a.wav | | cat |",
    "cat 'unterminated |",
])
def test_injection_attempts_are_rejected(entry):
    with pytest.raises(ValueError):
        parse_pipe(entry)


def test_rejected_entry_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    with pytest.raises(ValueError):
        run_pipe(f"echo hi; touch {marker} |")
    assert not marker.exists()


def test_runs_stages_and_returns_output():
    assert run_pipe("printf abc | tr a-c x-z |") == b"xyz"


def test_failing_stage_is_an_error_with_its_stderr(tmp_path):
    with pytest.raises(RuntimeError, match="exited with status 1.*No such file"):
        run_pipe(f"cat {tmp_path}/missing.wav | cat |")
    with pytest.raises(RuntimeError, match="cannot run"):
        run_pipe("no-such-program-xyz a.wav |")
