"""Following people across frames and choosing the one who walks."""

from __future__ import annotations

import numpy as np
import pytest

from gaitlab.errors import NoPersonError
from gaitlab.landmarks import INDEX, N_LANDMARKS
from gaitlab.pose.extract import RawPoses, load_raw_poses, save_raw_poses
from gaitlab.pose.tracking import select_walker, summarize_person, track_people

# A standing figure in torso units: (x, y) offsets from the hip midpoint, y down.
_OFFSETS = {
    "nose": (0.0, -1.4), "left_shoulder": (0.2, -1.0), "right_shoulder": (-0.2, -1.0),
    "left_hip": (0.12, 0.0), "right_hip": (-0.12, 0.0), "left_knee": (0.12, 0.9),
    "right_knee": (-0.12, 0.9), "left_ankle": (0.12, 1.8), "right_ankle": (-0.12, 1.8),
}


def body(cx: float, cy: float, torso_px: float) -> np.ndarray:
    px = np.zeros((N_LANDMARKS, 2))
    px[:] = (cx, cy - 0.5 * torso_px)
    for name, (dx, dy) in _OFFSETS.items():
        px[INDEX[name]] = (cx + dx * torso_px, cy + dy * torso_px)
    return px


def make_raw(bodies_per_frame: list[list[np.ndarray]], fps: float = 30.0) -> RawPoses:
    n = len(bodies_per_frame)
    flat = [b for frame in bodies_per_frame for b in frame]
    k = len(flat)
    return RawPoses(
        time_s=np.arange(n) / fps,
        frame_index=np.arange(n),
        counts=np.array([len(f) for f in bodies_per_frame]),
        image_px=np.array(flat).reshape(k, N_LANDMARKS, 2),
        visibility=np.full((k, N_LANDMARKS), 0.9),
        presence=np.full((k, N_LANDMARKS), 0.9),
        world_m=np.zeros((k, N_LANDMARKS, 3)),
        image_size_px=(1280, 720),
        fps=fps,
    )


def two_people(n: int = 90, seed: int = 0) -> RawPoses:
    """A tall bystander standing still and a smaller patient walking across; the
    model reports them in random order, and misses the walker now and then."""
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n):
        stander = body(1100 + rng.normal(0, 2), 400, 150)
        walker = body(100 + 10 * i, 420, 110)
        people = [stander] if i % 17 == 5 else [stander, walker]
        rng.shuffle(people)
        frames.append(people)
    return make_raw(frames)


def test_tracks_keep_each_person_whatever_the_detection_order():
    people = track_people(two_people())
    assert len(people) == 2
    for pose in people:
        centre_x = pose.image_px[pose.detected][:, :, 0].mean(axis=1)
        steps = np.abs(np.diff(centre_x))
        assert steps.max() < 25  # no jumps between the two people


def test_walker_is_chosen_not_the_largest_or_first_person():
    people = track_people(two_people())
    walker = people[select_walker(people)]
    summary = summarize_person(walker)
    assert summary.horizontal_travel_m > 5 * summarize_person(people[1 - select_walker(people)]).horizontal_travel_m
    # The walker is the smaller figure (torso 110 px), not the tall bystander.
    hips = walker.image_px[:, INDEX["left_hip"], 1] - walker.image_px[:, INDEX["left_shoulder"], 1]
    assert np.nanmedian(hips) == pytest.approx(110, abs=1)
    assert summary.detection_rate == pytest.approx(1 - 6 / 90, abs=0.02)


def test_short_gaps_do_not_split_a_track():
    frames = [[body(100 + 8 * i, 400, 100)] if not (30 <= i < 40) else [] for i in range(80)]
    people = track_people(make_raw(frames))
    assert len(people) == 1
    assert people[0].detection_rate == pytest.approx(70 / 80)


def test_walking_toward_the_camera_counts_as_travel():
    # Growing from 60 to 160 px torso while staying in the middle of the image.
    frames = [[body(640, 300 + i, 60 + 100 * i / 89)] for i in range(90)]
    frames_still = [[body(300, 400, 100)] for _ in range(90)]
    raw = make_raw([a + b for a, b in zip(frames, frames_still)])
    people = track_people(raw)
    walker = people[select_walker(people)]
    assert summarize_person(walker).depth_travel_m > 3.0
    assert np.nanmean(walker.image_px[:, :, 0]) == pytest.approx(640, abs=5)


def test_no_people_is_a_clear_error():
    with pytest.raises(NoPersonError, match="No person"):
        select_walker([])


def test_raw_poses_round_trip_through_the_cache_file(tmp_path):
    raw = two_people(n=20)
    path = tmp_path / "raw.npz"
    save_raw_poses(raw, path)
    back = load_raw_poses(path)
    assert back is not None
    np.testing.assert_array_equal(back.image_px, raw.image_px)
    np.testing.assert_array_equal(back.counts, raw.counts)
    assert back.image_size_px == raw.image_size_px


def test_damaged_cache_file_is_ignored_and_removed(tmp_path):
    path = tmp_path / "raw.npz"
    path.write_bytes(b"PK\x03\x04 not really a numpy archive")
    assert load_raw_poses(path) is None
    assert not path.exists()


def test_a_body_reported_twice_in_a_frame_stays_one_person():
    # The model now and then returns a second, slightly shifted pose on the walker.
    frames = []
    for i in range(60):
        walker = body(100 + 8 * i, 400, 100)
        frames.append([walker, walker + 3.0] if i % 7 == 3 else [walker])
    people = track_people(make_raw(frames))
    assert len(people) == 1
    assert people[0].detection_rate == 1.0


def test_two_people_side_by_side_are_not_merged():
    frames = [[body(300 + 8 * i, 400, 100), body(300 + 8 * i + 120, 400, 100)] for i in range(40)]
    assert len(track_people(make_raw(frames))) == 2


def test_a_patient_walking_out_and_back_in_is_one_person():
    # Three passes across the picture with 1 s outside it between passes.
    frames = []
    for _pass in range(3):
        frames += [[body(100 + 15 * i, 400, 100)] for i in range(60)]
        frames += [[] for _ in range(30)]
    people = track_people(make_raw(frames))
    assert len(people) == 1
    assert people[0].detection_rate == pytest.approx(180 / 270)


def test_someone_else_arriving_later_is_another_person():
    frames = [[body(100 + 15 * i, 400, 100)] for i in range(60)] + [[] for _ in range(10)]
    frames += [[body(100 + 15 * i, 400, 160)] for i in range(60)]  # a much bigger body
    assert len(track_people(make_raw(frames))) == 2
