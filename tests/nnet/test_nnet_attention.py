"""Attention modules against torch's MultiheadAttention and a naive relative-position loop."""

from __future__ import annotations

import math

import pytest
import torch

from asr.nnet.attention import MultiHeadAttention, RelPositionMultiHeadAttention, sinusoidal_encoding


def test_sinusoidal_encoding_hand_values() -> None:
    pe = sinusoidal_encoding(torch.tensor([0, 1, -2]), 4)
    expected = torch.tensor(
        [
            [0.0, 1.0, 0.0, 1.0],
            [math.sin(1), math.cos(1), math.sin(0.01), math.cos(0.01)],
            [math.sin(-2), math.cos(-2), math.sin(-0.02), math.cos(-0.02)],
        ]
    )
    torch.testing.assert_close(pe, expected)


def test_multi_head_attention_matches_torch() -> None:
    torch.manual_seed(0)
    dim, heads = 16, 4
    ours = MultiHeadAttention(dim, heads).eval()
    ref = torch.nn.MultiheadAttention(dim, heads, batch_first=True).eval()
    with torch.no_grad():
        ref.in_proj_weight.copy_(torch.cat([ours.linear_q.weight, ours.linear_k.weight, ours.linear_v.weight]))
        ref.in_proj_bias.copy_(torch.cat([ours.linear_q.bias, ours.linear_k.bias, ours.linear_v.bias]))
        ref.out_proj.weight.copy_(ours.linear_out.weight)
        ref.out_proj.bias.copy_(ours.linear_out.bias)
    q, kv = torch.randn(2, 5, dim), torch.randn(2, 7, dim)
    valid = torch.tensor([[True] * 7, [True] * 4 + [False] * 3])
    out = ours(q, kv, kv, valid[:, None, :])
    out_ref, _ = ref(q, kv, kv, key_padding_mask=~valid)
    torch.testing.assert_close(out, out_ref, atol=1e-5, rtol=1e-5)


def test_fully_masked_query_gives_zeros_not_nan() -> None:
    attn = MultiHeadAttention(8, 2).eval()
    x = torch.randn(1, 3, 8)
    out = attn(x, x, x, torch.zeros(1, 1, 3, dtype=torch.bool))
    torch.testing.assert_close(out, attn.linear_out.bias.expand(1, 3, 8))


def test_relative_scores_match_naive_loop() -> None:
    torch.manual_seed(0)
    dim, heads, t = 12, 3, 6
    attn = RelPositionMultiHeadAttention(dim, heads).eval()
    x = torch.randn(1, t, dim)
    d = dim // heads
    q = attn.linear_q(x).view(t, heads, d)
    k = attn.linear_k(x).view(t, heads, d)
    v = attn.linear_v(x).view(t, heads, d)
    out = torch.zeros(t, heads, d)
    for h in range(heads):
        scores = torch.zeros(t, t)
        for i in range(t):
            for j in range(t):
                p = attn.linear_pos(sinusoidal_encoding(torch.tensor([i - j]), dim))[0].view(heads, d)[h]
                content = (q[i, h] + attn.pos_bias_u[h]) @ k[j, h]
                position = (q[i, h] + attn.pos_bias_v[h]) @ p
                scores[i, j] = (content + position) / math.sqrt(d)
        out[:, h] = torch.softmax(scores, dim=-1) @ v[:, h]
    expected = attn.linear_out(out.reshape(1, t, dim))
    got = attn(x, torch.ones(1, 1, t, dtype=torch.bool))
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)


def test_bad_head_count() -> None:
    with pytest.raises(ValueError, match="multiple of num_heads"):
        MultiHeadAttention(10, 4)
