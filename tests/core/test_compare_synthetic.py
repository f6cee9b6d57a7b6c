"""The comparison on synthetic walks measured by gaitlab's own kinematics.

Walks of the analytic walker (``test_kinematics_walker``) with chosen speeds and
pelvic drops go through the real ``gaitlab.kinematics.analyze_gait`` into contract
documents; the comparison must flag clearly different speeds and name the
dropping side from what the kinematics measured.  When the synthetic gait lab
(``gaitlab.synth.simulate_walk``) is present, its truth documents are compared too.
"""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from test_kinematics_walker import make_walk

from gaitlab.compare import VisitData, compare_visits
from gaitlab.contract import SCHEMA_ID, json_ready, validate_document
from gaitlab.kinematics import analyze_gait


def walk_document(view: str, direction: str, **walk) -> dict:
    """A contract document of one analytic walk, measured by gaitlab's kinematics."""
    pose, _ = make_walk(view=view, direction=direction, **walk)
    gait = analyze_gait(pose, view=view, direction=direction, height_cm=175)
    doc = {
        "schema": SCHEMA_ID,
        "gaitlab_version": "test",
        "model": {"name": "pose_landmarker", "variant": "truth", "sha256": ""},
        "video": {
            "path": f"{view}.mp4", "sha256": "", "width": pose.image_size_px[0],
            "height": pose.image_size_px[1], "fps": pose.fps, "frame_count": pose.n_frames,
            "duration_s": float(pose.time_s[-1]), "rotation_deg": 0,
        },
        "view": view,
        "walking_direction": direction,
        "person": {"selected": 0, "people_seen": 1},
        "settings": {},
        "time_s": [float(t) for t in pose.time_s],
        **gait.to_contract(),
        "quality": {"detection_rate": 1.0, "side_swaps_corrected": 0, "warnings": list(gait.warnings)},
    }
    doc = json_ready(doc)
    validate_document(doc)
    return doc


def walk_visit(label: str, date: str, **walk) -> VisitData:
    frontal = {k: walk.pop(k) for k in ("drop_bias_deg",) if k in walk}
    return VisitData(
        visit_id=label,
        date=dt.date.fromisoformat(date),
        label=label,
        documents=(
            walk_document("sagittal", "right", duration_s=7.0, **walk),
            walk_document("frontal", "toward", duration_s=7.0, **walk, **frontal),
        ),
    )


def test_walks_at_clearly_different_speeds_carry_the_comparability_warning():
    brisk = walk_visit("brisk", "2026-03-01", stride_s=1.0, speed_m_s=1.35)
    slow = walk_visit("slow", "2026-04-01", stride_s=1.3, speed_m_s=0.9)
    c = compare_visits(brisk, slow)
    speed = c.comparability.speed_m_s
    assert speed[0] > 1.2 and speed[1] < 1.0  # measured, not given
    assert c.comparability.status == "caution" and c.comparability.has("speed")
    assert any("Walking speed differed" in w for w in c.comparability.warnings)
    assert ("cadence", None, "decrease") in {(f.kind, f.side, f.direction) for f in c.findings}


def test_walks_at_the_same_speed_carry_no_speed_warning():
    a = walk_visit("a", "2026-03-01", stride_s=1.1, speed_m_s=1.2)
    b = walk_visit("b", "2026-04-01", stride_s=1.1, speed_m_s=1.2, first_hs_left_s=0.4)
    c = compare_visits(a, b)
    assert not c.comparability.has("speed") and not c.comparability.has("cadence")
    assert not c.findings_of("cadence")


def test_a_right_drop_in_left_stance_is_named_from_the_measured_walk():
    level = walk_visit("before", "2026-03-01")
    dropping = walk_visit("after", "2026-04-01", drop_bias_deg=5.0)
    c = compare_visits(level, dropping)
    drops = c.findings_of("pelvic_drop")
    assert [(f.side, f.stance_side, f.direction) for f in drops] == [("right", "left", "increase")]
    assert c.profile("left").pattern in ("trendelenburg", "trunk_lurch")
    assert c.profile("right").pattern == "none"


def _synth():
    try:
        synth = importlib.import_module("gaitlab.synth")
    except ModuleNotFoundError:
        return None
    return synth if hasattr(synth, "simulate_walk") and hasattr(synth, "GaitParams") else None


@pytest.mark.skipif(_synth() is None, reason="the synthetic gait lab (gaitlab.synth.simulate_walk) is not present")
def test_synthetic_lab_walks_at_different_speeds_carry_the_warning():
    synth = _synth()
    docs = {}
    for name, speed, cadence in (("brisk", 1.35, 118.0), ("slow", 0.85, 96.0)):
        params = synth.GaitParams(speed_m_s=speed, cadence_steps_per_min=cadence)
        views = []
        for view, walking in (("sagittal", "right"), ("frontal", "toward")):
            camera = synth.CameraSetup(view=view, walking=walking)
            views.append(synth.simulate_walk(params, camera, duration_s=8.0, seed=3).truth_document())
        docs[name] = tuple(views)
    a = VisitData(visit_id="brisk", date=dt.date(2026, 3, 1), label="brisk", documents=docs["brisk"])
    b = VisitData(visit_id="slow", date=dt.date(2026, 4, 1), label="slow", documents=docs["slow"])
    c = compare_visits(a, b)
    assert c.comparability.has("speed") or c.comparability.has("cadence")
    assert c.comparability.status == "caution"
