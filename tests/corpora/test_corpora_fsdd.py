"""FSDD: download through file://, data dirs on the real corpus, the CLI and local/prepare_data.sh."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from asr.bin.prepare_fsdd import main as prepare_fsdd_main
from asr.corpora.download import ChecksumError
from asr.corpora.fsdd import FSDD_TOP, download_fsdd, prepare_fsdd
from asr.data.combine import combine_data_dirs
from asr.data.datadir import load_data_dir
from asr.data.validate import validate_data_dir

SETS = ("test", "dev", "train", "test_cd", "dev_cd", "train_cd")
_NAME = re.compile(r"^(\d)_([a-z]+)_(\d+)\.wav$")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory, fsdd_root) -> Path:
    data = tmp_path_factory.mktemp("fsdd") / "data"
    prepare_fsdd(fsdd_root, data)
    return data


def _source(entry: str) -> tuple[int, str, int]:
    """(digit, speaker, index) parsed from a wav.scp path of a recording."""
    d, s, i = _NAME.match(Path(entry).name).groups()
    return int(d), s, int(i)


def test_sizes_and_official_split(prepared):
    sizes = {name: len(load_data_dir(prepared / name).utt2spk) for name in ("test", "dev", "train")}
    assert sizes == {"test": 300, "dev": 300, "train": 2400}
    indices = {name: {_source(e)[2] for e in load_data_dir(prepared / name).wav_scp.values()}
               for name in ("test", "dev", "train")}
    assert indices["test"] == set(range(5))
    assert indices["dev"] == set(range(5, 10))
    assert indices["train"] == set(range(10, 50))


def test_hand_checked_utterances(prepared, fsdd_root):
    recordings = (fsdd_root / "recordings").resolve()
    cases = [  # set, utt, speaker, word, file
        ("test", "jackson_0_00", "jackson", "ZERO", "0_jackson_0.wav"),
        ("test", "lucas_4_04", "lucas", "FOUR", "4_lucas_4.wav"),
        ("dev", "george_3_07", "george", "THREE", "3_george_7.wav"),
        ("train", "theo_6_10", "theo", "SIX", "6_theo_10.wav"),
        ("train", "yweweler_9_49", "yweweler", "NINE", "9_yweweler_49.wav"),
    ]
    for name, utt, spk, word, file in cases:
        d = load_data_dir(prepared / name)
        assert d.utt2spk[utt] == spk
        assert d.text[utt] == word
        assert d.wav_scp[utt] == str(recordings / file)
        assert Path(d.wav_scp[utt]).is_absolute()


def test_every_set_is_valid_and_sorted_kaldi_style(prepared):
    for name in SETS:
        d = prepared / name
        assert validate_data_dir(d) == [], name
        u2s = [line.split() for line in (d / "utt2spk").read_text().splitlines()]
        assert [u for u, _ in u2s] == sorted(u for u, _ in u2s)
        assert [s for _, s in u2s] == sorted(s for _, s in u2s)  # same speaker grouping
        assert all(u.startswith(s + "_") for u, s in u2s)
        suffix = "_cd" if name.endswith("_cd") else ""  # connected digits: their own CMVN speakers
        assert {s for _, s in u2s} == {spk + suffix for spk in
                                       ("george", "jackson", "lucas", "nicolas", "theo", "yweweler")}


def test_connected_sets_use_only_their_split_each_recording_once(prepared):
    for name in ("test", "dev", "train"):
        single = load_data_dir(prepared / name)
        cd = load_data_dir(prepared / f"{name}_cd")
        sources = {}
        for line in (prepared / f"{name}_cd" / "utt2sources").read_text().splitlines():
            utt, *srcs = line.split()
            sources[utt] = srcs
        assert set(sources) == set(cd.utt2spk)
        used = [s for srcs in sources.values() for s in srcs]
        assert len(used) == len(set(used))
        assert set(used) == set(single.utt2spk)
        for utt, srcs in sources.items():
            assert 2 <= len(srcs) <= 7
            assert {single.utt2spk[s] + "_cd" for s in srcs} == {cd.utt2spk[utt]}
            assert cd.text[utt].split() == [single.text[s] for s in srcs]
            assert utt.startswith(f"{cd.utt2spk[utt]}_{name}_")


def test_all_sets_combine_without_id_clashes(prepared, tmp_path):
    sets = [prepared / name for name in SETS]
    assert combine_data_dirs(tmp_path / "all", sets) == 3000 + sum(
        len(load_data_dir(prepared / f"{name}_cd").utt2spk) for name in ("test", "dev", "train"))


def test_rerun_skips_complete_sets_and_seed_change_rebuilds_only_cd(prepared, fsdd_root, tmp_path):
    """Also: two runs give the same connected sets."""
    data = tmp_path / "data"
    prepare_fsdd(fsdd_root, data)
    assert (data / "test_cd" / "text").read_text() == (prepared / "test_cd" / "text").read_text()
    stamp = {n: (data / n / "text").stat().st_mtime_ns for n in SETS}
    prepare_fsdd(fsdd_root, data)
    assert {n: (data / n / "text").stat().st_mtime_ns for n in SETS} == stamp
    prepare_fsdd(fsdd_root, data, seed=1)
    for n in SETS:
        assert ((data / n / "text").stat().st_mtime_ns == stamp[n]) == (not n.endswith("_cd")), n
    assert (data / "test_cd" / "text").read_text() != (prepared / "test_cd" / "text").read_text()


def test_download_fsdd_through_file_url(tmp_path, fsdd_root, tarball_of, manifest_of):
    names = ["2_nicolas_0.wav", "5_lucas_33.wav", "8_george_7.wav"]
    files = {f"{FSDD_TOP}/recordings/{n}": (fsdd_root / "recordings" / n).read_bytes() for n in names}
    files[f"{FSDD_TOP}/README.md"] = b"# FSDD"
    archive = tarball_of(tmp_path / "v1.0.10.tar.gz", files)
    manifest = manifest_of(tmp_path / "m.sha256", fsdd_root, [f"recordings/{n}" for n in names])
    root = download_fsdd(tmp_path / "downloads", url=archive.as_uri(), manifest=manifest)
    assert root == (tmp_path / "downloads" / FSDD_TOP).resolve()
    assert sorted(p.name for p in (root / "recordings").iterdir()) == sorted(names)
    with pytest.raises(ValueError, match="speaker nicolas: cannot cut 1 utterance"):
        prepare_fsdd(root, tmp_path / "data")  # one test recording: no connected utterance
    assert load_data_dir(tmp_path / "data" / "test").text == {"nicolas_2_00": "TWO"}
    assert load_data_dir(tmp_path / "data" / "dev").text == {"george_8_07": "EIGHT"}
    archive.unlink()
    assert download_fsdd(tmp_path / "downloads", url=archive.as_uri(), manifest=manifest) == root


@pytest.fixture(scope="module")
def tampered_copy(tmp_path_factory, fsdd_root) -> Path:
    root = tmp_path_factory.mktemp("tampered") / "fsdd"
    shutil.copytree(fsdd_root / "recordings", root / "recordings")
    victim = root / "recordings" / "3_theo_21.wav"
    victim.chmod(0o644)
    victim.write_bytes(victim.read_bytes()[:-2] + b"\x00\x00")
    return root


def test_cli_fails_naming_the_modified_recording(tampered_copy, tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        prepare_fsdd_main(["--fsdd-root", str(tampered_copy), str(tmp_path / "data")])
    assert e.value.code == 1
    assert "recordings/3_theo_21.wav" in capsys.readouterr().err
    assert not (tmp_path / "data").exists()


def _recipe(tmp_path: Path, repo_root: Path) -> Path:
    """A recipe folder like the repository root: local/ with the script and manifest, utils/."""
    recipe = tmp_path / "recipe"
    (recipe / "local").mkdir(parents=True)
    for name in ("prepare_data.sh", "fsdd_v1.0.10.sha256"):
        shutil.copy(repo_root / "local" / name, recipe / "local" / name)
    (recipe / "utils").symlink_to(repo_root / "utils")
    return recipe


def _run(cmd: list[str], cwd: Path, repo_root: Path, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k != "FSDD_ROOT"}
    full_env = {**base, "PATH": f"{repo_root / '.venv' / 'bin'}:{os.environ['PATH']}", **env}
    return subprocess.run(cmd, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120)


def test_prepare_data_sh_with_env_root_then_skips(tmp_path, repo_root, fsdd_root, prepared):
    recipe = _recipe(tmp_path, repo_root)
    r = _run(["local/prepare_data.sh", "downloads", "data/x"], recipe, repo_root, FSDD_ROOT=str(fsdd_root))
    assert r.returncode == 0, r.stderr
    for name in SETS:  # the connected sets' wav.scp name their own data dir's wavs
        files = ("text", "utt2spk", "spk2utt") + (() if name.endswith("_cd") else ("wav.scp",))
        for file in files:
            assert (recipe / "data/x" / name / file).read_text() == (prepared / name / file).read_text()
    r = _run(["local/prepare_data.sh", "downloads", "data/x"], recipe, repo_root, FSDD_ROOT=str(fsdd_root))
    assert r.returncode == 0 and r.stderr.count("already complete") == 6, r.stderr
    assert not (recipe / "downloads").exists()


def test_prepare_data_sh_errors(tmp_path, repo_root, tampered_copy):
    recipe = _recipe(tmp_path, repo_root)
    r = _run(["local/prepare_data.sh", "downloads"], recipe, repo_root)
    assert r.returncode == 1 and "e.g.:" in r.stderr
    r = _run(["local/prepare_data.sh", "--fsdd-root", str(tmp_path / "nowhere"), "downloads", "data"],
             recipe, repo_root)
    assert r.returncode == 1 and "nowhere/recordings does not exist" in r.stderr
    r = _run(["local/prepare_data.sh", "--fsdd-root", str(tampered_copy), "downloads", "data"],
             recipe, repo_root)
    assert r.returncode == 1 and "3_theo_21.wav" in r.stderr
    assert not (recipe / "data").exists()


def test_download_failure_is_loud(tmp_path):
    with pytest.raises(OSError, match="absent.tar.gz"):
        download_fsdd(tmp_path / "dl", url=(tmp_path / "absent.tar.gz").as_uri())
    with pytest.raises(ChecksumError):
        download_fsdd(tmp_path / "dl2", url=_empty_release(tmp_path).as_uri())


def _empty_release(tmp_path: Path) -> Path:
    """A release tarball holding one truncated recording."""
    archive = tmp_path / "v1.0.10.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo(f"{FSDD_TOP}/recordings/0_george_0.wav")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"RIFF"))
    return archive
