"""Build a Kaldi lang dir (``data/lang``) from a dictionary dir, as ``utils/prepare_lang.sh``.

Output, besides ``phones.txt``, ``words.txt``, ``topo``, ``L.fst``, ``L_disambig.fst``,
``oov.txt`` and ``oov.int``: in ``phones/``, the phone lists ``silence``, ``nonsilence``,
``optional_silence``, ``disambig`` and ``context_indep`` (each as ``.txt`` symbols,
``.int`` ids and ``.csl`` colon-separated ids), ``sets`` and ``extra_questions``
(``.txt``/``.int``), ``roots`` (``shared split <phones>`` lines), ``word_boundary``
(position-dependent phones only), ``wdisambig.txt`` with ``wdisambig_phones.int`` and
``wdisambig_words.int``, and ``align_lexicon`` (``word word phones...``).
"""

from __future__ import annotations

import os
from pathlib import Path

import kaldifst

from asr.lang.dict_dir import DictDir, load_dict_dir
from asr.lang.lexicon import (LexiconEntry, add_disambig_symbols, is_disambig_symbol,
                              write_lexicon)
from asr.lang.lexicon_fst import make_lexicon_fst
from asr.lang.phones import (add_word_positions, expand, make_phone_map, position_questions,
                             word_boundary_tag)
from asr.lang.staging import staged_dir
from asr.lang.symbols import SymbolTable
from asr.lang.topology import make_topology

__all__ = ["prepare_lang"]


def _write_lines(path: Path, lines: list[str]) -> None:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def _write_phone_list(phones_dir: Path, name: str, syms: list[str], table: SymbolTable) -> None:
    ids = table.ids(syms)
    _write_lines(phones_dir / f"{name}.txt", syms)
    _write_lines(phones_dir / f"{name}.int", [str(i) for i in ids])
    _write_lines(phones_dir / f"{name}.csl", [":".join(map(str, ids))])


def _write_phone_sets(phones_dir: Path, name: str, sets: list[list[str]], table: SymbolTable) -> None:
    _write_lines(phones_dir / f"{name}.txt", [" ".join(s) for s in sets])
    _write_lines(phones_dir / f"{name}.int", [" ".join(map(str, table.ids(s))) for s in sets])


def prepare_lang(dict_dir: str | os.PathLike, oov_word: str, tmp_dir: str | os.PathLike,
                 lang_dir: str | os.PathLike, *, position_dependent: bool = True,
                 num_sil_states: int = 5, num_nonsil_states: int = 3, sil_prob: float = 0.5,
                 share_silence_phones: bool = False) -> None:
    """Write ``lang_dir`` from ``dict_dir``; intermediate lexicons go to ``tmp_dir``.

    Args:
        dict_dir (str or PathLike): a dictionary dir (see :mod:`asr.lang.dict_dir`).
        oov_word (str): the lexicon word that unknown words map to, e.g. ``<UNK>``.
        tmp_dir (str or PathLike): for ``lexiconp.txt``, ``lexiconp_disambig.txt``,
            ``phone_map.txt``.
        lang_dir (str or PathLike): the output; replaced as a whole (built next to it,
            then renamed), so no file from an earlier build survives.
        position_dependent (bool): word-position phones ``_B _E _I _S``. (Default: ``True``)
        num_sil_states (int): emitting states of silence HMMs. (Default: ``5``)
        num_nonsil_states (int): emitting states of other HMMs. (Default: ``3``)
        sil_prob (float): optional-silence probability in L, in [0, 1). (Default: ``0.5``)
        share_silence_phones (bool): all silence phones share one tree root, with its
            states never split. (Default: ``False``)

    Raises:
        ValueError: an invalid dictionary dir, an ``oov_word`` not in the lexicon, or a bad
            option value.
    """
    if not 0.0 <= sil_prob < 1.0:
        raise ValueError(f"sil_prob must be in [0, 1), got {sil_prob}")
    d = load_dict_dir(dict_dir, position_dependent=position_dependent)
    if oov_word not in d.words:
        raise ValueError(f"{d.path}: OOV word {oov_word!r} is not in the lexicon")
    with staged_dir(lang_dir) as stage:
        _write_lang(stage, Path(tmp_dir), d, oov_word, position_dependent=position_dependent,
                    num_sil_states=num_sil_states, num_nonsil_states=num_nonsil_states,
                    sil_prob=sil_prob, share_silence_phones=share_silence_phones)


