"""Sticker detection: colour, size and shape filtering, sub-pixel centres, search windows."""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_markers_drawing import ARM, GREEN, SHIRT, SKIN, body_image, draw_disc, pose_for

from gaitlab.errors import InputError
from gaitlab.markers import (
    DEFAULT_MARKER_COLOUR,
    MarkerColour,
    colour_mask,
    detect_marker_candidates,
    parse_marker_colour,
    search_windows_px,
)
from gaitlab.markers.detect import sticker_radius_limits_px

L = 260.0
WINDOW = (250.0, 120.0, 390.0, 260.0)
GREEN_SPEC = parse_marker_colour("green")


def _detect(img, window=WINDOW, colour=GREEN_SPEC):
    r_min, r_max = sticker_radius_limits_px(L)
    return detect_marker_candidates(img, window, colour, min_radius_px=r_min, max_radius_px=r_max)


@pytest.mark.parametrize("radius_px", [1.8, 2.5, 4.0, 7.0])
def test_centre_is_found_to_a_few_hundredths_of_a_pixel(radius_px):
    rng = np.random.default_rng(int(radius_px * 10))
    errors = []
    for k in range(12):
        img = body_image(640, 360, (320, 200), L, seed=k)
        centre = (300 + rng.uniform(0, 1), 165 + rng.uniform(0, 1))
        draw_disc(img, centre, radius_px, GREEN)
        (cand,) = _detect(img)
        errors.append(math.hypot(cand.x_px - centre[0], cand.y_px - centre[1]))
        assert cand.radius_px == pytest.approx(radius_px, abs=0.15)
        assert cand.elongation < 1.1
        assert cand.fill_ratio == pytest.approx(1.0, abs=0.05)
    assert max(errors) < 0.05


def test_sticker_on_the_shirt_and_across_the_waistline_is_still_centred():
    # the background changes colour under the sticker (shirt above, skin below)
    img = body_image(640, 360, (320, 200), L)
    waist = 200 - int(0.2 * L)
    for centre in ((290.4, waist - 0.3), (350.7, waist - 30.2)):
        draw_disc(img, centre, 4.0, GREEN)
    cands = sorted(_detect(img, window=(250.0, 90.0, 390.0, 260.0)), key=lambda c: c.x_px)
    assert len(cands) == 2
    assert math.hypot(cands[0].x_px - 290.4, cands[0].y_px - (waist - 0.3)) < 0.1
    assert math.hypot(cands[1].x_px - 350.7, cands[1].y_px - (waist - 30.2)) < 0.05


def test_only_round_sticker_sized_blobs_of_the_sticker_colour_count():
    img = body_image(640, 360, (320, 200), L)
    draw_disc(img, (300.2, 170.7), 4.0, GREEN)  # the sticker
    draw_disc(img, (330.0, 170.0), 4.0, SHIRT)  # another colour
    draw_disc(img, (350.0, 200.0), 4.0, SKIN)  # skin-coloured spot
    draw_disc(img, (280.0, 230.0), 0.6, GREEN)  # a speck
    draw_disc(img, (320.0, 140.0), 14.0, GREEN)  # far larger than a sticker
    img[210:213, 300:340] = GREEN  # a green stripe (not round)
    (cand,) = _detect(img)
    assert math.hypot(cand.x_px - 300.2, cand.y_px - 170.7) < 0.05


def test_blobs_outside_the_window_or_cut_by_its_edge_are_ignored():
    img = body_image(640, 360, (320, 200), L)
    draw_disc(img, (200.0, 170.0), 4.0, GREEN)  # outside
    draw_disc(img, (251.0, 200.0), 4.0, GREEN)  # cut by the window's left edge
    assert _detect(img) == ()
    assert _detect(img, window=(np.nan,) * 4) == ()


