"""Pelvic stickers on clips rendered by the synthetic gait lab, against its truth.

The exact pose of the walk places the search windows (the claim here is about
the stickers, not the pose model); the stickers themselves are found in the
rendered, H.264-compressed frames.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from gaitlab.markers import measure_pelvic_markers
from gaitlab.synth import CameraSetup, GaitParams, render_walk, simulate_walk, truth_path_for

pytestmark = pytest.mark.slow


def _render(tmp_path, view, walking, marker_rgb, *, stiffness=0.5, seed=2):
    params = GaitParams(markers=True, marker_rgb=marker_rgb, lumbar_stiffness=stiffness)
    walk = simulate_walk(params, CameraSetup(view=view, walking=walking), duration_s=3.0, seed=seed)
    path = render_walk(walk, tmp_path / f"{view}_{walking}.mp4")
    truth = json.loads(truth_path_for(path).read_text())
    return walk, path, truth


def _truth_series(truth, name):
    return np.array([np.nan if v is None else v for v in truth["series"][name]], dtype=np.float64)


@pytest.mark.parametrize(
    "walking, colour",
    [("toward", "green"), ("away", (250, 60, 200))],  # gaitlab's default and the lab's default colour
)
def test_marker_obliquity_matches_the_truth_within_one_degree(tmp_path, walking, colour):
    rgb = (60, 255, 40) if colour == "green" else colour
    walk, path, truth = _render(tmp_path, "frontal", walking, rgb)
    res = measure_pelvic_markers(path, walk.truth_pose(), view="frontal", direction=walking, colour=colour)
    assert res is not None
    measured = res.series["pelvic_obliquity"]
    expected = _truth_series(truth, "pelvic_obliquity")
    ok = np.isfinite(measured) & np.isfinite(expected)
    assert ok.mean() > 0.8
    rmse = float(np.sqrt(np.mean((measured[ok] - expected[ok]) ** 2)))
    assert rmse <= 1.0
    assert np.std(expected) > 1.0  # the truth really moves: the match is not trivial
    assert res.series_source == {"pelvic_obliquity": "markers"}


@pytest.mark.xfail(
    strict=True,
    reason=(
        "The lab renders each sticker as a sphere centred on the bony point, half inside "
        "the body: seen from the side the PSIS sticker shows only at the back silhouette, "
        "merged with the far-side PSIS, so the pair is too rarely seen together."
    ),
)
@pytest.mark.parametrize("walking", ["right", "left"])
def test_pelvic_tilt_matches_the_truth_within_one_and_a_half_degrees(tmp_path, walking):
    walk, path, truth = _render(tmp_path, "sagittal", walking, (60, 255, 40))
    res = measure_pelvic_markers(path, walk.truth_pose(), view="sagittal", direction=walking)
    assert res is not None
    measured = res.series["pelvic_tilt"]
    expected = _truth_series(truth, "pelvic_tilt")
    ok = np.isfinite(measured) & np.isfinite(expected)
    assert ok.mean() > 0.6
    assert float(np.sqrt(np.mean((measured[ok] - expected[ok]) ** 2))) <= 1.5
