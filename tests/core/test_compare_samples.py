"""The sample patient's comparison, checked against the truth the samples were made from.

``sample_videos/`` holds three visits of a synthetic patient (pre-op, 6 weeks,
6 months), each with a sagittal and a frontal clip and the clip's truth document
(``<stem>.truth.json``, contract-shaped, with the generating parameters in its
``synthetic`` block).  The expected findings are derived here from those generating
parameters (not from strings): every parameter change that reaches the metric's
minimal detectable change must appear as a finding of the right kind, side and
direction, and the 6-month visit must be a partial recovery.

The truth documents are compared directly (fast); ``gaitlab demo`` analyses the
videos with the real pose model and must report the same (marked ``model`` and
``slow``).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from clikit import run_gaitlab

from gaitlab.compare import VisitData, choose_baseline, compare_visits, look_up_mdc

SAMPLES = Path(__file__).resolve().parents[2] / "sample_videos"


def _samples_ready() -> bool:
    manifest = SAMPLES / "patient.json"
    if not manifest.is_file():
        return False
    data = json.loads(manifest.read_text("utf-8"))
    return all(
        (SAMPLES / rec["file"]).with_suffix(".truth.json").is_file()
        for v in data.get("visits", [])
        for rec in v.get("recordings", [])
    )


needs_samples = pytest.mark.skipif(
    not _samples_ready(), reason="the sample patient is not generated yet (run 'gaitlab samples')"
)


def _params(doc: dict) -> dict:
    """The generating parameters in a truth document's ``synthetic`` block."""
    block = doc.get("synthetic") or {}
    for key in ("params", "gait_params", "gait"):
        if isinstance(block.get(key), dict):
            return block[key]
    return block


def truth_visits() -> list[tuple[VisitData, dict]]:
    """The sample visits built from the truth documents, with each visit's parameters."""
    data = json.loads((SAMPLES / "patient.json").read_text("utf-8"))
    surgery = dt.date.fromisoformat(data["patient"]["surgery"]["date"])
    out = []
    for i, v in enumerate(data["visits"]):
        docs = tuple(
            json.loads((SAMPLES / rec["file"]).with_suffix(".truth.json").read_text("utf-8"))
            for rec in v["recordings"]
        )
        date = dt.date.fromisoformat(v["date"])
        visit = VisitData(
            visit_id=i,
            date=date,
            label=v["label"],
            days_since_surgery=(date - surgery).days,
            scores=v.get("scores") or {},
            treatments=tuple(v.get("treatments") or ()),
            walking_aid=v.get("walking_aid") or "none",
            footwear=v.get("footwear") or "",
            pain_at_test=v.get("pain_at_test"),
            red_flags=tuple(v.get("red_flags") or ()),
            documents=docs,
        )
        params = _params(next(d for d in docs if d["view"] == "sagittal"))
        params.update({k: val for d in docs if d["view"] == "frontal" for k, val in _params(d).items() if k.startswith("pelvic")})
        out.append((visit, params))
    return sorted(out, key=lambda x: x[0].date)


def _step_gap_m(p: dict) -> float:
    """Left minus right step length the parameters walk, metres."""
    mean_step = p["speed_m_s"] * 60.0 / p["cadence_steps_per_min"]
    r = p["step_length_ratio_right"]
    return 2 * mean_step / (1 + r) - 2 * mean_step * r / (1 + r)


def expected_findings(before: dict, after: dict) -> set[tuple]:
    """(kind, side, direction) of every generated change that reaches its MDC."""
    out = set()
    cadence = after["cadence_steps_per_min"] - before["cadence_steps_per_min"]
    if abs(cadence) >= look_up_mdc("cadence_steps_per_min").mdc:
        out.add(("cadence", None, "increase" if cadence > 0 else "decrease"))
    for side in ("left", "right"):
        drop = after[f"pelvic_drop_deg_{side}"] - before[f"pelvic_drop_deg_{side}"]
        if abs(drop) >= look_up_mdc("pelvic_drop_deg").mdc:
            out.add(("pelvic_drop", side, "increase" if drop > 0 else "decrease"))
    gap_before, gap_after = _step_gap_m(before), _step_gap_m(after)
    if abs(gap_after - gap_before) >= look_up_mdc("step_length_m").mdc:
        grew = abs(gap_after) > abs(gap_before)
        shorter = "right" if (gap_after if grew else gap_before) > 0 else "left"
        out.add(("step_asymmetry", shorter, "increase" if grew else "decrease"))
    return out


