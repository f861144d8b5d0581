"""Diagonal GMMs: densities against scipy, EM on synthetic data, splitting."""

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from asr.hmm.gmm import DiagGmms, GmmStats, split_targets


def test_log_likes_match_scipy():
    rng = np.random.default_rng(0)
    means, var = rng.normal(size=(3, 4)), rng.uniform(0.5, 2.0, size=(3, 4))
    logw = np.log([0.3, 0.7, 1.0])
    gmms = DiagGmms(np.array([0, 0, 1]), logw, means, var)
    x = rng.normal(size=(5, 4))
    dens = [multivariate_normal(means[c], np.diag(var[c])).pdf(x) for c in range(3)]
    expected = np.stack([np.log(0.3 * dens[0] + 0.7 * dens[1]), np.log(dens[2])], 1)
    np.testing.assert_allclose(gmms.log_likes(x), expected, rtol=1e-5)


def test_em_increases_likelihood_and_finds_the_clusters():
    rng = np.random.default_rng(1)
    true_means = np.array([[-3.0, 0.0], [3.0, 1.0]])
    x = np.concatenate([rng.normal(m, 0.5, size=(500, 2)) for m in true_means])
    pdfs = np.zeros(len(x), dtype=np.int64)
    gmms = DiagGmms.single(1, x.mean(0), x.var(0))
    gmms.split(np.array([2]), perturb=0.5, seed=0)
    likes = []
    for _ in range(15):
        stats = GmmStats(gmms.num_comps, gmms.dim)
        gmms.accumulate(x, pdfs, stats)
        likes.append(stats.log_like / stats.frames)
        gmms.update(stats, min_occ=3.0)
    assert all(b >= a - 1e-9 for a, b in zip(likes, likes[1:]))
    assert likes[-1] > likes[0] + 0.5
    found = gmms.means[np.argsort(gmms.means[:, 0])]
    np.testing.assert_allclose(found, true_means, atol=0.1)
    np.testing.assert_allclose(np.exp(gmms.log_weights), [0.5, 0.5], atol=0.02)


def test_accumulate_single_gaussian_is_sample_moments():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(50, 3))
    gmms = DiagGmms.single(2, np.zeros(3), np.ones(3))
    pdfs = np.array([0] * 20 + [1] * 30)
    stats = GmmStats(2, 3)
    gmms.accumulate(x, pdfs, stats)
    np.testing.assert_allclose(stats.occ, [20, 30])
    np.testing.assert_allclose(stats.x[1], x[20:].sum(0))
    gmms.update(stats, min_occ=1.0)
    np.testing.assert_allclose(gmms.means[0], x[:20].mean(0))
    np.testing.assert_allclose(gmms.variances[1], x[20:].var(0))


def test_split_reaches_targets_and_keeps_weights_normalized():
    gmms = DiagGmms.single(3, np.zeros(2), np.ones(2))
    gmms.split(np.array([1, 4, 3]))
    assert np.bincount(gmms.comp_pdf).tolist() == [1, 4, 3]
    for p in range(3):
        assert np.isclose(np.exp(gmms.log_weights[gmms.comp_pdf == p]).sum(), 1.0)


def test_split_targets_follow_occupancy_power():
    t = split_targets(np.array([100.0, 0.0, 1600.0]), total=10, power=0.5)
    # weights 10, 0, 40 -> 2, 0 (floored to 1), 8
    assert t.tolist() == [2, 1, 8]


def test_bad_arguments():
    with pytest.raises(ValueError, match="every pdf"):
        DiagGmms(np.array([1]), np.zeros(1), np.zeros((1, 2)), np.ones((1, 2)))
    with pytest.raises(ValueError, match="positive"):
        DiagGmms(np.array([0]), np.zeros(1), np.zeros((1, 2)), np.zeros((1, 2)))
    gmms = DiagGmms.single(1, np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match="pdf labels"):
        gmms.accumulate(np.zeros((3, 2)), np.zeros(2, dtype=int), GmmStats(1, 2))


def test_accumulate_matches_posteriors_computed_with_scipy():
    rng = np.random.default_rng(3)
    comp_pdf = np.array([0, 0, 0, 1, 2, 2])
    means, var = rng.normal(size=(6, 3)), rng.uniform(0.5, 2.0, size=(6, 3))
    logw = np.log([0.2, 0.5, 0.3, 1.0, 0.6, 0.4])
    gmms = DiagGmms(comp_pdf, logw, means, var)
    x, pdfs = rng.normal(size=(40, 3)), rng.integers(0, 3, size=40)
    stats = GmmStats(6, 3)
    gmms.accumulate(x, pdfs, stats)
    joint = np.stack([np.exp(logw[c]) * multivariate_normal(means[c], np.diag(var[c])).pdf(x)
                      for c in range(6)], 1)
    joint[comp_pdf[None, :] != pdfs[:, None]] = 0.0  # a frame counts for its own pdf only
    post = joint / joint.sum(1, keepdims=True)
    np.testing.assert_allclose(stats.occ, post.sum(0))
    np.testing.assert_allclose(stats.x, post.T @ x)
    np.testing.assert_allclose(stats.x2, post.T @ (x * x))
    assert np.isclose(stats.log_like, np.log(joint.sum(1)).sum())
    assert stats.frames == 40
