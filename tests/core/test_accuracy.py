"""Issue 4's accuracy bars on the real pose model's output of rendered walks.

The clips come from ``benchmarks/accuracy.py`` (the same comparison the
benchmark reports in ``docs/accuracy.md``) with seeds unlike the samples.  Bars
that gaitlab does not meet yet are marked strict ``xfail`` with the measured figure
(meeting them turns the suite red until the mark goes); the clips and the pose
model's output on them are the same on every run.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from gaitlab.analysis import analyze_video
from gaitlab.errors import TooLittleWalkingError
from gaitlab.landmarks import INDEX

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.model, pytest.mark.slow]


def _load_benchmark():
    spec = importlib.util.spec_from_file_location("gaitlab_accuracy_benchmark", ROOT / "benchmarks" / "accuracy.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


acc = _load_benchmark()

SAGITTAL = acc.ClipSpec("test-sag-left-540", "sagittal", "left", 960, 540, 6.0, 51,
                        gait={"speed_m_s": 1.1, "cadence_steps_per_min": 106.0})
FRONTAL = acc.ClipSpec("test-front-toward-540", "frontal", "toward", 960, 540, 6.0, 52, fov_deg=40.0,
                       gait={"pelvic_drop_deg_right": 8.0, "pelvic_drop_deg_left": 3.0})
ASYM = acc.ClipSpec("test-sag-right-720-asym", "sagittal", "right", 1280, 720, 5.0, 54,
                    gait={"speed_m_s": 1.0, "cadence_steps_per_min": 104.0, "stance_pct_left": 63.5,
                          "stance_pct_right": 58.5})
STANDING = acc.ClipSpec("test-standing-540", "sagittal", "right", 960, 540, 2.0, 53)


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("accuracy-clips")


@pytest.fixture(scope="session")
def sagittal(clip_dir) -> dict:
    video, walk = acc.render_clip(SAGITTAL, clip_dir)
    return acc.analyse_clip(video, walk)


@pytest.fixture(scope="session")
def asymmetric_clip(clip_dir):
    return acc.render_clip(ASYM, clip_dir)


@pytest.fixture(scope="session")
def asymmetric(asymmetric_clip) -> dict:
    return acc.analyse_clip(*asymmetric_clip)


@pytest.fixture(scope="session")
def asymmetric_heavy(asymmetric_clip) -> dict:
    return acc.analyse_clip(*asymmetric_clip, model_variant="heavy")


@pytest.fixture(scope="session")
def frontal_clip(clip_dir):
    return acc.render_clip(FRONTAL, clip_dir)


@pytest.fixture(scope="session")
def frontal(frontal_clip) -> dict:
    return acc.analyse_clip(*frontal_clip)


@pytest.fixture(scope="session")
def frontal_heavy(frontal_clip) -> dict:
    return acc.analyse_clip(*frontal_clip, model_variant="heavy")


def test_sagittal_bars_labels_events_cadence_step_times(sagittal):
    assert sagittal["labels"]["correct"] >= acc.LABELS_CORRECT_MIN
    assert sagittal["heel_strike_mae_frames"] <= acc.HEEL_STRIKE_MAE_MAX_FRAMES
    assert sagittal["heel_strike_missed"] == 0 and sagittal["heel_strike_extra"] == 0
    found, true = sagittal["cadence"]
    assert abs(found - true) <= acc.CADENCE_MAX_ERROR
    for f, t in sagittal["step_time_s"].values():
        assert abs(f - t) <= acc.STEP_TIME_MAX_ERROR_S


def test_sagittal_labels_events_and_cadence_stay_near_the_bars(sagittal):
    # what the leg-label and event work achieves today; before it: 48 % labels, cadence 228 vs 109
    assert sagittal["view"] == "sagittal" and sagittal["direction"] == "left"
    assert sagittal["n_strides_truth"] >= 3
    assert sagittal["labels"]["frames"] > 100
    assert sagittal["labels"]["correct"] >= acc.LABELS_CORRECT_MIN
    assert sagittal["heel_strike_missed"] == 0 and sagittal["heel_strike_extra"] == 0
    assert sagittal["heel_strike_mae_frames"] <= 1.2
    found, true = sagittal["cadence"]
    assert abs(found - true) <= 4.0
    # 17 ms on most runs; the pose model's output varies a little from run to run
    for f, t in sagittal["step_time_s"].values():
        assert abs(f - t) <= 0.05


def test_step_time_asymmetry_is_found_with_its_side_and_sign(asymmetric):
    # the left step 10 % shorter; before the whole-walk leg identity a stretch took the
    # other leg's identity and the sign came out wrong
    si, si_true = asymmetric["step_time_si"]
    assert si_true < -8.0
    assert si < -4.0
    assert asymmetric["heel_strike_missed"] == 0 and asymmetric["heel_strike_extra"] == 0
    found, true = asymmetric["cadence"]
    assert abs(found - true) <= acc.CADENCE_MAX_ERROR
    for f, t in asymmetric["step_time_s"].values():
        assert abs(f - t) <= acc.STEP_TIME_MAX_ERROR_S


def test_asymmetric_walk_labels_meet_the_bar(asymmetric):
    assert asymmetric["labels"]["correct"] >= acc.LABELS_CORRECT_MIN


@pytest.mark.xfail(strict=True, reason="hip flexion RMSE is 3.9° / 5.4° on this 540p walker; with labels set from "
                   "the truth 3.6° / 5.1°, with exact knees 3.1° / 3.6°, with exact hips 3.8° / 5.3°: the pose "
                   "model's own hip and knee points each carry more than 3° (docs/accuracy.md)")
def test_sagittal_hip_flexion_rmse_is_within_three_degrees(sagittal):
    for side in ("left", "right"):
        assert sagittal[f"hip_flexion_{side}"]["rmse"] <= acc.HIP_RMSE_MAX_DEG


def test_sagittal_hip_flexion_follows_the_truth(sagittal):
    # the right shape on the right leg (before the correction: r about 0)
    for side in ("left", "right"):
        assert sagittal[f"hip_flexion_{side}"]["r"] >= 0.85
        assert sagittal[f"hip_flexion_{side}"]["rmse"] <= 7.0


def test_frontal_cadence_is_measured(frontal):
    # 109.3 vs 109.8 /min: cadence from the slope of all strikes (it was 2.8 /min off as 60
    # over the mean step time, whose first and last strike alone set it)
    assert frontal["view"] == "frontal" and frontal["direction"] == "toward"
    found, true = frontal["cadence"]
    assert abs(found - true) <= acc.CADENCE_MAX_ERROR


@pytest.mark.xfail(strict=True, reason="landmark pelvic obliquity r = -0.69 on this clip: the pose model's hip "
                   "line follows the lateral trunk lean (-1.8 x), not the pelvis (-0.2 x) (docs/accuracy.md)")
def test_frontal_pelvic_obliquity_follows_the_truth_and_the_drop_side_is_found(frontal):
    assert frontal["pelvic_obliquity"]["r"] >= acc.OBLIQUITY_MIN_R
    drop = frontal["pelvic_drop_deg"]
    assert drop["right"][0] > drop["left"][0]


def test_hip_flexion_error_comes_from_the_model_points_not_geometry_or_labels(sagittal):
    # the decomposition behind the unmet bar: exact image points give under 1.5 degrees (camera
    # perspective and the 2-D definition); labels from the truth do not bring the bar within reach
    for side in ("left", "right"):
        parts = sagittal["hip_error_parts"][side]
        assert parts["rmse_true_projection"] <= 1.5
        assert parts["rmse_true_labels"] > acc.HIP_RMSE_MAX_DEG
        assert parts["rmse_true_knees"] < parts["rmse"]


def test_landmark_obliquity_follows_the_trunk_lean_not_the_pelvis(frontal):
    # why the markerless obliquity keeps its warning: the hip line tilts with the trunk
    src = frontal["obliquity_sources"]
    assert src["c_lean"] < -1.0
    assert src["c_obliquity"] < 0.3
    assert any("stickers" in w for w in frontal["warnings"])


def test_hip_error_parts_are_zero_for_exact_points_and_see_a_knee_offset():
    walk = acc.simulate(acc.ClipSpec("parts", "sagittal", "right", 1280, 720, 3.0, 5))
    truth = walk.truth_document()
    series = {k: np.asarray(v, dtype=np.float64) for k, v in truth["series"].items()}
    exact = walk.landmarks_px()
    parts = acc.hip_error_parts(exact, exact, series, "right")
    for side in ("left", "right"):
        assert parts[side]["rmse"] == parts[side]["rmse_true_knees"] < 1.5
        assert abs(parts[side]["trunk_bias"]) < 1.0
    # both knees 10 % of a thigh forward (to the image right, the walking direction): the
    # thigh angle grows by about atan(0.1) = 5.7 degrees; exact knees undo it
    moved = exact.copy()
    for side in ("left", "right"):
        knee, hip = INDEX[f"{side}_knee"], INDEX[f"{side}_hip"]
        thigh_px = np.linalg.norm(exact[:, knee] - exact[:, hip], axis=1)
        moved[:, knee, 0] += 0.1 * thigh_px
    parts = acc.hip_error_parts(moved, exact, series, "right")
    for side in ("left", "right"):
        assert 4.5 < parts[side]["thigh_bias"] < 7.0
        assert parts[side]["rmse_true_knees"] < 1.5


def test_obliquity_sources_recover_known_coefficients():
    rng = np.random.default_rng(3)
    obliquity = 4.0 * np.sin(np.linspace(0, 12, 300))
    lean = 1.5 * np.cos(np.linspace(0, 9, 300))
    measured = 0.5 + 0.9 * obliquity - 1.2 * lean + rng.normal(0, 0.1, 300)
    src = acc.obliquity_sources(list(measured), obliquity, lean)
    assert src["c_obliquity"] == pytest.approx(0.9, abs=0.02)
    assert src["c_lean"] == pytest.approx(-1.2, abs=0.03)
    assert src["residual_sd"] == pytest.approx(0.1, abs=0.02)
    level = acc.obliquity_sources(list(-1.2 * lean), np.zeros(300), lean)
    assert level["c_obliquity"] is None and level["c_lean"] == pytest.approx(-1.2)
    assert acc.obliquity_sources([None] * 5, np.zeros(5), np.zeros(5))["c_lean"] is None


def test_a_walker_standing_still_gives_too_little_walking_with_a_warning(clip_dir):
    video = acc.render_standing(STANDING, clip_dir)
    with pytest.raises(TooLittleWalkingError) as info:
        analyze_video(video, use_cache=False)
    warnings = info.value.document["quality"]["warnings"]
    assert any("walking" in w.lower() for w in warnings)
    assert all(not v for side in info.value.document["events"].values() for v in side.values())


# --- the heavy pose model (built offline from the npm package when the download is blocked)


def test_heavy_model_measures_hip_flexion_better_than_full(asymmetric, asymmetric_heavy):
    # measured on this walk: heavy 2.99 / 2.86 degrees (left / right), full 5.67 / 3.81; the
    # bar of 3 degrees is met, the test allows 0.2 degrees for small run-to-run differences
    for side in ("left", "right"):
        heavy, full = asymmetric_heavy[f"hip_flexion_{side}"], asymmetric[f"hip_flexion_{side}"]
        assert heavy["rmse"] <= acc.HIP_RMSE_MAX_DEG + 0.2
        assert heavy["rmse"] < full["rmse"]
        assert heavy["coverage"] >= 0.75
    assert asymmetric_heavy["labels"]["correct"] >= acc.LABELS_CORRECT_MIN
    assert asymmetric_heavy["heel_strike_missed"] == 0 and asymmetric_heavy["heel_strike_extra"] == 0
    assert asymmetric_heavy["heel_strike_mae_frames"] <= acc.HEEL_STRIKE_MAE_MAX_FRAMES


def test_heavy_model_front_walk_keeps_the_feet_it_scores_hidden(frontal_heavy):
    # heavy scores a landing heel as hidden; before the foot points passed the gate this
    # walk found no full cycle (exit 3, 3 strikes missed)
    assert frontal_heavy["exit_code"] == 0
    assert frontal_heavy["heel_strike_missed"] == 0 and frontal_heavy["heel_strike_extra"] == 0
    assert frontal_heavy["heel_strike_mae_frames"] <= acc.HEEL_STRIKE_MAE_MAX_FRAMES
    found, true = frontal_heavy["cadence"]
    assert abs(found - true) <= acc.CADENCE_MAX_ERROR
