"""Merge data dirs (Kaldi's ``utils/combine_data.sh``)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from asr.data.fix import fix_data_dir
from asr.data.ops import (RECO_TABLES, SPK_TABLES, TABLES, Tables, carry_feature_config, read_tables,
                          warn_not_carried, write_tables)

__all__ = ["combine_data_dirs"]

logger = logging.getLogger(__name__)

#: clashing ids listed in the error (a whole set clashing would print thousands of lines)
MAX_LISTED = 10


def combine_data_dirs(dest: str | os.PathLike, srcs: list[str | os.PathLike], skip_fix: bool = False) -> int:
    """Write ``dest`` holding every utterance of ``srcs``; returns the number of utterances.

    Args:
        dest (str or PathLike): the new data dir (must not be one of ``srcs``).
        srcs (list): the data dirs to merge.
        skip_fix (bool): do not run :func:`asr.data.fix.fix_data_dir` on the result
            (without backup). (Default: ``False``)

    A table is written only when every source has it (otherwise a warning names it), except
    ``segments``: sources without it get whole-recording segments (``utt utt 0 -1``), and
    ``cmvn.scp``, never combined (as in Kaldi): per-speaker stats of different sets cannot be
    merged by key, so recompute them with ``steps/compute_cmvn_stats.sh``. The feature
    config ``conf/feats.yaml`` is carried when every source has the same one.
    An id in two sources must have the same line in each.

    Raises:
        ValueError: no sources, ``dest`` among them, or ids that clash (the first
            ``MAX_LISTED`` listed, and how many in all).
    """
    if not srcs:
        raise ValueError("no source data dirs given")
    dest_path = Path(dest).resolve()
    if any(Path(s).resolve() == dest_path for s in srcs):
        raise ValueError(f"the destination {dest} is also a source")
    all_tables = [read_tables(s) for s in srcs]
    if any("segments" in t for t in all_tables):
        for src, tables in zip(srcs, all_tables):
            if "segments" not in tables:
                logger.info("%s: no segments; using whole recordings as segments", src)
                tables["segments"] = {u: f"{u} 0 -1" for u in tables["utt2spk"]}
    merged: Tables = {}
    clashes: list[str] = []
    for name in TABLES:
        if name == "cmvn.scp":
            if any(name in tables for tables in all_tables):
                logger.warning("cmvn.scp is not combined: run steps/compute_cmvn_stats.sh on %s", dest)
            continue
        having = [src for src, tables in zip(srcs, all_tables) if name in tables]
        if not having:
            continue
        if len(having) < len(srcs):
            missing = [str(s) for s in srcs if s not in having]
            logger.warning("not creating %s: it is missing from %s", name, " ".join(missing))
            continue
        what = "speaker" if name in SPK_TABLES else "recording" if name in RECO_TABLES else "utterance"
        out: dict[str, str] = {}
        origin: dict[str, str | os.PathLike] = {}
        repeated = 0
        for src, tables in zip(srcs, all_tables):
            for key, value in tables[name].items():
                if key not in out:
                    out[key], origin[key] = value, src
                elif out[key] != value:
                    clashes.append(f"{src}/{name}: {what} id {key} clashes with {origin[key]}/{name} "
                                   f"({value!r} vs {out[key]!r})")
                else:
                    repeated += 1
        if repeated and name == "utt2spk":
            logger.warning("%d utterance(s) are in more than one source (kept once)", repeated)
        merged[name] = out
    if clashes:
        more = f"\n  ... and {len(clashes) - MAX_LISTED} more" if len(clashes) > MAX_LISTED else ""
        raise ValueError(f"cannot combine: {len(clashes)} id clash(es):\n  "
                         + "\n  ".join(clashes[:MAX_LISTED]) + more)
    for src in srcs:
        warn_not_carried(src)
    write_tables(dest, merged)
    carry_feature_config(dest, srcs, has_feats="feats.scp" in merged)
    if skip_fix:
        return len(merged["utt2spk"])
    kept, _ = fix_data_dir(dest, backup=False)
    return kept

