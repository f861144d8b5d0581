"""Fetching a corpus: download, safe extraction, checksum verification, ``.complete`` marker.

A corpus is a folder (the *root*) that holds the files its checksum manifest lists. A
manifest has ``sha256sum`` lines, ``<hex>  <path relative to the root>``, e.g.
``228a...5240  recordings/0_george_0.wav``. Verification is strict: a listed file that is
missing or differs, and a file with a listed suffix that is in a listed folder but not in
the manifest, are errors naming the file.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import shutil
import tarfile
import tempfile
import urllib.parse
import urllib.request
import zlib
from pathlib import Path, PurePosixPath

from tqdm import tqdm

__all__ = [
    "ChecksumError",
    "UnsafeArchiveError",
    "read_manifest",
    "verify_manifest",
    "download_file",
    "safe_extract",
    "fetch_corpus",
    "MARKER",
]

logger = logging.getLogger(__name__)

MARKER = ".complete"
_MANIFEST_LINE = re.compile(r"^([0-9a-f]{64})  (\S+)$")
_MAX_LISTED = 10


class ChecksumError(ValueError):
    """Corpus files that are missing, extra or modified with respect to the manifest."""


class UnsafeArchiveError(ValueError):
    """An archive member that could write outside the target or is not a plain file/dir."""


def read_manifest(path: str | os.PathLike) -> dict[str, str]:
    """Read a checksum manifest.

    Args:
        path (str or PathLike): the manifest file.

    Returns:
        dict[str, str]: relative path (POSIX, no ``..``, not absolute) to lower-case sha256.

    Raises:
        FileNotFoundError: no manifest at ``path``.
        ValueError: a malformed, unsafe or duplicate line (file and line named).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checksum manifest not found: {path}")
    entries: dict[str, str] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = _MANIFEST_LINE.match(line)
        if m is None:
            raise ValueError(f"{path}:{lineno}: expected '<sha256>  <relative path>', got {line!r}")
        digest, rel = m.groups()
        parts = PurePosixPath(rel).parts
        if rel.startswith("/") or ".." in parts:
            raise ValueError(f"{path}:{lineno}: path must be relative without '..': {rel!r}")
        if rel in entries:
            raise ValueError(f"{path}:{lineno}: duplicate path {rel!r}")
        entries[rel] = digest
    if not entries:
        raise ValueError(f"{path}: checksum manifest is empty")
    return entries


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _listing(what: str, names: list[str]) -> str:
    shown = ", ".join(names[:_MAX_LISTED])
    more = f" (and {len(names) - _MAX_LISTED} more)" if len(names) > _MAX_LISTED else ""
    return f"{len(names)} {what}: {shown}{more}"


def verify_manifest(root: str | os.PathLike, manifest: str | os.PathLike) -> None:
    """Check every file the manifest lists under ``root``, and that no unlisted file with a
    listed suffix (e.g. ``.wav``) sits in a listed folder.

    Args:
        root (str or PathLike): corpus root the manifest's paths are relative to.
        manifest (str or PathLike): the checksum manifest.

    Raises:
        ChecksumError: naming each missing, modified and extra file (first ten of each),
            relative to ``root``.
    """
    root = Path(root)
    expected = read_manifest(manifest)
    missing, modified = [], []
    for rel, digest in expected.items():
        file = root / rel
        if not file.is_file():
            missing.append(rel)
        elif _sha256(file) != digest:
            modified.append(rel)
    suffixes = {PurePosixPath(rel).suffix for rel in expected}
    folders = {PurePosixPath(rel).parent for rel in expected}
    extra = sorted(
        (folder / p.name).as_posix()
        for folder in folders
        if (root / folder).is_dir()
        for p in (root / folder).iterdir()
        if p.suffix in suffixes and (folder / p.name).as_posix() not in expected
    )
    problems = [
        _listing(what, names)
        for what, names in (("missing", missing), ("modified (checksum differs)", modified),
                            ("not in the manifest", extra))
        if names
    ]
    if problems:
        raise ChecksumError(f"{root} does not match {manifest}: " + "; ".join(problems))
    logger.info("%s: %d files match %s", root, len(expected), manifest)


