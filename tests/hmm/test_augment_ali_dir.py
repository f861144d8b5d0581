"""utils/augment_ali_dir.sh on the yes/no monophone alignments: each prefixed copy reads the
source's alignments, model files come along, and bad arguments are refused."""

import subprocess

from asr.hmm.align import read_alignments
from tests.conftest import run_in_recipe as run


def test_prefixed_copies_read_the_same_alignments(yesno_mono):
    run("utils/augment_ali_dir.sh exp/mono_ali exp/mono_ali_aug noise1- noise2-", yesno_mono)
    src, dest = yesno_mono / "exp/mono_ali", yesno_mono / "exp/mono_ali_aug"
    assert (dest / "final.mdl").read_bytes() == (src / "final.mdl").read_bytes()
    for name in ("ali.scp", "pdf_ali.scp"):
        original, augmented = read_alignments(src / name), read_alignments(dest / name)
        assert len(original) == 31 and len(augmented) == 3 * 31
        lines = (dest / name).read_text().splitlines()
        assert lines == sorted(lines)
        for utt, ali in original.items():
            for key in (utt, f"noise1-{utt}", f"noise2-{utt}"):
                assert augmented[key].tolist() == ali.tolist(), key


def test_bad_arguments_fail_clearly(yesno_mono):
    def fails(args):
        r = subprocess.run(["bash", "-c", f"utils/augment_ali_dir.sh {args}"], cwd=yesno_mono,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode != 0
        return r.stderr

    assert "bad id prefix 'a b'" in fails("exp/mono_ali exp/x 'a b'")
    assert "same dir" in fails("exp/mono_ali exp/mono_ali noise1-")
    assert "no alignments" in fails("exp/nothing exp/x noise1-")
    assert "Usage" in fails("exp/mono_ali exp/x")
