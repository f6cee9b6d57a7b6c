"""Video reading: metadata, timestamps, rotation, streaming and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from videokit import write_test_video

from gaitlab.errors import VideoError
from gaitlab.io.video import (
    file_sha256,
    iter_frames,
    iter_frames_prefetched,
    key_frame_times,
    probe_video,
    read_frames_at,
    read_key_frames,
)


def test_probe_reports_size_rate_count_and_duration(tmp_path):
    path = write_test_video(tmp_path / "walk.mp4", n_frames=15, width=80, height=48, fps=30)
    info = probe_video(path)
    assert (info.width, info.height) == (80, 48)
    assert info.fps == pytest.approx(30.0, rel=1e-3)
    assert info.frame_count == 15
    assert info.duration_s == pytest.approx(0.5, abs=0.04)
    assert info.rotation_deg == 0
    assert info.sha256 == file_sha256(path) and len(info.sha256) == 64


def test_frames_stream_in_order_with_container_times(tmp_path):
    path = write_test_video(tmp_path / "walk.mp4", n_frames=10, fps=25)
    frames = list(iter_frames(path))
    assert [f.index for f in frames] == list(range(10))
    assert np.allclose([f.time_s for f in frames], np.arange(10) / 25, atol=1e-4)
    # frame i was written with grey level 10*i (lossy codec: allow a small error)
    levels = [float(np.median(f.image[30:, 30:])) for f in frames]
    assert np.allclose(levels, 10 * np.arange(10), atol=3)
    assert all(f.image.flags.c_contiguous and f.image.dtype == np.uint8 for f in frames)


def test_variable_frame_rate_keeps_true_timestamps(tmp_path):
    times = [0.0, 0.033, 0.070, 0.100, 0.150, 0.166, 0.200, 0.260]
    path = write_test_video(tmp_path / "vfr.mp4", n_frames=len(times), times_s=times)
    got = [f.time_s for f in iter_frames(path)]
    assert np.allclose(got, times, atol=2e-4)


@pytest.mark.parametrize("ccw, expected_cw", [(-90, 90), (90, 270), (180, 180)])
def test_phone_rotation_is_applied_so_the_person_is_upright(tmp_path, ccw, expected_cw):
    path = write_test_video(tmp_path / "phone.mp4", width=64, height=48, rotation_ccw_deg=ccw)
    info = probe_video(path)
    assert info.rotation_deg == expected_cw
    if expected_cw in (90, 270):
        assert (info.width, info.height) == (48, 64)
    image = next(iter_frames(path)).image
    assert image.shape[:2] == (info.height, info.width)
    # The white mark written at the stored top-left moves with the rotation.
    h, w = image.shape[:2]
    corners = {
        "top_left": image[:10, :10].mean(),
        "top_right": image[:10, w - 10 :].mean(),
        "bottom_left": image[h - 10 :, :10].mean(),
        "bottom_right": image[h - 10 :, w - 10 :].mean(),
    }
    brightest = max(corners, key=corners.get)
    # turning clockwise by 90 moves the stored top-left to the top-right, etc.
    assert brightest == {90: "top_right", 180: "bottom_right", 270: "bottom_left"}[expected_cw]


def test_prefetched_reader_gives_the_same_frames(tmp_path):
    path = write_test_video(tmp_path / "walk.mp4", n_frames=20)
    a = [(f.index, f.time_s, int(f.image.sum())) for f in iter_frames(path)]
    b = [(f.index, f.time_s, int(f.image.sum())) for f in iter_frames_prefetched(path, buffer_frames=2)]
    assert a == b


def test_prefetched_reader_stops_cleanly_when_the_consumer_stops(tmp_path):
    path = write_test_video(tmp_path / "walk.mp4", n_frames=30)
    it = iter_frames_prefetched(path, buffer_frames=2)
    first = next(it)
    it.close()  # the decoding thread must end, not hang
    assert first.index == 0


def test_read_frames_at_decodes_only_the_asked_frames(tmp_path):
    path = write_test_video(tmp_path / "walk.mp4", n_frames=12)
    frames = read_frames_at(path, [3, 7])
    assert sorted(frames) == [3, 7]
    assert float(np.median(frames[7][30:, 30:])) == pytest.approx(70, abs=3)


def test_key_frames_are_listed_without_decoding_and_read_one_picture_each(tmp_path):
    path = write_test_video(tmp_path / "walk.mp4", n_frames=24, gop=6)
    keys = key_frame_times(path)
    np.testing.assert_allclose(keys, [0.0, 0.2, 0.4, 0.6], atol=1e-6)
    frames = read_key_frames(path, keys[1:])
    assert [f.index for f in frames] == [6, 12, 18]
    streamed = {f.index: f for f in iter_frames(path, only_indices={6, 12, 18})}
    for f in frames:
        assert f.time_s == pytest.approx(streamed[f.index].time_s)
        np.testing.assert_array_equal(f.image, streamed[f.index].image)
        assert float(np.median(f.image[30:, 30:])) == pytest.approx(10 * f.index, abs=3)


def test_key_frames_come_upright(tmp_path):
    path = write_test_video(tmp_path / "phone.mp4", n_frames=12, width=64, height=48, gop=6, rotation_ccw_deg=90)
    (frame,) = read_key_frames(path, key_frame_times(path)[1:])
    assert frame.image.shape[:2] == (64, 48)


def test_a_changed_file_is_hashed_again(tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"first take")
    first = file_sha256(path)
    assert file_sha256(path) == first
    path.write_bytes(b"second take, a little longer")
    assert file_sha256(path) != first


def test_hashing_calls_back_after_every_chunk_and_a_stop_remembers_nothing(tmp_path):
    import hashlib

    path = tmp_path / "long.mp4"
    data = bytes(range(256)) * (3 * 4096 + 100)  # a little over 3 MiB: four chunks
    path.write_bytes(data)
    calls = []

    def stop_at_second():
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        file_sha256(path, on_chunk=stop_at_second)
    assert len(calls) == 2
    calls.clear()
    assert file_sha256(path, on_chunk=lambda: calls.append(1)) == hashlib.sha256(data).hexdigest()
    assert len(calls) == 4  # hashed in full again: the stopped run left nothing behind


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(VideoError, match="does not exist"):
        probe_video(tmp_path / "nope.mp4")


def test_text_file_is_not_a_video(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("this is a therapist's note, not a video\n" * 20)
    with pytest.raises(VideoError, match="not a video"):
        probe_video(path)


def test_empty_file_and_folder_are_clear_errors(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(VideoError, match="empty"):
        probe_video(empty)
    with pytest.raises(VideoError, match="folder"):
        probe_video(tmp_path)


def test_video_with_no_frames_is_a_clear_error(tmp_path):
    path = write_test_video(tmp_path / "none.mp4", n_frames=0)
    with pytest.raises(VideoError, match="no video"):
        probe_video(path)


def test_audio_only_file_has_no_video_stream(tmp_path):
    import av

    path = tmp_path / "voice.m4a"
    container = av.open(str(path), mode="w")
    stream = container.add_stream("aac", rate=16000)
    frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
    frame.sample_rate = 16000
    for _ in range(5):
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    with pytest.raises(VideoError, match="no video stream"):
        probe_video(path)


def test_truncated_video_is_reported_not_crashed(tmp_path):
    path = write_test_video(tmp_path / "walk.mp4", n_frames=30)
    data = path.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(VideoError):
        info = probe_video(cut)
        list(iter_frames(info.path))