def download_file(url: str, dest: str | os.PathLike) -> Path:
    """Download ``url`` to ``dest`` with a progress bar; ``dest`` appears only when complete.

    Args:
        url (str): any URL ``urllib`` opens (``https://``, ``file://``).
        dest (str or PathLike): final file path; its folder is created.

    Raises:
        OSError: the download failed (message names the URL); nothing is left at ``dest``.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=dest.name) as bar:
                for block in iter(lambda: response.read(1 << 16), b""):
                    out.write(block)
                    bar.update(len(block))
        os.replace(tmp, dest)
    except BaseException as e:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise OSError(f"download of {url} failed: {e}") from e
        raise
    return dest


def _check_member(member: tarfile.TarInfo, archive: Path) -> None:
    name = member.name
    parts = PurePosixPath(name).parts
    if name.startswith("/"):
        raise UnsafeArchiveError(f"{archive}: member {name!r} has an absolute path")
    if ".." in parts:
        raise UnsafeArchiveError(f"{archive}: member {name!r} would escape the target folder")
    if member.issym() or member.islnk():
        raise UnsafeArchiveError(f"{archive}: member {name!r} is a link (to {member.linkname!r})")
    if not (member.isreg() or member.isdir()):
        raise UnsafeArchiveError(f"{archive}: member {name!r} is not a regular file or folder")


def safe_extract(archive: str | os.PathLike, dest: str | os.PathLike) -> None:
    """Extract a (compressed) tar archive into ``dest``, refusing anything unsafe.

    Every member is checked before anything is written: absolute paths, ``..`` components,
    symbolic and hard links (wherever they point), devices and FIFOs are rejected. Python's
    ``filter="data"`` is applied as a second line of defence (it also drops setuid bits).

    Args:
        archive (str or PathLike): a ``.tar``, ``.tar.gz``, ``.tar.bz2`` or ``.tar.xz`` file.
        dest (str or PathLike): target folder (created).

    Raises:
        UnsafeArchiveError: naming the archive and the first unsafe member.
        tarfile.TarError: the file is not a readable tar archive.
    """
    archive, dest = Path(archive), Path(dest)
    with tarfile.open(archive, "r:*") as tar:
        members = tar.getmembers()
        for member in members:
            _check_member(member, archive)
        dest.mkdir(parents=True, exist_ok=True)
        tar.extractall(dest, members=members, filter="data")


def _top_folder(tmp: Path, archive: Path) -> Path:
    entries = list(tmp.iterdir())
    if len(entries) != 1 or not entries[0].is_dir():
        names = sorted(p.name for p in entries)
        raise UnsafeArchiveError(f"{archive}: expected a single top folder, found {names}")
    return entries[0]


def fetch_corpus(url: str, download_dir: str | os.PathLike, top: str,
                 manifest: str | os.PathLike, root_is_top: bool = True) -> Path:
    """Download, extract and verify a corpus tarball whose members sit under ``top/``.

    Nothing is done when ``download_dir/top/.complete`` exists and the files still verify.
    An existing archive in ``download_dir`` is reused. Extraction goes to a temporary folder
    that is verified and only then renamed to ``download_dir/top``.

    Args:
        url (str): the archive's URL (``file://`` works for local copies and tests).
        download_dir (str or PathLike): where the archive and the extracted folder go.
        top (str): the archive's single top folder, e.g. ``free-spoken-digit-dataset-1.0.10``.
        manifest (str or PathLike): checksum manifest of the corpus.
        root_is_top (bool): manifest paths are relative to ``top`` (``True``), or to
            ``download_dir``, i.e. they start with ``top/`` (``False``). (Default: ``True``)

    Returns:
        Path: the corpus root the manifest's paths are relative to.

    Raises:
        ChecksumError: the extracted files do not match the manifest.
        UnsafeArchiveError: the archive is unsafe or not laid out as expected.
        OSError: the download failed.
    """
    download_dir = Path(download_dir).resolve()
    if not top or "/" in top or top in (".", ".."):
        raise ValueError(f"top must be a single folder name, got {top!r}")
    target = download_dir / top
    root = target if root_is_top else download_dir
    if (target / MARKER).is_file():
        verify_manifest(root, manifest)
        logger.info("%s: already downloaded and verified", target)
        return root
    name = PurePosixPath(urllib.parse.unquote(urllib.parse.urlparse(url).path)).name
    if not name:
        raise ValueError(f"cannot tell the archive's file name from the URL {url!r}")
    archive = download_dir / name
    if archive.is_file():
        logger.info("%s: reusing the downloaded archive", archive)
    else:
        logger.info("downloading %s to %s", url, archive)
        download_file(url, archive)
    tmp = Path(tempfile.mkdtemp(prefix=f".{top}.", suffix=".extract", dir=download_dir))
    try:
        safe_extract(archive, tmp)
        extracted = _top_folder(tmp, archive)
        if extracted.name != top:
            raise UnsafeArchiveError(f"{archive}: top folder is {extracted.name!r}, expected {top!r}")
        verify_manifest(extracted if root_is_top else tmp, manifest)
        if target.exists():
            shutil.rmtree(target)  # an earlier attempt, interrupted before its marker
        os.replace(extracted, target)
    except ChecksumError as e:
        raise ChecksumError(f"{e} (archive {archive}: delete it to download again)") from None
    except (tarfile.TarError, EOFError, zlib.error) as e:
        raise ValueError(f"{archive}: not a readable tar archive ({e}); "
                         "delete it to download again") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    (target / MARKER).write_text(f"{url}\n", encoding="utf-8")
    logger.info("%s: extracted and verified", target)
    return root