def _write_lang(out: Path, tmp_dir: Path, d: DictDir, oov_word: str, *, position_dependent: bool,
                num_sil_states: int, num_nonsil_states: int, sil_prob: float,
                share_silence_phones: bool) -> None:
    lexicon = add_word_positions(d.lexicon) if position_dependent else list(d.lexicon)
    phone_map = make_phone_map(d, position_dependent)
    lexicon_disambig, max_disambig = add_disambig_symbols(lexicon)
    # One more than the lexicon needs: the symbol after optional silence in L_disambig.
    sil_disambig = f"#{max_disambig + 1}"
    disambig = [f"#{i}" for i in range(max_disambig + 2)]

    silence = expand([p for line in d.silence_phones for p in line], phone_map)
    nonsilence = expand([p for line in d.nonsilence_phones for p in line], phone_map)
    phones = SymbolTable.from_symbols(["<eps>", *silence, *nonsilence, *disambig])
    vocab = sorted({e.word for e in lexicon}, key=lambda w: w.encode("utf-8"))
    words = SymbolTable.from_symbols(["<eps>", *vocab, "#0", "<s>", "</s>"])

    tmp_dir.mkdir(parents=True, exist_ok=True)
    write_lexicon(tmp_dir / "lexiconp.txt", lexicon, with_probs=True)
    write_lexicon(tmp_dir / "lexiconp_disambig.txt", lexicon_disambig, with_probs=True)
    _write_lines(tmp_dir / "phone_map.txt", [" ".join([p, *v]) for p, v in phone_map.items()])

    pdir = out / "phones"
    pdir.mkdir()
    phones.write(out / "phones.txt")
    words.write(out / "words.txt")
    _write_lines(out / "oov.txt", [oov_word])
    _write_lines(out / "oov.int", [str(words.id(oov_word))])

    for name, syms in (("silence", silence), ("nonsilence", nonsilence),
                       ("optional_silence", [d.optional_silence]), ("disambig", disambig),
                       ("context_indep", silence)):
        _write_phone_list(pdir, name, syms, phones)

    _write_tree_files(pdir, d, phone_map, phones, position_dependent, share_silence_phones)

    _write_lines(pdir / "wdisambig.txt", ["#0"])
    _write_lines(pdir / "wdisambig_phones.int", [str(phones.id("#0"))])
    _write_lines(pdir / "wdisambig_words.int", [str(words.id("#0"))])

    _write_align_lexicon(pdir, lexicon, d.optional_silence, phones, words)

    make_topology(phones.ids(nonsilence), phones.ids(silence), num_nonsil_states=num_nonsil_states,
                  num_sil_states=num_sil_states).write(out / "topo")

    sil_phone = d.optional_silence if sil_prob > 0 else None
    make_lexicon_fst(lexicon, phones, words, sil_prob, sil_phone).write(str(out / "L.fst"))
    l_disambig = make_lexicon_fst(lexicon_disambig, phones, words, sil_prob, sil_phone,
                                  sil_disambig=sil_disambig if sil_prob > 0 else None)
    kaldifst.add_self_loops(l_disambig, isyms=[phones.id("#0")], osyms=[words.id("#0")])
    kaldifst.arcsort(l_disambig, sort_type="olabel")
    l_disambig.write(str(out / "L_disambig.fst"))


def _write_tree_files(pdir: Path, d: DictDir, phone_map: dict[str, list[str]], phones: SymbolTable,
                      position_dependent: bool, share_silence_phones: bool) -> None:
    """``sets``, ``roots``, ``extra_questions`` and (position-dependent) ``word_boundary``."""
    if share_silence_phones:
        sets = [expand([p for line in d.silence_phones for p in line], phone_map)]
        roots = [("not-shared", "not-split")]
    else:
        sets = [expand(line, phone_map) for line in d.silence_phones]
        roots = [("shared", "split")] * len(sets)
    nonsil_sets = [expand(line, phone_map) for line in d.nonsilence_phones]
    sets += nonsil_sets
    roots += [("shared", "split")] * len(nonsil_sets)
    _write_phone_sets(pdir, "sets", sets, phones)
    _write_lines(pdir / "roots.txt", [f"{a} {b} {' '.join(s)}" for (a, b), s in zip(roots, sets)])
    _write_lines(pdir / "roots.int", [f"{a} {b} {' '.join(map(str, phones.ids(s)))}"
                                      for (a, b), s in zip(roots, sets)])
    questions = [expand(q, phone_map) for q in d.extra_questions]
    if position_dependent:
        questions += position_questions(d)
    _write_phone_sets(pdir, "extra_questions", questions, phones)

    if position_dependent:
        real = [p for p, _ in phones if p != "<eps>" and not is_disambig_symbol(p)]
        tags = [(p, word_boundary_tag(p)) for p in real]
        _write_lines(pdir / "word_boundary.txt", [f"{p} {t}" for p, t in tags])
        _write_lines(pdir / "word_boundary.int", [f"{phones.id(p)} {t}" for p, t in tags])


def _write_align_lexicon(pdir: Path, lexicon: list[LexiconEntry], optional_silence: str,
                         phones: SymbolTable, words: SymbolTable) -> None:
    """``word word phone...`` lines, plus ``<eps> <eps> SIL`` for optional silence."""
    align = {(e.word, e.word, *e.phones) for e in lexicon}
    align.add(("<eps>", "<eps>", optional_silence))
    align_sorted = sorted(align, key=lambda t: " ".join(t).encode("utf-8"))
    _write_lines(pdir / "align_lexicon.txt", [" ".join(t) for t in align_sorted])
    _write_lines(pdir / "align_lexicon.int", [
        " ".join(map(str, words.ids(t[:2]) + phones.ids(t[2:]))) for t in align_sorted])
