"""Audio reading: files, pipes, segments, resampling, downmix, and loud errors."""

import numpy as np
import pytest
import soundfile

from asr.data.audio import AudioError, AudioReader, read_audio_entry
from asr.data.datadir import DataDir, Segment
from tests.conftest import write_tone


def make_dir(tmp_path, wav_scp, segments=None):
    utts = segments.keys() if segments else wav_scp.keys()
    return DataDir(path=tmp_path, wav_scp=wav_scp, utt2spk={u: "s" for u in utts}, segments=segments)


def test_file_and_pipe_give_identical_samples(fsdd_root):
    wav = sorted((fsdd_root / "recordings").glob("*.wav"))[0]
    direct, rate = read_audio_entry(str(wav))
    piped, rate2 = read_audio_entry(f"cat {wav} |")
    assert rate == rate2 == 8000
    np.testing.assert_array_equal(direct, piped)
    reference, _ = soundfile.read(wav, dtype="int16")
    np.testing.assert_allclose(direct[:, 0] * 32768, reference, atol=1e-3)


def test_resamples_and_downmixes(tmp_path):
    wav = write_tone(tmp_path / "a.wav", seconds=1.0, rate=16000, freq=500.0, channels=2)
    reader = AudioReader(make_dir(tmp_path, {"u1": str(wav)}), sample_rate=8000)
    audio = reader.read("u1")
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert abs(len(audio) - 8000) <= 1
    peak_hz = np.argmax(np.abs(np.fft.rfft(audio))) * 8000 / len(audio)
    assert abs(peak_hz - 500.0) < 5
    assert sum(reader.conversions.values()) == 2


def test_segments_cut_the_recording(tmp_path):
    wav = write_tone(tmp_path / "r.wav", seconds=2.0)
    segs = {"r-a": Segment("r", 0.0, 0.5), "r-b": Segment("r", 0.5, -1)}
    reader = AudioReader(make_dir(tmp_path, {"r": str(wav)}, segs), sample_rate=8000)
    assert len(reader.read("r-a")) == 4000
    assert len(reader.read("r-b")) == 12000
    reader.data.segments["r-c"] = Segment("r", 1.0, 3.0)
    with pytest.raises(AudioError, match="utterance r-c: segment ends at 3.000s"):
        reader.read("r-c")


@pytest.mark.parametrize("kind", ["missing", "empty", "truncated", "garbage", "no_samples"])
def test_bad_audio_names_the_utterance(tmp_path, kind):
    wav = tmp_path / "bad.wav"
    if kind != "missing":
        write_tone(wav, seconds=0.5)
    if kind == "empty":
        wav.write_bytes(b"")
    elif kind == "truncated":
        wav.write_bytes(wav.read_bytes()[:3000])
    elif kind == "garbage":
        wav.write_bytes(b"this is not audio at all" * 10)
    elif kind == "no_samples":
        soundfile.write(wav, np.zeros(0), 8000, subtype="PCM_16")
    reader = AudioReader(make_dir(tmp_path, {"utt7": str(wav)}), sample_rate=8000)
    with pytest.raises(AudioError, match="utterance utt7"):
        reader.read("utt7")


def test_failing_pipe_names_the_utterance(tmp_path):
    reader = AudioReader(make_dir(tmp_path, {"utt9": f"cat {tmp_path}/nope.wav |"}), sample_rate=8000)
    with pytest.raises(AudioError, match="utterance utt9.*exited with status"):
        reader.read("utt9")
