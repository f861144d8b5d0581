"""Unit inventories from training text, stored as ``units.txt`` (+ ``bpe.model``) in a model dir.

``units.txt`` has ``<unit> <id>`` lines. Conventions (asr.nnet): ``<blk>`` is id 0 (the CTC
blank), ``<unk>`` is id 1, the units follow, and ``<sos/eos>`` is the last id when the
model has an attention decoder. Unit types:

- ``char``: letters, with ``<space>`` between words (``ONE TWO`` -> ``O N E <space> T W O``);
- ``word``: whole words;
- ``bpe``: sentencepiece BPE pieces (``▁`` marks a word start); ``bpe.model`` holds the model.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable, Sequence

from asr.utils.fileio import atomic_write, read_lines

__all__ = ["UNIT_TYPES", "Units", "train_units", "load_units", "BLANK", "UNK", "SOS_EOS", "SPACE"]

UNIT_TYPES = ("char", "word", "bpe")
BLANK, UNK, SOS_EOS, SPACE = "<blk>", "<unk>", "<sos/eos>", "<space>"
_WORD_START = "\u2581"


class Units:
    """A unit inventory: text <-> id sequences.

    Args:
        unit_type (str): one of :data:`UNIT_TYPES`.
        symbols (Sequence[str]): unit of each id; ``symbols[0]`` must be ``<blk>``.
        bpe_model (str or PathLike or None): sentencepiece model file, required for ``bpe``.
    """

    def __init__(self, unit_type: str, symbols: Sequence[str], bpe_model: str | os.PathLike | None = None) -> None:
        if unit_type not in UNIT_TYPES:
            raise ValueError(f"unit type must be one of {', '.join(UNIT_TYPES)}, got {unit_type!r}")
        if not symbols or symbols[0] != BLANK:
            raise ValueError(f"unit 0 must be {BLANK}")
        self.unit_type = unit_type
        self.symbols = list(symbols)
        self.ids = {s: i for i, s in enumerate(self.symbols)}
        if len(self.ids) != len(self.symbols):
            raise ValueError("duplicate units in the unit list")
        self._sp = None
        if unit_type == "bpe":
            if bpe_model is None:
                raise ValueError("bpe units need a sentencepiece model file")
            import sentencepiece as spm

            self._sp = spm.SentencePieceProcessor(model_file=str(bpe_model))

    def __len__(self) -> int:
        return len(self.symbols)

    @property
    def has_sos_eos(self) -> bool:
        return self.symbols[-1] == SOS_EOS

    def tokenize(self, text: str) -> list[str]:
        """Text (words separated by spaces) -> unit strings (unknown ones map to ``<unk>`` in :meth:`encode`)."""
        words = text.split()
        if self.unit_type == "word":
            return words
        if self.unit_type == "char":
            out: list[str] = []
            for i, word in enumerate(words):
                if i:
                    out.append(SPACE)
                out.extend(word)
            return out
        return list(self._sp.encode(" ".join(words), out_type=str))

    def encode(self, text: str) -> list[int]:
        """Text -> unit ids (never 0 or ``<sos/eos>``); unknown units become ``<unk>``."""
        unk = self.ids[UNK]
        return [self.ids.get(u, unk) for u in self.tokenize(text)]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Unit ids (blanks already removed) -> words. Blank and ``<sos/eos>`` ids are dropped."""
        units = [self.symbols[i] for i in ids if self.symbols[i] not in (BLANK, SOS_EOS)]
        if self.unit_type == "word":
            return units
        if self.unit_type == "char":
            return "".join(" " if u == SPACE else u for u in units).split()
        return "".join(units).replace(_WORD_START, " ").split()

    def write(self, path: str | os.PathLike) -> None:
        """Write ``units.txt`` (atomically)."""
        with atomic_write(path) as f:
            for i, s in enumerate(self.symbols):
                f.write(f"{s} {i}\n")


def _read_units_txt(path: Path) -> list[str]:
    symbols: list[str] = []
    for lineno, line in enumerate(read_lines(path), 1):
        fields = line.split()
        if len(fields) != 2 or not fields[1].isdigit() or int(fields[1]) != len(symbols):
            raise ValueError(f"{path}:{lineno}: expected '<unit> {len(symbols)}', got {line!r}")
        symbols.append(fields[0])
    return symbols


