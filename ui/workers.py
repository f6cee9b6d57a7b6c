"""Long work off the GUI thread: analyses and imports that report progress and can be cancelled.

A :class:`Task` runs one call of the core (``import_recording``, ``import_sample_patient``,
``pose_for_result`` …) in its own ``QThread``.  The core reports through gaitlab's
:class:`~gaitlab.progress.Progress` protocol; :class:`SignalProgress` turns those calls
into Qt signals (throttled, with an estimate of the time left), which Qt delivers to
the widgets in the GUI thread.  Cancelling sets the core's
:class:`~gaitlab.progress.CancelToken`, which the core checks between frames, so the
work really stops.  Errors of the core arrive as one sentence, never a traceback.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QThread, Signal

from gaitlab.errors import CancelledError, GaitlabError
from gaitlab.progress import CancelToken

log = logging.getLogger(__name__)

#: Least time between two progress signals, in seconds (the bar needs no more).
_EMIT_INTERVAL_S = 0.05


@dataclass(frozen=True)
class ProgressState:
    """Progress of the current stage of a task, as the bar shows it.

    Attributes
    ----------
    stage : str
        What is being done ("pose estimation", "decoding" …).
    done, total : int
        Units finished and expected (``total`` is 0 when unknown).
    time_left_s : float or None
        Estimated seconds until the stage ends, from its rate so far; None before
        the rate is known.
    """

    stage: str
    done: int
    total: int
    time_left_s: float | None


def estimate_time_left_s(done: int, total: int, elapsed_s: float) -> float | None:
    """Seconds left at the average rate so far; None until a unit is done or the total is unknown."""
    if total <= 0 or done <= 0 or elapsed_s <= 0:
        return None
    rate = done / elapsed_s
    return max(0.0, (total - done) / rate)


def format_time_left(seconds: float | None) -> str:
    """'about 12 s left' / 'about 2 min left'; '' when unknown."""
    if seconds is None:
        return ""
    if seconds < 60:
        return f"about {max(1, round(seconds))} s left"
    return f"about {round(seconds / 60)} min left"


class SignalProgress(QObject):
    """gaitlab's Progress protocol, emitted as Qt signals (callable from any thread)."""

    changed = Signal(object)  # ProgressState

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._stage = ""
        self._total = 0
        self._done = 0
        self._t0 = time.monotonic()
        self._last_emit = 0.0

    def start(self, stage: str, total: int | None) -> None:
        self._stage = stage
        self._total = int(total or 0)
        self._done = 0
        self._t0 = time.monotonic()
        self._emit(force=True)

    def update(self, done: int) -> None:
        self._done = int(done)
        self._emit(force=self._total > 0 and self._done >= self._total)

    def finish(self) -> None:
        if self._total:
            self._done = self._total
        self._emit(force=True)

    def _emit(self, *, force: bool) -> None:
        now = time.monotonic()
        if not force and now - self._last_emit < _EMIT_INTERVAL_S:
            return
        self._last_emit = now
        left = estimate_time_left_s(self._done, self._total, now - self._t0)
        self.changed.emit(ProgressState(self._stage, self._done, self._total, left))


class _Runner(QThread):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task = task

    def run(self) -> None:  # runs in the worker thread
        self._task._run_in_thread()


class Task(QObject):
    """One piece of long work of the core, run on a worker thread.

    Parameters
    ----------
    title : str
        What the user sees ("Analysing walk_side.mp4").
    work : callable
        ``work(progress, cancel) -> result``; called on the worker thread with a
        :class:`SignalProgress` and a :class:`~gaitlab.progress.CancelToken`.

    Signals
    -------
    progressed(ProgressState), succeeded(result), failed(message: str),
    cancelled(), finished() — ``finished`` comes last, whatever the outcome.
    """

    progressed = Signal(object)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, title: str, work: Callable, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self._work = work
        self.cancel_token = CancelToken()
        self.progress = SignalProgress()
        self.progress.changed.connect(self.progressed)
        self.outcome: str | None = None  # "succeeded" | "failed" | "cancelled"
        self.result: object = None
        self.error_message = ""
        self._thread = _Runner(self)
        self._thread.finished.connect(self._on_thread_finished)
        self._pending: tuple | None = None

    # -- control (GUI thread) ------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        """Ask the work to stop; the core stops at its next check (between frames)."""
        self.cancel_token.cancel()

    @property
    def running(self) -> bool:
        return self._thread.isRunning()

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until the worker thread ends (tests and shutdown only)."""
        return self._thread.wait(timeout_ms)

    # -- worker thread ------------------------------------------------------------
    def _run_in_thread(self) -> None:
        try:
            result = self._work(self.progress, self.cancel_token)
        except CancelledError:
            self._pending = ("cancelled", None, "")
        except GaitlabError as exc:
            self._pending = ("failed", None, str(exc))
        except Exception as exc:  # a bug, not the user's fault: keep details in the log, show a sentence
            log.exception("internal error in task %r", self.title)
            self._pending = (
                "failed",
                None,
                f"An internal error stopped this task ({type(exc).__name__}); "
                "the details were written to gaitlab's log.",
            )
        else:
            if self.cancel_token.cancelled:
                self._pending = ("cancelled", None, "")
            else:
                self._pending = ("succeeded", result, "")

    # -- back in the GUI thread ------------------------------------------------------
    def _on_thread_finished(self) -> None:
        outcome, result, message = self._pending or ("failed", None, "The task ended without a result.")
        self.outcome, self.result, self.error_message = outcome, result, message
        if outcome == "succeeded":
            self.succeeded.emit(result)
        elif outcome == "cancelled":
            self.cancelled.emit()
        else:
            self.failed.emit(message)
        self.finished.emit()


class TaskQueue(QObject):
    """Runs tasks one after the other (the machine's cores go to one analysis at a time).

    Signals
    -------
    task_added(Task), task_started(Task), task_finished(Task), idle()
    """

    task_added = Signal(object)
    task_started = Signal(object)
    task_finished = Signal(object)
    idle = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._waiting: list[Task] = []
        self.current: Task | None = None

    def submit(self, task: Task) -> Task:
        task.setParent(self)
        self._waiting.append(task)
        self.task_added.emit(task)
        self._next()
        return task

    def cancel(self, task: Task) -> None:
        """Cancel a running task, or drop a waiting one."""
        if task in self._waiting:
            self._waiting.remove(task)
            task.outcome = "cancelled"
            task.cancelled.emit()
            task.finished.emit()
            self.task_finished.emit(task)
        else:
            task.cancel()

    def cancel_all(self) -> None:
        for task in list(self._waiting):
            self.cancel(task)
        if self.current is not None:
            self.current.cancel()

    def wait_all(self, timeout_ms: int = 30_000) -> None:
        """Block until the running task ends (shutdown only)."""
        if self.current is not None:
            self.current.wait(timeout_ms)

    @property
    def busy(self) -> bool:
        return self.current is not None or bool(self._waiting)

    def _next(self) -> None:
        if self.current is not None or not self._waiting:
            return
        task = self._waiting.pop(0)
        self.current = task
        task.finished.connect(lambda t=task: self._on_finished(t))
        self.task_started.emit(task)
        task.start()

    def _on_finished(self, task: Task) -> None:
        if task is self.current:
            self.current = None
        self.task_finished.emit(task)
        if self._waiting:
            self._next()
        else:
            self.idle.emit()
