"""The task panel: one row per analysis with its progress, time left and a Cancel button."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.workers import ProgressState, Task, TaskQueue, format_time_left


def describe_progress(state: ProgressState) -> str:
    """'pose estimation: 120 / 300 frames, about 9 s left' (units as the core counts them)."""
    if state.total > 0:
        text = f"{state.stage}: {state.done} / {state.total}"
        if "frame" not in state.stage.lower() and state.stage.lower() in ("pose estimation", "decoding"):
            text += " frames"
    else:
        text = f"{state.stage}…" if state.stage else "working…"
    left = format_time_left(state.time_left_s)
    return f"{text}, {left}" if left else text


class TaskRow(QFrame):
    """Progress of one task."""

    def __init__(self, task: Task, queue: TaskQueue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("task_row")
        self.task = task
        self.setFrameShape(QFrame.StyledPanel)
        self.title = QLabel(task.title, objectName="task_title")
        self.title.setMinimumWidth(220)
        self.bar = QProgressBar(objectName="task_progress")
        self.bar.setRange(0, 0)
        self.bar.setTextVisible(True)
        self.status = QLabel("waiting…", objectName="task_status")
        self.status.setMinimumWidth(300)
        self.cancel_button = QPushButton("Cancel", objectName="task_cancel_button")
        self.cancel_button.clicked.connect(lambda: queue.cancel(task))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        layout.addWidget(self.title)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.cancel_button)
        task.progressed.connect(self.on_progress)
        task.succeeded.connect(lambda _r: self._done("done", ok=True))
        task.failed.connect(lambda msg: self._done(msg, ok=False))
        task.cancelled.connect(lambda: self._done("cancelled", ok=True))

    def on_progress(self, state: ProgressState) -> None:
        if state.total > 0:
            self.bar.setRange(0, state.total)
            self.bar.setValue(min(state.done, state.total))
            self.bar.setFormat(f"{state.done} / {state.total}")
        else:
            self.bar.setRange(0, 0)
        self.status.setText(describe_progress(state))

    def _done(self, text: str, *, ok: bool) -> None:
        self.cancel_button.setEnabled(False)
        self.bar.setRange(0, 1)
        self.bar.setValue(1 if text == "done" else 0)
        self.bar.setFormat(text if text in ("done", "cancelled") else "failed")
        self.status.setText(text)
        if not ok:
            self.status.setStyleSheet("color: #b71c1c; font-weight: 600;")
            self.status.setWordWrap(True)
            self.status.setToolTip(text)


class TaskPanel(QWidget):
    """All tasks of the session, newest last; finished rows stay until cleared."""

    def __init__(self, queue: TaskQueue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("task_panel")
        self.queue = queue
        self.rows: list[TaskRow] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(4, 4, 4, 4)
        header = QHBoxLayout()
        header.addWidget(QLabel("Analyses", objectName="section_title"))
        header.addStretch(1)
        self.clear_button = QPushButton("Clear finished", objectName="clear_tasks_button")
        self.clear_button.clicked.connect(self.clear_finished)
        header.addWidget(self.clear_button)
        self._layout.addLayout(header)
        self._rows_layout = QVBoxLayout()
        self._layout.addLayout(self._rows_layout)
        self._layout.addStretch(1)
        queue.task_added.connect(self.add_task)
        self.setVisible(False)

    def add_task(self, task: Task) -> None:
        row = TaskRow(task, self.queue, self)
        self.rows.append(row)
        self._rows_layout.addWidget(row, 0, Qt.AlignTop)
        self.setVisible(True)

    def clear_finished(self) -> None:
        for row in list(self.rows):
            if row.task.outcome is not None:
                self.rows.remove(row)
                row.setParent(None)
                row.deleteLater()
        self.setVisible(bool(self.rows))
