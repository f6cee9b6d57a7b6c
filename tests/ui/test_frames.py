"""Player arithmetic (time ↔ frame, gait phase ↔ time) and the background frame store."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from ui.frames import (
    FrameStore,
    frame_index_at,
    mean_stride_s,
    nearest_sample,
    stride_windows,
    time_at_phase,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))
from videokit import write_test_video  # noqa: E402


def test_frame_on_screen_is_the_last_that_started():
    times = np.array([0.0, 0.04, 0.08, 0.12])
    assert frame_index_at(times, 0.0) == 0
    assert frame_index_at(times, 0.079) == 1
    assert frame_index_at(times, 0.08) == 2
    assert frame_index_at(times, 5.0) == 3
    assert frame_index_at(times, -1.0) == 0


def test_nearest_sample():
    assert nearest_sample([0.0, 0.1, 0.2], 0.14) == 1
    assert nearest_sample([0.0, 0.1, 0.2], 0.16) == 2
    assert nearest_sample([], 1.0) is None


def test_phase_maps_linearly_within_each_stride_and_wraps():
    strides = stride_windows([2.0, 0.5, 1.5])
    assert strides == [(0.5, 1.5), (1.5, 2.0)]
    assert time_at_phase(strides, 0, 0.0) == 0.5
    assert time_at_phase(strides, 0, 50.0) == pytest.approx(1.0)
    assert time_at_phase(strides, 1, 50.0) == pytest.approx(1.75)
    assert time_at_phase(strides, 2, 100.0) == pytest.approx(1.5)  # wraps to the first stride
    assert mean_stride_s(strides) == pytest.approx(0.75)
    assert mean_stride_s([]) is None


def test_frame_store_decodes_every_frame_with_its_time_at_display_size(tmp_path):
    times = [0.0, 0.05, 0.1, 0.2, 0.25, 0.4]
    path = write_test_video(tmp_path / "vfr.mp4", n_frames=6, width=128, height=96, times_s=times)
    store = FrameStore(path, max_width_px=64)
    assert store.wait(10)
    assert store.error == ""
    assert store.n_frames == 6
    np.testing.assert_allclose(store.times_s(), times, atol=1e-3)
    frame = store.frame(3)
    assert frame.shape == (48, 64, 3) and frame.dtype == np.uint8
    # frame i of the test video is grey level 10 * i
    assert abs(float(np.median(store.frame(4))) - 40) < 4
    assert store.index_at(0.22) == 3
    store.close()
