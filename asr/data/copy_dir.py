"""Copy a data dir, renaming utterances and speakers (Kaldi's ``utils/copy_data_dir.sh``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from asr.data.ops import SPK_TABLES, UTT_TABLES, Tables, read_tables, warn_not_carried, write_tables
from asr.data.validate import validate_data_dir

__all__ = ["map_ids", "copy_data_dir", "check_written"]


def map_ids(tables: Tables, utt_map: Callable[[str], str], spk_map: Callable[[str], str],
            reco_map: Callable[[str], str] | None = None) -> Tables:
    """Rename ids consistently in every table.

    Args:
        tables (Tables): see :func:`asr.data.ops.read_tables`.
        utt_map, spk_map (callable): new utterance / speaker id from the old one.
        reco_map (callable or None): new recording id when there are ``segments``; ``None``
            keeps recording ids. Without segments recordings are utterances (``utt_map``).

    ``utt2uniq`` values (the original utterance) are kept as they are.
    """
    if "segments" in tables:
        reco_map = reco_map or (lambda r: r)
    else:
        reco_map = utt_map
    out: Tables = {}
    for name, table in tables.items():
        key_map = utt_map if name in UTT_TABLES else spk_map if name in SPK_TABLES else reco_map
        out[name] = {key_map(k): v for k, v in table.items()}
    out["utt2spk"] = {u: spk_map(s) for u, s in out["utt2spk"].items()}
    if "segments" in out:
        out["segments"] = {u: " ".join([reco_map(v.split()[0])] + v.split()[1:]) for u, v in out["segments"].items()}
    return out


def check_written(dest: str | os.PathLike, tables: Tables, check_spk_sort: bool = True,
                  non_print_ok: bool = False) -> None:
    """Validate a data dir just written from ``tables``.

    Raises:
        ValueError: every problem found.
    """
    errors = validate_data_dir(dest, check_text="text" in tables, check_wav="wav.scp" in tables,
                               check_spk_sort=check_spk_sort, non_print_ok=non_print_ok)
    if errors:
        raise ValueError(f"{dest}: the new data dir fails validation:\n  " + "\n  ".join(errors))


def copy_data_dir(src: str | os.PathLike, dest: str | os.PathLike, utt_prefix: str = "", utt_suffix: str = "",
                  spk_prefix: str = "", spk_suffix: str = "", check_spk_sort: bool = True,
                  non_print_ok: bool = False) -> int:
    """Copy ``src`` to ``dest`` with ids renamed, then validate ``dest``; returns the
    number of utterances. With ``segments``, recording ids are kept.

    Args:
        utt_prefix, utt_suffix, spk_prefix, spk_suffix (str): added to the ids. (Default: ``""``)
        check_spk_sort, non_print_ok (bool): validation options, see
            :func:`asr.data.validate.validate_data_dir`.

    Raises:
        ValueError: ``dest`` is ``src``, ids with whitespace, or ``dest`` fails validation.
    """
    if Path(src).resolve() == Path(dest).resolve():
        raise ValueError(f"source and destination are the same data dir: {src}")
    for affix in (utt_prefix, utt_suffix, spk_prefix, spk_suffix):
        if affix != "".join(affix.split()):
            raise ValueError(f"an id prefix/suffix may not contain whitespace: {affix!r}")
    tables = map_ids(read_tables(src), utt_map=lambda u: f"{utt_prefix}{u}{utt_suffix}",
                     spk_map=lambda s: f"{spk_prefix}{s}{spk_suffix}")
    warn_not_carried(src)
    write_tables(dest, tables)
    check_written(dest, tables, check_spk_sort=check_spk_sort, non_print_ok=non_print_ok)
    return len(tables["utt2spk"])