def train_units(
    texts: Iterable[str],
    unit_type: str,
    out_dir: str | os.PathLike,
    bpe_vocab_size: int = 100,
    sos_eos: bool = False,
) -> Units:
    """Build units from training transcripts and write ``units.txt`` (and ``bpe.model``) in ``out_dir``.

    Args:
        texts (Iterable[str]): transcripts (words separated by spaces).
        unit_type (str): ``char``, ``word`` or ``bpe``.
        out_dir (str or PathLike): model dir.
        bpe_vocab_size (int): sentencepiece vocabulary size (pieces incl. its own ``<unk>``);
            a soft limit: small corpora may give fewer pieces. (Default: ``100``)
        sos_eos (bool): append ``<sos/eos>`` as the last unit (for an attention decoder). (Default: ``False``)

    Returns:
        Units: the new inventory.
    """
    if unit_type not in UNIT_TYPES:
        raise ValueError(f"unit type must be one of {', '.join(UNIT_TYPES)}, got {unit_type!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    texts = [" ".join(t.split()) for t in texts]
    if not any(texts):
        raise ValueError("no training text to build units from")
    bpe_model = None
    if unit_type == "bpe":
        units = _train_bpe(texts, out_dir / "bpe.model", bpe_vocab_size)
        bpe_model = out_dir / "bpe.model"
    else:
        inventory: set[str] = set()
        for t in texts:
            words = t.split()
            inventory.update(words if unit_type == "word" else "".join(words))
        reserved = {BLANK, UNK, SOS_EOS, SPACE}
        clash = sorted(inventory & reserved)
        if clash:
            raise ValueError(f"training text contains reserved unit(s) {', '.join(clash)}")
        units = sorted(inventory) + ([SPACE] if unit_type == "char" else [])
    symbols = [BLANK, UNK] + units + ([SOS_EOS] if sos_eos else [])
    result = Units(unit_type, symbols, bpe_model)
    result.write(out_dir / "units.txt")
    return result


def _train_bpe(texts: list[str], model_path: Path, vocab_size: int) -> list[str]:
    """Train sentencepiece BPE into ``model_path``; its pieces, ``<unk>`` (sentencepiece id 0) excluded."""
    import sentencepiece as spm

    if vocab_size < 2:
        raise ValueError(f"bpe_vocab_size must be at least 2, got {vocab_size}")
    with tempfile.TemporaryDirectory(dir=model_path.parent) as tmp:
        text_file = Path(tmp) / "text"
        text_file.write_text("\n".join(texts) + "\n", encoding="utf-8")
        spm.SentencePieceTrainer.train(
            input=str(text_file),
            model_prefix=str(Path(tmp) / "bpe"),
            model_type="bpe",
            vocab_size=vocab_size,
            hard_vocab_limit=False,
            character_coverage=1.0,
            bos_id=-1,
            eos_id=-1,
            unk_id=0,
            unk_surface=UNK,
            num_threads=1,
            minloglevel=2,
        )
        os.replace(Path(tmp) / "bpe.model", model_path)
    sp = spm.SentencePieceProcessor(model_file=str(model_path))
    return [sp.id_to_piece(i) for i in range(1, sp.get_piece_size())]


def load_units(model_dir: str | os.PathLike, unit_type: str) -> Units:
    """Read ``units.txt`` (and ``bpe.model`` for ``bpe``) from a model dir.

    Raises:
        ValueError: a missing or malformed file (named, with the line).
    """
    model_dir = Path(model_dir)
    path = model_dir / "units.txt"
    if not path.is_file():
        raise ValueError(f"{model_dir}: no units.txt")
    bpe_model = model_dir / "bpe.model" if unit_type == "bpe" else None
    if bpe_model is not None and not bpe_model.is_file():
        raise ValueError(f"{model_dir}: no bpe.model (unit type bpe)")
    return Units(unit_type, _read_units_txt(path), bpe_model)
