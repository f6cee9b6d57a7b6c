"""From the patient library (or a lone analysis document) to report content and export files.

:func:`choose_visits` picks what a report shows, :func:`library_report` and
:func:`recording_report` gather it (comparison, key frames), and
:func:`export_patient` / :func:`export_recording` write the data exports into a
folder all at once: every file is made in a temporary folder first and moved into
place only when all of them were written, so a failure leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gaitlab.compare import VisitData, choose_baseline, compare_visits
from gaitlab.errors import GaitlabError, InputError
from gaitlab.io.files import write_bytes_atomic, write_json_atomic
from gaitlab.progress import CancelToken, Progress
from gaitlab.report.annotate import KeyFrame, key_frames, write_annotated_video
from gaitlab.report.exports import (
    RecordingRef,
    deidentify_document,
    format_cycles_csv,
    format_events_csv,
    format_metrics_csv,
    format_timeseries_csv,
    metrics_row,
)
from gaitlab.report.options import ExportOptions
from gaitlab.report.pdf import ReportContent, ReportVisit
from gaitlab.report.trc import format_trc
from gaitlab.storage import Library, Patient, Recording, Visit
from gaitlab.storage.comparison_input import visit_data
from gaitlab.types import PoseSequence

log = logging.getLogger(__name__)

#: ``load_pose(document, video_path) -> PoseSequence``: the analysed person's landmarks.
PoseLoader = Callable[[dict, str], PoseSequence]

_KEY_FRAME_NOTE = (
    "key frames left out: the video or its landmarks could not be loaded "
    "(moved or deleted video, or no pose model)."
)


def default_pose_loader(doc: dict, video_path: str) -> PoseSequence:
    """The landmarks behind a document, from gaitlab's landmark cache (the model reruns if cleared)."""
    from gaitlab.analysis import pose_for_result

    return pose_for_result(doc, video_path=video_path)


@dataclass(frozen=True)
class _VisitRecords:
    visit: Visit
    recordings: tuple[Recording, ...]  # analysed ("ok") recordings with their documents


def _analysed(library: Library, visit: Visit) -> _VisitRecords:
    assert visit.visit_id is not None
    recs = library.list_recordings(visit.visit_id, with_result=True)
    return _VisitRecords(visit, tuple(r for r in recs if r.status == "ok" and r.result))


def visit_label(visit: Visit) -> str:
    """The report's name of a visit: "6 weeks (2026-04-13)", or the date alone."""
    return f"{visit.label} ({visit.date.isoformat()})" if visit.label else visit.date.isoformat()


def resolve_visit(visits: Sequence[Visit], token: str, patient_id: str) -> Visit:
    """The visit a user named by its ID, its date (YYYY-MM-DD) or its label.

    Raises
    ------
    InputError
        When no visit, or more than one, fits ``token``.
    """
    text = str(token).strip()
    if text.isdigit():
        found = [v for v in visits if v.visit_id == int(text)]
    else:
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            found = [v for v in visits if v.label.strip().lower() == text.lower()]
        else:
            found = [v for v in visits if v.date == day]
    if not found:
        raise InputError(f"Patient {patient_id} has no visit '{text}' (give a visit ID, date or label).")
    if len(found) > 1:
        raise InputError(
            f"Patient {patient_id} has {len(found)} visits matching '{text}'; give the visit ID instead."
        )
    return found[0]


