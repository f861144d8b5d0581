"""Job bookkeeping: chunks, Kaldi ark/scp round trip through kaldiio, completeness checks."""

from __future__ import annotations

import kaldiio
import numpy as np
import pytest

from asr.features.archive import combine_jobs, job_files, job_status, job_utterances, write_job

CONFIG = "feature_type: fbank\nnum_mel_bins: 5\n"


def _features(seed: int, utts: list[str]) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {u: rng.standard_normal((int(rng.integers(1, 30)), 5)).astype(np.float32) for u in utts}


def test_job_utterances_are_contiguous_balanced_chunks():
    utts = [f"u{i:02d}" for i in range(10)]
    chunks = [job_utterances(utts, j, 4) for j in range(1, 5)]
    assert chunks == [utts[0:3], utts[3:6], utts[6:8], utts[8:10]]
    assert job_utterances(utts, 2, 2) == utts[5:]
    with pytest.raises(ValueError, match="11 jobs for 10 utterances"):
        job_utterances(utts, 1, 11)
    with pytest.raises(ValueError, match="job 5 of 4"):
        job_utterances(utts, 5, 4)


def test_ark_scp_round_trip_through_kaldiio(tmp_path):
    feats = _features(0, ["a", "b-2", "c_3"])
    files = job_files(tmp_path, "raw_fbank_x", 1)
    write_job(files, feats.items(), CONFIG)
    assert files.scp.read_text().splitlines()[0].startswith(f"a {tmp_path}/raw_fbank_x.1.ark:")
    loaded = kaldiio.load_scp(str(files.scp))
    assert list(loaded) == list(feats)
    for utt, mat in feats.items():
        assert loaded[utt].dtype == np.float32
        np.testing.assert_array_equal(loaded[utt], mat)
    # Binary Kaldi float matrices, readable sequentially as an archive too.
    assert files.ark.read_bytes()[:8] == b"a \0BFM \x04"
    for (utt, mat), (key, read) in zip(feats.items(), kaldiio.load_ark(str(files.ark))):
        assert key == utt
        np.testing.assert_array_equal(read, mat)
    assert job_status(files, list(feats), CONFIG) is None


def test_job_status_finds_partial_or_stale_outputs(tmp_path):
    utts = ["a", "b", "c"]
    files = job_files(tmp_path, "p", 2)
    write_job(files, _features(1, utts).items(), CONFIG)
    assert job_status(files, utts, CONFIG) is None
    assert "does not list exactly" in job_status(files, ["a", "b"], CONFIG)
    assert "another feature config" in job_status(files, utts, CONFIG + "dither: 1.0\n")
    full = files.ark.read_bytes()
    files.ark.write_bytes(full[:-1])  # killed while writing the last matrix
    assert "its last matrix ends at" in job_status(files, utts, CONFIG)
    files.ark.write_bytes(full + b"x")
    assert "its last matrix ends at" in job_status(files, utts, CONFIG)
    files.ark.write_bytes(full)
    files.scp.unlink()
    assert "does not exist" in job_status(files, utts, CONFIG)


def test_combine_writes_sorted_tables_only_when_all_jobs_are_complete(tmp_path):
    utts = ["s1_u1", "s1_u2", "s2_u1", "s2_u2", "s2_u3"]
    feats = _features(2, utts)
    data = tmp_path / "data"
    data.mkdir()
    for job in (1, 2):
        mine = job_utterances(utts, job, 2)
        write_job(job_files(tmp_path / "ark", "p", job), [(u, feats[u]) for u in mine], CONFIG)
    frames = combine_jobs(data, tmp_path / "ark", "p", utts, 2, CONFIG)
    assert frames == {u: feats[u].shape[0] for u in utts}
    assert (data / "utt2num_frames").read_text() == "".join(f"{u} {feats[u].shape[0]}\n" for u in utts)
    loaded = kaldiio.load_scp(str(data / "feats.scp"))
    assert list(loaded) == utts
    for u in utts:
        np.testing.assert_array_equal(loaded[u], feats[u])
    (data / "feats.scp").unlink()
    job_files(tmp_path / "ark", "p", 2).ark.unlink()
    with pytest.raises(ValueError, match="job 2 of 2 is not complete"):
        combine_jobs(data, tmp_path / "ark", "p", utts, 2, CONFIG)
    assert not (data / "feats.scp").exists()
