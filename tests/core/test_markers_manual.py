"""Manual measurements: angle and line values with their signs, snapping, JSON round trip."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_markers_drawing import pose_for

from gaitlab.errors import ValidationError
from gaitlab.landmarks import INDEX
from gaitlab.markers import Measurement, measure_angle, measure_line_against, snap_to_landmark


@pytest.mark.parametrize(
    "a, v, c, expected",
    [
        ((10, 0), (0, 0), (0, 10), 90.0),
        ((10, 0), (0, 0), (-10, 0), 180.0),
        ((10, 0), (0, 0), (10, 0.0), 0.0),
        ((10, 0), (0, 0), (5, -5 * np.sqrt(3)), 60.0),
        ((0, 10), (0, 0), (10, 0), 90.0),  # order of the arms does not matter
    ],
)
def test_angle_at_the_vertex(a, v, c, expected):
    assert measure_angle(a, v, c) == pytest.approx(expected)


def test_line_against_horizontal_is_positive_when_the_second_point_is_higher():
    assert measure_line_against((0, 0), (10, -10), "horizontal") == pytest.approx(45.0)
    assert measure_line_against((0, 0), (-10, -10), "horizontal") == pytest.approx(45.0)
    assert measure_line_against((0, 0), (10, 10), "horizontal") == pytest.approx(-45.0)
    # ASIS → PSIS of an anteriorly tilted pelvis (PSIS higher) reads positive, like pelvic_tilt
    asis, psis = (140.0, 110.0), (100.0, 100.0)
    assert measure_line_against(asis, psis, "horizontal") == pytest.approx(np.degrees(np.arctan2(10, 40)))


def test_line_against_vertical_is_positive_leaning_to_the_image_right():
    assert measure_line_against((0, 0), (10, -10), "vertical") == pytest.approx(45.0)
    assert measure_line_against((10, -10), (0, 0), "vertical") == pytest.approx(45.0)  # either order
    assert measure_line_against((0, 0), (-10, -10), "vertical") == pytest.approx(-45.0)
    assert measure_line_against((5, 20), (5, 0), "vertical") == pytest.approx(0.0)


def test_measurement_round_trips_through_json():
    m = Measurement.create(
        "angle",
        [(10, 0), (0, 0), (0, 10)],
        time_s=2.5,
        label="knee at heel strike",
        snapped=["left_hip", "left_knee", None],
        frame_index=75,
    )
    assert m.value_deg == pytest.approx(90.0)
    back = Measurement.from_dict(json.loads(json.dumps(m.to_dict())))
    assert back == m
    line = Measurement.create("line", [(140, 110), (100, 100)], time_s=0.0, reference="horizontal",
                              label="static standing pelvic tilt")
    assert Measurement.from_dict(json.loads(json.dumps(line.to_dict()))) == line
    assert line.to_dict()["format"] == 1


def test_moving_a_point_recomputes_the_value():
    m = Measurement.create("line", [(0, 0), (10, 0)], time_s=1.0, reference="horizontal")
    moved = m.moved(1, (10, -10), snapped="left_hip")
    assert moved.value_deg == pytest.approx(45.0)
    assert moved.snapped == (None, "left_hip")
    with pytest.raises(ValidationError, match="no point 3"):
        m.moved(2, (0, 0))


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(kind="circle", points_px=[(0, 0)], time_s=0), "'angle' or a 'line'"),
        (dict(kind="angle", points_px=[(0, 0), (1, 1)], time_s=0), "needs 3 points"),
        (dict(kind="line", points_px=[(0, 0), (1, 1)], time_s=0), "'horizontal' or 'vertical'"),
        (dict(kind="angle", points_px=[(1, 0), (0, 0), (0, 1)], time_s=0, reference="vertical"), "no horizontal"),
        (dict(kind="angle", points_px=[(1, 0), (0, 0), (0, 0)], time_s=0), "coincide"),
        (dict(kind="line", points_px=[(1, 0), (1, 0)], time_s=0, reference="horizontal"), "distinct"),
        (dict(kind="line", points_px=[(1, 0), ("a", 0)], time_s=0, reference="horizontal"), "two numbers"),
        (dict(kind="line", points_px=[(1, 0), (np.nan, 0)], time_s=0, reference="horizontal"), "finite"),
        (dict(kind="line", points_px=[(1, 0), (2, 0)], time_s=-1, reference="horizontal"), "zero or more"),
        (dict(kind="line", points_px=[(1, 0), (2, 0)], time_s=0, reference="horizontal", snapped=["elbow", None]), "not a pose landmark"),
        (dict(kind="line", points_px=[(1, 0), (2, 0)], time_s=0, reference="horizontal", frame_index=-3), "frame index"),
    ],
)
def test_bad_measurements_are_refused_with_one_sentence(kwargs, words):
    kind = kwargs.pop("kind")
    points = kwargs.pop("points_px")
    with pytest.raises(ValidationError, match=words):
        Measurement.create(kind, points, **kwargs)


def test_damaged_or_newer_records_are_refused():
    d = Measurement.create("line", [(0, 0), (10, -10)], time_s=1.0, reference="horizontal").to_dict()
    with pytest.raises(ValidationError, match="does not match its points"):
        Measurement.from_dict({**d, "value_deg": 12.0})
    with pytest.raises(ValidationError, match="format 2"):
        Measurement.from_dict({**d, "format": 2})
    with pytest.raises(ValidationError, match="'points_px' field"):
        Measurement.from_dict({k: v for k, v in d.items() if k != "points_px"})
    with pytest.raises(ValidationError, match="JSON object"):
        Measurement.from_dict([1, 2])


def test_snap_to_the_nearest_landmark_within_the_radius():
    t = np.arange(3) / 30.0
    hip = np.array([[100.0, 200.0], [110.0, 200.0], [120.0, 200.0]])
    pose = pose_for(t, hip, 200.0)
    knee = pose.image_px[1, INDEX["left_knee"]]
    (x, y), name = snap_to_landmark((knee[0] - 3, knee[1] - 2), pose, frame_index=1, radius_px=6.0)
    assert name == "left_knee" and (x, y) == (float(knee[0]), float(knee[1]))
    point, name = snap_to_landmark((knee[0] + 30, knee[1]), pose, frame_index=1, radius_px=6.0)
    assert name is None and point == (float(knee[0] + 30), float(knee[1]))
    point, name = snap_to_landmark((knee[0], knee[1]), pose, frame_index=99, radius_px=6.0)
    assert name is None  # a frame that was not analysed has nothing to snap to
    with pytest.raises(ValidationError, match="snap radius"):
        snap_to_landmark((0, 0), pose, frame_index=1, radius_px=-1.0)


def _line(label, up_px, reference="horizontal"):
    """A 100 px line whose second point is ``up_px`` higher: atan(up/100) against the horizontal."""
    return Measurement.create("line", [(0, 200), (100, 200 - up_px)], time_s=0.0, reference=reference, label=label)


def test_pairs_match_by_label_kind_and_reference_and_average_repeats():
    from gaitlab.markers.manual import pair_measurements

    knee = Measurement.create("angle", [(0, 0), (0, 100), (100, 100)], time_s=1.0, label="Knee")
    a = [_line("Standing pelvic tilt", 10), _line("standing  pelvic TILT", 20), knee]
    b = [_line("standing pelvic tilt", 30), _line("standing pelvic tilt", 30, "vertical"),
         Measurement.create("angle", [(0, 0), (0, 100), (100, 0)], time_s=1.0, label="knee")]
    rows = pair_measurements(a, b)
    assert [(r.label, r.kind, r.reference, r.n_a, r.n_b) for r in rows] == [
        ("Standing pelvic tilt", "line", "horizontal", 2, 1),
        ("Knee", "angle", None, 1, 1),
        ("standing pelvic tilt", "line", "vertical", 0, 1),
    ]
    tilt, knee_row, vertical = rows
    expected_a = np.mean([np.degrees(np.arctan2(10, 100)), np.degrees(np.arctan2(20, 100))])
    assert tilt.a_deg == pytest.approx(expected_a)
    assert tilt.b_deg == pytest.approx(np.degrees(np.arctan2(30, 100)))
    assert tilt.change_deg == pytest.approx(tilt.b_deg - expected_a)
    assert (knee_row.a_deg, knee_row.b_deg, knee_row.change_deg) == pytest.approx((90.0, 45.0, -45.0))
    assert vertical.a_deg is None and vertical.change_deg is None
    assert pair_measurements([], []) == []


def test_pairs_need_labelled_measurements():
    from gaitlab.markers.manual import pair_measurements

    with pytest.raises(ValidationError, match="without a label"):
        pair_measurements([_line("", 5)], [])
    with pytest.raises(ValidationError, match="Only Measurement"):
        pair_measurements([{"label": "x"}], [])


def test_kinds_and_signs_in_words():
    from gaitlab.markers.manual import describe_kind, sign_convention

    assert describe_kind("angle", None) == "angle (3 points)"
    assert describe_kind("line", "vertical") == "line vs vertical"
    assert sign_convention("line", "horizontal").startswith("positive = second point higher")
    assert "anterior pelvic tilt" in sign_convention("line", "horizontal")
    assert "image right" in sign_convention("line", "vertical")
    assert "without sign" in sign_convention("angle", None)
    with pytest.raises(ValidationError):
        describe_kind("circle", None)
    with pytest.raises(ValidationError):
        sign_convention("line", None)
