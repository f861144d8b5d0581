"""The Kaldi yes/no corpus (openslr resource 1): download and data dirs.

``waves_yesno/<w1>_..._<w8>.wav``: 60 recordings of one speaker saying eight words, the
transcript encoded in the name (``1`` = YES, ``0`` = NO). As in Kaldi's ``egs/yesno``:
``train_yesno`` = the 31 names starting with ``0``, ``test_yesno`` = the 29 starting with
``1``; the utterance id is the file's base name and the single speaker is ``global``.

The checksum manifest lists the 60 wavs only, not ``waves_yesno/README``: the recipe
never reads the README, and its exact bytes in the official tarball cannot be checked
here, while a mismatch would needlessly fail the download.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from asr.corpora.download import fetch_corpus
from asr.corpora.prepared import build_data_dir
from asr.data.datadir import write_data_dir

__all__ = ["YESNO_URL", "YESNO_TOP", "YESNO_MANIFEST", "download_yesno", "prepare_yesno"]

YESNO_URL = "https://www.openslr.org/resources/1/waves_yesno.tar.gz"
YESNO_TOP = "waves_yesno"
YESNO_MANIFEST = Path(__file__).resolve().parents[2] / "egs" / "yesno" / "local" / "waves_yesno.sha256"
_NAME = re.compile(r"^[01](_[01])*\.wav$")
_WORDS = {"0": "NO", "1": "YES"}
_SETS = {"train_yesno": "0", "test_yesno": "1"}


def download_yesno(dest_dir: str | os.PathLike, url: str = YESNO_URL,
                   manifest: str | os.PathLike = YESNO_MANIFEST) -> Path:
    """Download, safely extract and verify ``waves_yesno.tar.gz`` (a no-op when already done).

    Args:
        dest_dir (str or PathLike): download folder, e.g. ``downloads``.
        url (str): the tarball. (Default: openslr.org resource 1)
        manifest (str or PathLike): checksums of the 60 wavs.
            (Default: ``egs/yesno/local/waves_yesno.sha256`` of this repository)

    Returns:
        Path: the corpus root, ``dest_dir`` (it holds ``waves_yesno/``).
    """
    return fetch_corpus(url, dest_dir, top=YESNO_TOP, manifest=manifest, root_is_top=False)


def _write_set(wavs: list[Path], dest: Path) -> None:
    wav_scp, utt2spk, text = {}, {}, {}
    for wav in wavs:
        utt = wav.stem
        wav_scp[utt], utt2spk[utt] = str(wav), "global"
        text[utt] = " ".join(_WORDS[bit] for bit in utt.split("_"))
    write_data_dir(dest, wav_scp=wav_scp, utt2spk=utt2spk, text=text)


def prepare_yesno(corpus_root: str | os.PathLike, data_dir: str | os.PathLike,
                  overwrite: bool = False) -> dict[str, Path]:
    """Write and validate ``train_yesno`` and ``test_yesno``; sets already complete for the
    same corpus are skipped. The corpus is expected to be verified already (:func:`download_yesno`).

    Args:
        corpus_root (str or PathLike): folder holding ``waves_yesno/``.
        data_dir (str or PathLike): where ``train_yesno/`` and ``test_yesno/`` go, e.g. ``data``.
        overwrite (bool): rebuild complete sets too. (Default: ``False``)

    Returns:
        dict[str, Path]: ``{"train_yesno": ..., "test_yesno": ...}``.

    Raises:
        ValueError: a wav whose name is not a ``0``/``1`` sequence, a path with whitespace,
            or a data dir failing validation.
    """
    waves = Path(corpus_root).resolve() / YESNO_TOP
    if not waves.is_dir():
        raise FileNotFoundError(f"{waves}: no such folder (is the corpus root right?)")
    if re.search(r"\s", str(waves)):
        raise ValueError(f"{waves}: path contains whitespace, which wav.scp cannot hold")
    wavs = sorted(waves.glob("*.wav"))
    if not wavs:
        raise ValueError(f"{waves}: no .wav files")
    for wav in wavs:
        if not _NAME.match(wav.name):
            raise ValueError(f"{wav}: name is not a sequence of 0 (NO) and 1 (YES) like 0_1_1_0.wav")
    out: dict[str, Path] = {}
    for name, first in _SETS.items():
        out[name] = Path(data_dir) / name
        chosen = [w for w in wavs if w.name.startswith(first)]
        build_data_dir(out[name], f"yesno {name} from {waves}",
                       lambda dest, chosen=chosen: _write_set(chosen, dest), overwrite=overwrite)
    return out
