"""Run under torchrun by test_train_ddp.py: one training step, then save this rank's weights.

AdamW's eps is 1 so that its first step is smooth in the gradient (with a tiny eps it is
about lr * sign(gradient), which turns rounding noise in near-zero gradients into +-lr).

usage: ddp_worker.py <train-dir> <dev-dir> <exp-dir> <max-frames-per-batch> <out.pt>
(``{rank}`` in <out.pt> is replaced by the rank)
"""

import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conftest import tiny_config  # noqa: E402

from asr.train.config import resolve_config  # noqa: E402
from asr.train.trainer import Trainer  # noqa: E402

torch.set_num_threads(1)
train, dev, exp, frames, out = sys.argv[1:]
config = tiny_config(conv_norm="layer_norm", dropout=0.0, specaug=None, max_steps=1, warmup_steps=0, eps=1.0,
                     max_frames_per_batch=int(frames))
trainer = Trainer(resolve_config(config), train, dev, exp, device="cpu")
trainer.run()
torch.save(trainer.model.state_dict(), out.format(rank=os.environ.get("RANK", "0")))
