"""Sticker obliquity takes precedence over the pose model's hip points (frontal view)."""

from __future__ import annotations

import numpy as np
import pytest

from gaitlab.kinematics import LANDMARK_OBLIQUITY_WARNING, analyze_gait
from gaitlab.synth import CameraSetup, GaitParams, simulate_walk


@pytest.fixture(scope="module")
def frontal_walk():
    camera = CameraSetup(view="frontal", walking="toward", width=960, height=540, fps=30)
    walk = simulate_walk(GaitParams(), camera, duration_s=6.0, seed=7)
    return walk.truth_pose(), walk.truth_document()


def test_landmark_obliquity_comes_with_its_warning(frontal_walk):
    pose, _ = frontal_walk
    gait = analyze_gait(pose, view="frontal", direction="toward")
    assert LANDMARK_OBLIQUITY_WARNING in gait.warnings


def test_sticker_obliquity_replaces_the_series_and_drives_the_drop_metrics(frontal_walk):
    pose, truth = frontal_walk
    landmark = analyze_gait(pose, view="frontal", direction="toward")
    # A sticker series with a clear right drop in left single support: the truth plus 4°.
    stickers = np.asarray(truth["series"]["pelvic_obliquity"], float) + 4.0
    gait = analyze_gait(pose, view="frontal", direction="toward", pelvic_obliquity_deg=stickers)
    np.testing.assert_array_equal(gait.series["pelvic_obliquity"], stickers)
    assert LANDMARK_OBLIQUITY_WARNING not in gait.warnings
    drop, base = gait.metrics["pelvic_drop_deg"], landmark.metrics["pelvic_drop_deg"]
    # Shifting obliquity up by 4° raises the right drop and lowers the left one by 4°.
    assert drop["right"] == pytest.approx(base["right"] + 4.0, abs=0.6)
    assert drop["left"] == pytest.approx(base["left"] - 4.0, abs=0.6)
    assert gait.metrics["pelvic_obliquity_rom_deg"] == pytest.approx(
        landmark.metrics["pelvic_obliquity_rom_deg"], abs=0.6
    )


def test_sticker_obliquity_must_match_the_frames(frontal_walk):
    from gaitlab.errors import ValidationError

    pose, _ = frontal_walk
    with pytest.raises(ValidationError, match="one value per analysed frame"):
        analyze_gait(pose, view="frontal", direction="toward", pelvic_obliquity_deg=np.zeros(3))
