"""The CPU dropout: the drop rate, unbiasedness and independence of torch's Dropout."""

import pytest
import torch

from asr.nnet.dropout import Dropout

N = 1_000_000


def test_drop_rate_and_scale_match_p():
    torch.manual_seed(0)
    out = Dropout(0.1).train()(torch.ones(N))
    dropped = out == 0
    # binomial standard deviation at N = 1e6 is 3e-4: 3e-3 is ten of them
    assert abs(dropped.float().mean().item() - 0.1) < 3e-3
    kept = out[~dropped]
    assert torch.allclose(kept, torch.full_like(kept, 65536 / (65536 - round(0.1 * 65536))))
    assert abs(out.mean().item() - 1.0) < 5e-3  # unbiased


def test_every_position_of_a_draw_is_dropped_alike():
    """Four elements share one 64-bit draw: each of the four 16-bit lanes must drop at rate p
    (a draw with a fixed bit, e.g. the sign of a non-negative one, would never drop its lane)."""
    torch.manual_seed(1)
    out = Dropout(0.3).train()(torch.ones(N))
    for lane in range(4):
        assert abs((out[lane::4] == 0).float().mean().item() - 0.3) < 5e-3, lane


def test_neighbouring_elements_are_independent():
    torch.manual_seed(2)
    dropped = (Dropout(0.5).train()(torch.ones(N)) == 0).float()
    both = (dropped[:-1] * dropped[1:]).mean().item()
    assert abs(both - 0.25) < 3e-3


def test_identity_in_eval_and_for_p_zero_and_zeros_for_p_one():
    x = torch.randn(3, 5, 7)
    assert torch.equal(Dropout(0.5).eval()(x), x)
    assert torch.equal(Dropout(0.0).train()(x), x)
    assert torch.equal(Dropout(1.0).train()(x), torch.zeros_like(x))


def test_shapes_dtypes_gradient_and_seed():
    x = torch.randn(7, 13, 5).transpose(0, 1).requires_grad_()  # odd sizes, not contiguous
    torch.manual_seed(3)
    out = Dropout(0.2).train()(x)
    assert out.shape == x.shape
    out.sum().backward()
    scale = 65536 / (65536 - round(0.2 * 65536))
    assert torch.allclose(x.grad, (out != 0).float() * scale)
    assert torch.allclose(out, x.detach() * x.grad)
    torch.manual_seed(3)
    assert torch.equal(Dropout(0.2).train()(x), out)  # the global generator decides (exact resume)
    half = Dropout(0.2).train()(torch.ones(4, 9, dtype=torch.bfloat16))
    assert half.dtype == torch.bfloat16


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_bad_probability_is_refused(p):
    with pytest.raises(ValueError, match="dropout probability"):
        Dropout(p)
