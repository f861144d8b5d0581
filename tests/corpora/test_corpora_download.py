"""Checksum manifests, safe extraction and downloads (file:// URLs; no network here)."""

from __future__ import annotations

import io
import shutil
import tarfile
from pathlib import Path

import pytest

from asr.corpora.download import (
    ChecksumError, UnsafeArchiveError, download_file, fetch_corpus, read_manifest, safe_extract,
    verify_manifest,
)

NAMES = ["0_george_0.wav", "1_jackson_5.wav", "7_theo_49.wav"]


@pytest.fixture
def small_corpus(tmp_path, fsdd_root, manifest_of):
    """A copy of three real FSDD recordings under ``root/recordings`` and their manifest."""
    root = tmp_path / "corpus"
    (root / "recordings").mkdir(parents=True)
    for name in NAMES:
        shutil.copy(fsdd_root / "recordings" / name, root / "recordings" / name)
    manifest = manifest_of(tmp_path / "m.sha256", root, [f"recordings/{n}" for n in NAMES])
    return root, manifest


def test_verify_accepts_matching_copy_and_ignores_other_suffixes(small_corpus):
    root, manifest = small_corpus
    (root / "recordings" / "README.md").write_text("not a recording")
    verify_manifest(root, manifest)


def test_verify_names_modified_file(small_corpus):
    root, manifest = small_corpus
    wav = root / "recordings" / "1_jackson_5.wav"
    data = bytearray(wav.read_bytes())
    data[-1] ^= 1
    wav.write_bytes(bytes(data))
    with pytest.raises(ChecksumError, match=r"modified.*recordings/1_jackson_5\.wav"):
        verify_manifest(root, manifest)


def test_verify_names_missing_file(small_corpus):
    root, manifest = small_corpus
    (root / "recordings" / "7_theo_49.wav").unlink()
    with pytest.raises(ChecksumError, match=r"missing.*recordings/7_theo_49\.wav"):
        verify_manifest(root, manifest)


def test_verify_names_extra_recording(small_corpus):
    root, manifest = small_corpus
    shutil.copy(root / "recordings" / NAMES[0], root / "recordings" / "2_george_0.wav")
    with pytest.raises(ChecksumError, match=r"not in the manifest.*recordings/2_george_0\.wav"):
        verify_manifest(root, manifest)


@pytest.mark.parametrize("line", [
    "abc  recordings/x.wav",
    f"{'0' * 64} recordings/x.wav",
    f"{'0' * 64}  ../x.wav",
    f"{'0' * 64}  /etc/passwd",
])
def test_read_manifest_rejects_bad_line_naming_it(tmp_path, line):
    path = tmp_path / "m.sha256"
    path.write_text(f"{'1' * 64}  recordings/ok.wav\n{line}\n")
    with pytest.raises(ValueError, match=r"m\.sha256:2:"):
        read_manifest(path)


def test_shipped_fsdd_manifest_lists_every_recording(repo_root, fsdd_root):
    import hashlib

    manifest = repo_root / "local" / "fsdd_v1.0.10.sha256"
    lines = manifest.read_text().splitlines()
    assert len(lines) == 3000
    paths = [line.split("  ")[1] for line in lines]
    assert paths == sorted(paths)
    assert set(paths) == {f"recordings/{p.name}" for p in (fsdd_root / "recordings").glob("*.wav")}
    entries = read_manifest(manifest)
    for rel in ("recordings/0_george_0.wav", "recordings/9_yweweler_49.wav"):
        assert entries[rel] == hashlib.sha256((fsdd_root / rel).read_bytes()).hexdigest()
    verify_manifest(fsdd_root, manifest)


def test_shipped_yesno_manifest_lists_every_wav(repo_root, yesno_root):
    manifest = repo_root / "egs" / "yesno" / "local" / "waves_yesno.sha256"
    entries = read_manifest(manifest)
    assert len(entries) == 60
    assert set(entries) == {f"waves_yesno/{p.name}" for p in (yesno_root / "waves_yesno").glob("*.wav")}
    verify_manifest(yesno_root, manifest)


# --- safe extraction -----------------------------------------------------------------

