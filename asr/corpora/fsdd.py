"""Free Spoken Digit Dataset (FSDD), release v1.0.10: download and data dirs.

Recordings are ``recordings/{digit}_{speaker}_{index}.wav`` (6 speakers x 10 digits x
50 indices, 8 kHz). Sets written by :func:`prepare_fsdd`:

- ``test``: the official test split, index 0-4 (300 utterances);
- ``dev``: index 5-9 (300): the same design as the official test split (every speaker,
  every digit, five takes each, the same size), so dev and test error rates compare
  directly; taken from the official training indices, never from 0-4;
- ``train``: index 10-49 (2,400);
- ``test_cd``, ``dev_cd``, ``train_cd``: connected digits built from each of the above
  (:mod:`asr.corpora.connected`).

Utterance ids are ``<speaker>_<digit>_<index:02d>`` (e.g. ``george_3_07``): the speaker
prefix keeps the utterance order and the speaker order consistent, as Kaldi requires.
"""

from __future__ import annotations

import logging
import os
import re
import zlib
from pathlib import Path

from asr.corpora.connected import ConnectedConfig, build_connected
from asr.corpora.download import MARKER, fetch_corpus
from asr.corpora.prepared import build_data_dir
from asr.data.datadir import write_data_dir

__all__ = ["FSDD_URL", "FSDD_TOP", "FSDD_MANIFEST", "DIGIT_WORDS", "download_fsdd", "fsdd_split",
           "prepare_fsdd"]

logger = logging.getLogger(__name__)

FSDD_URL = "https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/tags/v1.0.10.tar.gz"
FSDD_TOP = "free-spoken-digit-dataset-1.0.10"
FSDD_MANIFEST = Path(__file__).resolve().parents[2] / "local" / "fsdd_v1.0.10.sha256"
DIGIT_WORDS = ("ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE")
_NAME = re.compile(r"^([0-9])_([A-Za-z0-9]+)_([0-9]+)\.wav$")
_SETS = ("test", "dev", "train")


def download_fsdd(dest_dir: str | os.PathLike, url: str = FSDD_URL,
                  manifest: str | os.PathLike = FSDD_MANIFEST) -> Path:
    """Download, safely extract and verify FSDD v1.0.10 (a no-op when already done).

    Args:
        dest_dir (str or PathLike): download folder, e.g. ``downloads``.
        url (str): the release tarball. (Default: the GitHub tag ``v1.0.10``)
        manifest (str or PathLike): checksums of every recording.
            (Default: ``local/fsdd_v1.0.10.sha256`` of this repository)

    Returns:
        Path: the corpus root, ``dest_dir/free-spoken-digit-dataset-1.0.10`` (holds ``recordings/``).
    """
    return fetch_corpus(url, dest_dir, top=FSDD_TOP, manifest=manifest, root_is_top=True)


def fsdd_split(index: int) -> str:
    """The set a recording of take ``index`` belongs to: ``test`` (0-4), ``dev`` (5-9) or
    ``train`` (10 and up)."""
    if index < 0:
        raise ValueError(f"index must be >= 0, got {index}")
    return "test" if index < 5 else "dev" if index < 10 else "train"


def _write_split(recordings: list[Path], dest: Path) -> None:
    wav_scp, utt2spk, text = {}, {}, {}
    for wav in recordings:
        digit, speaker, index = _NAME.match(wav.name).groups()
        utt = f"{speaker}_{digit}_{int(index):02d}"
        wav_scp[utt], utt2spk[utt], text[utt] = str(wav), speaker, DIGIT_WORDS[int(digit)]
    write_data_dir(dest, wav_scp=wav_scp, utt2spk=utt2spk, text=text)


def prepare_fsdd(corpus_root: str | os.PathLike, data_dir: str | os.PathLike, seed: int = 0,
                 connected: ConnectedConfig = ConnectedConfig(), overwrite: bool = False) -> dict[str, Path]:
    """Write and validate the six data dirs; sets already complete for the same inputs are skipped.

    The corpus is expected to be verified already (:func:`download_fsdd`, or
    :func:`asr.corpora.download.verify_manifest` for a local copy).

    Args:
        corpus_root (str or PathLike): folder holding ``recordings/``.
        data_dir (str or PathLike): where ``<set>/`` folders go, e.g. ``data``.
        seed (int): seed of the connected-digit sets (each set mixes in its own name). (Default: ``0``)
        connected (ConnectedConfig): connected-digit settings. (Default: ``ConnectedConfig()``)
        overwrite (bool): rebuild complete sets too. (Default: ``False``)

    Returns:
        dict[str, Path]: set name to data dir, for ``test dev train test_cd dev_cd train_cd``.

    Raises:
        ValueError: a recording whose name is not ``{digit}_{speaker}_{index}.wav``, a path
            with whitespace (``wav.scp`` cannot hold it), or a data dir failing validation.
    """
    recordings_dir = Path(corpus_root).resolve() / "recordings"
    if not recordings_dir.is_dir():
        raise FileNotFoundError(f"{recordings_dir}: no such folder (is the corpus root right?)")
    if re.search(r"\s", str(recordings_dir)):
        raise ValueError(f"{recordings_dir}: path contains whitespace, which wav.scp cannot hold")
    wavs = sorted(recordings_dir.glob("*.wav"))
    if not wavs:
        raise ValueError(f"{recordings_dir}: no .wav files")
    splits: dict[str, list[Path]] = {name: [] for name in _SETS}
    for wav in wavs:
        m = _NAME.match(wav.name)
        if m is None:
            raise ValueError(f"{wav}: name is not {{digit}}_{{speaker}}_{{index}}.wav")
        splits[fsdd_split(int(m.group(3)))].append(wav)
    data_dir = Path(data_dir)
    out: dict[str, Path] = {}
    for name in _SETS:
        out[name] = data_dir / name
        build_data_dir(out[name], f"fsdd v1.0.10 {name} from {recordings_dir}",
                       lambda dest, wavs=splits[name]: _write_split(wavs, dest), overwrite=overwrite)
    for name in _SETS:
        src, set_seed = out[name], [seed, zlib.crc32(name.encode())]
        out[f"{name}_cd"] = data_dir / f"{name}_cd"
        stamp = (f"connected from {src.resolve()} seed={set_seed} ids=<speaker>_cd_{name}_<n> {connected}\n"
                 + (src / MARKER).read_text())
        build_data_dir(out[f"{name}_cd"], stamp,
                       lambda dest, src=src, s=set_seed, n=name: build_connected(src, dest, seed=s, config=connected,
                                                                                  set_name=n),
                       overwrite=overwrite)
    return out
