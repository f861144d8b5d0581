"""steps/train_e2e.sh --speed-perturb true on real yes/no audio: the perturbed training
set it builds, and a model trained on it."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.conftest import run_in_recipe

TINY_MODEL = {
    "input_dim": 40, "ctc_weight": 1.0,
    "encoder": {"type": "conformer", "dim": 16, "num_heads": 2, "ffn_dim": 32, "num_blocks": 1,
                "kernel_size": 3, "subsampling_rate": 4, "conv_norm": "layer_norm"},
    "units": {"type": "word"},
    "train": {"max_epochs": 1, "max_frames_per_batch": 2000, "warmup_steps": 1, "plot": False},
}


def _table(path: Path) -> dict[str, str]:
    return dict(line.split(maxsplit=1) for line in path.read_text().splitlines())


def test_speed_perturbed_training_set(yesno_recipe, tmp_path):
    recipe = yesno_recipe
    train = tmp_path / "train"
    run_in_recipe(f"utils/subset_data_dir.sh --first data/fbank/train_yesno 3 {train}", recipe)
    config = tmp_path / "tiny.yaml"
    config.write_text(yaml.safe_dump(TINY_MODEL))
    run_in_recipe(f"steps/train_e2e.sh --speed-perturb true --nj 1 --config {config} "
                  f"{train} data/fbank/test_yesno {tmp_path}/exp", recipe)

    sp = Path(f"{train}_sp")
    frames = {u: int(n) for u, n in _table(sp / "utt2num_frames").items()}
    originals = {u: int(n) for u, n in _table(train / "utt2num_frames").items()}
    assert len(frames) == 3 * len(originals)
    text = _table(sp / "text")
    for utt, n in originals.items():
        assert frames[utt] == n
        for factor in (0.9, 1.1):
            # duration / factor; the 25 ms window lets the frame count differ by one or two
            assert abs(frames[f"sp{factor}-{utt}"] - n / factor) <= 2
            assert text[f"sp{factor}-{utt}"] == text[utt]
    # perturbed copies are their own CMVN speakers, as in Kaldi
    assert {s.split("-")[0] for s in _table(sp / "spk2utt")} == {"global", "sp0.9", "sp1.1"}
    assert (tmp_path / "exp" / "final.pt").is_file()
