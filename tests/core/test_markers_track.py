"""Sticker tracking: ASIS/PSIS and left/right labelling, occlusion gaps, jumps, bridging."""

from __future__ import annotations

import numpy as np
import pytest
from test_markers_drawing import sagittal_clip

from gaitlab.errors import ValidationError
from gaitlab.markers import (
    MarkerCandidate,
    bridge_short_gaps,
    detect_marker_candidates,
    parse_marker_colour,
    pelvic_result_from_candidates,
    search_windows_px,
    track_marker_pair,
    tracked_marker_names,
)
from gaitlab.markers.detect import sticker_radius_limits_px

GREEN = parse_marker_colour("green")


def _candidates(clip):
    anchor, length, windows = search_windows_px(clip["pose"])
    out = []
    for i, img in enumerate(clip["frames"]):
        r_min, r_max = sticker_radius_limits_px(float(length[i]))
        out.append(detect_marker_candidates(img, windows[i], GREEN, min_radius_px=r_min, max_radius_px=r_max))
    return out, anchor, length


def _cand(x, y, area=50.0):
    return MarkerCandidate(x_px=float(x), y_px=float(y), area_px=area, elongation=1.0, fill_ratio=1.0)


@pytest.mark.parametrize("direction", ["right", "left"])
def test_asis_is_the_sticker_in_front_for_both_walking_directions(direction):
    clip = sagittal_clip(direction, n=30, arm=False)
    cands, anchor, length = _candidates(clip)
    res = pelvic_result_from_candidates(
        cands, clip["pose"], anchor, length, view="sagittal", direction=direction, colour=GREEN
    )
    assert res is not None
    asis, psis = res.markers[f"{direction}_asis"], res.markers[f"{direction}_psis"]
    assert np.abs(asis.position_px - clip["asis"]).max() < 0.05
    assert np.abs(psis.position_px - clip["psis"]).max() < 0.05
    tilt = res.series["pelvic_tilt"]
    assert np.abs(tilt - clip["tilt"]).max() < 0.2
    assert res.series_source == {"pelvic_tilt": "markers"}
    assert res.frames_with_marker == {f"{direction}_asis": 30, f"{direction}_psis": 30}
    assert res.warnings == ()


@pytest.mark.parametrize("direction", ["right", "left"])
def test_arm_over_the_stickers_leaves_gaps_not_jumps(direction):
    # a wide, slow arm hides each sticker for about a quarter of a second
    clip = sagittal_clip(direction, n=60, arm_frames=(15, 45), arm_half_width_share=0.045)
    cands, anchor, length = _candidates(clip)
    res = pelvic_result_from_candidates(
        cands, clip["pose"], anchor, length, view="sagittal", direction=direction, colour=GREEN
    )
    assert res is not None
    for role in ("asis", "psis"):
        track = res.markers[f"{direction}_{role}"]
        cover = clip["cover"][role]
        assert cover.sum() >= 6  # the scene really hides the sticker for longer than 0.1 s
        seen = np.isfinite(track.position_px[:, 0])
        hidden_run = np.flatnonzero(~seen)
        assert hidden_run.size >= 4 and np.all(cover[hidden_run])  # gaps only where hidden
        assert not track.interpolated[hidden_run].any()  # long gaps are never bridged
        err = np.hypot(*(track.position_px[seen] - clip[role][seen]).T)
        # where measured, the centre is right (a sticker cut by the arm's edge is dropped
        # once the cut shifts its centroid by more than about half a pixel): no jumps
        assert err.max() < 0.6
        assert np.median(err) < 0.02
    tilt = res.series["pelvic_tilt"]
    ok = np.isfinite(tilt)
    assert np.abs(tilt[ok] - clip["tilt"][ok]).max() < 1.0
    assert np.isnan(tilt[clip["cover"]["asis"] & ~np.isfinite(res.markers[f"{direction}_asis"].position_px[:, 0])]).all()


def test_a_short_occlusion_is_bridged_and_flagged():
    clip = sagittal_clip("right", n=60, arm_frames=(20, 40), arm_half_width_share=0.015)
    cands, anchor, length = _candidates(clip)
    res = pelvic_result_from_candidates(
        cands, clip["pose"], anchor, length, view="sagittal", direction="right", colour=GREEN
    )
    assert res is not None
    asis = res.markers["right_asis"]
    assert asis.interpolated.any()
    assert np.isfinite(asis.position_px).all()
    assert res.interpolated["pelvic_tilt"].sum() >= asis.interpolated.sum()
    err = np.hypot(*(asis.position_px - clip["asis"]).T)
    assert err.max() < 1.0  # linear bridging over at most 0.1 s


