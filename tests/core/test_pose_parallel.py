"""How a long video is split between the pose-estimation processes."""

from __future__ import annotations

import numpy as np
import pytest

from gaitlab.pose.parallel import chunk_bounds


def _work(bounds, duration_s, warmup_s):
    """Seconds of video each process runs the model on, warm-up included."""
    out = []
    for k, (start, end) in enumerate(bounds):
        end = duration_s if end is None else end
        out.append(end - start + (min(warmup_s, start) if k else 0.0))
    return out


@pytest.mark.parametrize("duration_s, n, warmup_s", [(20.0, 2, 1.0), (600.0, 2, 1.0), (60.0, 4, 1.0), (17.0, 3, 0.5)])
def test_chunks_cover_the_video_and_give_every_process_the_same_work(duration_s, n, warmup_s):
    bounds = chunk_bounds(duration_s, n, warmup_s)
    assert len(bounds) == n
    assert bounds[0][0] == 0.0 and bounds[-1][1] is None
    for (_, end), (start, _) in zip(bounds, bounds[1:]):
        assert end == pytest.approx(start)  # no gap, no overlap
    work = _work(bounds, duration_s, warmup_s)
    assert max(work) - min(work) == pytest.approx(0.0, abs=1e-9)


def test_the_first_chunk_is_longer_by_the_others_warm_up():
    bounds = chunk_bounds(20.0, 2, 1.0)
    assert bounds == [(0.0, pytest.approx(10.5)), (pytest.approx(10.5), None)]


def test_without_warm_up_the_chunks_are_equal():
    assert chunk_bounds(9.0, 3) == [(0.0, 3.0), (3.0, 6.0), (6.0, None)]


def test_a_warm_up_longer_than_the_chunks_falls_back_to_equal_chunks():
    assert chunk_bounds(2.0, 2, 5.0) == [(0.0, 1.0), (1.0, None)]


def _raw(times, counts, start_value):
    from gaitlab.pose.extract import RawPoses

    n = int(sum(counts))
    px = np.arange(n, dtype=float)[:, None, None] + start_value + np.zeros((n, 33, 2))
    return RawPoses(
        time_s=np.asarray(times, float),
        frame_index=np.round(np.asarray(times) * 30).astype(np.int64),
        counts=np.asarray(counts, np.int64),
        image_px=px,
        visibility=np.ones((n, 33)),
        presence=np.ones((n, 33)),
        world_m=np.zeros((n, 33, 3)),
        image_size_px=(640, 360),
        fps=30.0,
    )


def test_joined_chunks_keep_each_frame_once_with_its_own_detections():
    from gaitlab.pose.extract import RawPoses

    first = _raw([0.0, 1 / 30, 2 / 30], [1, 2, 0], 0.0)  # frame 1 has two people, frame 2 none
    second = _raw([2 / 30, 3 / 30, 4 / 30], [1, 1, 2], 100.0)  # repeats frame 2 (with someone)
    joined = RawPoses.join([first, second])
    np.testing.assert_array_equal(joined.frame_index, [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(joined.counts, [1, 2, 0, 1, 2])
    # the repeated frame is the first chunk's; the second chunk's rows after it follow in order
    np.testing.assert_array_equal(joined.image_px[:, 0, 0], [0.0, 1.0, 2.0, 101.0, 102.0, 103.0])


def test_joining_nothing_is_refused():
    from gaitlab.errors import ValidationError
    from gaitlab.pose.extract import RawPoses

    with pytest.raises(ValidationError):
        RawPoses.join([])
