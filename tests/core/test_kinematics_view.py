"""View and walking direction from the motion of analytic walks."""

from __future__ import annotations

import numpy as np
import pytest
from test_kinematics_walker import make_walk

from gaitlab.errors import NoPersonError
from gaitlab.kinematics.view import detect_view
from gaitlab.types import PoseSequence


@pytest.mark.parametrize(
    ("view", "direction"),
    [("sagittal", "right"), ("sagittal", "left"), ("frontal", "toward"), ("frontal", "away")],
)
def test_view_and_direction_of_a_walk(view, direction):
    pose, _ = make_walk(view=view, direction=direction, camera_distance_m=5.0)
    assert detect_view(pose) == (view, direction)


def test_a_walk_with_a_short_return_reports_the_longer_pass():
    pose, _ = make_walk(view="sagittal", direction="right", duration_s=5.0)
    px = pose.image_px
    back = px[-40:][::-1][:20]  # walk back over the last 20 frames' track
    image = np.concatenate([px, back])
    t = np.arange(image.shape[0]) / pose.fps
    joined = PoseSequence.create(t, image, image_size_px=pose.image_size_px, fps=pose.fps)
    assert detect_view(joined) == ("sagittal", "right")


def test_standing_person_gets_a_view_from_body_width_and_face():
    pose, _ = make_walk(view="frontal", direction="toward", duration_s=2.0, speed_m_s=0.0)
    assert detect_view(pose)[0] == "frontal"
    pose, _ = make_walk(view="sagittal", direction="left", duration_s=2.0, speed_m_s=0.0)
    assert detect_view(pose) == ("sagittal", "left")


def test_no_body_raises_a_clear_error():
    t = np.arange(5) / 30
    pose = PoseSequence.create(t, np.full((5, 33, 2), np.nan), image_size_px=(640, 480), fps=30)
    with pytest.raises(NoPersonError, match="fewer than two frames"):
        detect_view(pose)
