"""yes/no: data dirs on the real corpus, download through file://, the CLI and local/prepare_data.sh."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from asr.bin.prepare_yesno import main as prepare_yesno_main
from asr.corpora.yesno import download_yesno, prepare_yesno
from asr.data.datadir import load_data_dir
from asr.data.validate import validate_data_dir


@pytest.fixture(scope="module")
def prepared(tmp_path_factory, yesno_root) -> Path:
    data = tmp_path_factory.mktemp("yesno") / "data"
    prepare_yesno(yesno_root, data)
    return data


def test_split_sizes_speaker_and_validity(prepared, yesno_root):
    train, test = load_data_dir(prepared / "train_yesno"), load_data_dir(prepared / "test_yesno")
    assert (len(train.utt2spk), len(test.utt2spk)) == (31, 29)
    assert all(u.startswith("0") for u in train.utt2spk) and all(u.startswith("1") for u in test.utt2spk)
    assert set(train.utt2spk.values()) == set(test.utt2spk.values()) == {"global"}
    spk2utt = (prepared / "train_yesno" / "spk2utt").read_text()
    assert spk2utt == "global " + " ".join(sorted(train.utt2spk)) + "\n"
    assert sum(len(t.split()) for t in test.text.values()) == 232
    for name in ("train_yesno", "test_yesno"):
        assert validate_data_dir(prepared / name) == []
    waves = (yesno_root / "waves_yesno").resolve()
    assert {Path(p) for d in (train, test) for p in d.wav_scp.values()} == set(waves.glob("*.wav"))


def test_texts_match_file_names(prepared):
    train, test = load_data_dir(prepared / "train_yesno"), load_data_dir(prepared / "test_yesno")
    assert train.text["0_0_0_0_1_1_1_1"] == "NO NO NO NO YES YES YES YES"
    assert test.text["1_0_1_1_1_0_1_0"] == "YES NO YES YES YES NO YES NO"
    for d in (train, test):
        for utt, words in d.text.items():
            assert Path(d.wav_scp[utt]).name == utt + ".wav"
            assert "_".join({"YES": "1", "NO": "0"}[w] for w in words.split()) == utt


def test_download_yesno_through_file_url(tmp_path, yesno_root, tarball_of, manifest_of):
    names = ["0_0_1_0_0_1_1_0.wav", "0_1_0_0_1_0_1_0.wav", "1_0_0_0_0_0_0_1.wav", "1_1_1_1_1_1_1_1.wav"]
    files = {f"waves_yesno/{n}": (yesno_root / "waves_yesno" / n).read_bytes() for n in names}
    files["waves_yesno/README"] = b"not listed in the manifest"
    archive = tarball_of(tmp_path / "served" / "waves_yesno.tar.gz", files)
    manifest = manifest_of(tmp_path / "m.sha256", yesno_root, [f"waves_yesno/{n}" for n in names])
    dl = tmp_path / "downloads"
    root = download_yesno(dl, url=archive.as_uri(), manifest=manifest)
    assert root == dl.resolve() and (dl / "waves_yesno" / ".complete").is_file()
    data = prepare_yesno(root, tmp_path / "data")
    assert sorted(load_data_dir(data["test_yesno"]).text) == ["1_0_0_0_0_0_0_1", "1_1_1_1_1_1_1_1"]
    archive.unlink()
    assert download_yesno(dl, url=archive.as_uri(), manifest=manifest) == root


def test_bad_file_name_is_an_error(tmp_path):
    (tmp_path / "waves_yesno").mkdir()
    (tmp_path / "waves_yesno" / "0_1_2.wav").write_bytes(b"RIFF")
    with pytest.raises(ValueError, match="0_1_2.wav: name is not a sequence"):
        prepare_yesno(tmp_path, tmp_path / "data")


def test_cli_names_missing_wav(tmp_path, yesno_root, capsys):
    root = tmp_path / "copy"
    shutil.copytree(yesno_root / "waves_yesno", root / "waves_yesno")
    (root / "waves_yesno" / "1_1_0_0_1_0_1_1.wav").unlink()
    with pytest.raises(SystemExit) as e:
        prepare_yesno_main(["--yesno-root", str(root), str(tmp_path / "data")])
    assert e.value.code == 1
    assert "missing: waves_yesno/1_1_0_0_1_0_1_1.wav" in capsys.readouterr().err


def test_prepare_data_sh(tmp_path, repo_root, yesno_root, prepared):
    recipe = tmp_path / "recipe"
    shutil.copytree(repo_root / "egs" / "yesno" / "local", recipe / "local")
    (recipe / "utils").symlink_to(repo_root / "utils")
    env = {k: v for k, v in os.environ.items() if k != "YESNO_ROOT"}
    env["PATH"] = f"{repo_root / '.venv' / 'bin'}:{env['PATH']}"

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["local/prepare_data.sh", *args], cwd=recipe, env=env,
                              capture_output=True, text=True, timeout=120)

    r = run("--yesno-root", str(yesno_root), "downloads", "data")
    assert r.returncode == 0, r.stderr
    for name in ("train_yesno", "test_yesno"):
        for file in ("wav.scp", "text", "utt2spk", "spk2utt"):
            assert (recipe / "data" / name / file).read_text() == (prepared / name / file).read_text()
    r = run("--yesno-root", str(yesno_root), "downloads", "data")
    assert r.returncode == 0 and r.stderr.count("already complete") == 2, r.stderr
    r = run("data")
    assert r.returncode == 1 and "e.g.:" in r.stderr
    r = run("--yesno-root", str(tmp_path), "downloads", "data")
    assert r.returncode == 1 and "waves_yesno does not exist" in r.stderr