def choose_visits(
    library: Library, patient_id: str, tokens: Sequence[str] | None = None
) -> tuple[Patient, list[_VisitRecords]]:
    """The patient and the one or two analysed visits a report shows (earlier first).

    Without ``tokens``: the latest analysed visit against the one before it, or the
    only analysed visit.  With one token: that visit alone; with two: those two.

    Raises
    ------
    InputError
        Unknown patient, no analysed visit, a named visit without analysed
        recordings, the same visit twice, or more than two visits.
    """
    patient = library.get_patient(patient_id)
    visits = library.list_visits(patient.patient_id)
    if tokens:
        if len(tokens) > 2:
            raise InputError("A report shows one visit or compares two; name at most two visits.")
        chosen = [resolve_visit(visits, t, patient.patient_id) for t in tokens]
        if len(chosen) == 2 and chosen[0].visit_id == chosen[1].visit_id:
            raise InputError(f"A visit cannot be compared with itself ({visit_label(chosen[0])}).")
        records = [_analysed(library, v) for v in chosen]
        for r in records:
            if not r.recordings:
                raise InputError(
                    f"The visit {visit_label(r.visit)} of patient {patient.patient_id} has no analysed recording."
                )
        records.sort(key=lambda r: (r.visit.date, r.visit.visit_id or 0))
        return patient, records
    analysed = [r for r in (_analysed(library, v) for v in visits) if r.recordings]
    if not analysed:
        raise InputError(
            f"Patient {patient.patient_id} has no analysed visit yet; import a walking video first."
        )
    analysed.sort(key=lambda r: (r.visit.date, r.visit.visit_id or 0))
    return patient, analysed[-2:]


def recording_video(rec: Recording) -> str:
    """Where a stored recording's video is now: its path, else where it was imported from."""
    if not Path(rec.video_path).is_file() and rec.original_path and Path(rec.original_path).is_file():
        return rec.original_path
    return rec.video_path


def _visit_data(r: _VisitRecords) -> VisitData:
    return visit_data(r.visit, r.recordings)


def _key_frames_of(
    docs_and_videos: Sequence[tuple[dict, str]], loader: PoseLoader | None, blur: bool
) -> tuple[tuple[KeyFrame, ...], tuple[str, ...]]:
    """Key frames of the sagittal recording (else the first one), and notes on what failed."""
    if loader is None or not docs_and_videos:
        return (), ()
    ordered = sorted(docs_and_videos, key=lambda dv: dv[0].get("view") != "sagittal")
    doc, video = ordered[0]
    try:
        pose = loader(doc, video)
        frames = key_frames(doc, pose, video, blur=blur)
    except GaitlabError as exc:
        log.info("Key frames left out: %s", exc)
        return (), (_KEY_FRAME_NOTE,)
    if not frames:
        return (), ("key frames left out: no heel strike, or no face to blur, was found.",)
    return tuple(frames), ()


def library_report(
    library: Library,
    patient_id: str,
    visits: Sequence[str] | None = None,
    *,
    show_name: bool = False,
    blur: bool = True,
    pose_loader: PoseLoader | None = default_pose_loader,
) -> ReportContent:
    """Gather a patient's report: one visit, or a comparison of two visits.

    Parameters
    ----------
    library : Library
    patient_id : str
        The pseudonymous ID.
    visits : sequence of str, optional
        Visits named by ID, date or label (see :func:`choose_visits`).
    show_name : bool
        Print the patient's name (off by default).
    blur : bool
        Blur faces in the key frames (default).
    pose_loader : callable or None
        Loads the landmarks behind a document for the key frames; None leaves the
        key frames out.
    """
    patient, records = choose_visits(library, patient_id, visits)
    report_visits = []
    for r in records:
        pairs = [(rec.result, recording_video(rec)) for rec in r.recordings if rec.result is not None]
        frames, notes = _key_frames_of(pairs, pose_loader, blur)
        report_visits.append(
            ReportVisit(
                visit=r.visit,
                label=visit_label(r.visit),
                documents=tuple(d for d, _ in pairs),
                key_frames=frames,
                notes=notes,
                measurements=tuple(m.measurement for m in library.list_measurements(int(r.visit.visit_id or 0))),
            )
        )
    comparison = None
    if len(records) == 2:
        every = [r for r in (_analysed(library, v) for v in library.list_visits(patient.patient_id)) if r.recordings]
        data = {id(r): _visit_data(r) for r in records}
        all_data = [_visit_data(r) for r in every]
        base = choose_baseline(all_data)
        comparison = compare_visits(data[id(records[0])], data[id(records[1])], baseline=base)
    return ReportContent(
        patient=patient, visits=tuple(report_visits), comparison=comparison, show_name=show_name
    )