def found(comparison) -> set[tuple]:
    return {(f.kind, f.side, f.direction) for f in comparison.findings}


@needs_samples
def test_the_samples_encode_the_six_week_compensation():
    (pre, p0), (wk6, p1), (mo6, p2) = truth_visits()
    # The generating parameters say what the 6-week visit was made with.
    assert p1["pelvic_drop_deg_right"] > p0["pelvic_drop_deg_right"]
    assert p1["step_length_ratio_right"] < p0["step_length_ratio_right"]
    assert p1["cadence_steps_per_min"] < p0["cadence_steps_per_min"]
    assert p1["lumbar_stiffness"] > p0["lumbar_stiffness"]
    assert choose_baseline([mo6, wk6, pre]) is pre


@needs_samples
def test_truth_comparison_reports_the_six_week_compensation():
    (pre, p0), (wk6, p1), _ = truth_visits()
    c = compare_visits(pre, wk6, baseline=pre)
    expected = expected_findings(p0, p1)
    # The generated changes reach their MDCs: right drop, shorter right step, slower cadence.
    assert {("pelvic_drop", "right", "increase"), ("step_asymmetry", "right", "increase"),
            ("cadence", None, "decrease")} <= expected
    assert expected <= found(c), expected - found(c)
    drop = next(f for f in c.findings if f.kind == "pelvic_drop" and f.side == "right")
    assert drop.stance_side == "left" and drop.trend == "worse"
    # Larger hip range on at least one side (stiff lumbar spine, hips take over).
    assert {f.side for f in c.findings_of("hip_rom") if f.direction == "increase"}
    assert c.profile("left").pattern in ("trendelenburg", "trunk_lurch")


@needs_samples
def test_truth_comparison_reports_partial_recovery_at_six_months():
    (pre, p0), (wk6, p1), (mo6, p2) = truth_visits()
    c = compare_visits(wk6, mo6, baseline=pre)
    expected = expected_findings(p1, p2)
    assert expected <= found(c), expected - found(c)
    assert all(f.trend in ("better", "red flag") for f in c.findings if (f.kind, f.side, f.direction) in expected)
    # Still changed from pre-op, but less than at 6 weeks: a partial recovery.
    at6w, at6m = compare_visits(pre, wk6, baseline=pre), compare_visits(pre, mo6, baseline=pre)
    for name, side in (("pelvic_drop_deg", "right"), ("cadence_steps_per_min", None)):
        d6w, d6m = at6w.delta(name, side).delta, at6m.delta(name, side).delta
        assert abs(d6m) < abs(d6w), name
        assert d6m * d6w > 0, name  # same direction: not fully back, not overshot


@pytest.mark.model
@pytest.mark.slow
@needs_samples
def test_demo_reports_the_compensation_the_samples_were_made_with(tmp_path):
    out = tmp_path / "demo.json"
    run = run_gaitlab("demo", "--quiet", "--json", str(out), "--library", str(tmp_path / "lib.sqlite"))
    assert run.code == 0, run.err
    assert "FINDINGS" in run.out and "TREND" in run.out
    report = json.loads(out.read_text("utf-8"))
    (v0, p0), (v1, p1), (v2, p2) = truth_visits()
    first, second = report["comparisons"]
    assert (first["visit_a"]["label"], first["visit_b"]["label"]) == (v0.label, v1.label)
    assert (second["visit_a"]["label"], second["visit_b"]["label"]) == (v1.label, v2.label)
    got = {(f["kind"], f["side"], f["direction"]) for f in first["findings"]}
    assert expected_findings(p0, p1) <= got, expected_findings(p0, p1) - got
    assert any(f["kind"] == "hip_rom" and f["direction"] == "increase" for f in first["findings"])
    drop = next(f for f in first["findings"] if f["kind"] == "pelvic_drop" and f["side"] == "right")
    assert drop["stance_side"] == "left"
    later = {(f["kind"], f["side"], f["direction"]) for f in second["findings"]}
    assert expected_findings(p1, p2) <= later, expected_findings(p1, p2) - later
