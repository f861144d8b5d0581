"""Training and decoding with a wav2vec 2.0 front end on yes/no recordings (8 kHz, resampled
to the checkpoint's 16 kHz): the waveform loader, a few steps that lower the loss, and
steps/train_e2e.sh + steps/decode.sh end to end. The tiny random checkpoint is written
with python -m asr.bin.save_ssl_checkpoint."""

from __future__ import annotations

from pathlib import Path

import pytest
import soundfile
import torch
import yaml

from asr.data.datadir import write_data_dir
from asr.nnet import build_model
from asr.train.config import resolve_config
from asr.train.loader import WaveformStore, collate, load_examples
from asr.train.trainer import Trainer
from asr.units import Units
from tests.conftest import run_in_recipe

REPO = Path(__file__).resolve().parents[2]
WORDS = {"0": "NO", "1": "YES"}
SSL_ARGS = {
    "extractor_mode": "group_norm", "extractor_conv_layer_config": [[16, 10, 5], [16, 8, 8], [16, 8, 8]],
    "extractor_conv_bias": False, "encoder_embed_dim": 32, "encoder_projection_dropout": 0.0,
    "encoder_pos_conv_kernel": 16, "encoder_pos_conv_groups": 4, "encoder_num_layers": 2, "encoder_num_heads": 2,
    "encoder_attention_dropout": 0.0, "encoder_ff_interm_features": 64, "encoder_ff_interm_dropout": 0.0,
    "encoder_dropout": 0.0, "encoder_layer_norm_first": False, "encoder_layer_drop": 0.0, "aux_num_out": None,
}


def _data_dir(wavs: list[Path], d: Path) -> Path:
    wav_scp = {w.stem: str(w) for w in wavs}
    text = {w.stem: " ".join(WORDS[c] for c in w.stem.split("_")) for w in wavs}
    write_data_dir(d, wav_scp, {u: u for u in wav_scp}, text)
    return d


@pytest.fixture(scope="module")
def setup(yesno_root, tmp_path_factory):
    """(train dir with 8 recordings, dev dir with 4, tiny checkpoint, model config)."""
    tmp = tmp_path_factory.mktemp("ssl")
    wavs = sorted((yesno_root / "waves_yesno").glob("*.wav"))
    (tmp / "args.yaml").write_text(yaml.safe_dump(SSL_ARGS))
    run_in_recipe(f"python -m asr.bin.save_ssl_checkpoint --random-init {tmp / 'args.yaml'} {tmp / 'w2v.pt'}", REPO)
    model = {"frontend": {"type": "wav2vec2", "checkpoint": str(tmp / "w2v.pt"), "proj_dim": 16},
             "encoder": {"type": "conformer", "dim": 16, "num_heads": 2, "ffn_dim": 32, "num_blocks": 1,
                         "kernel_size": 3, "subsampling_rate": 1, "dropout": 0.0}, "ctc_weight": 1.0}
    return _data_dir(wavs[:8], tmp / "train"), _data_dir(wavs[40:44], tmp / "dev"), tmp / "w2v.pt", model


def test_waveform_batches_and_a_few_steps_lower_the_loss(setup):
    train, _, _, model_cfg = setup
    torch.manual_seed(0)
    units = Units("word", ["<blk>", "<unk>", "NO", "YES"])
    model = build_model({**model_cfg, "vocab_size": len(units)})
    store = WaveformStore(train, 16000)
    examples, counts = load_examples(train, units, model.output_lengths, waveforms=store)
    assert counts == {"kept": 8, "too_short": 0, "too_long": 0}
    first = examples[0]
    assert first.num_frames == 2 * soundfile.info(store.data.wav_scp[first.utt]).frames  # 8 kHz -> 16 kHz
    batch = collate(examples, store)
    assert batch.feats.shape == (8, max(e.num_frames for e in examples))
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    losses = []
    for _ in range(15):
        loss = model(batch.feats, batch.feat_lengths, batch.targets, batch.target_lengths)["loss"]
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.7 * losses[0], losses


def test_global_cmvn_is_refused(setup, tmp_path):
    train, dev, _, model_cfg = setup
    config = resolve_config(model_cfg, ["units.type=word"])
    with pytest.raises(ValueError, match="takes waveforms: set cmvn: none"):
        Trainer(config, train, dev, tmp_path / "exp", "cpu").run()


@pytest.mark.parametrize("augment", ["train.time_stretch={min_rate: 0.9, max_rate: 1.1}", "train.noise={}"])
def test_feature_augmentation_is_refused(setup, tmp_path, augment):
    train, dev, _, model_cfg = setup
    config = resolve_config({**model_cfg, "cmvn": "none"}, ["units.type=word", augment])
    with pytest.raises(ValueError, match="change features; they do not work with a waveform front end"):
        Trainer(config, train, dev, tmp_path / "exp", "cpu").run()


def test_train_and_decode_scripts(setup, tmp_path):
    train, dev, _, model_cfg = setup
    config = {**model_cfg, "cmvn": "none", "units": {"type": "word"},
              "train": {"max_epochs": 1, "max_frames_per_batch": 2500, "warmup_steps": 1, "average_last": 1,
                        "plot": False, "lr": 5e-3}}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config))
    exp = tmp_path / "exp"
    run_in_recipe(f"steps/train_e2e.sh --config {tmp_path / 'c.yaml'} {train} {dev} {exp}", REPO)
    saved = yaml.safe_load((exp / "config.yaml").read_text())
    assert saved["features"] is None and "input_dim" not in saved["model"]
    assert not any(k.startswith("frontend.model.") for k in torch.load(exp / "final.pt", weights_only=True))
    assert "M trainable" in (exp / "log" / "train.log").read_text()
    run_in_recipe(f"steps/decode.sh --nj 1 {exp} {dev} {exp / 'decode_dev'}", REPO)
    hyp = dict(line.split(maxsplit=1) if " " in line else (line, "")
               for line in (exp / "decode_dev" / "hyp").read_text().splitlines())
    assert sorted(hyp) == sorted(line.split()[0] for line in (dev / "wav.scp").read_text().splitlines())
    assert set(" ".join(hyp.values()).split()) <= {"YES", "NO"}
    assert "%WER" in (exp / "decode_dev" / "wer").read_text()