def stored_recording_report(
    library: Library,
    recording_id: int,
    *,
    show_name: bool = False,
    blur: bool = True,
    pose_loader: PoseLoader | None = default_pose_loader,
) -> ReportContent:
    """Gather the report of one recording of the library, with its patient and visit.

    The report shows that recording alone (its view's measures), under the
    patient's header and the visit's pain and treatment record.

    Raises
    ------
    InputError
        When there is no recording ``recording_id`` or it has no complete analysis
        (too little walking).
    """
    rec = library.get_recording(int(recording_id), with_result=True)
    visit = library.get_visit(rec.visit_id)
    patient = library.get_patient(visit.patient_id)
    if rec.status != "ok" or not rec.result:
        raise InputError(
            f"The recording {Path(rec.video_path).name} has no complete analysis to report "
            f"({rec.warning or 'too little walking'})."
        )
    frames, notes = _key_frames_of([(rec.result, recording_video(rec))], pose_loader, blur)
    rv = ReportVisit(
        visit=visit, label=f"{visit_label(visit)}, {rec.view} view", documents=(rec.result,),
        key_frames=frames, notes=notes,
        measurements=tuple(m.measurement for m in library.list_recording_measurements(rec.recording_id)),
    )
    return ReportContent(patient=patient, visits=(rv,), show_name=show_name)


def recording_report(
    doc: dict,
    video_path: str | os.PathLike | None = None,
    *,
    blur: bool = True,
    pose_loader: PoseLoader | None = default_pose_loader,
) -> ReportContent:
    """Gather the report of one analysis document (a recording outside the library).

    Key frames are drawn only when ``video_path`` is given (or the document's video
    is still where it was analysed) and ``pose_loader`` is set.
    """
    from gaitlab.compare.visits import check_document

    check_document(doc, where="the analysis file")
    video = str(video_path) if video_path is not None else str((doc.get("video") or {}).get("path", ""))
    pairs = [(doc, video)] if video and Path(video).is_file() else []
    frames, notes = _key_frames_of(pairs, pose_loader, blur)
    if not pairs and pose_loader is not None:
        notes = ("key frames left out: the video was not found (give --video).",)
    rv = ReportVisit(visit=None, label="recording", documents=(doc,), key_frames=frames, notes=notes)
    return ReportContent(patient=None, visits=(rv,))


# --------------------------------------------------------------------------- exports


@dataclass(frozen=True)
class _ExportItem:
    stem: str
    doc: dict
    ref: RecordingRef
    video_path: str


def _check_out_dir(out_dir: str | os.PathLike) -> Path:
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"The export folder {folder} is a file; give a folder.")
    parent = folder if folder.exists() else folder.parent
    if not parent.is_dir():
        raise InputError(f"The folder {parent} does not exist.")
    if not os.access(parent, os.W_OK):
        raise InputError(f"The folder {parent} is not writable.")
    return folder


