"""Fixtures for the corpus tests: small tarballs and checksum manifests written here."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import pytest


@pytest.fixture
def tarball_of():
    """``make(path, {member name: bytes})`` writes a .tar.gz holding those regular files."""
    def make(path: Path, files: dict[str, bytes]) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(path, "w:gz") as tar:
            for name, data in files.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        return path
    return make


@pytest.fixture
def manifest_of():
    """``make(path, root, rels)`` writes a sha256sum-style manifest of ``root/rel`` (hashlib)."""
    def make(path: Path, root: Path, rels: list[str]) -> Path:
        lines = [f"{hashlib.sha256((root / rel).read_bytes()).hexdigest()}  {rel}\n" for rel in sorted(rels)]
        path.write_text("".join(lines))
        return path
    return make
