"""measure_pelvic_markers on encoded videos (H.264, yuv420p) of drawn scenes."""

from __future__ import annotations

import numpy as np
import pytest
from test_markers_drawing import body_image, pose_for, sagittal_clip, write_video

from gaitlab.errors import CancelledError, ValidationError, VideoError
from gaitlab.markers import measure as measure_module
from gaitlab.markers import measure_pelvic_markers
from gaitlab.markers.measure import stickers_visible
from gaitlab.progress import CancelToken


class _Recorder:
    def __init__(self):
        self.calls = []

    def start(self, stage, total):
        self.calls.append(("start", stage, total))

    def update(self, done):
        self.calls.append(("update", done))

    def finish(self):
        self.calls.append(("finish",))


@pytest.fixture(scope="module")
def clip_video(tmp_path_factory):
    clip = sagittal_clip("left", n=45, arm_frames=(10, 35), arm_half_width_share=0.045)
    path = write_video(tmp_path_factory.mktemp("markers") / "walk.mp4", clip["frames"])
    return clip, path


def test_pelvic_tilt_from_a_compressed_video_matches_the_truth(clip_video):
    clip, path = clip_video
    progress = _Recorder()
    res = measure_pelvic_markers(path, clip["pose"], view="sagittal", direction="left", progress=progress)
    assert res is not None
    tilt = res.series["pelvic_tilt"]
    assert tilt.shape == clip["pose"].time_s.shape
    np.testing.assert_array_equal(res.time_s, clip["pose"].time_s)
    ok = np.isfinite(tilt)
    assert ok.mean() > 0.7
    rmse = float(np.sqrt(np.mean((tilt[ok] - clip["tilt"][ok]) ** 2)))
    assert rmse < 0.3
    assert np.abs(tilt[ok] - clip["tilt"][ok]).max() < 1.0  # no jumps where the arm passes
    assert res.series_source == {"pelvic_tilt": "markers"}
    assert set(res.frames_with_marker) == {"left_asis", "left_psis"}
    m = res.metrics()
    assert m["pelvic_tilt_mean_deg"] == pytest.approx(np.mean(clip["tilt"][ok]), abs=0.3)
    assert progress.calls[0] == ("start", "Finding the pelvic stickers", 45)
    assert progress.calls[-2:] == [("update", 45), ("finish",)]


def test_a_pose_trimmed_to_the_walking_frames_stays_aligned(clip_video):
    clip, path = clip_video
    pose = clip["pose"]
    keep = slice(12, 40)
    trimmed = pose_for(pose.time_s[keep], clip["hip"][keep], 260.0, size=pose.image_size_px)
    trimmed = trimmed.replace(frame_index=pose.frame_index[keep])
    res = measure_pelvic_markers(path, trimmed, view="sagittal", direction="left")
    assert res is not None
    tilt = res.series["pelvic_tilt"]
    ok = np.isfinite(tilt)
    assert tilt.shape == (28,) and ok.sum() > 10
    assert np.abs(tilt[ok] - clip["tilt"][keep][ok]).max() < 1.0


def test_no_stickers_or_another_colour_gives_no_result(tmp_path, clip_video):
    clip, path = clip_video
    assert measure_pelvic_markers(path, clip["pose"], view="sagittal", direction="left", colour="magenta") is None
    plain = [body_image(640, 360, clip["hip"][i], 260.0, seed=i) for i in range(45)]
    plain_path = write_video(tmp_path / "plain.mp4", plain)
    assert measure_pelvic_markers(plain_path, clip["pose"], view="sagittal", direction="left") is None


def test_the_quick_sticker_look_streams_through_a_video_with_few_key_frames(tmp_path, clip_video, monkeypatch):
    clip, path = clip_video  # one key frame: x264's default spacing is longer than the clip
    monkeypatch.setattr(measure_module, "read_key_frames", _must_not_be_called)
    assert stickers_visible(path, clip["pose"])
    assert not stickers_visible(path, clip["pose"], colour="magenta")


def test_the_quick_sticker_look_decodes_only_key_frames_when_there_are_enough(tmp_path, clip_video, monkeypatch):
    clip, _ = clip_video
    keyed = write_video(tmp_path / "keyed.mp4", clip["frames"], gop=5)
    plain = [body_image(640, 360, clip["hip"][i], 260.0, seed=i) for i in range(45)]
    plain_keyed = write_video(tmp_path / "plain.mp4", plain, gop=5)
    monkeypatch.setattr(measure_module, "read_frames_at", _must_not_be_called)
    assert stickers_visible(keyed, clip["pose"])
    assert not stickers_visible(plain_keyed, clip["pose"])


def _must_not_be_called(*args, **kwargs):
    raise AssertionError("this way of reading frames should not be used here")


def test_cancel_and_bad_inputs(tmp_path, clip_video):
    clip, path = clip_video
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        measure_pelvic_markers(path, clip["pose"], view="sagittal", direction="left", cancel=token)
    with pytest.raises(ValidationError, match="'left' or 'right'"):
        measure_pelvic_markers(path, clip["pose"], view="sagittal", direction="toward")
    with pytest.raises(VideoError, match="does not exist"):
        measure_pelvic_markers(tmp_path / "missing.mp4", clip["pose"], view="sagittal", direction="left")
