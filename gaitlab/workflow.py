"""Importing walking videos into the patient library.

An import has three phases, so that a slow analysis never holds the library
locked and a failure never leaves half a visit behind:

1. **Check**: the patient and visit fields are valid, every video exists, and no
   video is already attached elsewhere (the SHA-256 of its bytes identifies it;
   the same video imported again for the same visit is recognised, not duplicated).
2. **Analyse** each video with :func:`gaitlab.analysis.analyze_video` (outside any
   transaction; it can be cancelled).  A video with too little walking is kept
   with its partial document and the reason.
3. **Store** everything in one library transaction.  When asked, videos are first
   copied into the library's ``videos/`` folder under a temporary name, checked
   against their SHA-256, and renamed to ``<sha256><suffix>`` inside the
   transaction; if the transaction fails the copies are removed.  A crash between
   the rename and the commit can leave a copy that no recording uses; the next
   import of that video reuses its name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gaitlab.errors import InputError, StorageError, TooLittleWalkingError, VideoError
from gaitlab.progress import CancelToken, NullProgress, Progress
from gaitlab.storage import (
    Library,
    Patient,
    Recording,
    Surgery,
    Visit,
    check_patient,
    check_visit,
    parse_date,
)

#: ``analyze(video_path, *, view, person, height_cm, model_variant, progress, cancel) -> document``
Analyzer = Callable[..., dict]

SAMPLE_FORMAT = "gaitlab.sample_patient/1"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class VideoPass:
    """One walking video to import: its path, camera view and which person walks."""

    path: str | os.PathLike
    view: str = "auto"
    person: str | int = "auto"


@dataclass
class _Analysed:
    source: Path
    sha256: str
    document: dict
    status: str
    warning: str
    analysed_at: dt.datetime
    copy: _VideoCopy | None = None


@dataclass
class _PlannedVisit:
    visit: Visit
    items: list[_Analysed] = field(default_factory=list)
    existing: list[Recording] = field(default_factory=list)


def _default_analyzer() -> Analyzer:
    from gaitlab.analysis import analyze_video  # heavy imports only when analysing

    return analyze_video


def _check_cancel(cancel: CancelToken | None) -> None:
    if cancel is not None:
        cancel.raise_if_cancelled()


def hash_video(path: str | os.PathLike, cancel: CancelToken | None = None) -> tuple[Path, str]:
    """The video's absolute path and the SHA-256 of its bytes (hex).

    Raises
    ------
    VideoError
        The file does not exist, is a folder or cannot be read.
    """
    p = Path(path).expanduser()
    if not p.exists():
        raise VideoError(f"The video {p} does not exist.")
    if not p.is_file():
        raise VideoError(f"The video path {p} is not a file.")
    from gaitlab.io.video import file_sha256  # the video package imports PyAV: only when needed

    try:
        sha256 = file_sha256(p, on_chunk=lambda: _check_cancel(cancel))
    except OSError as exc:
        raise VideoError(f"The video {p} cannot be read ({exc.strerror}).") from None
    return p.absolute(), sha256


class _VideoCopy:
    """A video copied into the library: staged under a temporary name, then placed."""

    def __init__(self, library: Library, source: Path, sha256: str) -> None:
        self.source = source
        self.sha256 = sha256
        self.final = library.videos_folder / f"{sha256}{source.suffix.lower()}"
        self.temp: Path | None = None
        self.placed = False

    def stage(self, cancel: CancelToken | None) -> None:
        folder = self.final.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # A copy of this video left half-done by a crashed import is of no use.
            for leftover in folder.glob(f".{self.sha256[:16]}.*.partial"):
                leftover.unlink(missing_ok=True)
            fd, tmp = tempfile.mkstemp(
                prefix=f".{self.sha256[:16]}.", suffix=".partial", dir=folder
            )
        except OSError as exc:
            raise StorageError(
                f"The library's video folder {folder} cannot be written ({exc.strerror})."
            ) from None
        self.temp = Path(tmp)
        digest = hashlib.sha256()
        try:
            with os.fdopen(fd, "wb") as out, open(self.source, "rb") as src:
                while chunk := src.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    _check_cancel(cancel)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            self.discard()
            raise StorageError(
                f"The video {self.source.name} could not be copied into the library ({exc.strerror})."
            ) from None
        except BaseException:
            self.discard()
            raise
        if digest.hexdigest() != self.sha256:
            self.discard()
            raise StorageError(
                f"The video {self.source.name} changed while it was copied into the library; nothing was imported."
            )

    def place(self) -> None:
        if self.temp is None:
            raise StorageError("A video copy was placed before it was staged.")
        try:
            os.replace(self.temp, self.final)
        except OSError as exc:
            raise StorageError(
                f"The copy of {self.source.name} could not be stored in the library ({exc.strerror})."
            ) from None
        self.temp = None
        self.placed = True

    def discard(self) -> None:
        for path in (self.temp, self.final if self.placed else None):
            if path is not None:
                path.unlink(missing_ok=True)
        self.temp = None
        self.placed = False


def _check_not_elsewhere(
    library: Library, path: Path, sha256: str, patient_id: str, visit_id: int | None
) -> Recording | None:
    """The recording of this video in ``visit_id``, None if new; InputError if elsewhere."""
    existing = library.find_recording_by_sha256(sha256)
    if existing is None:
        return None
    if visit_id is not None and existing.visit_id == visit_id:
        return existing
    owner, visit = library.describe_recording_owner(existing)
    when = f"visit on {visit.date}" + (f" ({visit.label})" if visit.label else "")
    if owner.lower() != patient_id.lower():
        raise InputError(
            f"The video {path.name} is already attached to another patient ({owner}, {when})."
        )
    raise InputError(f"The video {path.name} is already attached to the {when} of {owner}.")


def _analyse(
    path: Path,
    sha256: str,
    video: VideoPass,
    *,
    height_cm: float | None,
    model_variant: str,
    progress: Progress | None,
    cancel: CancelToken | None,
    analyze: Analyzer,
) -> _Analysed:
    _check_cancel(cancel)
    try:
        document = analyze(
            path,
            view=video.view,
            person=video.person,
            height_cm=height_cm,
            model_variant=model_variant,
            progress=progress,
            cancel=cancel,
        )
        status, warning = "ok", ""
    except TooLittleWalkingError as exc:
        partial = getattr(exc, "document", None)
        if partial is None:
            raise
        document, status, warning = partial, "too_little_walking", str(exc)
    return _Analysed(
        path,
        sha256,
        document,
        status,
        warning,
        dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
    )


def _store(
    library: Library,
    patient_to_add: Patient | None,
    plans: Sequence[_PlannedVisit],
    *,
    copy_video: bool,
    progress: Progress | None,
    cancel: CancelToken | None,
) -> list[tuple[Visit, list[Recording]]]:
    """Stage copies, then write the patient, visits and recordings in one transaction."""
    progress = progress or NullProgress()
    items = [item for plan in plans for item in plan.items]
    try:
        if copy_video:
            for item in items:
                item.copy = _VideoCopy(library, item.source, item.sha256)
                item.copy.stage(cancel)
        _check_cancel(cancel)
        stored: list[tuple[Visit, list[Recording]]] = []
        progress.start("import", len(items))
        with library.transaction():
            if patient_to_add is not None and not library.has_patient(patient_to_add.patient_id):
                library.add_patient(patient_to_add)
            done = 0
            for plan in plans:
                visit = (
                    plan.visit if plan.visit.visit_id is not None else library.add_visit(plan.visit)
                )
                recordings = list(plan.existing)
                for item in plan.items:
                    recordings.append(
                        library.add_recording(
                            int(visit.visit_id or 0),
                            item.copy.final if item.copy else item.source,
                            item.sha256,
                            item.document["view"],
                            item.document,
                            status=item.status,
                            warning=item.warning,
                            original_path=item.source,
                            video_copied=item.copy is not None,
                            analysed_at=item.analysed_at,
                        )
                    )
                    if item.copy is not None:
                        item.copy.place()
                    done += 1
                    progress.update(done)
                stored.append((visit, recordings))
        progress.finish()
        return stored
    except BaseException:
        progress.finish()
        for item in items:
            if item.copy is not None:
                item.copy.discard()
        raise


def import_visit(
    library: Library,
    visit: Visit,
    videos: Sequence[VideoPass | str | os.PathLike] = (),
    *,
    copy_video: bool = False,
    model_variant: str = "full",
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    analyze: Analyzer | None = None,
) -> tuple[Visit, tuple[Recording, ...]]:
    """Create a visit with its walking videos, all or nothing.

    Parameters
    ----------
    library : Library
    visit : Visit
        The new visit (its patient must exist; ``visit_id`` is ignored).
    videos : sequence of VideoPass or path
        The walking videos of the visit, usually one sagittal and one frontal pass.
    copy_video : bool
        Copy the videos into the library's ``videos/`` folder (default: they stay
        where they are).
    model_variant : {"lite", "full", "heavy"}
    progress, cancel
        Progress sink and cancel token for the analyses and the import.
    analyze : callable, optional
        The analyser (default :func:`gaitlab.analysis.analyze_video`).

    Returns
    -------
    (Visit, tuple of Recording)
        The stored visit and its recordings, in the order of ``videos``.

    Raises
    ------
    InputError
        Unknown patient, bad visit field, a visit with the same date and label
        exists, a video is given twice or is already attached to a visit.
    VideoError, NoPersonError, ModelError
        From the analysis; nothing is written.
    CancelledError
        Cancelled; nothing is written.
    """
    checked = library.check_visit(visit)
    if library.find_visit(checked.patient_id, checked.date, checked.label) is not None:
        label = f" labelled '{checked.label}'" if checked.label else " without a label"
        raise InputError(f"{checked.patient_id} already has a visit on {checked.date}{label}.")
    passes = [v if isinstance(v, VideoPass) else VideoPass(v) for v in videos]
    hashed: list[tuple[Path, str, VideoPass]] = []
    seen: dict[str, Path] = {}
    for video in passes:
        path, sha = hash_video(video.path, cancel)
        if sha in seen:
            raise InputError(
                f"The video {path.name} is given twice (same content as {seen[sha].name})."
            )
        seen[sha] = path
        _check_not_elsewhere(library, path, sha, checked.patient_id, None)
        hashed.append((path, sha, video))
    analyzer = analyze or _default_analyzer()
    height = library.get_patient(checked.patient_id).height_cm
    plan = _PlannedVisit(replace(checked, visit_id=None))
    for path, sha, video in hashed:
        plan.items.append(
            _analyse(
                path,
                sha,
                video,
                height_cm=height,
                model_variant=model_variant,
                progress=progress,
                cancel=cancel,
                analyze=analyzer,
            )
        )
    [(stored, recordings)] = _store(
        library, None, [plan], copy_video=copy_video, progress=progress, cancel=cancel
    )
    return stored, tuple(recordings)


def import_recording(
    library: Library,
    visit_id: int,
    video_path: str | os.PathLike,
    *,
    view: str = "auto",
    person: str | int = "auto",
    copy_video: bool = False,
    model_variant: str = "full",
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    analyze: Analyzer | None = None,
) -> Recording:
    """Analyse one walking video and attach it to an existing visit.

    The same video imported again for the same visit returns the stored recording
    (no second analysis, no duplicate).  Parameters as :func:`import_visit`;
    ``view`` and ``person`` as :func:`gaitlab.analysis.analyze_video`.

    Raises
    ------
    InputError
        Unknown visit, or the video is attached to another visit or patient.
    VideoError, NoPersonError, ModelError, CancelledError
        Nothing is written.
    """
    visit = library.get_visit(visit_id)
    path, sha = hash_video(video_path, cancel)
    existing = _check_not_elsewhere(library, path, sha, visit.patient_id, visit.visit_id)
    if existing is not None:
        return existing
    analyzer = analyze or _default_analyzer()
    height = library.get_patient(visit.patient_id).height_cm
    item = _analyse(
        path,
        sha,
        VideoPass(path, view, person),
        height_cm=height,
        model_variant=model_variant,
        progress=progress,
        cancel=cancel,
        analyze=analyzer,
    )
    [(_, recordings)] = _store(
        library,
        None,
        [_PlannedVisit(visit, [item])],
        copy_video=copy_video,
        progress=progress,
        cancel=cancel,
    )
    return recordings[-1]


# --------------------------------------------------------------------------- sample patient


def _read_sample(sample_dir: Path) -> dict[str, Any]:
    path = sample_dir / "patient.json"
    if not path.is_file():
        raise InputError(f"{sample_dir} holds no patient.json; it is not a gaitlab sample folder.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"The sample description {path} cannot be read ({exc}).") from None
    if not isinstance(data, dict) or data.get("format") != SAMPLE_FORMAT:
        raise InputError(f"The sample description {path} is not in the format {SAMPLE_FORMAT}.")
    if not isinstance(data.get("patient"), dict) or not isinstance(data.get("visits"), list):
        raise InputError(
            f"The sample description {path} needs a 'patient' object and a 'visits' list."
        )
    return data


def _sample_patient(spec: dict[str, Any]) -> Patient:
    surgery = spec.get("surgery") or {}
    return Patient(
        patient_id=spec.get("pseudonym", ""),
        name=spec.get("name") or "",
        birth_year=spec.get("birth_year"),
        sex=spec.get("sex"),
        height_cm=spec.get("height_cm"),
        surgery=Surgery(
            date=parse_date(surgery["date"], "surgery date") if surgery.get("date") else None,
            levels=surgery.get("levels") or "",
            fused_to_sacrum=surgery.get("fused_to_sacrum"),
            approach=surgery.get("approach") or "",
        ),
        notes=spec.get("notes") or "",
    )


def _sample_visit(patient_id: str, spec: dict[str, Any]) -> Visit:
    if not isinstance(spec, dict) or "date" not in spec:
        raise InputError("Every visit of the sample description needs a date.")
    scores = spec.get("scores") or {}
    return Visit(
        patient_id=patient_id,
        date=parse_date(spec["date"], "visit date"),
        label=spec.get("label") or "",
        hip_pain_left_nrs=scores.get("hip_pain_left"),
        hip_pain_right_nrs=scores.get("hip_pain_right"),
        back_pain_nrs=scores.get("back_pain"),
        odi_pct=scores.get("odi"),
        treatments=tuple(spec.get("treatments") or ()),
        walking_aid=spec.get("walking_aid"),
        footwear=spec.get("footwear") or "",
        pain_at_test_nrs=spec.get("pain_at_test"),
        red_flags=tuple(spec.get("red_flags") or ()),
        notes=spec.get("notes") or "",
    )


def import_sample_patient(
    library: Library,
    sample_dir: str | os.PathLike,
    *,
    model_variant: str = "full",
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    analyze: Analyzer | None = None,
) -> str:
    """Import the sample patient described by ``sample_dir/patient.json``.

    Creates the patient, the visits and their recordings (format
    ``gaitlab.sample_patient/1``; clip paths relative to ``sample_dir``).
    Idempotent: what is already in the library (the patient, a visit with the
    same date and label, a video) is kept and not analysed again.  Everything
    missing is written in one transaction.

    Returns
    -------
    str
        The patient's ID.
    """
    folder = Path(sample_dir).expanduser()
    data = _read_sample(folder)
    patient = _sample_patient(data["patient"])
    patient = check_patient(patient)
    new_patient = not library.has_patient(patient.patient_id)
    if not new_patient:
        patient = library.get_patient(patient.patient_id)
    plans: list[tuple[_PlannedVisit, list[tuple[Path, str, VideoPass]]]] = []
    seen: set[str] = set()
    for spec in data["visits"]:
        visit = _sample_visit(patient.patient_id, spec)
        visit = check_visit(visit, patient)
        existing_visit = (
            None if new_patient else library.find_visit(patient.patient_id, visit.date, visit.label)
        )
        plan = _PlannedVisit(existing_visit or visit)
        todo = []
        for clip in spec.get("recordings") or ():
            if not isinstance(clip, dict) or not clip.get("file"):
                raise InputError("Every recording of the sample description needs a 'file'.")
            path, sha = hash_video(folder / clip["file"], cancel)
            if sha in seen:
                raise InputError(f"The sample video {path.name} is listed twice.")
            seen.add(sha)
            found = _check_not_elsewhere(
                library,
                path,
                sha,
                patient.patient_id,
                existing_visit.visit_id if existing_visit else None,
            )
            if found is not None:
                plan.existing.append(found)
            else:
                todo.append((path, sha, VideoPass(path, clip.get("view") or "auto")))
        plans.append((plan, todo))
    analyzer = analyze or _default_analyzer()
    for plan, todo in plans:
        for path, sha, video in todo:
            plan.items.append(
                _analyse(
                    path,
                    sha,
                    video,
                    height_cm=patient.height_cm,
                    model_variant=model_variant,
                    progress=progress,
                    cancel=cancel,
                    analyze=analyzer,
                )
            )
    work = [plan for plan, _ in plans if plan.items or plan.visit.visit_id is None]
    if work or new_patient:
        _store(
            library,
            patient if new_patient else None,
            work,
            copy_video=False,
            progress=progress,
            cancel=cancel,
        )
    return patient.patient_id