def _special(tar: tarfile.TarFile, name: str, kind: bytes, linkname: str = "") -> None:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, linkname
    tar.addfile(info)


def _regular(tar: tarfile.TarFile, name: str, data: bytes = b"evil") -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _malicious(kind: str, outside: Path):
    """Members of each attack; a harmless regular file comes first so that a checker that
    extracts as it goes would already have written something."""
    def build(tar: tarfile.TarFile) -> None:
        _regular(tar, "top/ok.txt", b"fine")
        if kind == "dotdot":
            _regular(tar, "top/../../outside/evil")
        elif kind == "absolute":
            _regular(tar, str(outside / "evil"))
        elif kind == "symlink":
            _special(tar, "top/passwd", tarfile.SYMTYPE, "/etc/passwd")
        elif kind == "symlink_then_write":
            _special(tar, "top/escape", tarfile.SYMTYPE, str(outside))
            _regular(tar, "top/escape/evil")
        elif kind == "relative_symlink":
            _special(tar, "top/escape", tarfile.SYMTYPE, "../../outside")
        elif kind == "hardlink":
            _special(tar, "top/hl", tarfile.LNKTYPE, str(outside / "victim"))
        elif kind == "hardlink_inside":
            _special(tar, "top/hl", tarfile.LNKTYPE, "top/ok.txt")
        elif kind == "device":
            _special(tar, "top/null", tarfile.CHRTYPE)
        elif kind == "fifo":
            _special(tar, "top/fifo", tarfile.FIFOTYPE)
    return build


KINDS = ["dotdot", "absolute", "symlink", "symlink_then_write", "relative_symlink", "hardlink",
         "hardlink_inside", "device", "fifo"]


@pytest.mark.parametrize("kind", KINDS)
def test_safe_extract_rejects_malicious_member_and_writes_nothing(tmp_path, kind):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim").write_text("original")
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        _malicious(kind, outside)(tar)
    dest = tmp_path / "work" / "dest"
    with pytest.raises(UnsafeArchiveError, match="evil.tar.gz: member"):
        safe_extract(archive, dest)
    assert not dest.exists()
    assert sorted(p.name for p in outside.iterdir()) == ["victim"]
    assert (outside / "victim").read_text() == "original"


def test_safe_extract_extracts_plain_files_and_folders(tmp_path, tarball_of):
    archive = tarball_of(tmp_path / "ok.tar.gz", {"top/a.txt": b"A", "top/sub/b.bin": b"\x00\x01"})
    safe_extract(archive, tmp_path / "dest")
    assert (tmp_path / "dest" / "top" / "a.txt").read_bytes() == b"A"
    assert (tmp_path / "dest" / "top" / "sub" / "b.bin").read_bytes() == b"\x00\x01"


# --- download + fetch_corpus -----------------------------------------------------------

