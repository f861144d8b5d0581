"""Kaldi ``wav.scp`` pipe entries (``sox in.wav -t wav - |``), run without a shell.

A pipe entry is split into stages at ``|``; each stage is tokenized like a shell word
list, but anything that a shell would treat as another command (``;``, ``&``, ``&&``,
redirections, ``$(...)``, backticks, sub-shells) or a shell interpreter as a stage's
program is rejected, so a data dir can never make us run a command it did not spell out.
"""

from __future__ import annotations

import shlex
import subprocess

__all__ = ["is_pipe", "parse_pipe", "run_pipe"]

_OPERATOR_CHARS = ";&|<>()"
_SHELLS = {"sh", "bash", "dash", "zsh", "ksh", "csh", "tcsh", "fish", "eval", "exec", "source", "."}


def is_pipe(entry: str) -> bool:
    """True when a ``wav.scp`` value is a command whose standard output is the audio."""
    return entry.rstrip().endswith("|")


def parse_pipe(entry: str) -> list[list[str]]:
    """Split a pipe entry into argument vectors, one per stage.

    Args:
        entry (str): a ``wav.scp`` value ending in ``|``.

    Returns:
        list[list[str]]: e.g. ``[["sox", "a.wav", "-t", "wav", "-"]]``.

    Raises:
        ValueError: not a pipe, empty stage, or anything a shell would run besides the stages.
    """
    if not is_pipe(entry):
        raise ValueError(f"not a pipe entry (must end with '|'): {entry!r}")
    if "`" in entry or "$(" in entry or "\n" in entry:
        raise ValueError(f"command substitution is not allowed in a pipe entry: {entry!r}")
    lexer = shlex.shlex(entry.rstrip()[:-1], posix=True, punctuation_chars=_OPERATOR_CHARS)
    lexer.whitespace_split = True
    stages: list[list[str]] = [[]]
    try:
        tokens = list(lexer)
    except ValueError as e:
        raise ValueError(f"cannot parse pipe entry {entry!r}: {e}") from None
    for token in tokens:
        if token == "|":
            stages.append([])
        elif token and all(c in _OPERATOR_CHARS for c in token):
            raise ValueError(f"shell operator {token!r} is not allowed in a pipe entry: {entry!r}")
        else:
            stages[-1].append(token)
    for argv in stages:
        if not argv:
            raise ValueError(f"empty command in pipe entry: {entry!r}")
        if argv[0].rsplit("/", 1)[-1] in _SHELLS:
            raise ValueError(f"a shell ({argv[0]}) may not be run from a pipe entry: {entry!r}")
    return stages


def run_pipe(entry: str, timeout: float = 600.0) -> bytes:
    """Run a pipe entry's stages connected by pipes and return the last one's output.

    Raises:
        ValueError: the entry is not an allowed pipe (see :func:`parse_pipe`).
        RuntimeError: a program is missing, a stage exits non-zero, or it times out;
            the message holds the stage and the end of its standard error.
    """
    stages = parse_pipe(entry)
    procs: list[subprocess.Popen] = []
    stdin = subprocess.DEVNULL
    try:
        for argv in stages:
            try:
                proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            except OSError as e:
                raise RuntimeError(f"cannot run {argv[0]!r} from pipe entry {entry!r}: {e.strerror}") from None
            if procs:
                procs[-1].stdout.close()  # the next stage owns it now
            procs.append(proc)
            stdin = proc.stdout
        output, last_err = procs[-1].communicate(timeout=timeout)
        for argv, proc in zip(stages, procs):
            proc.wait(timeout=timeout)
            raw_err = last_err if proc is procs[-1] else proc.stderr.read()
            err = raw_err.decode("utf-8", "replace").strip()
            if proc.returncode != 0:
                tail = err[-500:] if err else "(no stderr)"
                raise RuntimeError(
                    f"command {shlex.join(argv)!r} exited with status {proc.returncode}: {tail}"
                )
        return output
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"pipe entry timed out after {timeout}s: {entry!r}") from None
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