def test_a_jump_is_rejected_and_the_track_continues():
    n = 20
    t = np.arange(n) / 30.0
    anchor = np.column_stack([np.linspace(100, 300, n), np.full(n, 200.0)])
    length = np.full(n, 260.0)
    asis = anchor + [20.0, -10.0]
    psis = anchor + [-20.0, -14.0]
    cands = [(_cand(*asis[i]), _cand(*psis[i])) for i in range(n)]
    # frame 10: the ASIS sticker is replaced by a blob 0.1 body lengths away
    cands[10] = (_cand(asis[10, 0] + 26.0, asis[10, 1] + 5.0), _cand(*psis[10]))
    lead, trail = track_marker_pair(
        cands, t, anchor, length, names=("right_asis", "right_psis"), axis_sign=1.0, max_interpolated_gap_s=0.0
    )
    assert np.isnan(lead.position_px[10]).all()
    np.testing.assert_allclose(np.delete(lead.position_px, 10, axis=0), np.delete(asis, 10, axis=0))
    np.testing.assert_allclose(trail.position_px, psis)


def test_a_sticker_shrunk_by_a_half_cover_is_dropped():
    n = 12
    t = np.arange(n) / 30.0
    anchor = np.column_stack([np.linspace(100, 200, n), np.full(n, 200.0)])
    length = np.full(n, 260.0)
    cands = [(_cand(anchor[i, 0] + 20, 190.0), _cand(anchor[i, 0] - 20, 186.0)) for i in range(n)]
    cands[8] = (_cand(anchor[8, 0] + 21, 190.0, area=25.0), cands[8][1])
    lead, _ = track_marker_pair(
        cands, t, anchor, length, names=("right_asis", "right_psis"), axis_sign=1.0, max_interpolated_gap_s=0.0
    )
    assert np.isnan(lead.position_px[8]).all()
    assert np.isfinite(np.delete(lead.position_px, 8, axis=0)).all()


def test_a_lone_sticker_is_never_labelled_without_its_partner_first():
    n = 10
    t = np.arange(n) / 30.0
    anchor = np.column_stack([np.linspace(100, 200, n), np.full(n, 200.0)])
    length = np.full(n, 260.0)
    cands = [(_cand(anchor[i, 0] + 20, 190.0),) for i in range(n)]
    lead, trail = track_marker_pair(
        cands, t, anchor, length, names=("right_asis", "right_psis"), axis_sign=1.0
    )
    assert np.isnan(lead.position_px).all() and np.isnan(trail.position_px).all()


@pytest.mark.parametrize("direction, left_x", [("toward", 230.0), ("away", 170.0)])
def test_frontal_left_and_right_are_the_patients_sides(direction, left_x):
    n = 15
    t = np.arange(n) / 30.0
    anchor = np.tile([200.0, 200.0], (n, 1))
    length = np.full(n, 260.0)
    right_x = 400.0 - left_x
    # the left sticker is 3 px higher than the right: left hip up = positive obliquity
    cands = [(_cand(left_x, 187.0), _cand(right_x, 190.0)) for _ in range(n)]
    anchor_names, axis = tracked_marker_names("frontal", direction)
    res = pelvic_result_from_candidates(
        cands,
        _pose(t, anchor),
        anchor,
        length,
        view="frontal",
        direction=direction,
        colour=GREEN,
    )
    assert res is not None
    left = res.markers[anchor_names[0]]
    assert anchor_names[0].startswith("left_")
    np.testing.assert_allclose(left.position_px[:, 0], left_x)
    obl = res.series["pelvic_obliquity"]
    np.testing.assert_allclose(obl, np.degrees(np.arctan2(3.0, 60.0)))
    assert res.series_source == {"pelvic_obliquity": "markers"}
    assert res.metrics() == {}


def _pose(t, hip):
    from test_markers_drawing import pose_for

    return pose_for(t, hip, 260.0)


