"""TDNN shapes, receptive field (by gradients), edge padding and argument checks."""

import pytest
import torch

from asr.dnn.tdnn import Tdnn, pad_context


def test_context_is_sum_of_half_spans():
    net = Tdnn(40, 25, hidden_dim=16)
    # default layers (5,1) (3,1) (3,1) (3,3) (3,3) (3,3): 2 + 1 + 1 + 3 + 3 + 3
    assert net.left_context == net.right_context == 13
    assert Tdnn(10, 5, hidden_dim=8, layers=[(3, 2), (1, 1)]).left_context == 2


def test_output_shape():
    net = Tdnn(40, 25, hidden_dim=16).eval()
    out = net(torch.randn(3, 50 + 26, 40))
    assert out.shape == (3, 50, 25)


def test_receptive_field_by_gradient():
    torch.manual_seed(0)
    net = Tdnn(6, 4, hidden_dim=32, layers=[(3, 1), (3, 2)], dropout=0.0).eval()
    x = torch.randn(1, 20, 6, requires_grad=True)
    out = net(x)  # 20 - 2 * 3 = 14 outputs
    assert out.shape == (1, 14, 4)
    t = 5
    out[0, t].sum().backward()
    touched = (x.grad[0].abs().sum(1) > 0).nonzero().flatten().tolist()
    # output t reads input frames t .. t + 6 (left context 3, right context 3)
    assert touched == list(range(t, t + 7))


def test_pad_context_repeats_edges():
    x = torch.arange(6.0).reshape(3, 2)
    y = pad_context(x, 2, 1)
    assert y.tolist() == [[0, 1], [0, 1], [0, 1], [2, 3], [4, 5], [4, 5]]
    assert pad_context(x[None], 1, 0).shape == (1, 4, 2)


@pytest.mark.parametrize("kwargs", [{"layers": [(4, 1)]}, {"layers": []}, {"hidden_dim": 0},
                                    {"layers": [(3, 0)]}, {"dropout": 1.0}])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        Tdnn(10, 5, **kwargs)


def test_too_short_input_is_an_error():
    net = Tdnn(10, 5, hidden_dim=8)
    with pytest.raises(ValueError, match="pad the input"):
        net(torch.randn(1, 26, 10))
