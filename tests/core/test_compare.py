"""The visit comparison on contract documents whose answers are known.

Each test builds analysis documents (``spec/analysis-v1.md``, validated against the
schema) with chosen metrics and gait-cycle curves, so every delta, band, pattern and
finding has a known answer.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pytest

from gaitlab.compare import (
    MDC_TABLE,
    METRIC_SPECS,
    POPULATION_BANDS,
    TERMINOLOGY_GUARD,
    VisitData,
    choose_baseline,
    combine_visit_metrics,
    compare_visits,
    estimate_camera_placement,
    look_up_mdc,
    mdc95_from_sem,
    trend,
)
from gaitlab.compare.measures import judge_change
from gaitlab.compare.visits import per_cycle_range
from gaitlab.contract import SCHEMA_ID, validate_document
from gaitlab.errors import InputError, ValidationError
from gaitlab.landmarks import INDEX, N_LANDMARKS
from gaitlab.types import PoseSequence

PCT = np.arange(101, dtype=float)
FPS = 30.0
DURATION_S = 6.0


def _curve(values: np.ndarray, n: int) -> dict:
    return {"mean": [round(float(v), 4) for v in values], "sd": [1.0] * 101, "n": n}


def _base_doc(view: str, direction: str, fps: float, n: tuple[int, int], warnings=()) -> dict:
    frames = int(DURATION_S * fps)
    stride = 1.1
    hs_left = [round(0.2 + i * stride, 3) for i in range(n[0] + 1)]
    hs_right = [round(0.75 + i * stride, 3) for i in range(n[1] + 1)]
    return {
        "schema": SCHEMA_ID,
        "gaitlab_version": "test",
        "model": {"name": "pose_landmarker", "variant": "truth", "sha256": ""},
        "video": {
            "path": f"{view}.mp4",
            "sha256": "",
            "width": 1280,
            "height": 720,
            "fps": fps,
            "frame_count": frames,
            "duration_s": DURATION_S,
            "rotation_deg": 0,
        },
        "view": view,
        "walking_direction": direction,
        "person": {"selected": 0, "people_seen": 1},
        "settings": {},
        "time_s": [round(i / fps, 6) for i in range(frames)],
        "series": {},
        "events": {
            "heel_strike": {"left": hs_left, "right": hs_right},
            "toe_off": {
                "left": [round(t + 0.66, 3) for t in hs_left[:-1]],
                "right": [round(t + 0.66, 3) for t in hs_right[:-1]],
            },
        },
        "cycles": {},
        "quality": {"detection_rate": 1.0, "side_swaps_corrected": 0, "warnings": list(warnings)},
    }


def _temporal(cadence, stance, step_time, n) -> dict:
    return {
        "cadence_steps_per_min": cadence,
        "step_time_s": {"left": step_time[0], "right": step_time[1]},
        "stride_time_s": {"left": round(sum(step_time), 4), "right": round(sum(step_time), 4)},
        "stance_pct": {"left": stance[0], "right": stance[1]},
        "swing_pct": {"left": 100 - stance[0], "right": 100 - stance[1]},
        "double_support_pct": round(stance[0] + stance[1] - 100, 3),
        "n_cycles": {"left": n[0], "right": n[1]},
    }


def sagittal_doc(
    *,
    cadence=110.0,
    step_length=(0.65, 0.65),
    speed=1.2,
    hip_rom=(40.0, 40.0),
    hip_flex_max=(28.0, 28.0),
    hip_ext_max=(-12.0, -12.0),
    trunk_mean=4.0,
    trunk_excursion=3.0,
    stance=(61.0, 61.0),
    step_time=(0.545, 0.545),
    n=(4, 4),
    direction="right",
    fps=FPS,
    warnings=(),
) -> dict:
    doc = _base_doc("sagittal", direction, fps, n, warnings)
    doc["metrics"] = {
        **_temporal(cadence, stance, step_time, n),
        "step_length_m": {"left": step_length[0], "right": step_length[1]},
        "gait_speed_m_s": speed,
        "hip_rom_deg": {"left": hip_rom[0], "right": hip_rom[1]},
        "hip_flexion_max_deg": {"left": hip_flex_max[0], "right": hip_flex_max[1]},
        "hip_extension_max_deg": {"left": hip_ext_max[0], "right": hip_ext_max[1]},
        "pelvic_obliquity_rom_deg": None,
        "pelvic_drop_deg": {"left": None, "right": None},
        "trunk_lean_stance_deg": {"left": None, "right": None},
        "trunk_lean_sagittal_mean_deg": trunk_mean,
        "trunk_lean_lateral_rom_deg": None,
        "symmetry_index_pct": {},
    }
    for i, side in enumerate(("left", "right")):
        center = 0.5 * (hip_flex_max[i] + hip_ext_max[i])
        doc["cycles"][f"hip_flexion_{side}"] = _curve(
            center + 0.5 * hip_rom[i] * np.cos(2 * np.pi * PCT / 100), n[i]
        )
        doc["cycles"][f"knee_flexion_{side}"] = _curve(30 + 30 * np.sin(np.pi * PCT / 100) ** 4, n[i])
    doc["cycles"]["trunk_lean_sagittal"] = _curve(
        trunk_mean + 0.5 * trunk_excursion * np.sin(4 * np.pi * PCT / 100), min(n)
    )
    validate_document(doc)
    return doc


def frontal_doc(
    *,
    cadence=110.0,
    obliquity_rom=8.0,
    drop=(4.0, 4.0),
    lean_stance=(1.0, 1.0),
    lateral_rom=4.0,
    adduction_peak=(6.0, 6.0),
    stance=(61.0, 61.0),
    step_time=(0.545, 0.545),
    n=(4, 4),
    direction="toward",
    speed=None,
    warnings=(),
) -> dict:
    doc = _base_doc("frontal", direction, FPS, n, warnings)
    doc["metrics"] = {
        **_temporal(cadence, stance, step_time, n),
        "step_length_m": {"left": None, "right": None},
        "gait_speed_m_s": speed,
        "hip_rom_deg": {"left": None, "right": None},
        "hip_flexion_max_deg": {"left": None, "right": None},
        "hip_extension_max_deg": {"left": None, "right": None},
        "pelvic_obliquity_rom_deg": obliquity_rom,
        "pelvic_drop_deg": {"left": drop[0], "right": drop[1]},
        "trunk_lean_stance_deg": {"left": lean_stance[0], "right": lean_stance[1]},
        "trunk_lean_sagittal_mean_deg": None,
        "trunk_lean_lateral_rom_deg": lateral_rom,
        "symmetry_index_pct": {},
    }
    for i, side in enumerate(("left", "right")):
        stance_part = adduction_peak[i] * np.sin(np.pi * np.clip(PCT, 0, 60) / 60)
        swing_part = -3.0 * np.sin(np.pi * np.clip(PCT - 60, 0, 40) / 40)
        doc["cycles"][f"hip_adduction_{side}"] = _curve(np.where(PCT <= 60, stance_part, swing_part), n[i])
    # Left cycle: right hip drops (obliquity > 0) in left single support, left hip in right's.
    obliquity = np.where(
        (PCT >= 10) & (PCT <= 50),
        drop[1] * np.sin(np.pi * (PCT - 10) / 40),
        np.where((PCT >= 60) & (PCT <= 100), -drop[0] * np.sin(np.pi * (PCT - 60) / 40), 0.0),
    )
    doc["cycles"]["pelvic_obliquity"] = _curve(obliquity, n[0])
    validate_document(doc)
    return doc


def visit(
    label: str,
    date: str,
    days: int | None,
    docs,
    *,
    red_flags=(),
    walking_aid="none",
    footwear="trainers",
    pain=3.0,
    treatments=(),
    poses=(),
) -> VisitData:
    return VisitData(
        visit_id=label,
        date=dt.date.fromisoformat(date),
        label=label,
        days_since_surgery=days,
        scores={"back_pain": 5},
        treatments=tuple(treatments),
        walking_aid=walking_aid,
        footwear=footwear,
        pain_at_test=pain,
        red_flags=tuple(red_flags),
        documents=tuple(docs),
        poses=tuple(poses),
    )


def preop() -> VisitData:
    return visit("pre-op", "2026-02-16", -14, [sagittal_doc(), frontal_doc()])


def six_weeks(**kw) -> VisitData:
    """The compensation after fusion: hip ROM up, right drop in left stance, short right step, slow."""
    sag = dict(
        cadence=100.0,
        hip_rom=(52.0, 51.0),
        hip_flex_max=(34.0, 33.0),
        hip_ext_max=(-18.0, -18.0),
        step_length=(0.62, 0.52),
        speed=1.0,
        trunk_mean=10.0,
        trunk_excursion=1.0,
    )
    fro = dict(cadence=100.0, drop=(4.0, 9.0), obliquity_rom=12.0)
    sag.update(kw.pop("sagittal", {}))
    fro.update(kw.pop("frontal", {}))
    return visit("6 weeks", "2026-04-13", 42, [sagittal_doc(**sag), frontal_doc(**fro)], **kw)


def six_months() -> VisitData:
    """Partly recovered: still above pre-op, but clearly better than at 6 weeks."""
    return visit(
        "6 months",
        "2026-09-02",
        184,
        [
            sagittal_doc(
                cadence=106.0,
                hip_rom=(46.0, 45.0),
                step_length=(0.64, 0.63),
                speed=1.12,
                trunk_mean=6.0,
                trunk_excursion=2.0,
            ),
            frontal_doc(cadence=106.0, drop=(4.0, 6.0), obliquity_rom=9.5),
        ],
    )


def kinds(comparison) -> set[tuple]:
    return {(f.kind, f.side, f.direction) for f in comparison.findings}


# --- combining a visit's recordings -------------------------------------------------


def test_each_metric_comes_from_the_view_that_measures_it():
    sag = sagittal_doc(cadence=108.0, n=(4, 4))
    fro = frontal_doc(cadence=112.0, n=(6, 5), drop=(3.0, 7.0))
    m = combine_visit_metrics([fro, sag])
    assert m.get("hip_rom_deg", "left").view == "sagittal"
    assert m.value("hip_rom_deg", "left") == 40.0
    assert m.get("pelvic_drop_deg", "right").view == "frontal"
    assert m.value("pelvic_drop_deg", "right") == 7.0
    # Temporal metrics from the side view, which times the events best, even though
    # the frontal pass has more cycles (11 > 8).
    assert m.temporal_view == "sagittal"
    assert m.value("cadence_steps_per_min") == 108.0
    assert m.get("cadence_steps_per_min").n_cycles == 4
    # Step length and speed from the sagittal view.
    assert m.get("step_length_m", "right").view == "sagittal"
    assert m.get("step_length_m", "right").n_cycles == 4
    assert m.n_cycles == {"sagittal": {"left": 4, "right": 4}, "frontal": {"left": 6, "right": 5}}


def test_temporal_metrics_come_from_the_frontal_view_when_the_side_view_lacks_a_cycle():
    m = combine_visit_metrics([frontal_doc(cadence=90.0, n=(4, 4)), sagittal_doc(cadence=100.0, n=(1, 0))])
    assert m.temporal_view == "frontal" and m.value("cadence_steps_per_min") == 90.0


def test_on_a_tie_of_cycles_temporal_metrics_come_from_the_side_view():
    m = combine_visit_metrics([frontal_doc(cadence=90.0), sagittal_doc(cadence=100.0)])
    assert m.temporal_view == "sagittal" and m.value("cadence_steps_per_min") == 100.0


def test_of_two_recordings_of_one_view_the_one_with_more_cycles_is_used():
    short = sagittal_doc(hip_rom=(30.0, 30.0), n=(2, 2))
    long = sagittal_doc(hip_rom=(44.0, 44.0), n=(5, 5))
    assert combine_visit_metrics([short, long]).value("hip_rom_deg", "right") == 44.0
    assert combine_visit_metrics([long, short]).value("hip_rom_deg", "right") == 44.0


def test_with_the_walk_filmed_both_ways_each_leg_is_measured_where_it_is_nearer_the_camera():
    # Walking to the image's right the right leg is the near one; its far (left) leg
    # reads a hip range of 30 deg, the left leg seen from its own side 45 deg.
    to_right = sagittal_doc(direction="right", cadence=100.0, hip_rom=(30.0, 44.0), hip_flex_max=(20.0, 30.0),
                            n=(4, 5))
    to_left = sagittal_doc(direction="left", cadence=104.0, hip_rom=(45.0, 31.0), hip_flex_max=(31.0, 21.0),
                           n=(3, 3))
    for docs in ([to_right, to_left], [to_left, to_right]):
        m = combine_visit_metrics(docs)
        assert m.value("hip_rom_deg", "left") == 45.0 and m.value("hip_rom_deg", "right") == 44.0
        assert m.value("hip_flexion_max_deg", "left") == 31.0 and m.value("hip_flexion_max_deg", "right") == 30.0
        assert m.get("hip_rom_deg", "left").n_cycles == 3 and m.get("hip_rom_deg", "right").n_cycles == 5
        assert m.document_for("sagittal", "left") is to_left and m.document_for("sagittal", "right") is to_right
        # Timing stays with one recording (the one with more cycles), for both legs.
        assert m.documents["sagittal"] is to_right and m.value("cadence_steps_per_min") == 100.0
        assert m.n_cycles["sagittal"] == {"left": 3, "right": 5}
        assert [d["walking_direction"] for d in m.documents_used("sagittal")] == ["right", "left"]
    # A near-side recording without a cycle of that leg does not replace one with cycles.
    no_left_cycle = sagittal_doc(direction="left", hip_rom=(45.0, 31.0), n=(0, 3))
    assert combine_visit_metrics([to_right, no_left_cycle]).value("hip_rom_deg", "left") == 30.0
    # One direction only: nothing changes.
    assert combine_visit_metrics([to_right]).value("hip_rom_deg", "left") == 30.0


def test_curves_and_direction_cautions_follow_the_recording_each_leg_comes_from():
    def both_ways(label, date, rom):
        return visit(label, date, None, [
            sagittal_doc(direction="right", hip_rom=(20.0, rom), n=(4, 4)),
            sagittal_doc(direction="left", hip_rom=(rom, 20.0), n=(4, 4)),
        ])

    a, b = both_ways("a", "2026-03-01", 40.0), both_ways("b", "2026-04-01", 50.0)
    comp = compare_visits(a, b)
    for side in ("left", "right"):
        curve = next(c for c in comp.curves if c.series == f"hip_flexion_{side}")
        assert curve.rom_a_deg == pytest.approx(40.0, abs=0.01) and curve.rom_b_deg == pytest.approx(50.0, abs=0.01)
        assert comp.delta("hip_rom_deg", side).delta == pytest.approx(10.0)
    assert not comp.comparability.has("walking_direction")
    # One visit filmed one way only: its left leg was the far one.
    one_way = visit("c", "2026-04-01", None, [sagittal_doc(direction="right", n=(4, 4))])
    sentence = next(i.sentence for i in compare_visits(a, one_way).comparability.issues
                    if i.kind == "walking_direction")
    assert "the left leg was nearer the camera at one visit" in sentence and "both ways" in sentence
    # Single recordings the two ways: both legs changed sides.
    left_only = visit("d", "2026-04-01", None, [sagittal_doc(direction="left")])
    right_only = visit("e", "2026-03-01", None, [sagittal_doc(direction="right")])
    sentence = next(i.sentence for i in compare_visits(right_only, left_only).comparability.issues
                    if i.kind == "walking_direction")
    assert "both legs were" in sentence


def test_metrics_no_recording_measures_are_none_never_guessed():
    m = combine_visit_metrics([sagittal_doc()])
    assert m.value("pelvic_drop_deg", "left") is None
    assert m.get("pelvic_drop_deg", "left").view is None
    assert m.value("hip_adduction_stance_max_deg", "left") is None


def test_derived_metrics_have_their_analytic_values():
    m = combine_visit_metrics([sagittal_doc(trunk_excursion=3.0), frontal_doc(adduction_peak=(7.0, 5.0))])
    # trunk curve: mean + 1.5 sin(4 pi p): range 3.0 on the 101-point grid
    assert m.value("trunk_lean_sagittal_rom_deg") == pytest.approx(3.0, abs=0.01)
    # hip adduction peaks at 30 % of the cycle inside stance (0..61 %)
    assert m.value("hip_adduction_stance_max_deg", "left") == pytest.approx(7.0, abs=1e-3)
    assert m.value("hip_adduction_stance_max_deg", "right") == pytest.approx(5.0, abs=1e-3)


def test_per_cycle_range_of_a_series_between_heel_strikes():
    doc = sagittal_doc()
    t = np.asarray(doc["time_s"])
    doc["series"]["trunk_lean_sagittal"] = [float(4 + 2.5 * np.sin(2 * np.pi * 2 * x / 1.1)) for x in t]
    validate_document(doc)
    # Range of 4 + 2.5 sin(...) within each 1.1 s stride is 5.0 (sampled at 30 frames/s).
    assert per_cycle_range(doc, "trunk_lean_sagittal", "left") == pytest.approx(5.0, abs=0.05)
    assert per_cycle_range(doc, "pelvic_obliquity", "left") is None


def test_a_visit_without_recordings_or_with_foreign_documents_is_refused():
    with pytest.raises(InputError, match="no analysed recording"):
        combine_visit_metrics([])
    bad = sagittal_doc()
    bad["schema"] = "other/2"
    with pytest.raises(ValidationError, match="schema"):
        combine_visit_metrics([bad])
    with pytest.raises(ValidationError, match="schema"):
        visit("x", "2026-01-01", None, [bad])
    with pytest.raises(ValidationError, match="calendar date"):
        VisitData(visit_id=1, date="2026-01-01", label="x")  # type: ignore[arg-type]


# --- MDC and references -------------------------------------------------------------


def test_mdc95_is_1_96_sqrt2_times_the_sem():
    assert mdc95_from_sem(1.0) == pytest.approx(2.7718, abs=1e-4)
    assert look_up_mdc("hip_rom_deg").mdc == pytest.approx(1.96 * math.sqrt(2) * 2.0, abs=1e-3)
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(InputError):
            mdc95_from_sem(bad)
    with pytest.raises(InputError, match="minimal detectable change"):
        look_up_mdc("shoe_size")


def test_every_compared_metric_has_an_mdc_with_a_stated_source():
    for spec in METRIC_SPECS:
        entry = MDC_TABLE[spec.name]
        assert entry.mdc > 0 and entry.unit == spec.unit
        if entry.kind == "gaitlab default":
            assert entry.source.startswith("No published MDC exists") and entry.sem
            assert entry.mdc == pytest.approx(mdc95_from_sem(entry.sem), abs=1e-3)
        else:
            assert "J Am Geriatr Soc" in entry.source


def test_population_bands_have_sources_and_hip_bands_say_they_are_proxies():
    for band in POPULATION_BANDS.values():
        assert band.source and band.low <= band.high
    for name in ("hip_rom_deg", "hip_flexion_max_deg", "hip_extension_max_deg"):
        assert "2-D proxy" in POPULATION_BANDS[name].caveat
    assert POPULATION_BANDS["gait_speed_m_s"].kind == "range of group means"
    assert "not the radiographic" in POPULATION_BANDS["pelvic_drop_deg"].caveat


def test_judge_change_against_the_mdc():
    assert judge_change(6.0, 5.5) == "higher"
    assert judge_change(-6.0, 5.5) == "lower"
    assert judge_change(5.0, 5.5) == "no detectable change"
    assert judge_change(None, 5.5) == "not measured"


# --- deltas, bands, curves --------------------------------------------------------


def test_deltas_are_later_minus_earlier_and_judged_against_the_mdc():
    c = compare_visits(preop(), six_weeks(), baseline=preop())
    d = c.delta("hip_rom_deg", "left")
    assert (d.a, d.b, d.delta) == (40.0, 52.0, 12.0)
    assert d.beyond_mdc and d.direction == "higher" and d.measure == "2-D proxy"
    assert d.mdc_kind == "gaitlab default" and "No published MDC" in d.mdc_source
    assert (d.baseline_low, d.baseline_high) == pytest.approx((40.0 - d.mdc, 40.0 + d.mdc))
    assert d.population is POPULATION_BANDS["hip_rom_deg"]
    lateral = c.delta("trunk_lean_lateral_rom_deg")
    assert lateral.delta == 0.0 and lateral.direction == "no detectable change"
    assert c.delta("pelvic_drop_deg", "right").note == TERMINOLOGY_GUARD
    assert c.delta("cadence_steps_per_min").note == ""


def test_curves_compare_point_by_point_with_known_differences():
    a = visit("a", "2026-01-01", None, [sagittal_doc(hip_flex_max=(28, 28), hip_ext_max=(-12, -12))])
    b = visit("b", "2026-02-01", None, [sagittal_doc(hip_flex_max=(31, 28), hip_ext_max=(-9, -12), hip_rom=(40, 50))])
    c = compare_visits(a, b)
    left = next(x for x in c.curves if x.series == "hip_flexion_left")
    # Same shape shifted by +3 degrees.
    assert left.mean_difference_deg == pytest.approx(3.0, abs=1e-3)
    assert left.rms_difference_deg == pytest.approx(3.0, abs=1e-3)
    assert left.rom_change_deg == pytest.approx(0.0, abs=1e-3)
    right = next(x for x in c.curves if x.series == "hip_flexion_right")
    # Amplitude 20 -> 25: difference 5 cos(2 pi p): mean 0, RMS 5/sqrt(2), ROM +10.
    assert right.mean_difference_deg == pytest.approx(0.0, abs=0.06)
    assert right.rms_difference_deg == pytest.approx(5 / math.sqrt(2), abs=0.05)
    assert right.rom_change_deg == pytest.approx(10.0, abs=1e-3)
    assert abs(right.max_difference_deg) == pytest.approx(5.0, abs=1e-3)
    assert right.max_difference_at_pct in (0, 50, 100)
    assert "2-D proxy" in right.note and right.side == "right"
    assert {b.metric for b in right.population} == {"hip_flexion_max_deg", "hip_extension_max_deg", "hip_rom_deg"}


def test_baseline_curve_band_counts_where_the_later_curve_leaves_it():
    base = visit("pre", "2026-01-01", -5, [sagittal_doc()])
    later = visit("post", "2026-03-01", 50, [sagittal_doc(hip_flex_max=(30.5, 28), hip_ext_max=(-9.5, -12))])
    c = compare_visits(base, later, baseline=base)
    left = next(x for x in c.curves if x.series == "hip_flexion_left")
    right = next(x for x in c.curves if x.series == "hip_flexion_right")
    assert left.outside_baseline_pct == 100.0  # shifted by 2.5 deg, band is +/- 1 deg SD
    assert right.outside_baseline_pct == 0.0
    assert len(left.baseline_mean) == 101 and len(left.baseline_sd) == 101


# --- compensation profile and motion budget -------------------------------------


def test_right_drop_in_left_stance_without_trunk_lean_is_an_uncompensated_drop():
    c = compare_visits(preop(), six_weeks(), baseline=preop())
    left, right = c.profile("left"), c.profile("right")
    assert left.drop_side == "right" and left.contralateral_drop_deg == 9.0
    assert left.drop_change_deg == pytest.approx(5.0)
    assert left.pattern == "trendelenburg" and "Trendelenburg" in left.label
    assert right.pattern == "none"
    assert left.hip_adduction_stance_deg == pytest.approx(6.0, abs=1e-3)
    assert TERMINOLOGY_GUARD == left.note


def test_lean_toward_the_stance_side_is_a_trunk_lurch():
    b = six_weeks(frontal={"lean_stance": (6.0, 1.0)})
    c = compare_visits(preop(), b)
    assert c.profile("left").pattern == "trunk_lurch"
    lurch = c.findings_of("trunk_lurch")
    assert [(f.side, f.stance_side, f.direction, f.trend) for f in lurch] == [("left", "left", "increase", "worse")]


def test_motion_budget_shows_hips_taking_over_and_labels_proxies():
    c = compare_visits(preop(), six_weeks(), baseline=preop())
    budget = c.motion_budget
    assert budget.hips_taking_over
    hip = budget.get("hip_rom_deg", "left")
    assert hip.measure == "2-D proxy" and hip.change_from_baseline == 12.0 and hip.beyond_mdc_from_baseline
    trunk = budget.get("trunk_lean_sagittal_rom_deg")
    assert trunk.measure == "angle" and trunk.change == pytest.approx(-2.0, abs=0.01)
    assert budget.get("pelvic_obliquity_rom_deg").measure == "2-D proxy"
    assert TERMINOLOGY_GUARD in budget.get("pelvic_obliquity_rom_deg").note
    assert "+12.0 deg (left)" in budget.summary and "since pre-op" in budget.summary


def test_no_hips_taking_over_when_trunk_excursion_grows_as_much():
    b = six_weeks(sagittal={"trunk_excursion": 9.0})
    assert not compare_visits(preop(), b).motion_budget.hips_taking_over


# --- findings -----------------------------------------------------------------------


def test_six_week_compensation_gives_the_post_fusion_findings():
    c = compare_visits(preop(), six_weeks(), baseline=preop())
    found = kinds(c)
    assert ("hip_rom", "left", "increase") in found and ("hip_rom", "right", "increase") in found
    assert ("pelvic_drop", "right", "increase") in found
    assert ("step_asymmetry", "right", "increase") in found
    assert ("cadence", None, "decrease") in found
    assert ("gait_speed", None, "decrease") in found
    assert ("trunk_lean_sagittal", None, "increase") in found
    assert ("pelvic_obliquity_rom", None, "increase") in found
    drop = c.findings_of("pelvic_drop")[0]
    assert drop.stance_side == "left" and drop.trend == "worse"
    assert drop.numbers["pattern"] == "trendelenburg"
    assert drop.numbers["change"] == pytest.approx(5.0) and drop.severity == "moderate"
    assert "hip abductor" in drop.examine and TERMINOLOGY_GUARD in drop.caveat
    # Nothing unchanged becomes a finding.
    assert not c.findings_of("trunk_lurch")
    assert ("pelvic_drop", "left", "increase") not in found
    # Worse before better; every finding carries its visits and caveat.
    assert all(f.visits == ("pre-op (2026-02-16)", "6 weeks (2026-04-13)") for f in c.findings)
    assert all(f.caveat for f in c.findings)


def test_findings_name_the_side_of_a_growing_asymmetry_by_the_data():
    mirrored = six_weeks(sagittal={"step_length": (0.52, 0.62)})
    assert ("step_asymmetry", "left", "increase") in kinds(compare_visits(preop(), mirrored))


def test_step_time_asymmetry_when_there_is_no_length_scale():
    a = visit("a", "2026-01-01", None, [sagittal_doc(step_length=(None, None), speed=None)])
    b = visit(
        "b", "2026-02-01", None,
        [sagittal_doc(step_length=(None, None), speed=None, step_time=(0.60, 0.50))],
    )
    f = compare_visits(a, b).findings_of("step_asymmetry")
    assert [(x.side, x.metrics) for x in f] == [("right", ("step_time_s",))]


def test_partial_recovery_at_six_months():
    base = preop()
    c = compare_visits(six_weeks(), six_months(), baseline=base)
    hip = {f.side: f for f in c.findings_of("hip_rom")}
    assert hip["left"].direction == "decrease" and hip["left"].trend == "better"
    assert hip["left"].recovery == "partial"  # 46 vs 40 at pre-op: +6.0 >= MDC 5.5
    drop = c.findings_of("pelvic_drop")[0]
    assert (drop.side, drop.direction, drop.trend) == ("right", "decrease", "better")
    assert ("cadence", None, "increase") in kinds(c)
    assert ("step_asymmetry", "right", "decrease") in kinds(c)
    # Against pre-op, the six-month visit still carries a smaller compensation.
    vs_pre = compare_visits(base, six_months(), baseline=base)
    assert vs_pre.delta("hip_rom_deg", "left").delta < compare_visits(base, six_weeks()).delta("hip_rom_deg", "left").delta
    assert not vs_pre.findings_of("pelvic_drop")  # 6 - 4 = 2 deg < MDC 2.8 deg


def test_recovery_is_full_when_back_within_the_mdc_of_baseline():
    base = preop()
    back = visit("1 year", "2027-03-01", 365, [sagittal_doc(), frontal_doc()])
    c = compare_visits(six_weeks(), back, baseline=base)
    assert {f.recovery for f in c.findings if f.kind in ("hip_rom", "pelvic_drop", "cadence")} == {"full"}


def test_red_flags_come_first():
    c = compare_visits(preop(), six_weeks(red_flags=("new_numbness_or_weakness",)), baseline=preop())
    first = c.findings[0]
    assert first.kind == "red_flag" and first.severity == "red flag"
    assert "numbness or weakness" in first.sentence and "RED FLAG" in first.sentence
    assert sum(f.kind == "red_flag" for f in c.findings) == 1
    assert "Red-flag symptom" in c.narrative.split(".")[1]


def test_findings_never_diagnose_and_point_to_what_to_examine():
    c = compare_visits(preop(), six_weeks(), baseline=preop())
    for f in c.findings:
        text = (f.sentence + " " + f.examine).lower()
        assert "diagnos" not in text and "you have" not in text
        assert f.examine


# --- comparability ------------------------------------------------------------------


def test_clearly_different_speeds_carry_the_comparability_warning():
    slow = visit("slow", "2026-03-01", None, [sagittal_doc(speed=0.85, cadence=96.0), frontal_doc(cadence=96.0)])
    fast = visit("fast", "2026-04-01", None, [sagittal_doc(speed=1.30, cadence=118.0), frontal_doc(cadence=118.0)])
    c = compare_visits(slow, fast)
    assert c.comparability.status == "caution" and c.comparability.has("speed")
    warning = next(i.sentence for i in c.comparability.issues if i.kind == "speed")
    assert "0.85 m/s" in warning and "1.30 m/s" in warning and "raw values" in warning
    assert c.comparability.speed_m_s == (0.85, 1.30)
    # The pair is still compared, never silently.
    assert c.findings and "Read with caution" in c.narrative


def test_similar_speeds_raise_no_speed_warning():
    a = visit("a", "2026-03-01", None, [sagittal_doc(speed=1.20), frontal_doc()])
    b = visit("b", "2026-04-01", None, [sagittal_doc(speed=1.25), frontal_doc()])
    c = compare_visits(a, b)
    assert not c.comparability.has("speed") and not c.comparability.has("cadence")
    assert c.comparability.ok and c.comparability.warnings == ()


def test_cadence_stands_in_for_speed_without_a_length_scale():
    a = visit("a", "2026-03-01", None, [frontal_doc(cadence=110.0)])
    b = visit("b", "2026-04-01", None, [frontal_doc(cadence=95.0)])
    c = compare_visits(a, b).comparability
    assert c.has("cadence") and "not measured" in next(i.sentence for i in c.issues if i.kind == "cadence")


def test_visits_without_a_common_view_are_not_compared_silently():
    a = visit("a", "2026-03-01", None, [sagittal_doc()])
    b = visit("b", "2026-04-01", None, [frontal_doc()], red_flags=("fever",))
    c = compare_visits(a, b)
    assert c.comparability.status == "not comparable" and not c.comparability.ok
    assert [f.kind for f in c.findings] == ["red_flag"]
    assert "cannot be compared" in c.narrative


def test_visits_measured_with_different_models_or_filters_are_flagged():
    def measured(doc, variant="full", lowpass_hz=6.0):
        doc["model"] = {"name": "pose_landmarker", "variant": variant, "sha256": variant[0] * 64}
        doc["settings"] = {"lowpass_hz": lowpass_hz}
        return doc

    a = visit("a", "2026-03-01", None, [measured(sagittal_doc()), measured(frontal_doc())])
    b = visit("b", "2026-04-01", None, [measured(sagittal_doc(), "heavy"), measured(frontal_doc(), lowpass_hz=4.0)])
    c = compare_visits(a, b).comparability
    assert c.status == "caution"
    model = next(i.sentence for i in c.issues if i.kind == "pose_model")
    assert "sagittal" in model and "the full model at a" in model and "the heavy model at b" in model
    assert "same model" in model
    smoothing = next(i.sentence for i in c.issues if i.kind == "filter")
    assert "frontal" in smoothing and "6 Hz" in smoothing and "4 Hz" in smoothing
    # the same model and filter at both visits: nothing to say
    same = visit("c", "2026-04-01", None, [measured(sagittal_doc()), measured(frontal_doc())])
    assert compare_visits(a, same).comparability.ok


def test_condition_changes_are_named():
    a = visit("a", "2026-03-01", None, [sagittal_doc(), frontal_doc()], pain=2.0)
    b = visit(
        "b", "2026-04-01", None,
        [sagittal_doc(direction="left"), frontal_doc(n=(2, 4))],
        walking_aid="cane", footwear="sandals", pain=6.0, treatments=("pelvic_belt",),
    )
    c = compare_visits(a, b).comparability
    for kind in ("walking_aid", "footwear", "pain_at_test", "pelvic_belt", "walking_direction", "few_cycles"):
        assert c.has(kind), kind
    assert c.status == "caution"
    few = next(i.sentence for i in c.issues if i.kind == "few_cycles")
    assert "left leg" in few and "frontal" in few


def test_a_missing_view_at_one_visit_is_a_caution():
    a = visit("a", "2026-03-01", None, [sagittal_doc(), frontal_doc()])
    b = visit("b", "2026-04-01", None, [sagittal_doc()])
    c = compare_visits(a, b)
    assert c.comparability.has("view_missing")
    assert c.delta("pelvic_drop_deg", "right").delta is None
    assert c.profile("left").pattern == "not_measured"


def test_analysis_warnings_are_carried_as_notes():
    a = visit("a", "2026-03-01", None, [sagittal_doc(warnings=("camera not perpendicular to the walkway",))])
    b = visit("b", "2026-04-01", None, [sagittal_doc()])
    c = compare_visits(a, b).comparability
    note = next(i for i in c.issues if i.kind == "analysis_warning")
    assert note.severity == "note" and "perpendicular" in note.sentence
    assert c.has("camera_unchecked")


# --- camera placement from the pose -------------------------------------------------


def _standing_figure(scale: float, hip_y: float, yaw_deg: float, n: int = 20) -> PoseSequence:
    """A figure whose image size, hip height and body yaw are chosen."""
    px = np.full((n, N_LANDMARKS, 2), np.nan)
    world = np.full((n, N_LANDMARKS, 3), np.nan)
    for name, (dx, dy) in {
        "left_shoulder": (0, -0.5), "right_shoulder": (0, -0.5),
        "left_hip": (0, 0.0), "right_hip": (0, 0.0),
        "left_ankle": (0, 0.8), "right_ankle": (0, 0.8),
    }.items():
        px[:, INDEX[name]] = (640 + dx, hip_y + dy * scale)
    yaw = math.radians(yaw_deg)
    # Sagittal set-up: the left-right axis runs along z, turned by yaw toward x.
    world[:, INDEX["left_hip"]] = (0.09 * math.sin(yaw), 0, 0.09 * math.cos(yaw))
    world[:, INDEX["right_hip"]] = (-0.09 * math.sin(yaw), 0, -0.09 * math.cos(yaw))
    return PoseSequence.create(np.arange(n) / 30.0, px, image_size_px=(1280, 720), fps=30.0, world_m=world)


def test_camera_placement_is_estimated_from_the_landmarks():
    p = estimate_camera_placement(_standing_figure(scale=400, hip_y=360, yaw_deg=10), "sagittal")
    assert p.body_height_frac == pytest.approx(math.hypot(0, 1.3 * 400) / 720, abs=1e-3)
    assert p.hip_level_frac == pytest.approx(0.5, abs=1e-3)
    assert p.body_yaw_deg == pytest.approx(10.0, abs=0.1)
    with pytest.raises(InputError, match="view"):
        estimate_camera_placement(_standing_figure(400, 360, 0), "overhead")
    empty = _standing_figure(400, 360, 0, n=5)
    with pytest.raises(InputError, match="camera placement"):
        estimate_camera_placement(empty, "sagittal")


def test_a_moved_camera_is_flagged_when_the_landmarks_are_given():
    a = visit("a", "2026-03-01", None, [sagittal_doc()], poses=[_standing_figure(400, 360, 5)])
    same = visit("b", "2026-04-01", None, [sagittal_doc()], poses=[_standing_figure(410, 370, 8)])
    moved = visit("c", "2026-05-01", None, [sagittal_doc()], poses=[_standing_figure(250, 520, 30)])
    ok = compare_visits(a, same).comparability
    assert not any(ok.has(k) for k in ("camera_distance", "camera_height", "camera_angle", "camera_unchecked"))
    flagged = compare_visits(a, moved).comparability
    for kind in ("camera_distance", "camera_height", "camera_angle"):
        assert flagged.has(kind), kind
    assert flagged.camera["sagittal"][1].body_yaw_deg == pytest.approx(30.0, abs=0.1)


# --- baseline, trend, output ------------------------------------------------------


def test_baseline_is_the_pre_op_visit_else_the_first_post_op_one():
    pre, wk6, mo6 = preop(), six_weeks(), six_months()
    assert choose_baseline([mo6, wk6, pre]).visit_id == "pre-op"
    assert choose_baseline([mo6, wk6]).visit_id == "6 weeks"
    by_label = visit("Pre-op", "2026-01-01", None, [sagittal_doc()])
    later = visit("follow-up", "2026-03-01", None, [sagittal_doc()])
    assert choose_baseline([later, by_label]).visit_id == "Pre-op"
    assert choose_baseline([visit("empty", "2026-01-01", -3, [])]) is None


def test_trend_follows_metrics_against_the_baseline():
    t = trend([six_months(), preop(), six_weeks()], ["hip_rom_deg", "cadence_steps_per_min"])
    assert t.baseline.label == "pre-op"
    hip = t.get("hip_rom_deg", "left")
    assert [p.label for p in hip.points] == ["pre-op", "6 weeks", "6 months"]
    assert [p.value for p in hip.points] == [40.0, 52.0, 46.0]
    assert [p.change_from_baseline for p in hip.points] == [0.0, 12.0, 6.0]
    assert [p.beyond_mdc for p in hip.points] == [False, True, True]
    cad = t.get("cadence_steps_per_min")
    assert [p.value for p in cad.points] == [110.0, 100.0, 106.0]
    json.dumps(t.to_dict())
    with pytest.raises(InputError, match="shoe_size"):
        trend([preop()], ["shoe_size"])
    with pytest.raises(InputError, match="analysed recording"):
        trend([visit("empty", "2026-01-01", None, [])], ["hip_rom_deg"])


def test_comparison_to_dict_is_json_ready_and_carries_the_terminology_guard():
    c = compare_visits(preop(), six_weeks(), baseline=preop())
    d = json.loads(json.dumps(c.to_dict()))
    assert d["schema"] == "gaitlab.comparison/1"
    assert d["terminology_note"] == TERMINOLOGY_GUARD
    assert d["visit_b"]["date"] == "2026-04-13"
    assert {x["kind"] for x in d["findings"]} >= {"hip_rom", "pelvic_drop", "cadence"}
    assert any(m["metric"] == "hip_rom_deg" for m in d["mdc_table"])
    assert TERMINOLOGY_GUARD in c.narrative


def test_narrative_states_sides_numbers_and_the_mdc():
    c = compare_visits(preop(), six_weeks(), baseline=preop())
    text = c.narrative
    assert "6 weeks (2026-04-13, 42 days after surgery)" in text
    assert "right pelvic drop during left single support +5.0 deg" in text
    assert "Trendelenburg sign of the left stance" in text
    assert "MDC" in text and "not a diagnosis" in text


def test_a_visit_is_not_compared_with_itself():
    with pytest.raises(InputError, match="itself"):
        compare_visits(preop(), preop())
    with pytest.raises(InputError, match="no analysed recording"):
        compare_visits(preop(), visit("empty", "2026-05-01", None, []))


def test_references_page_lists_every_number_the_code_uses(repo_root):
    text = (repo_root / "docs" / "references.md").read_text("utf-8")
    rows = {
        line.split("|")[1].strip().strip("`"): line
        for line in text.splitlines()
        if line.startswith("| `")
    }
    for entry in MDC_TABLE.values():
        assert f"| {entry.mdc:g} {entry.unit} | {entry.kind} |" in text, entry.metric
    for band in POPULATION_BANDS.values():
        value = f"{band.low:g}" if band.low == band.high else f"{band.low:g}–{band.high:g}"
        assert f"| `{band.metric}` | {value} {band.unit} |" in text, band.metric
        assert band.metric in rows
    for citation in ("Age Ageing 1997", "Gait Posture 2009", "J Am Geriatr Soc", "J Orthop Res 2002",
                     "J Bone Joint Surg Am 1953", "J Strength Cond Res 2005"):
        assert citation.split()[0] in text
