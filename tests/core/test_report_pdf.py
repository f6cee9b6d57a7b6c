"""The PDF report: comparison and single recording, A4 and Letter, real text and non-blank pages."""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess

import numpy as np
import pytest
from clikit import assert_one_clear_sentence, run_gaitlab
from PIL import Image
from pypdf import PdfReader
from test_report_kit import (
    fill_library,
    import_sample_visits,
    laplacian_var,
    make_document,
    make_walk,
    pdf_stills,
    sample_description,
    sample_walk,
)

from gaitlab.compare import TERMINOLOGY_GUARD
from gaitlab.errors import InputError
from gaitlab.report.build import library_report, recording_report, stored_recording_report
from gaitlab.report.pdf import render_report_pdf
from gaitlab.storage import Library, Patient, Visit

A4_PT = (595.3, 841.9)
LETTER_PT = (612.0, 792.0)


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def _pages_png(pdf: bytes, tmp_path) -> list[np.ndarray]:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian's poppler-utils) is not installed")
    src = tmp_path / "r.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(src), str(tmp_path / "page")], check=True)
    return [np.asarray(Image.open(p).convert("L")) for p in sorted(tmp_path.glob("page-*.png"))]


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lib")
    with Library(tmp / "lib.sqlite") as lib:
        made = fill_library(lib, tmp, red_flag=True, with_videos=True)
        yield lib, made, tmp


def _loader(made):
    walks = {str(v): w for w, v in made.values()}
    return lambda doc, path: walks[str(path)].truth_pose()


@pytest.mark.parametrize(("paper", "size"), [("a4", A4_PT), ("letter", LETTER_PT)])
def test_comparison_report_pages_and_text(library, tmp_path, paper, size):
    lib, made, _ = library
    content = library_report(lib, "P-0042", pose_loader=_loader(made))
    assert content.comparison is not None
    assert [len(v.key_frames) for v in content.visits] == [2, 2]
    pdf = render_report_pdf(content, paper=paper)
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(size[0], abs=1)
        assert float(page.mediabox.height) == pytest.approx(size[1], abs=1)
    pages = _pages_png(pdf, tmp_path)
    assert len(pages) == len(reader.pages) >= 3
    for number, grey in enumerate(pages, start=1):
        ink = (grey < 200).mean()
        # Full pages carry well over 1 % ink; the last may hold only the end of a section.
        assert ink > (0.001 if number == len(pages) else 0.01), f"page {number} is blank"
    text = _text(pdf)
    first = " ".join((reader.pages[0].extract_text() or "").split())
    assert first.index("RED FLAG") < first.index("Patient and surgery")  # red flags at the top
    for expected in (
        "P-0042", "L4-S1", "Days since surgery", "pre-op (2025-02-17)", "6 weeks (2025-04-14)",
        "pelvic belt", "2-D proxy", "MDC", "Healthy ref.", "Findings and their evidence",
        "Trendelenburg", "Examine:", "not a diagnosis", "Gait-cycle curves", "Key frames",
        "heel strike", "face blurred", "Recording quality", "What 2-D video can and cannot measure",
        "Comparability",
    ):
        assert expected in text, expected
    assert " ".join(TERMINOLOGY_GUARD.split()[:12]) in text
    assert "Jane" not in text  # neither the name nor the video file names
    drop = content.comparison.delta("pelvic_drop_deg", "right")
    assert f"{drop.b:.1f}" in text and f"{drop.delta:+.1f}" in text


def test_name_only_when_asked(library):
    lib, made, _ = library
    content = library_report(lib, "P-0042", show_name=True, pose_loader=None)
    text = _text(render_report_pdf(content))
    assert "Jane Doe" in text
    assert "Key frames" not in text  # no loader: no key frames


def test_single_visit_and_single_recording_reports(library, tmp_path):
    lib, made, _ = library
    content = library_report(lib, "P-0042", ["pre-op"], pose_loader=None)
    assert content.comparison is None and len(content.visits) == 1
    text = _text(render_report_pdf(content, paper="letter"))
    assert "Key measures: pre-op (2025-02-17)" in text and "RED FLAG" not in text
    doc = make_document(make_walk("frontal", seed=9, pelvic_drop_deg_right=8.0))
    pdf = render_report_pdf(recording_report(doc, pose_loader=None))
    text = _text(pdf)
    assert "Recording" in text and "pelvic drop (R)" in text and "not X-ray" in text
    assert "Jane" not in text
    assert all((g < 200).mean() > 0.002 for g in _pages_png(pdf, tmp_path))  # none blank


