"""Command-line options shared by the GMM training entry points (train_mono, train_tri)."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_gmm_training_args", "gmm_training_kwargs"]


def add_gmm_training_args(parser: argparse.ArgumentParser, defaults: Any) -> None:
    """Options for the fields MonoConfig and TriConfig share, defaulting to ``defaults``'."""
    parser.add_argument("--totgauss", type=int, default=defaults.totgauss, help="target number of Gaussians")
    parser.add_argument("--num-iters", type=int, default=defaults.num_iters)
    parser.add_argument("--max-iter-inc", type=int, default=defaults.max_iter_inc,
                        help="last iteration that adds Gaussians")
    parser.add_argument("--power", type=float, default=defaults.power,
                        help="Gaussians per pdf ~ occupancy ** power")
    parser.add_argument("--realign-iters", default=" ".join(map(str, defaults.realign_iters)),
                        help="iterations that realign (space-separated)")
    parser.add_argument("--beam", type=float, default=defaults.beam)
    parser.add_argument("--retry-beam", type=float, default=defaults.retry_beam)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--num-threads", type=int, default=1,
                        help="torch threads (more than 1 is slower on these small matrices "
                             "when other jobs share the cores)")


def gmm_training_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The config keyword arguments :func:`add_gmm_training_args` options give."""
    return {"totgauss": args.totgauss, "num_iters": args.num_iters, "max_iter_inc": args.max_iter_inc,
            "power": args.power, "realign_iters": tuple(int(x) for x in args.realign_iters.split()),
            "beam": args.beam, "retry_beam": args.retry_beam, "seed": args.seed}
