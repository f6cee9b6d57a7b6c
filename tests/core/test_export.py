"""Data exports: CSV round trips, the OpenSim marker file, de-identified files, all-or-nothing writing."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from test_report_kit import fill_library, make_document, make_walk

from gaitlab.errors import GaitlabError, InputError
from gaitlab.landmarks import N_LANDMARKS
from gaitlab.report.build import ExportOptions, export_patient, export_recording
from gaitlab.report.exports import (
    METRICS_CSV_COLUMNS,
    format_cycles_csv,
    format_events_csv,
    format_metrics_csv,
    format_timeseries_csv,
    metrics_row,
    read_cycles_csv,
    read_events_csv,
    read_metrics_csv,
    read_timeseries_csv,
)
from gaitlab.report.trc import format_trc, parse_trc
from gaitlab.storage import Library
from gaitlab.types import PoseSequence


@pytest.fixture(scope="module")
def docs():
    return {
        "sagittal": make_document(make_walk("sagittal", seed=3)),
        "frontal": make_document(make_walk("frontal", seed=4, pelvic_drop_deg_right=8.0)),
    }


def test_metrics_csv_round_trip_gives_back_the_stored_numbers(docs):
    rows = [metrics_row(docs["sagittal"]), metrics_row(docs["frontal"])]
    back = read_metrics_csv(format_metrics_csv(rows))
    assert len(back) == 2
    for doc, row in zip((docs["sagittal"], docs["frontal"]), back):
        m = doc["metrics"]
        assert row["view"] == doc["view"]
        assert row["cadence_steps_per_min"] == m["cadence_steps_per_min"]
        for side in ("left", "right"):
            assert row[f"stance_pct_{side}"] == m["stance_pct"][side]
            assert row[f"n_cycles_{side}"] == m["n_cycles"][side]
        for key, value in m["symmetry_index_pct"].items():
            assert row[f"symmetry_index_pct_{key}"] == value
    sag, front = back
    assert sag["hip_rom_deg_left"] == docs["sagittal"]["metrics"]["hip_rom_deg"]["left"]
    assert sag["pelvic_drop_deg_right"] is None  # not measured in the side view: empty, never guessed
    assert front["pelvic_drop_deg_right"] == docs["frontal"]["metrics"]["pelvic_drop_deg"]["right"]
    assert front["pelvic_drop_deg_right"] > 6.0
    assert front["step_length_m_left"] is None


def test_metrics_csv_columns_are_stable(docs):
    header = format_metrics_csv([metrics_row(docs["sagittal"])]).splitlines()[0].split(",")
    assert tuple(header) == METRICS_CSV_COLUMNS
    assert header[:3] == ["patient_id", "visit_id", "visit_date"]
    assert "hip_rom_deg_left" in header and "pelvic_drop_deg_right" in header


def test_time_series_cycles_and_events_round_trip(docs):
    for doc in docs.values():
        series = read_timeseries_csv(format_timeseries_csv(doc))
        assert series["time_s"] == doc["time_s"]
        measured = [n for n, v in doc["series"].items() if v and any(x is not None for x in v)]
        assert measured
        for name in measured:
            assert series[name] == doc["series"][name], name
        cycles = read_cycles_csv(format_cycles_csv(doc))
        assert set(cycles) == set(doc["cycles"])
        for name, entry in doc["cycles"].items():
            assert cycles[name]["mean"] == entry["mean"]
            assert cycles[name]["sd"] == entry["sd"]
            assert cycles[name]["n"] == entry["n"]
        events = read_events_csv(format_events_csv(doc))
        for kind in ("heel_strike", "toe_off"):
            for side in ("left", "right"):
                assert events[kind][side] == sorted(doc["events"][kind][side])


def _known_pose() -> PoseSequence:
    n = 4
    world = np.zeros((n, N_LANDMARKS, 3))
    for k in range(n):
        world[k, :, 0] = 0.01 * np.arange(N_LANDMARKS)  # x right
        world[k, :, 1] = -0.5 + 0.1 * k  # y down
        world[k, :, 2] = 0.25  # z away from the camera
    world[2, 5] = np.nan  # one landmark missing in frame 3
    px = np.full((n, N_LANDMARKS, 2), 100.0)
    return PoseSequence.create(np.arange(n) / 50.0, px, image_size_px=(640, 360), fps=50.0, world_m=world)


def test_trc_has_opensim_header_and_known_marker_values():
    pose = _known_pose()
    text = format_trc(pose, file_name="walk_pose.trc")
    lines = text.splitlines()
    assert lines[0].split("\t")[:2] == ["PathFileType", "4"]
    assert lines[1].split("\t") == ["DataRate", "CameraRate", "NumFrames", "NumMarkers", "Units",
                                    "OrigDataRate", "OrigDataStartFrame", "OrigNumFrames"]
    assert lines[2].split("\t") == ["50", "50", "4", "33", "mm", "50", "1", "4"]
    assert lines[3].startswith("Frame#\tTime\tnose")
    assert lines[4].split("\t")[2:5] == ["X1", "Y1", "Z1"]
    trc = parse_trc(text)
    assert trc.units == "mm" and trc.data_rate_hz == 50.0
    assert trc.marker_names[0] == "nose" and len(trc.marker_names) == 33
    assert list(trc.frame_numbers) == [1, 2, 3, 4]
    np.testing.assert_allclose(trc.time_s, [0.0, 0.02, 0.04, 0.06])
    # OpenSim axes: X = x, Y = up = -y, Z = -z; millimetres.
    assert trc.markers[1, 3, 0] == pytest.approx(30.0)
    assert trc.markers[1, 3, 1] == pytest.approx(400.0)
    assert trc.markers[1, 3, 2] == pytest.approx(-250.0)
    assert np.isnan(trc.markers[2, 5]).all()  # missing is an empty cell
    assert lines[5] == "" and "\t\t\t" in lines[8]  # frame 3, after the blank line


def test_trc_in_metres_and_bad_unit():
    trc = parse_trc(format_trc(_known_pose(), units="m"))
    assert trc.units == "m"
    assert trc.markers[0, 0, 1] == pytest.approx(0.5)
    with pytest.raises(InputError, match="unit"):
        format_trc(_known_pose(), units="cm")
    empty = PoseSequence.create([0.0], np.zeros((1, 33, 2)), image_size_px=(10, 10), fps=30.0)
    with pytest.raises(InputError, match="world"):
        format_trc(empty)


@pytest.fixture()
def library(tmp_path):
    with Library(tmp_path / "lib.sqlite") as lib:
        made = fill_library(lib, tmp_path)
        yield lib, made


def test_patient_export_writes_every_file_de_identified(library, tmp_path):
    lib, made = library
    walks = {str(v): w for w, v in made.values()}
    out = tmp_path / "export"
    files = export_patient(
        lib, "P-0042", out, options=ExportOptions(trc=True),
        pose_loader=lambda doc, path: walks[str(path)].truth_pose(),
    )
    names = sorted(f.name for f in files)
    assert sorted(p.name for p in out.iterdir()) == names  # no temporary leftovers
    assert "metrics.csv" in names
    assert sum(n.endswith("_pose.trc") for n in names) == 4
    assert sum(n.endswith("_analysis.json") for n in names) == 4
    rows = read_metrics_csv((out / "metrics.csv").read_text())
    assert [(r["visit_label"], r["view"]) for r in rows] == [
        ("pre-op", "sagittal"), ("pre-op", "frontal"), ("6 weeks", "sagittal"), ("6 weeks", "frontal")
    ]
    assert all(r["patient_id"] == "P-0042" for r in rows)
    assert rows[0]["days_since_surgery"] == -14 and rows[2]["days_since_surgery"] == 42
    for f in out.iterdir():
        assert "Jane" not in f.name
        assert "Jane" not in f.read_text(), f.name  # no name, no video file name
    trc = parse_trc(next(out.glob("*_sagittal_*_pose.trc")).read_text())
    assert trc.markers.shape[1] == 33 and math.isfinite(trc.markers[0, 0, 0])


def test_export_with_video_paths_kept_on_request(library, tmp_path):
    lib, _ = library
    export_patient(lib, "P-0042", tmp_path / "e", visits=["pre-op"],
                   options=ExportOptions(keep_video_paths=True), pose_loader=None)
    texts = [p.read_text() for p in (tmp_path / "e").glob("*_analysis.json")]
    assert len(texts) == 2 and all("Jane_Doe" in t for t in texts)


def test_failed_export_leaves_nothing(library, tmp_path):
    lib, _ = library

    def broken(doc, path):
        raise GaitlabError("The landmarks of this video are gone.")

    out = tmp_path / "never"
    with pytest.raises(GaitlabError, match="gone"):
        export_patient(lib, "P-0042", out, options=ExportOptions(trc=True), pose_loader=broken)
    assert not out.exists()
    existing = tmp_path / "existing"
    existing.mkdir()
    with pytest.raises(GaitlabError):
        export_patient(lib, "P-0042", existing, options=ExportOptions(trc=True), pose_loader=broken)
    assert list(existing.iterdir()) == []


def test_export_bad_inputs(library, tmp_path, docs):
    lib, _ = library
    with pytest.raises(InputError, match="does not exist"):
        export_patient(lib, "P-0042", tmp_path / "no" / "such" / "dir", pose_loader=None)
    with pytest.raises(InputError, match="no visit 'yesterday'"):
        export_patient(lib, "P-0042", tmp_path / "x", visits=["yesterday"], pose_loader=None)
    from gaitlab.storage import Patient

    lib.add_patient(Patient(patient_id="P-0099"))
    with pytest.raises(InputError, match="no analysed recording"):
        export_patient(lib, "P-0099", tmp_path / "y", pose_loader=None)
    files = export_recording(docs["frontal"], tmp_path / "single", pose_loader=None)
    assert {f.name.split("_", 2)[1] for f in files if f.name != "metrics.csv"} == {"frontal"}


def test_unwritable_export_folder_writes_nothing(library, tmp_path):
    lib, _ = library
    where = tmp_path / "exports"
    where.mkdir()
    a_file = where / "a_file"
    a_file.write_text("keep me")
    with pytest.raises(InputError, match="is a file"):
        export_patient(lib, "P-0042", a_file, pose_loader=None)
    assert a_file.read_text() == "keep me"
    assert [p.name for p in where.iterdir()] == ["a_file"]


def test_read_only_export_folder_writes_nothing(library, tmp_path):
    lib, _ = library
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):  # running as root: permissions do not bind
            pytest.skip("the tests run as root; a read-only folder stays writable")
        with pytest.raises(InputError, match="not writable"):
            export_patient(lib, "P-0042", locked / "out", pose_loader=None)
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)