def test_report_bad_inputs(library):
    lib, _, _ = library
    with pytest.raises(InputError, match="compared with itself"):
        library_report(lib, "P-0042", ["pre-op", "2025-02-17"], pose_loader=None)
    with pytest.raises(InputError, match="no visit"):
        library_report(lib, "P-0042", ["1 year"], pose_loader=None)
    with pytest.raises(InputError):
        library_report(lib, "P-9999", pose_loader=None)
    lib.add_patient(Patient(patient_id="P-0007"))
    with pytest.raises(InputError, match="no analysed visit"):
        library_report(lib, "P-0007", pose_loader=None)
    import datetime as dt

    lib.add_visit(Visit(patient_id="P-0007", date=dt.date(2025, 1, 5), label="pre-op"))
    with pytest.raises(InputError, match="no analysed visit"):
        library_report(lib, "P-0007", pose_loader=None)
    with pytest.raises(InputError, match="paper"):
        render_report_pdf(library_report(lib, "P-0042", pose_loader=None), paper="a5")


# --------------------------------------------------------------------------- the command


@pytest.fixture(scope="module")
def cli_library(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    path = tmp / "lib.sqlite"
    with Library(path) as lib:
        fill_library(lib, tmp)
        lib.add_patient(Patient(patient_id="P-0007"))
    return path


def test_report_command_writes_a_pdf(cli_library, tmp_path):
    out = tmp_path / "report.pdf"
    run = run_gaitlab("report", "--patient", "P-0042", "--out", out, "--library", cli_library,
                      "--paper", "letter", timeout=300)
    assert run.code == 0, run.err
    text = _text(out.read_bytes())
    assert "P-0042" in text and "Visit comparison" in text
    assert "key frames left out" in text  # the videos are not there: said, not hidden
    assert list(tmp_path.iterdir()) == [out]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--patient", "P-0007"], "no analysed visit"),
        (["--patient", "P-0042", "--visits", "pre-op", "pre-op"], "compared with itself"),
        (["--result", "no_such_result.json"], "does not exist"),
        (["--patient", "P-0042", "--visits", "a", "b", "c"], "at most two visits"),
    ],
)
def test_report_command_bad_input(cli_library, tmp_path, args, words):
    out = tmp_path / "r.pdf"
    argv = ["report", *args, "--out", out]
    if "--patient" in args:
        argv += ["--library", cli_library]
    run = run_gaitlab(*argv, timeout=300)
    assert run.code == 2
    assert_one_clear_sentence(run.err)
    assert words in run.err
    assert not out.exists()