def test_colour_mask_handles_hues_near_red_across_zero():
    red = MarkerColour("red", (255, 30, 70))  # hue about 349 degrees
    img = np.zeros((4, 4, 3), np.uint8)
    img[0, 0] = (255, 40, 20)  # hue about 5 degrees: within 24 degrees across 0
    img[0, 1] = (255, 30, 70)
    img[0, 2] = (255, 200, 20)  # yellow-orange: too far
    img[0, 3] = (120, 100, 100)  # too pale
    mask = colour_mask(img, red)
    assert mask[0].tolist() == [True, True, False, False]


def test_colour_presets_hex_and_triples():
    assert DEFAULT_MARKER_COLOUR == "green"
    assert parse_marker_colour("Green").rgb == GREEN
    assert parse_marker_colour("#FA3CC8").rgb == (250, 60, 200)
    assert parse_marker_colour((250, 60, 200)).name == "#fa3cc8"
    spec = parse_marker_colour("magenta")
    assert parse_marker_colour(spec) is spec
    assert 100 < parse_marker_colour("green").hue_deg < 120


@pytest.mark.parametrize(
    "bad, words",
    [
        ("purple-ish", "Unknown sticker colour"),
        ((200, 190, 185), "too pale or dark"),
        ((10, 20), "three components"),
        ("#12345", "Unknown sticker colour"),
        (3.5, "a name, '#rrggbb' or three numbers"),
    ],
)
def test_bad_colours_are_refused_with_one_sentence(bad, words):
    with pytest.raises(InputError, match=words):
        parse_marker_colour(bad)


def test_non_rgb_frames_are_refused():
    with pytest.raises(InputError, match="RGB image"):
        detect_marker_candidates(np.zeros((10, 10)), WINDOW, GREEN_SPEC, min_radius_px=1, max_radius_px=5)


def test_search_window_follows_the_hips_and_scales_with_the_body():
    t = np.arange(5) / 30.0
    hip = np.array([[100.0, 200.0], [110, 200], [120, 200], [130, 200], [140, 200]])
    near = pose_for(t, hip, 200.0)
    far = pose_for(t, hip, 100.0)
    c_near, len_near, w_near = search_windows_px(near)
    _, len_far, w_far = search_windows_px(far)
    np.testing.assert_allclose(c_near, hip)
    np.testing.assert_allclose(len_near, 200.0)
    np.testing.assert_allclose(len_far, 100.0)
    np.testing.assert_allclose((w_near[:, 2] - w_near[:, 0]), 100.0)  # 2 * 0.25 * 200
    np.testing.assert_allclose((w_far[:, 2] - w_far[:, 0]), 50.0)
    np.testing.assert_allclose(0.5 * (w_near[:, 0] + w_near[:, 2]), hip[:, 0])


def test_no_window_where_the_pose_lost_the_hips():
    t = np.arange(3) / 30.0
    pose = pose_for(t, np.array([[100.0, 200.0]] * 3), 200.0)
    px = np.array(pose.image_px)
    px[1] = np.nan
    _, _, windows = search_windows_px(pose.replace(image_px=px))
    assert np.isfinite(windows[[0, 2]]).all()
    assert np.isnan(windows[1]).all()


@pytest.mark.parametrize("cut_px", [3.0, 4.0, 5.0])
def test_a_sticker_partly_under_the_arm_is_not_reported(cut_px):
    # an arm edge hides more than a third of the sticker: its centroid would be off-centre
    # (smaller cuts are caught by the tracker, which knows the sticker's usual size and shape)
    img = body_image(640, 360, (320, 200), L)
    draw_disc(img, (300.3, 170.4), 4.0, GREEN)
    edge = int(round(300.3 + 4.0 - cut_px))
    img[150:190, edge:edge + 12] = ARM
    assert _detect(img) == ()
    # the same sticker whole is found
    img2 = body_image(640, 360, (320, 200), L)
    draw_disc(img2, (300.3, 170.4), 4.0, GREEN)
    img2[150:190, 306:318] = ARM  # the arm beside it, not over it
    assert len(_detect(img2)) == 1
