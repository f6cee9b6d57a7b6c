"""Visit import: check, analyse, store in one transaction; duplicates, copies, samples."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from test_storage_kit import FakeAnalyzer, make_document, write_clip

from gaitlab.errors import CancelledError, InputError, NoPersonError, StorageError, VideoError
from gaitlab.progress import CancelToken
from gaitlab.storage import Library, Patient, Surgery, Visit
from gaitlab.workflow import (
    VideoPass,
    hash_video,
    import_recording,
    import_sample_patient,
    import_visit,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def lib(tmp_path):
    with Library(tmp_path / "library" / "library.sqlite") as library:
        library.add_patient(Patient("P-0042", birth_year=1961, height_cm=168.0,
                                    surgery=Surgery(dt.date(2026, 3, 2), "L4-S1")))
        library.add_patient(Patient("P-0099", birth_year=1970))
        yield library


@pytest.fixture
def clips(tmp_path):
    folder = tmp_path / "clips"
    folder.mkdir()
    return {name: write_clip(folder / f"{name}.mp4", name)
            for name in ("week6_sagittal", "week6_frontal", "other_sagittal", "short_sagittal", "nobody_frontal")}


def _visit(**kw) -> Visit:
    fields = dict(date=dt.date(2026, 4, 13), label="6 weeks", hip_pain_right_nrs=5,
                  treatments=("physical_therapy",), walking_aid="none")
    fields.update(kw)
    return Visit("P-0042", **fields)


def _count(lib, table: str) -> int:
    return lib._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


class Stages:
    def __init__(self):
        self.events = []

    def start(self, stage, total):
        self.events.append(("start", stage, total))

    def update(self, done):
        self.events.append(("update", done))

    def finish(self):
        self.events.append(("finish",))


def test_a_visit_with_two_passes_is_imported_whole(lib, clips):
    analyzer = FakeAnalyzer()
    stages = Stages()
    visit, recs = import_visit(lib, _visit(), [clips["week6_sagittal"], VideoPass(clips["week6_frontal"], "frontal")],
                               model_variant="lite", progress=stages, analyze=analyzer)
    assert visit.visit_id and visit.days_since_surgery == 42
    assert [r.view for r in recs] == ["sagittal", "frontal"]
    assert [c["view"] for c in analyzer.calls] == ["auto", "frontal"]
    assert {c["height_cm"] for c in analyzer.calls} == {168.0}  # the patient's height is the scale
    assert {c["model_variant"] for c in analyzer.calls} == {"lite"}
    assert recs[0].original_path == recs[0].video_path == str(clips["week6_sagittal"])
    assert not recs[0].video_copied
    assert ("start", "import", 2) in stages.events and ("update", 2) in stages.events
    from gaitlab.compare import combine_visit_metrics

    combined = combine_visit_metrics([lib.get_recording(r.recording_id).result for r in recs])
    assert combined.get("hip_rom_deg", "left").view == recs[0].view == "sagittal"
    assert combined.get("pelvic_drop_deg", "right").view == recs[1].view == "frontal"


def test_the_same_video_for_the_same_visit_is_recognised(lib, clips):
    analyzer = FakeAnalyzer()
    visit, [rec] = import_visit(lib, _visit(), [clips["week6_sagittal"]], analyze=analyzer)
    # A renamed copy of the same file is the same video.
    renamed = shutil.copy(clips["week6_sagittal"], clips["week6_sagittal"].with_name("renamed.mp4"))
    again = import_recording(lib, visit.visit_id, renamed, analyze=analyzer)
    assert again == rec
    assert len(analyzer.calls) == 1  # not analysed twice
    assert _count(lib, "recordings") == 1


def test_a_video_of_another_patient_is_refused_and_nothing_is_written(lib, clips):
    import_visit(lib, Visit("P-0099", dt.date(2026, 1, 5)), [clips["other_sagittal"]], analyze=FakeAnalyzer())
    analyzer = FakeAnalyzer()
    with pytest.raises(InputError, match=r"other_sagittal.mp4 is already attached to another patient \(P-0099, visit on 2026-01-05\)\."):
        import_visit(lib, _visit(), [clips["week6_sagittal"], clips["other_sagittal"]], analyze=analyzer)
    assert analyzer.calls == []  # refused before any analysis
    assert lib.list_visits("P-0042") == []


def test_a_video_of_another_visit_of_the_same_patient_is_refused(lib, clips):
    import_visit(lib, _visit(label="pre-op", date=dt.date(2026, 2, 16)), [clips["week6_sagittal"]],
                 analyze=FakeAnalyzer())
    second = lib.add_visit(_visit())
    with pytest.raises(InputError, match=r"already attached to the visit on 2026-02-16 \(pre-op\) of P-0042"):
        import_recording(lib, second.visit_id, clips["week6_sagittal"], analyze=FakeAnalyzer())


@pytest.mark.parametrize(
    ("make_videos", "error", "message"),
    [
        (lambda c: [c["week6_sagittal"], c["week6_sagittal"].with_name("gone.mp4")], VideoError, "gone.mp4 does not exist"),
        (lambda c: [c["week6_sagittal"], c["week6_sagittal"].parent], VideoError, "is not a file"),
        (lambda c: [c["week6_sagittal"], c["week6_sagittal"]], InputError, "given twice"),
        (lambda c: [c["week6_sagittal"], c["nobody_frontal"]], NoPersonError, "No person was found"),
    ],
)
def test_a_failing_video_writes_nothing_of_the_visit(lib, clips, make_videos, error, message):
    with pytest.raises(error, match=message):
        import_visit(lib, _visit(), make_videos(clips), copy_video=True, analyze=FakeAnalyzer())
    assert lib.list_visits("P-0042") == []
    assert _count(lib, "recordings") == 0
    assert not lib.videos_folder.exists() or list(lib.videos_folder.iterdir()) == []


@pytest.mark.parametrize(
    ("visit", "message"),
    [
        (Visit("P-404", dt.date(2026, 4, 13)), "There is no patient P-404"),
        (Visit("P-0042", dt.date(1960, 4, 13)), "before the birth of P-0042"),
        (Visit("P-0042", dt.date.today() + dt.timedelta(days=30)), "in the future"),
        (Visit("P-0042", dt.date(2026, 4, 13), back_pain_nrs=12), "from 0 to 10"),
    ],
)
def test_a_bad_visit_is_refused_before_any_analysis(lib, clips, visit, message):
    analyzer = FakeAnalyzer()
    with pytest.raises(InputError, match=message):
        import_visit(lib, visit, [clips["week6_sagittal"]], analyze=analyzer)
    assert analyzer.calls == []


def test_an_existing_visit_is_not_created_twice(lib, clips):
    import_visit(lib, _visit(), [clips["week6_sagittal"]], analyze=FakeAnalyzer())
    with pytest.raises(InputError, match="already has a visit on 2026-04-13 labelled '6 weeks'"):
        import_visit(lib, _visit(), [clips["week6_frontal"]], analyze=FakeAnalyzer())


def test_too_little_walking_is_stored_with_its_reason(lib, clips):
    visit, [rec] = import_visit(lib, _visit(), [clips["short_sagittal"]], analyze=FakeAnalyzer())
    assert rec.status == "too_little_walking"
    assert rec.warning == "There is less than one gait cycle per side in the video."
    assert lib.get_recording(rec.recording_id).result["events"]["heel_strike"] == {"left": [], "right": []}
    assert lib.get_recording(rec.recording_id).metrics == {}  # partial analyses give no metrics


def test_cancelling_writes_nothing(lib, clips):
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        import_visit(lib, _visit(), [clips["week6_sagittal"]], cancel=token, analyze=FakeAnalyzer())
    assert lib.list_visits("P-0042") == []


def test_copied_videos_live_in_the_library_folder(lib, clips):
    visit, recs = import_visit(lib, _visit(), [clips["week6_sagittal"], clips["week6_frontal"]],
                               copy_video=True, analyze=FakeAnalyzer())
    for rec, clip in zip(recs, (clips["week6_sagittal"], clips["week6_frontal"])):
        assert rec.video_copied
        assert Path(rec.video_path) == lib.videos_folder / f"{rec.sha256}.mp4"
        assert Path(rec.video_path).read_bytes() == clip.read_bytes()
        assert rec.original_path == str(clip)
    assert sorted(p.name for p in lib.videos_folder.iterdir()) == sorted(f"{r.sha256}.mp4" for r in recs)
    lib.delete_visit(visit.visit_id)
    assert list(lib.videos_folder.iterdir()) == []


def test_a_failed_database_write_removes_the_copies(lib, clips):
    def wrong_view(path, **kw):  # the second document claims a view the library refuses
        doc = FakeAnalyzer()(path, **kw)
        if "frontal" in Path(path).name:
            doc["view"] = "oblique"
        return doc

    # The first recording is written and its copy placed; the second fails in the transaction.
    with pytest.raises(InputError, match="view must be one of"):
        import_visit(lib, _visit(), [clips["week6_sagittal"], clips["week6_frontal"]],
                     copy_video=True, analyze=wrong_view)
    assert lib.list_visits("P-0042") == []
    assert list(lib.videos_folder.iterdir()) == []


def test_a_video_changed_during_the_copy_is_refused(lib, clips, monkeypatch):
    import gaitlab.workflow as workflow

    real_hash = workflow.hash_video

    def stale_hash(path, cancel=None):
        p, _ = real_hash(path, cancel)
        return p, "0" * 64  # the file on disk no longer has the bytes that were hashed

    monkeypatch.setattr(workflow, "hash_video", stale_hash)
    with pytest.raises(StorageError, match="changed while it was copied"):
        import_visit(lib, _visit(), [clips["week6_sagittal"]], copy_video=True,
                     analyze=lambda p, **kw: make_document("sagittal"))
    assert lib.list_visits("P-0042") == []
    assert list(lib.videos_folder.iterdir()) == []


def test_hash_video_is_the_sha256_of_the_bytes(tmp_path):
    import hashlib

    clip = write_clip(tmp_path / "x.mp4", "x")
    assert hash_video(clip) == (clip.absolute(), hashlib.sha256(clip.read_bytes()).hexdigest())


# --------------------------------------------------------------------------- sample patient


def _sample(tmp_path) -> Path:
    folder = tmp_path / "sample"
    folder.mkdir(parents=True)
    for name in ("preop_sagittal", "preop_frontal", "week6_sagittal", "week6_frontal"):
        write_clip(folder / f"{name}.mp4", f"sample {name}")
    spec = {
        "format": "gaitlab.sample_patient/1",
        "patient": {"pseudonym": "SAMPLE-001", "name": "Sample patient (synthetic)", "birth_year": 1961,
                    "sex": "female", "height_cm": 168,
                    "surgery": {"date": "2026-03-02", "levels": "L4-S1", "fused_to_sacrum": True,
                                "approach": "posterior (TLIF)"},
                    "notes": "synthetic"},
        "visits": [
            {"date": "2026-02-16", "label": "pre-op",
             "scores": {"hip_pain_left": 2, "hip_pain_right": 3, "back_pain": 7, "odi": 44},
             "treatments": ["nsaids", "physical_therapy"], "walking_aid": "none", "footwear": "trainers",
             "pain_at_test": 3, "red_flags": [], "notes": "",
             "recordings": [{"file": "preop_sagittal.mp4", "view": "sagittal"},
                            {"file": "preop_frontal.mp4", "view": "frontal"}]},
            {"date": "2026-04-13", "label": "6 weeks",
             "scores": {"hip_pain_left": 1, "hip_pain_right": 6, "back_pain": 3},
             "treatments": ["gait_training"], "walking_aid": "cane", "footwear": "trainers",
             "pain_at_test": 4, "red_flags": ["new_numbness_or_weakness"], "notes": "",
             "recordings": [{"file": "week6_sagittal.mp4", "view": "sagittal"},
                            {"file": "week6_frontal.mp4", "view": "frontal"}]},
        ],
    }
    (folder / "patient.json").write_text(json.dumps(spec))
    return folder


def test_the_sample_patient_is_imported_once(lib, tmp_path):
    folder = _sample(tmp_path)
    analyzer = FakeAnalyzer()
    assert import_sample_patient(lib, folder, analyze=analyzer) == "SAMPLE-001"
    patient = lib.get_patient("SAMPLE-001")
    assert (patient.height_cm, patient.surgery.levels, patient.surgery.approach) == (168.0, "L4-S1", "posterior (TLIF)")
    pre, week6 = lib.list_visits("SAMPLE-001")
    assert (pre.label, pre.days_since_surgery, pre.odi_pct, pre.back_pain_nrs) == ("pre-op", -14, 44.0, 7)
    assert (week6.walking_aid, week6.red_flags, week6.has_red_flags) == ("cane", ("new_numbness_or_weakness",), True)
    assert [r.view for r in lib.list_recordings(week6.visit_id)] == ["sagittal", "frontal"]
    assert [c["view"] for c in analyzer.calls] == ["sagittal", "frontal"] * 2
    assert {c["height_cm"] for c in analyzer.calls} == {168.0}
    # Again: nothing new, nothing analysed.
    assert import_sample_patient(lib, folder, analyze=analyzer) == "SAMPLE-001"
    assert len(analyzer.calls) == 4
    assert _count(lib, "recordings") == 4 and len(lib.list_visits("SAMPLE-001")) == 2


def test_a_half_imported_sample_is_completed(lib, tmp_path):
    folder = _sample(tmp_path)
    spec = json.loads((folder / "patient.json").read_text())
    spec["visits"][1]["recordings"] = spec["visits"][1]["recordings"][:1]
    (folder / "patient.json").write_text(json.dumps(spec))
    import_sample_patient(lib, folder, analyze=FakeAnalyzer())
    _sample(tmp_path / "again")  # the full description, same clips
    shutil.copy(tmp_path / "again" / "sample" / "patient.json", folder / "patient.json")
    analyzer = FakeAnalyzer()
    import_sample_patient(lib, folder, analyze=analyzer)
    assert [c["path"].name for c in analyzer.calls] == ["week6_frontal.mp4"]
    assert _count(lib, "recordings") == 4


def test_a_failing_sample_clip_writes_nothing(lib, tmp_path):
    folder = _sample(tmp_path)
    (folder / "week6_frontal.mp4").unlink()
    with pytest.raises(VideoError, match="week6_frontal.mp4 does not exist"):
        import_sample_patient(lib, folder, analyze=FakeAnalyzer())
    assert not lib.has_patient("SAMPLE-001")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "holds no patient.json"),
        ("{not json", "cannot be read"),
        (json.dumps({"format": "other/1"}), "not in the format gaitlab.sample_patient/1"),
        (json.dumps({"format": "gaitlab.sample_patient/1", "patient": {}}), "needs a 'patient' object"),
        (json.dumps({"format": "gaitlab.sample_patient/1", "patient": {"pseudonym": "S-1"},
                     "visits": [{"label": "x"}]}), "needs a date"),
    ],
)
def test_bad_sample_descriptions_are_refused(lib, tmp_path, content, message):
    if content is not None:
        (tmp_path / "patient.json").write_text(content)
    with pytest.raises(InputError, match=message):
        import_sample_patient(lib, tmp_path, analyze=FakeAnalyzer())


# --------------------------------------------------------------------------- with the real analysis


@pytest.mark.model
@pytest.mark.slow
def test_a_visit_import_works_end_to_end_with_the_real_analysis(tmp_path):
    """The real pose model and analysis, one sample clip, stored and read back."""
    spec_path = REPO / "sample_videos" / "patient.json"
    if not spec_path.is_file():
        pytest.skip("the sample walking videos are not made yet (no sample_videos/patient.json)")
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    clip = next(
        (REPO / "sample_videos" / rec["file"], rec["view"])
        for visit in spec["visits"] for rec in visit["recordings"] if rec["view"] == "sagittal"
    )
    height = spec["patient"].get("height_cm")
    with Library(tmp_path / "library.sqlite") as lib:
        lib.add_patient(Patient("E2E-1", height_cm=height))
        visit, [rec] = import_visit(lib, Visit("E2E-1", dt.date(2026, 4, 13), "6 weeks"),
                                    [VideoPass(clip[0], clip[1])])
        assert rec.view == "sagittal" and rec.status == "ok", rec.warning
        doc = lib.get_recording(rec.recording_id).result
        assert doc["video"]["sha256"] == rec.sha256 == hash_video(clip[0])[1]
        assert rec.metrics == doc["metrics"]
        assert doc["metrics"]["cadence_steps_per_min"] is not None
        truth_path = clip[0].with_name(clip[0].stem + ".truth.json")
        truth = json.loads(truth_path.read_text()) if truth_path.is_file() else {}
        cadence = (truth.get("metrics") or {}).get("cadence_steps_per_min")
        if cadence is not None:  # the synthetic walker's known cadence
            assert doc["metrics"]["cadence_steps_per_min"] == pytest.approx(cadence, rel=0.1)
        assert rec.metrics["cadence_steps_per_min"] == doc["metrics"]["cadence_steps_per_min"]