def test_download_file_copies_bytes_and_leaves_no_part_file(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(bytes(range(256)) * 1000)
    dest = download_file(src.as_uri(), tmp_path / "dl" / "copy.bin")
    assert dest.read_bytes() == src.read_bytes()
    assert sorted(p.name for p in (tmp_path / "dl").iterdir()) == ["copy.bin"]


def test_download_file_failure_names_url_and_leaves_nothing(tmp_path):
    url = (tmp_path / "absent.tar.gz").as_uri()
    with pytest.raises(OSError, match="absent.tar.gz"):
        download_file(url, tmp_path / "dl" / "x.tar.gz")
    assert list((tmp_path / "dl").iterdir()) == []


@pytest.fixture
def served(tmp_path, small_corpus, tarball_of):
    """A tarball ``corpus-1.0/recordings/*.wav`` (+ a README) and its file:// URL."""
    root, manifest = small_corpus
    files = {f"corpus-1.0/recordings/{n}": (root / "recordings" / n).read_bytes() for n in NAMES}
    files["corpus-1.0/README.md"] = b"readme"
    archive = tarball_of(tmp_path / "served" / "v1.0.tar.gz", files)
    return archive, manifest, root


def test_fetch_corpus_downloads_extracts_verifies_and_marks(tmp_path, served):
    archive, manifest, original = served
    root = fetch_corpus(archive.as_uri(), tmp_path / "downloads", top="corpus-1.0", manifest=manifest)
    assert root == (tmp_path / "downloads" / "corpus-1.0").resolve()
    for name in NAMES:
        assert (root / "recordings" / name).read_bytes() == (original / "recordings" / name).read_bytes()
    assert (root / ".complete").is_file()
    assert sorted(p.name for p in (tmp_path / "downloads").iterdir()) == ["corpus-1.0", "v1.0.tar.gz"]


def test_fetch_corpus_rerun_is_a_no_op_but_still_verifies(tmp_path, served):
    archive, manifest, _ = served
    dl = tmp_path / "downloads"
    root = fetch_corpus(archive.as_uri(), dl, top="corpus-1.0", manifest=manifest)
    before = {p: p.stat().st_mtime_ns for p in root.rglob("*")}
    archive.unlink()
    (dl / "v1.0.tar.gz").unlink()  # neither the URL nor the cached archive is needed now
    assert fetch_corpus(archive.as_uri(), dl, top="corpus-1.0", manifest=manifest) == root
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*")} == before
    (root / "recordings" / NAMES[1]).write_bytes(b"RIFF tampered")
    with pytest.raises(ChecksumError, match=NAMES[1]):
        fetch_corpus(archive.as_uri(), dl, top="corpus-1.0", manifest=manifest)


def test_fetch_corpus_checksum_mismatch_leaves_no_corpus(tmp_path, served):
    archive, manifest, _ = served
    lines = manifest.read_text().splitlines()
    lines[0] = "0" * 64 + lines[0][64:]
    manifest.write_text("\n".join(lines) + "\n")
    dl = tmp_path / "downloads"
    with pytest.raises(ChecksumError, match=r"modified.*recordings/0_george_0\.wav.*v1\.0\.tar\.gz"):
        fetch_corpus(archive.as_uri(), dl, top="corpus-1.0", manifest=manifest)
    assert sorted(p.name for p in dl.iterdir()) == ["v1.0.tar.gz"]


def test_fetch_corpus_rejects_malicious_archive_and_cleans_up(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    archive = tmp_path / "served" / "evil.tar.gz"
    archive.parent.mkdir()
    with tarfile.open(archive, "w:gz") as tar:
        _malicious("symlink_then_write", outside)(tar)
    manifest = tmp_path / "m.sha256"
    manifest.write_text(f"{'0' * 64}  top/ok.txt\n")
    dl = tmp_path / "downloads"
    with pytest.raises(UnsafeArchiveError, match="top/escape"):
        fetch_corpus(archive.as_uri(), dl, top="top", manifest=manifest)
    assert sorted(p.name for p in dl.iterdir()) == ["evil.tar.gz"]
    assert list(outside.iterdir()) == []


def test_fetch_corpus_wrong_top_folder_is_an_error(tmp_path, served):
    archive, manifest, _ = served
    with pytest.raises(UnsafeArchiveError, match="top folder is 'corpus-1.0'"):
        fetch_corpus(archive.as_uri(), tmp_path / "dl", top="other", manifest=manifest)


def test_fetch_corpus_unreadable_cached_archive_says_to_delete_it(tmp_path, served):
    archive, manifest, _ = served
    dl = tmp_path / "dl"
    dl.mkdir()
    (dl / "v1.0.tar.gz").write_bytes(archive.read_bytes()[:100])
    with pytest.raises(ValueError, match="not a readable tar archive.*delete it"):
        fetch_corpus(archive.as_uri(), dl, top="corpus-1.0", manifest=manifest)


def test_fetch_corpus_replaces_a_folder_left_without_marker(tmp_path, served):
    archive, manifest, _ = served
    dl = tmp_path / "downloads"
    stale = dl / "corpus-1.0" / "recordings"
    stale.mkdir(parents=True)
    (stale / "9_nobody_0.wav").write_bytes(b"left over from an interrupted run")
    root = fetch_corpus(archive.as_uri(), dl, top="corpus-1.0", manifest=manifest)
    assert sorted(p.name for p in (root / "recordings").iterdir()) == sorted(NAMES)
    assert (root / ".complete").is_file()
