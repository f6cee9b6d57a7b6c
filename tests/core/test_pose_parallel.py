"""How a long video is split between the pose-estimation processes."""

from __future__ import annotations

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