def _write_items(
    items: Sequence[_ExportItem],
    out_dir: str | os.PathLike,
    options: ExportOptions,
    pose_loader: PoseLoader | None,
    progress: Progress | None,
    cancel: CancelToken | None,
) -> list[Path]:
    folder = _check_out_dir(out_dir)
    names = ["metrics.csv"]
    for it in items:
        names += [f"{it.stem}_{s}" for s in ("analysis.json", "timeseries.csv", "cycles.csv", "events.csv")]
        if options.trc:
            names.append(f"{it.stem}_pose.trc")
        if options.video:
            names.append(f"{it.stem}_annotated.mp4")
    created = not folder.exists()
    if created:
        folder.mkdir()
    tmp = Path(tempfile.mkdtemp(prefix=".gaitlab-export-", dir=folder))
    try:
        write_bytes_atomic(tmp / "metrics.csv", format_metrics_csv(metrics_row(i.doc, i.ref) for i in items).encode())
        for it in items:
            write_json_atomic(tmp / f"{it.stem}_analysis.json",
                              deidentify_document(it.doc, keep_video_path=options.keep_video_paths))
            write_bytes_atomic(tmp / f"{it.stem}_timeseries.csv", format_timeseries_csv(it.doc).encode())
            write_bytes_atomic(tmp / f"{it.stem}_cycles.csv", format_cycles_csv(it.doc).encode())
            write_bytes_atomic(tmp / f"{it.stem}_events.csv", format_events_csv(it.doc).encode())
            if options.trc or options.video:
                if pose_loader is None:
                    raise InputError("The landmarks are needed for the marker file and the annotated video.")
                pose = pose_loader(it.doc, it.video_path)
                if options.trc:
                    write_bytes_atomic(tmp / f"{it.stem}_pose.trc",
                                       format_trc(pose, file_name=f"{it.stem}_pose.trc").encode())
                if options.video:
                    write_annotated_video(it.doc, pose, it.video_path, tmp / f"{it.stem}_annotated.mp4",
                                          blur=options.blur, progress=progress, cancel=cancel)
        out = []
        for name in names:
            os.replace(tmp / name, folder / name)
            out.append(folder / name)
        return out
    except BaseException:
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def export_patient(
    library: Library,
    patient_id: str,
    out_dir: str | os.PathLike,
    *,
    visits: Sequence[str] | None = None,
    options: ExportOptions = ExportOptions(),
    pose_loader: PoseLoader | None = default_pose_loader,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> list[Path]:
    """Export a patient's analysed recordings (all visits, or the named ones) into a folder.

    Files: ``metrics.csv`` (one row per recording) and, per recording,
    ``<stem>_analysis.json``, ``_timeseries.csv``, ``_cycles.csv``, ``_events.csv``
    and on request ``_pose.trc`` and ``_annotated.mp4``.  The stem is
    ``<patient>_<visit date>_<view>_r<recording id>`` (never the video's file name).
    See ``docs/exports.md``.

    Raises
    ------
    InputError
        Unknown patient or visit, no analysed recording, an unwritable folder.
    """
    patient = library.get_patient(patient_id)
    all_visits = library.list_visits(patient.patient_id)
    chosen = [resolve_visit(all_visits, t, patient.patient_id) for t in visits] if visits else all_visits
    items = []
    for visit in sorted(chosen, key=lambda v: (v.date, v.visit_id or 0)):
        for rec in _analysed(library, visit).recordings:
            assert rec.result is not None
            items.append(
                _ExportItem(
                    stem=f"{patient.patient_id}_{visit.date.isoformat()}_{rec.view}_r{rec.recording_id}",
                    doc=rec.result,
                    ref=RecordingRef(
                        patient_id=patient.patient_id,
                        visit_id=visit.visit_id,
                        visit_date=visit.date.isoformat(),
                        visit_label=visit.label,
                        days_since_surgery=visit.days_since_surgery,
                        recording_id=rec.recording_id,
                        status=rec.status,
                    ),
                    video_path=recording_video(rec),
                )
            )
    if not items:
        raise InputError(f"Patient {patient.patient_id} has no analysed recording to export.")
    return _write_items(items, out_dir, options, pose_loader, progress, cancel)


def export_recording(
    doc: dict[str, Any],
    out_dir: str | os.PathLike,
    *,
    video_path: str | os.PathLike | None = None,
    options: ExportOptions = ExportOptions(),
    pose_loader: PoseLoader | None = default_pose_loader,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> list[Path]:
    """Export one analysis document (a recording outside the library) into a folder.

    The stem is ``recording_<view>_<first 8 hex digits of the video's SHA-256>``.
    """
    from gaitlab.compare.visits import check_document

    check_document(doc, where="the analysis file")
    sha = str((doc.get("video") or {}).get("sha256") or "")[:8] or "nohash"
    video = str(video_path) if video_path is not None else str((doc.get("video") or {}).get("path", ""))
    item = _ExportItem(stem=f"recording_{doc['view']}_{sha}", doc=doc, ref=RecordingRef(), video_path=video)
    return _write_items([item], out_dir, options, pose_loader, progress, cancel)