def test_report_command_unwritable_output(cli_library, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        for out in (tmp_path / "missing" / "r.pdf", tmp_path, locked / "r.pdf"):
            run = run_gaitlab("report", "--patient", "P-0042", "--library", cli_library, "--out", out)
            if out.parent == locked and run.code == 0:  # running as root: permissions do not bind
                out.unlink()
                continue
            assert run.code == 2, run.err
            assert_one_clear_sentence(run.err)
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


def test_export_command(cli_library, tmp_path):
    out = tmp_path / "export"
    run = run_gaitlab("export", "--patient", "P-0042", "--out-dir", out, "--library", cli_library, "--quiet")
    assert run.code == 0, run.err
    assert (out / "metrics.csv").is_file() and len(list(out.glob("*_cycles.csv"))) == 4
    run = run_gaitlab("export", "--patient", "P-0007", "--out-dir", tmp_path / "e2", "--library", cli_library)
    assert run.code == 2 and "no analysed recording" in run.err
    assert_one_clear_sentence(run.err)
    assert not (tmp_path / "e2").exists()


# --------------------------------------------------------------------------- the sample patient


@pytest.fixture(scope="module")
def sample_library(tmp_path_factory):
    """The sample patient's pre-op and 6-week visits, analysed by the real pose model."""
    desc = sample_description()
    if desc is None:
        pytest.skip("the sample clips are missing from sample_videos/ (run `gaitlab samples`)")
    tmp = tmp_path_factory.mktemp("sample-lib")
    with Library(tmp / "lib.sqlite") as lib:
        yield lib, import_sample_visits(lib, tmp), desc


def _squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.parametrize(("paper", "size"), [("a4", A4_PT), ("letter", LETTER_PT)])
def test_sample_patient_comparison_report(sample_library, tmp_path, paper, size):
    lib, patient_id, desc = sample_library
    content = library_report(lib, patient_id)  # key frames from the model's landmarks
    cmp = content.comparison
    visits = desc["visits"][:2]
    labels = [f"{v['label']} ({v['date']})" for v in visits]
    assert cmp is not None and [v.label for v in content.visits] == labels
    assert cmp.findings, "the 6-week visit of the sample patient changed beyond the MDCs"
    pdf = render_report_pdf(content, paper=paper)
    reader = PdfReader(io.BytesIO(pdf))
    assert all(
        (float(p.mediabox.width), float(p.mediabox.height)) == pytest.approx(size, abs=1) for p in reader.pages
    )
    pages = _pages_png(pdf, tmp_path)
    assert len(pages) == len(reader.pages) >= 3
    for number, grey in enumerate(pages, start=1):
        assert (grey < 200).mean() > (0.001 if number == len(pages) else 0.01), f"page {number} is blank"
    text = _text(pdf)
    flat = _squeeze(text)
    for expected in (patient_id, *labels, "Visit comparison", desc["patient"]["surgery"]["levels"]):
        assert expected in text, expected
    # The findings, the motion budget and the referral summary are the comparison's own words.
    for f in cmp.findings:
        assert _squeeze(f.sentence) in flat, f.sentence
    assert _squeeze(cmp.motion_budget.summary) in flat
    assert _squeeze(cmp.narrative) in flat
    drop = cmp.delta("pelvic_drop_deg", "right")
    assert f"{drop.a:.1f}" in text and f"{drop.b:.1f}" in text
    assert desc["patient"]["name"] not in text and ".mp4" not in text
    assert "RED FLAG" not in text  # none were reported at these visits
    # Two blurred key frames per visit, from the side view; the face lost its detail.
    assert text.count("face blurred") == 4 and "NOT blurred" not in text
    stills = pdf_stills(pdf, (720, 1280))
    frames = [kf for v in content.visits for kf in v.key_frames]
    assert len(stills) == len(frames) == 4
    for still, kf, stem in zip(stills, frames, ["preop_sagittal"] * 2 + ["post6w_sagittal"] * 2):
        walk = sample_walk(stem)
        lm = walk.landmarks_px()[int(np.argmin(np.abs(walk.time_s - kf.time_s)))]
        face = lm[:11]
        (x0, y0), (x1, y1) = face.min(axis=0).astype(int), face.max(axis=0).astype(int)
        assert laplacian_var(still[y0:y1 + 1, x0:x1 + 1]) < 50.0, (stem, kf.side)


@pytest.mark.model
@pytest.mark.slow
def test_sample_patient_red_flags_come_first(sample_library):
    lib, patient_id, _ = sample_library
    content = library_report(lib, patient_id, pose_loader=None)
    later = content.visits[1]
    flagged = dataclasses.replace(later, visit=dataclasses.replace(later.visit, red_flags=("bladder_bowel_change",)))
    pdf = render_report_pdf(dataclasses.replace(content, visits=(content.visits[0], flagged)))
    first = " ".join((PdfReader(io.BytesIO(pdf)).pages[0].extract_text() or "").split())
    assert "RED FLAG" in first and first.index("RED FLAG") < first.index("Patient and surgery")
    assert f"{later.label}: bladder or bowel change" in first[: first.index("Patient and surgery")]


def test_stored_recording_report(library):
    lib, made, _ = library
    visit = next(v for v in lib.list_visits("P-0042") if v.label == "6 weeks")
    rec = next(r for r in lib.list_recordings(visit.visit_id) if r.view == "frontal")
    content = stored_recording_report(lib, rec.recording_id, pose_loader=None)
    assert content.comparison is None and content.patient.patient_id == "P-0042"
    assert [v.label for v in content.visits] == ["6 weeks (2025-04-14), frontal view"]
    text = _text(render_report_pdf(content))
    assert "Key measures: 6 weeks (2025-04-14), frontal view" in text and "pelvic drop (R)" in text
    assert "RED FLAG" in text and "Days since surgery" in text  # the visit's record comes along
    assert "hip flexion" not in text.lower().split("key measures")[1].split("[2-d proxy]:")[0]
    assert "Jane" not in text
    with pytest.raises(InputError, match="no recording 9999"):
        stored_recording_report(lib, 9999, pose_loader=None)
