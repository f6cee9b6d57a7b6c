"""``gaitlab analyze``: every bad input exits 2 with one sentence and writes nothing."""

from __future__ import annotations

import pytest
from clikit import assert_one_clear_sentence, run_gaitlab
from videokit import write_test_video


def _bad(tmp_path, *args):
    out = tmp_path / "result.json"
    run = run_gaitlab("analyze", *args, "--out", out, "--quiet")
    assert run.code == 2, run.err
    assert_one_clear_sentence(run.err)
    assert not out.exists()
    assert not list(tmp_path.glob(".result.json*")), "a temporary file was left behind"
    return run.err


def test_missing_video(tmp_path):
    assert "does not exist" in _bad(tmp_path, tmp_path / "missing.mp4")


def test_not_a_video(tmp_path):
    fake = tmp_path / "walk.mp4"
    fake.write_text("hello\n" * 100)
    assert "not a video" in _bad(tmp_path, fake)


def test_video_without_frames(tmp_path):
    empty = write_test_video(tmp_path / "empty.mp4", n_frames=0)
    err = _bad(tmp_path, empty)
    assert "no video frames" in err or "no video stream" in err


def test_unreadable_codec(tmp_path):
    # A real MP4 whose video bitstream is scrambled after the header.
    good = write_test_video(tmp_path / "good.mp4", n_frames=20, width=128, height=96)
    data = bytearray(good.read_bytes())
    mdat = data.find(b"mdat")
    size = int.from_bytes(data[mdat - 4 : mdat], "big")  # the box size precedes its type
    for i in range(mdat + 4, mdat - 4 + size):  # scramble the frames only, keep the index
        data[i] = (data[i] * 7 + 13) % 256
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(bytes(data))
    err = _bad(tmp_path, broken)
    assert "decode" in err or "no video frames" in err


def test_bad_options_are_one_sentence(tmp_path):
    video = write_test_video(tmp_path / "v.mp4", n_frames=3)
    assert "--view" in _bad(tmp_path, video, "--view", "diagonal")
    assert "height" in _bad(tmp_path, video, "--height-cm", "12")
    assert "--person" in _bad(tmp_path, video, "--person", "someone")


def test_output_folder_that_does_not_exist(tmp_path):
    video = write_test_video(tmp_path / "v.mp4", n_frames=3)
    run = run_gaitlab("analyze", video, "--out", tmp_path / "no" / "such" / "r.json")
    assert run.code == 2
    assert_one_clear_sentence(run.err)
    assert "does not exist" in run.err


@pytest.mark.model
def test_video_with_nobody_in_it(tmp_path):
    video = write_test_video(tmp_path / "empty_room.mp4", n_frames=15, width=320, height=240)
    assert "No person" in _bad(tmp_path, video)