def test_too_few_frames_with_both_stickers_gives_no_result():
    n = 40
    t = np.arange(n) / 30.0
    anchor = np.column_stack([np.linspace(100, 300, n), np.full(n, 200.0)])
    length = np.full(n, 260.0)
    cands = [()] * n
    for i in range(8):
        cands[i] = (_cand(anchor[i, 0] + 20, 190.0), _cand(anchor[i, 0] - 20, 186.0))
    res = pelvic_result_from_candidates(
        cands, _pose(t, anchor), anchor, length, view="sagittal", direction="right", colour=GREEN
    )
    assert res is None


def test_bridging_fills_three_missing_frames_at_30fps_but_not_four():
    t = np.arange(12) / 30.0
    pos = np.column_stack([np.arange(12.0) * 2, np.arange(12.0)])
    holed = pos.copy()
    holed[2:5] = np.nan  # three frames = 0.1 s
    holed[7:11] = np.nan  # four frames
    filled, flags = bridge_short_gaps(holed, t, 0.1)
    np.testing.assert_allclose(filled[2:5], pos[2:5])
    assert flags[2:5].all() and not flags[[0, 1, 5, 6, 11]].any()
    assert np.isnan(filled[7:11]).all() and not flags[7:11].any()
    start = pos.copy()
    start[:2] = np.nan
    filled, flags = bridge_short_gaps(start, t, 0.1)
    assert np.isnan(filled[:2]).all()  # never extrapolated at the ends


def test_tracker_inputs_are_checked():
    with pytest.raises(ValidationError, match="one entry per frame"):
        track_marker_pair([()], np.arange(2.0), np.zeros((2, 2)), np.ones(2), names=("a", "b"), axis_sign=1.0)
    with pytest.raises(ValidationError, match="'left' or 'right'"):
        tracked_marker_names("sagittal", "toward")
    with pytest.raises(ValidationError, match="'toward' or 'away'"):
        tracked_marker_names("frontal", "left")
    with pytest.raises(ValidationError, match="'sagittal' or 'frontal'"):
        tracked_marker_names("transverse", "left")


def _pair_frames(n, lead_area, trail_area, *, lead=True, trail=True):
    """Candidates of a right-walking side view: ASIS 60 px ahead of the PSIS."""
    out = []
    for _ in range(n):
        c = []
        if lead:
            c.append(_cand(360.0, 300.0, lead_area))
        if trail:
            c.append(_cand(300.0, 292.0, trail_area))
        out.append(tuple(c))
    return out


def _track(cands):
    n = len(cands)
    t = np.arange(n) / 30.0
    anchor = np.tile([330.0, 330.0], (n, 1))
    length = np.full(n, 400.0)
    return track_marker_pair(cands, t, anchor, length, names=("right_asis", "right_psis"), axis_sign=1.0)


def test_a_sticker_first_seen_partly_hidden_is_found_again_at_full_size():
    # the ASIS is first caught half under the arm (small), then hidden for a second
    cands = _pair_frames(5, 30.0, 45.0) + _pair_frames(30, 0, 50.0, lead=False) + _pair_frames(20, 50.0, 50.0)
    lead, trail = _track(cands)
    assert np.isfinite(lead.position_px[35:, 0]).all()  # its remembered small size was forgotten
    assert trail.n_seen == 55


def test_a_fresh_pair_of_very_different_sizes_is_not_taken():
    # a fragment of a hidden sticker beside a whole one
    lead, trail = _track(_pair_frames(20, 15.0, 50.0))
    assert lead.n_seen == 0 and trail.n_seen == 0
    lead, trail = _track(_pair_frames(20, 40.0, 50.0))
    assert lead.n_seen == 20 and trail.n_seen == 20


def test_a_sticker_that_wavers_in_size_keeps_being_followed():
    # a sticker a few pixels wide: its measured area scatters by about 15 % frame to frame
    rng = np.random.default_rng(3)
    areas = 20.0 * (1.0 + 0.15 * rng.standard_normal(60))
    cands = [(_cand(360.0, 300.0, float(a)), _cand(300.0, 292.0, 20.0)) for a in areas]
    lead, _ = _track(cands)
    assert lead.n_seen >= 57
    # while a sharp sticker of steady size is dropped when it suddenly shrinks by a third
    steady = [(_cand(360.0, 300.0, 50.0), _cand(300.0, 292.0, 50.0))] * 20
    cut = [(_cand(360.0, 300.0, 33.0), _cand(300.0, 292.0, 50.0))] * 3
    lead, _ = _track(steady + cut + steady)
    assert not np.isfinite(lead.position_px[20:23, 0]).any() or lead.interpolated[20:23].all()
