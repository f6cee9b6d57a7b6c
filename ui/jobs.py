"""The app's long jobs, run in a separate process (Qt-free).

Loading the pose model and the native libraries behind it holds Python's global
interpreter lock for hundreds of milliseconds at a time; in a thread of the app
that would freeze the window.  So every analysis runs in a child process (spawned,
never forked from a Qt process), with its own library connection.  The child
reports gaitlab's progress calls and its outcome through a queue; cancelling sets
a shared flag the child turns into gaitlab's :class:`~gaitlab.progress.CancelToken`.
:func:`run_in_process` makes such a job look like a plain ``work(progress, cancel)``
call for :class:`ui.workers.Task`.
"""

from __future__ import annotations

import functools
import multiprocessing as mp
import queue
import threading
import time
from pathlib import Path

from gaitlab.errors import CancelledError, GaitlabError
from gaitlab.progress import CancelToken
from ui.settings import AppSettings

_POLL_S = 0.05
_EMIT_INTERVAL_S = 0.05


def analysis_kwargs(settings: AppSettings) -> dict:
    """Keyword arguments of the workflow's imports that carry the user's analysis settings.

    The model variant goes as ``model_variant``; a filter cutoff other than the
    default is handed over through the workflow's ``analyze`` hook as gaitlab's own
    ``analyze_video`` with :class:`~gaitlab.kinematics.KinematicsSettings`.
    """
    kwargs: dict = {"model_variant": settings.model_variant}
    from gaitlab.kinematics import KinematicsSettings

    if settings.lowpass_hz != KinematicsSettings().lowpass_hz:
        from gaitlab.analysis import analyze_video

        kwargs["analyze"] = functools.partial(
            analyze_video, settings=KinematicsSettings(lowpass_hz=settings.lowpass_hz)
        )
    return kwargs


def import_recording_job(
    progress,
    cancel,
    *,
    library_path: str,
    visit_id: int,
    video_path: str,
    view: str,
    person,
    settings: AppSettings,
    replaces: int | None = None,
):
    """Analyse a video and store it for a visit (replacing recording ``replaces`` when given).

    With ``replaces``, the analysis runs first (no library lock is held while the
    model runs) and the old recording is swapped for the new one in one short
    transaction, so an analysis that fails or is cancelled leaves the old one in place.
    """
    from gaitlab.storage import Library
    from gaitlab.workflow import import_recording

    kwargs = analysis_kwargs(settings)
    with Library(library_path) as lib:
        if replaces is None:
            return import_recording(
                lib, visit_id, video_path, view=view, person=person,
                copy_video=settings.copy_videos, progress=progress, cancel=cancel, **kwargs,
            )
        replay = _analyse_once(lib, visit_id, video_path, view, person, kwargs, progress, cancel)
        with lib.transaction():
            lib.delete_recording(replaces)
            return import_recording(
                lib, visit_id, video_path, view=view, person=person,
                copy_video=settings.copy_videos, model_variant=kwargs["model_variant"], analyze=replay,
            )


def _analyse_once(lib, visit_id, video_path, view, person, kwargs, progress, cancel):
    """Run gaitlab's analysis now; return an ``analyze`` hook that hands its outcome to the workflow."""
    from gaitlab.analysis import analyze_video
    from gaitlab.errors import TooLittleWalkingError

    analyze = kwargs.get("analyze", analyze_video)
    patient = lib.get_patient(lib.get_visit(visit_id).patient_id)
    outcome: dict = {}
    try:
        outcome["document"] = analyze(
            video_path, view=view, person=person, height_cm=patient.height_cm,
            model_variant=kwargs["model_variant"], progress=progress, cancel=cancel,
        )
    except TooLittleWalkingError as exc:  # stored as a partial analysis, like a first import
        outcome["error"] = exc

    def replay(*_args, **_kwargs) -> dict:
        if "error" in outcome:
            raise outcome["error"]
        return outcome["document"]

    return replay


def import_sample_job(progress, cancel, *, library_path: str, sample_dir: str, settings: AppSettings):
    """Import the sample patient (analysing its videos); returns the patient ID."""
    from gaitlab.storage import Library
    from gaitlab.workflow import import_sample_patient

    with Library(library_path) as lib:
        return import_sample_patient(
            lib, Path(sample_dir), progress=progress, cancel=cancel, **analysis_kwargs(settings)
        )


# --------------------------------------------------------------------------- the child process


class _QueueProgress:
    """gaitlab's Progress protocol, sent to the parent through a queue (throttled)."""

    def __init__(self, q) -> None:
        self._q = q
        self._last = 0.0
        self._total = 0

    def start(self, stage: str, total: int | None) -> None:
        self._total = int(total or 0)
        self._q.put(("start", stage, total))

    def update(self, done: int) -> None:
        now = time.monotonic()
        if now - self._last >= _EMIT_INTERVAL_S or (self._total and done >= self._total):
            self._last = now
            self._q.put(("update", int(done)))

    def finish(self) -> None:
        self._q.put(("finish",))


def _child(job, kwargs: dict, q, stop) -> None:
    token = CancelToken()

    def watch() -> None:
        # A shared flag polled here; a multiprocessing Event would deadlock the parent's
        # set() once this process has ended while still waiting on it.
        while not stop.value:
            time.sleep(_POLL_S)
        token.cancel()

    threading.Thread(target=watch, daemon=True).start()
    try:
        result = job(_QueueProgress(q), token, **kwargs)
    except CancelledError:
        q.put(("cancelled",))
    except GaitlabError as exc:
        q.put(("error", str(exc)))
    except Exception as exc:  # a bug: report its type; the parent shows one sentence
        import traceback

        q.put(("internal", type(exc).__name__, traceback.format_exc()))
    else:
        q.put(("result", result))


class InternalJobError(Exception):
    """A job's process failed for a reason that is not a gaitlab error (a bug)."""


def run_in_process(job, **kwargs):
    """``work(progress, cancel)`` that runs ``job(progress, cancel, **kwargs)`` in a child process.

    Progress calls arrive in the calling thread; ``cancel`` is forwarded to the
    child; the child's result is returned, its gaitlab error re-raised as
    :class:`GaitlabError` with the same sentence (:class:`CancelledError` when cancelled).
    """

    def work(progress, cancel):
        ctx = mp.get_context("spawn")
        q = ctx.Queue()
        stop = ctx.Value("b", 0, lock=False)
        proc = ctx.Process(target=_child, args=(job, kwargs, q, stop), name="gaitlab-job")
        proc.start()
        try:
            while True:
                if cancel.cancelled:
                    stop.value = 1
                try:
                    msg = q.get(timeout=_POLL_S)
                except queue.Empty:
                    if not proc.is_alive() and q.empty():
                        raise InternalJobError(f"the analysis process ended unexpectedly (exit {proc.exitcode})") from None
                    continue
                kind = msg[0]
                if kind == "start":
                    progress.start(msg[1], msg[2])
                elif kind == "update":
                    progress.update(msg[1])
                elif kind == "finish":
                    progress.finish()
                elif kind == "result":
                    return msg[1]
                elif kind == "cancelled":
                    raise CancelledError("The analysis was cancelled.")
                elif kind == "error":
                    raise GaitlabError(msg[1])
                else:
                    raise InternalJobError(f"{msg[1]} in the analysis process:\n{msg[2]}")
        finally:
            stop.value = 1
            proc.join(timeout=30)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=5)

    return work
