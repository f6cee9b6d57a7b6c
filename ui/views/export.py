"""What the app's export buttons do: the PDF reports, the data export, the annotated video.

This module is Qt-free on purpose: its jobs run in a child process (see
:mod:`ui.jobs`), which must never load Qt.  Each job opens its own connection to
the library, calls gaitlab's report functions and returns what it wrote.  The
core writes every file atomically, so a job that fails or is cancelled leaves
nothing half-written.  The dialog that builds the requests and the buttons that
start the jobs are in :mod:`ui.widgets.export_dialog`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gaitlab.errors import InputError
from gaitlab.io.files import check_writable_output
from gaitlab.report.options import ExportOptions

#: Paper sizes the report offers: (code for gaitlab, what the user reads).
PAPERS: tuple[tuple[str, str], ...] = (("a4", "A4"), ("letter", "US Letter"))


@dataclass(frozen=True)
class ReportRequest:
    """A PDF report of a patient's visits (one, or two compared) or of one recording.

    Attributes
    ----------
    out_path : str
        The PDF file to write.
    patient_id : str
        The patient's pseudonymous ID.
    visit_ids : tuple of int
        One visit (reported alone) or two (compared, earlier first); empty for a
        recording report.
    recording_id : int or None
        Set for the report of one recording.
    paper : {"a4", "letter"}
    show_name : bool
        Print the patient's name (off by default: the pseudonym only).
    blur : bool
        Blur faces in the key frames (on by default).
    key_frames : bool
        Draw the heel-strike key frames (needs the videos and their landmarks).
    """

    out_path: str
    patient_id: str
    visit_ids: tuple[int, ...] = ()
    recording_id: int | None = None
    paper: str = "a4"
    show_name: bool = False
    blur: bool = True
    key_frames: bool = True


@dataclass(frozen=True)
class DataExportRequest:
    """The data export of a patient's analysed recordings into a folder.

    Attributes
    ----------
    out_dir : str
        The folder (created when missing).
    patient_id : str
    visit_ids : tuple of int
        Only these visits; empty for all of them.
    options : ExportOptions
        What is written besides the CSV and JSON files (marker files, annotated
        videos, face blur, video paths); the same options as ``gaitlab export``.
    """

    out_dir: str
    patient_id: str
    visit_ids: tuple[int, ...] = ()
    options: ExportOptions = ExportOptions()


@dataclass(frozen=True)
class VideoRequest:
    """The annotated video of one recording (skeleton, angles, events; faces blurred by default)."""

    out_path: str
    recording_id: int
    blur: bool = True


def check_report_path(path: str) -> Path:
    """The report's target, checked before any work: a writable ``.pdf`` file.

    Raises
    ------
    InputError
        No file named, not a ``.pdf``, or a folder that is missing or not writable.
    """
    if not str(path).strip():
        raise InputError("Choose where to save the report.")
    out = check_writable_output(Path(path).expanduser())
    if out.suffix.lower() != ".pdf":
        raise InputError(f"The report must be a .pdf file; got {out.name}.")
    return out


def check_video_path(path: str) -> Path:
    """The annotated video's target, checked before any work: a writable ``.mp4`` file."""
    if not str(path).strip():
        raise InputError("Choose where to save the annotated video.")
    out = check_writable_output(Path(path).expanduser())
    if out.suffix.lower() not in (".mp4", ".m4v"):
        raise InputError(f"The annotated video must be an .mp4 file; got {out.name}.")
    return out


def check_export_folder(path: str) -> Path:
    """The export folder, checked before any work: an existing or creatable, writable folder."""
    if not str(path).strip():
        raise InputError("Choose the folder to export into.")
    folder = Path(path).expanduser()
    if folder.exists() and not folder.is_dir():
        raise InputError(f"The export folder {folder} is a file; choose a folder.")
    parent = folder if folder.exists() else folder.parent
    if not parent.is_dir():
        raise InputError(f"The folder {parent} does not exist.")
    return folder


def report_file_name(patient_id: str, dates: Sequence[str], suffix: str = "report.pdf") -> str:
    """A de-identified default file name: ``P-0042_2026-02-16_2026-04-13_report.pdf``."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in patient_id)
    return "_".join([safe, *dates, suffix])


def _loader(progress, cancel):
    """The landmarks behind a document (from the cache; the model reruns when it was cleared)."""

    def load(doc: dict, video_path: str):
        from gaitlab.analysis import pose_for_result

        return pose_for_result(doc, video_path=video_path, progress=progress, cancel=cancel)

    return load


def report_job(progress, cancel, *, library_path: str, request: ReportRequest) -> str:
    """Write a PDF report; returns its path.  Runs in a child process."""
    from gaitlab.io.files import write_bytes_atomic
    from gaitlab.report.build import library_report, stored_recording_report
    from gaitlab.report.pdf import render_report_pdf
    from gaitlab.storage import Library

    out = check_report_path(request.out_path)
    loader = _loader(progress, cancel) if request.key_frames else None
    with Library(library_path) as lib:
        if request.recording_id is not None:
            content = stored_recording_report(
                lib, request.recording_id, show_name=request.show_name, blur=request.blur, pose_loader=loader
            )
        else:
            if not 1 <= len(request.visit_ids) <= 2:
                raise InputError("A report shows one visit or compares two; choose one or two visits.")
            content = library_report(
                lib, request.patient_id, [str(v) for v in request.visit_ids],
                show_name=request.show_name, blur=request.blur, pose_loader=loader,
            )
    cancel.raise_if_cancelled()
    progress.start("Laying out the report", None)
    pdf = render_report_pdf(content, paper=request.paper)
    cancel.raise_if_cancelled()
    write_bytes_atomic(out, pdf)
    progress.finish()
    return str(out)


def data_export_job(progress, cancel, *, library_path: str, request: DataExportRequest) -> list[str]:
    """Export a patient's data into a folder; returns the files written.  Runs in a child process."""
    from gaitlab.report.build import export_patient
    from gaitlab.storage import Library

    folder = check_export_folder(request.out_dir)
    with Library(library_path) as lib:
        files = export_patient(
            lib, request.patient_id, folder, visits=[str(v) for v in request.visit_ids] or None,
            options=request.options, pose_loader=_loader(progress, cancel), progress=progress, cancel=cancel,
        )
    return [str(f) for f in files]


def video_job(progress, cancel, *, library_path: str, request: VideoRequest) -> str:
    """Write the annotated video of one recording; returns its path.  Runs in a child process."""
    from gaitlab.analysis import pose_for_result
    from gaitlab.report.annotate import write_annotated_video
    from gaitlab.report.build import recording_video
    from gaitlab.storage import Library

    out = check_video_path(request.out_path)
    with Library(library_path) as lib:
        rec = lib.get_recording(request.recording_id, with_result=True)
    if not rec.result:
        raise InputError("This recording has no stored analysis.")
    video = recording_video(rec)
    pose = pose_for_result(rec.result, video_path=video, progress=progress, cancel=cancel)
    written = write_annotated_video(
        rec.result, pose, video, out, blur=request.blur, progress=progress, cancel=cancel
    )
    return str(written)
