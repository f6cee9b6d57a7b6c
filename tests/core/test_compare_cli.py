"""``gaitlab compare`` on a library filled with known analysis documents."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from test_compare import frontal_doc, sagittal_doc

from gaitlab.cli import main
from gaitlab.storage import Library, Patient, Surgery, Visit

SURGERY = dt.date(2026, 3, 2)


def _fill(path, *, red_flag: bool = False) -> None:
    visits = [
        ("pre-op", dt.date(2026, 2, 16), sagittal_doc(), frontal_doc(), ()),
        (
            "6 weeks",
            dt.date(2026, 4, 13),
            sagittal_doc(cadence=100.0, hip_rom=(52.0, 51.0), step_length=(0.62, 0.52), speed=1.0),
            frontal_doc(cadence=100.0, drop=(4.0, 9.0)),
            ("new_numbness_or_weakness",) if red_flag else (),
        ),
    ]
    with Library(path) as lib:
        lib.add_patient(Patient("P-0042", height_cm=168, surgery=Surgery(date=SURGERY, levels="L4-S1")))
        for i, (label, date, sag, fro, flags) in enumerate(visits):
            v = lib.add_visit(
                Visit("P-0042", date, label, walking_aid="none", footwear="trainers", red_flags=flags)
            )
            for j, doc in enumerate((sag, fro)):
                lib.add_recording(v.visit_id, f"/videos/{label}-{doc['view']}.mp4", f"{i}{j}" * 32, doc["view"], doc)


@pytest.fixture()
def library(tmp_path):
    path = tmp_path / "library.sqlite"
    _fill(path)
    return path


def test_compare_prints_the_sections_in_clinical_order_and_writes_json(library, tmp_path, capsys):
    out = tmp_path / "cmp.json"
    code = main(["compare", "--patient", "P-0042", "--library", str(library), "--json", str(out),
                 "--no-camera-check", "--quiet"])
    text = capsys.readouterr().out
    assert code == 0
    order = [text.index(s) for s in (
        "COMPARABILITY", "FINDINGS", "METRICS", "FRONTAL COMPENSATION PROFILE",
        "LUMBO-PELVIC-HIP MOTION BUDGET", "NARRATIVE", "TREND",
    )]
    assert order == sorted(order)
    assert "6 weeks (2026-04-13, 42 days after surgery)" in text
    assert "Walking speed differed" in text
    assert "uncompensated drop (Trendelenburg pattern)" in text
    assert "not the radiographic spinopelvic" in text
    doc = json.loads(out.read_text())
    (comparison,) = doc["comparisons"]
    found = {(f["kind"], f["side"], f["direction"]) for f in comparison["findings"]}
    assert {("hip_rom", "left", "increase"), ("pelvic_drop", "right", "increase"),
            ("step_asymmetry", "right", "increase"), ("cadence", None, "decrease")} <= found
    assert comparison["baseline"]["label"] == "pre-op"
    assert [p["label"] for p in doc["trend"]["series"][0]["points"]] == ["pre-op", "6 weeks"]


def test_red_flags_are_printed_first(tmp_path, capsys):
    path = tmp_path / "flag.sqlite"
    _fill(path, red_flag=True)
    assert main(["compare", "--patient", "P-0042", "--library", str(path), "--no-camera-check"]) == 0
    findings = capsys.readouterr().out.split("FINDINGS", 1)[1]
    assert findings.splitlines()[1].lstrip().startswith("1. [RED FLAG]")


def test_visits_are_chosen_by_label_or_date_and_bad_names_fail_cleanly(library, capsys):
    assert main(["compare", "--patient", "P-0042", "--library", str(library), "--visits",
                 "2026-04-13", "PRE-OP", "--no-camera-check"]) == 0
    assert "compared with  pre-op" in capsys.readouterr().out
    code = main(["compare", "--patient", "P-0042", "--library", str(library), "--visits", "pre-op", "1 year"])
    err = capsys.readouterr().err
    assert code == 2 and "no visit '1 year'" in err and err.count("\n") == 1


def test_unknown_patient_and_bad_output_are_one_sentence_errors(library, tmp_path, capsys):
    assert main(["compare", "--patient", "P-9999", "--library", str(library)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gaitlab: ") and err.count("\n") == 1
    assert main(["compare", "--patient", "P-0042", "--library", str(library),
                 "--json", str(tmp_path / "missing" / "x.json")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_one_visit_is_not_enough(tmp_path, capsys):
    path = tmp_path / "one.sqlite"
    with Library(path) as lib:
        lib.add_patient(Patient("P-1"))
        v = lib.add_visit(Visit("P-1", dt.date(2026, 1, 5), "first"))
        lib.add_recording(v.visit_id, "/v/a.mp4", "ab" * 32, "sagittal", sagittal_doc())
    assert main(["compare", "--patient", "P-1", "--library", str(path), "--no-camera-check"]) == 2
    assert "needs two" in capsys.readouterr().err


def test_demo_without_samples_says_how_to_make_them(tmp_path, capsys):
    assert main(["demo", "--samples", str(tmp_path), "--quiet"]) == 2
    assert "gaitlab samples" in capsys.readouterr().err
