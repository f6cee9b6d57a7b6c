"""The recording view: one analysed video with its skeleton, angles, events and metrics.

The video plays with the analysed person's skeleton drawn over it and the angles
of the current frame beside it; the time series below share the video's clock
(click a plot to seek), with heel strikes (solid) and toe offs (dotted) per side.
Tabs show the gait-cycle curves (mean ± SD per side, healthy key values where
gaitlab cites them) and the spatiotemporal table with symmetry indices and the
analysis's quality warnings.  When several people were seen, a picker analyses
another person.

The **Measure** mode draws manual measurements on the shown frame (an angle of
three points, or a line against the horizontal or vertical, snapped to the pose
landmarks) and saves them with the visit; the Measurements tab lists the visit's
measurements (click one to see its frame and drawing).  A side video without
pelvic stickers says, where pelvic tilt would appear, how to get it.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gaitlab.errors import GaitlabError
from gaitlab.storage import Recording, StoredMeasurement
from ui.frames import FrameStore, nearest_sample, stride_windows
from ui.labels import (
    HIP_PROXY_NOTE,
    SERIES_LABELS,
    TERMINOLOGY_GUARD,
    VIEW_SERIES,
    format_value,
    metric_rows,
    series_names,
)
from ui.model import AppModel
from ui.theme import SIDE_COLORS
from ui.widgets.measure import (
    MeasureBar,
    MeasurementList,
    MeasureTool,
    format_deg,
    is_signed,
    lacks_pelvic_tilt,
    pelvic_tilt_missing_text,
)
from ui.widgets.plots import CyclePlots, SeriesPlots, available_bases
from ui.widgets.transport import PlaybackClock, Transport
from ui.widgets.video import VideoPanel
from ui.workers import Task


def healthy_key_values() -> dict[str, list[tuple[float, float, str]]]:
    """Healthy-adult key values per cycle plot, from gaitlab's cited population bands."""
    try:
        from gaitlab.compare.reference import POPULATION_BANDS
    except ImportError:  # the comparison package is optional for this view
        return {}
    out: dict[str, list[tuple[float, float, str]]] = {}
    for metric, base, text in (
        ("hip_flexion_max_deg", "hip_flexion", "healthy peak"),
        ("hip_extension_max_deg", "hip_flexion", "healthy peak ext."),
        ("knee_flexion_max_deg", "knee_flexion", "healthy peak"),
    ):
        band = POPULATION_BANDS.get(metric)
        if band is not None:
            out.setdefault(base, []).append((band.low, band.high, text))
    return out


def phase_at(doc: dict, side: str, time_s: float) -> float | None:
    """% of the gait cycle of ``side`` at ``time_s`` (None outside the analysed strides)."""
    strides = stride_windows(((doc.get("events") or {}).get("heel_strike") or {}).get(side) or [])
    for start, end in strides:
        if start <= time_s < end:
            return 100.0 * (time_s - start) / (end - start)
    return None


def readouts_at(doc: dict, time_s: float) -> list[tuple[str, str, str]]:
    """(measure, side, value text) of every series of the view at ``time_s``."""
    t = doc.get("time_s") or []
    i = nearest_sample(t, time_s)
    rows = []
    series = doc.get("series") or {}
    for base in available_bases(doc, VIEW_SERIES.get(doc.get("view", ""), ())):
        for name in series_names(base):
            values = series.get(name) or []
            v = values[i] if i is not None and i < len(values) else None
            side = name.rsplit("_", 1)[-1] if SERIES_LABELS[base].sided else ""
            rows.append((SERIES_LABELS[base].title, side, "—" if v is None else f"{v:+.1f}°"))
    return rows


def series_legend_html() -> str:
    """The key of the time-series plots: which colour is which side, what the vertical lines are."""
    left, right = SIDE_COLORS["left"], SIDE_COLORS["right"]
    return (
        f"<span style='color:{left}'><b>━ left</b></span> &nbsp; <span style='color:{right}'><b>━ right</b></span>"
        " &nbsp; <b>━</b> whole body &nbsp;·&nbsp; vertical lines in the side's colour: heel strike (solid), "
        "toe off (dotted) &nbsp;·&nbsp; click a plot to go to that moment"
    )


class RecordingView(QWidget):
    """One recording: player with overlay, angle readouts, synchronized plots, tables."""

    back_requested = Signal()
    position_changed = Signal(float)

    def __init__(self, model: AppModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recording_view")
        self.model = model
        self.recording: Recording | None = None
        self.doc: dict = {}
        self.store: FrameStore | None = None
        self.position_s = 0.0
        self.pose_task: Task | None = None

        back = QPushButton("◀ Patient", objectName="recording_back_button")
        back.clicked.connect(self.back_requested)
        self.title = QLabel("", objectName="page_title")
        self.person_combo = QComboBox(objectName="person_combo")
        self.person_combo.setToolTip("Several people were seen: choose who is analysed")
        self.person_combo.activated.connect(self._person_chosen)
        self.person_label = QLabel("Person:", objectName="person_label")
        self.skeleton_button = QPushButton("Skeleton", objectName="skeleton_toggle")
        self.skeleton_button.setCheckable(True)
        self.skeleton_button.setChecked(True)
        self.follow_button = QPushButton("Follow walker", objectName="follow_toggle")
        self.follow_button.setCheckable(True)
        self.follow_button.setChecked(True)
        top = QHBoxLayout()
        top.addWidget(back)
        top.addWidget(self.title, 1)
        top.addWidget(self.person_label)
        top.addWidget(self.person_combo)
        self.measure_button = QPushButton("Measure", objectName="measure_toggle")
        self.measure_button.setCheckable(True)
        self.measure_button.setToolTip("Draw an angle or a line on this frame and save it with the visit (M)")
        self.measure_button.setShortcut(QKeySequence("M"))
        self.measure_button.setStyleSheet(
            "QPushButton#measure_toggle:checked { background: #2e6da4; color: white; border: 1px solid #24578a; "
            "border-radius: 3px; }")
        top.addWidget(self.skeleton_button)
        top.addWidget(self.follow_button)
        top.addWidget(self.measure_button)
        self.warning_banner = QLabel("", objectName="warning_banner")
        self.warning_banner.setWordWrap(True)
        self.warning_banner.hide()

        self.video = VideoPanel()
        self.video.setObjectName("recording_video")
        self.skeleton_button.toggled.connect(self.video.set_skeleton_visible)
        self.follow_button.toggled.connect(self.video.set_follow)
        self.transport = Transport(prefix="recording_")
        self.clock = PlaybackClock(self)
        self.clock.advanced.connect(lambda dt: self.seek(self._wrap(self.position_s + dt)))
        self.clock.playing_changed.connect(self.transport.set_playing)
        self.transport.toggle_requested.connect(self.clock.toggle)
        self.transport.step_requested.connect(self.step)
        self.transport.speed_changed.connect(self._set_speed)
        self.transport.scrubbed.connect(lambda f: self.seek(f * self._duration()))

        self.readout_box = QWidget(objectName="angle_readouts")
        self.readout_grid = QGridLayout(self.readout_box)
        self.readout_grid.setContentsMargins(6, 6, 6, 6)
        self.readout_labels: dict[tuple[str, str], QLabel] = {}
        self.readout_note = QLabel("", objectName="guard_note")
        self.readout_note.setWordWrap(True)

        self.measure_tool = MeasureTool(self.video, self)
        self.measure_bar = MeasureBar(self.measure_tool)
        self.measure_bar.hide()
        self.measure_bar.save_requested.connect(self.save_measurement)
        self.measure_bar.discard_requested.connect(self.measure_tool.cancel)
        self.measure_button.toggled.connect(self.set_measure_mode)
        self.measure_tool.changed.connect(self._drawing_changed)
        escape = QShortcut(QKeySequence(Qt.Key_Escape), self)
        escape.setContext(Qt.WidgetWithChildrenShortcut)
        escape.activated.connect(self.measure_tool.cancel)
        self.measurements: list[StoredMeasurement] = []
        model.measurements_changed.connect(self._measurements_changed)

        self.tilt_hint = QWidget(objectName="pelvic_tilt_hint")
        self.tilt_hint.setStyleSheet(
            "QWidget#pelvic_tilt_hint { background: #eef5fb; border: 1px solid #9cc3e6; border-radius: 4px; }")
        self.tilt_hint_label = QLabel("", objectName="pelvic_tilt_hint_text")
        self.tilt_hint_label.setWordWrap(True)
        self.tilt_hint_label.setStyleSheet("color: #1f4e79;")
        tilt_button = QPushButton("Measure a standing tilt by hand", objectName="measure_tilt_button")
        tilt_button.clicked.connect(self.start_tilt_measurement)
        hint_layout = QVBoxLayout(self.tilt_hint)
        hint_layout.setContentsMargins(8, 6, 8, 6)
        hint_layout.addWidget(QLabel("<b>Pelvic tilt</b>"))
        hint_layout.addWidget(self.tilt_hint_label)
        hint_layout.addWidget(tilt_button, 0, Qt.AlignLeft)
        self.tilt_hint.hide()

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.video, 1)
        left_layout.addWidget(self.transport)
        left_layout.addWidget(self.measure_bar)
        self.readouts_title = QLabel("Angles at this frame", objectName="section_title")
        left_layout.addWidget(self.readouts_title)
        left_layout.addWidget(self.readout_box)
        left_layout.addWidget(self.readout_note)
        left_layout.addWidget(self.tilt_hint)

        self.series_plots = SeriesPlots()
        self.series_plots.seek_requested.connect(self.seek)
        self.cycle_plots = CyclePlots(columns=2)
        self.cycle_note = QLabel("", objectName="guard_note")
        self.cycle_note.setWordWrap(True)
        cycles_tab = QWidget()
        cl = QVBoxLayout(cycles_tab)
        cl.addWidget(self.cycle_plots, 1)
        cl.addWidget(self.cycle_note)
        self.metric_table = QTableWidget(0, 5, objectName="spatiotemporal_table")
        self.metric_table.setHorizontalHeaderLabels(["Measure", "Left", "Right", "Whole body", "Symmetry index %"])
        self.metric_table.verticalHeader().hide()
        self.metric_table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.metric_table.setAlternatingRowColors(True)
        self.metric_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.quality_label = QLabel("", objectName="quality_label")
        self.quality_label.setWordWrap(True)
        table_tab = QWidget()
        tl = QVBoxLayout(table_tab)
        tl.addWidget(self.metric_table, 1)
        si_note = QLabel(
            "Symmetry index = 100 · (left − right) / mean of both; 0 is symmetric, positive means the "
            "left value is larger.", objectName="hint")
        si_note.setWordWrap(True)
        tl.addWidget(si_note)
        tl.addWidget(self.quality_label)
        self.tabs = QTabWidget(objectName="recording_tabs")
        series_tab = QWidget()
        sl = QVBoxLayout(series_tab)
        sl.setContentsMargins(0, 0, 0, 0)
        self.series_legend = QLabel(series_legend_html(), objectName="series_legend")
        self.series_legend.setWordWrap(True)
        sl.addWidget(self.series_legend)
        sl.addWidget(self.series_plots, 1)
        self.tabs.addTab(series_tab, "Time series")
        self.tabs.addTab(cycles_tab, "Gait cycles")
        self.tabs.addTab(table_tab, "Spatiotemporal")
        self.measurement_list = MeasurementList()
        self.measurement_list.show_requested.connect(self.show_measurement)
        self.measurement_list.delete_requested.connect(self.delete_measurement)
        self.measurement_list.rename_requested.connect(self.rename_measurement)
        self.tabs.addTab(self.measurement_list, "Measurements")

        split = QSplitter(Qt.Horizontal)
        split.addWidget(left)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 5)
        split.setStretchFactor(1, 6)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.warning_banner)
        layout.addWidget(split, 1)

    # -- loading -----------------------------------------------------------------
    def show_recording(self, recording_id: int) -> None:
        """Load a stored recording; raises a GaitlabError (one sentence) when it cannot be shown."""
        rec = self.model.get_recording(recording_id)
        if not rec.result:
            raise GaitlabError("This recording has no stored analysis.")
        self.stop()
        self.measure_tool.cancel()
        self.recording = rec
        self.doc = rec.result
        self.position_s = 0.0
        doc = self.doc
        view = doc.get("view", rec.view)
        visit = self.model.get_visit(rec.visit_id)
        self.title.setText(
            f"{Path(rec.video_path).name} — {view} view, walking {doc.get('walking_direction', '?')} · "
            f"{visit.patient_id}, {visit.date.isoformat()} {visit.label}"
        )
        warnings = list((doc.get("quality") or {}).get("warnings") or [])
        if rec.warning and rec.warning not in warnings:
            warnings.insert(0, rec.warning)
        self.warning_banner.setText("⚠ " + "\n⚠ ".join(warnings) if warnings else "")
        self.warning_banner.setVisible(bool(warnings))
        self._fill_people(doc)
        path = Path(rec.video_path)
        if not path.is_file() and Path(rec.original_path).is_file():
            path = Path(rec.original_path)
        if path.is_file():
            self.store = FrameStore(path)
            self.video.set_source(self.store, None, caption=f"{view} · {path.name}")
            if (doc.get("video") or {}).get("sha256"):
                self.video.set_note("loading the skeleton…")
                self._load_pose(path)
            else:
                self.video.set_note("no skeleton: the analysis does not identify its video file")
        else:
            self.store = None
            self.video.set_source(None, caption=f"The video {path.name} is not where it was imported from.")
        bases = VIEW_SERIES.get(view, ())
        self.series_plots.set_document(doc, bases)
        self.cycle_plots.set_layers([("", doc, None, False)], bases, bands=healthy_key_values())
        self._build_readouts(doc)
        self._fill_table(doc)
        notes = []
        if view == "sagittal":
            notes.append(HIP_PROXY_NOTE)
        if view == "frontal":
            notes.append(TERMINOLOGY_GUARD)
        self.readout_note.setText("\n".join(notes))
        missing_tilt = lacks_pelvic_tilt(doc)
        self.tilt_hint_label.setText(pelvic_tilt_missing_text(doc) if missing_tilt else "")
        self.tilt_hint.setVisible(missing_tilt)
        cycle_notes = list(notes)
        if view == "sagittal":
            cycle_notes.append("Dashed green lines: healthy-adult key values (Perry & Burnfield 2010), "
                               "3-D pelvis-relative angles — they orient, they do not judge.")
        if missing_tilt:
            cycle_notes.append(pelvic_tilt_missing_text(doc))
        self.cycle_note.setText("\n".join(cycle_notes))
        self.refresh_measurements()
        self.seek(0.0)

    def _fill_people(self, doc: dict) -> None:
        person = doc.get("person") or {}
        seen = int(person.get("people_seen", 1) or 1)
        selected = int(person.get("selected", 0) or 0)
        self.person_combo.clear()
        for i in range(seen):
            self.person_combo.addItem(f"person {i}" + (" (analysed)" if i == selected else ""), i)
        self.person_combo.setCurrentIndex(selected if selected < seen else 0)
        several = seen > 1
        self.person_combo.setVisible(several)
        self.person_label.setVisible(several)

    def _person_chosen(self, index: int) -> None:
        person = self.person_combo.itemData(index)
        selected = int((self.doc.get("person") or {}).get("selected", 0))
        if self.recording is None or person is None or person == selected:
            return
        task = self.model.reanalyse(self.recording, person=int(person))
        task.succeeded.connect(lambda rec: self.show_recording(rec.recording_id))

    def _load_pose(self, path: Path) -> None:
        doc = self.doc

        def work(progress, cancel):
            from gaitlab.analysis import pose_for_result

            return pose_for_result(doc, video_path=path, progress=progress, cancel=cancel)

        task = Task("Loading the skeleton", work, self)
        task.succeeded.connect(lambda pose, d=doc: self._pose_loaded(d, pose))
        task.failed.connect(lambda msg: self.video.set_note(f"No skeleton: {msg}"))
        self.pose_task = task
        task.start()

    def _pose_loaded(self, doc: dict, pose) -> None:
        if doc is not self.doc:
            return
        self.video.set_pose(pose)
        self.video.set_note("")
        self.measure_bar.refresh()

    def _build_readouts(self, doc: dict) -> None:
        while self.readout_grid.count():
            item = self.readout_grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.readout_labels.clear()
        self.readout_grid.addWidget(QLabel("<b>Measure</b>"), 0, 0)
        self.readout_grid.addWidget(QLabel(f"<b><span style='color:{SIDE_COLORS['left']}'>Left</span></b>"), 0, 1)
        self.readout_grid.addWidget(QLabel(f"<b><span style='color:{SIDE_COLORS['right']}'>Right</span></b>"), 0, 2)
        rows: dict[str, int] = {}
        if any(not side for _, side, _ in readouts_at(doc, 0.0)):
            self.readout_grid.addWidget(QLabel("<b>Whole body</b>"), 0, 3)
        for title, side, _ in readouts_at(doc, 0.0):
            if title not in rows:
                rows[title] = len(rows) + 1
                self.readout_grid.addWidget(QLabel(title), rows[title], 0)
            col = {"left": 1, "right": 2}.get(side, 3)  # trunk and pelvis under "Whole body"
            label = QLabel("—", objectName=f"readout_{title}_{side or 'body'}")
            label.setStyleSheet("font-family: monospace; font-size: 13px;")
            self.readout_grid.addWidget(label, rows[title], col)
            self.readout_labels[(title, side)] = label

    def _fill_table(self, doc: dict) -> None:
        rows = metric_rows(doc.get("metrics") or {})
        self.metric_table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.metric_table.setItem(r, c, item)
        self.metric_table.resizeColumnsToContents()
        q = doc.get("quality") or {}
        lines = [
            f"Person detected in {format_value(100 * q.get('detection_rate', 0), 0)} % of frames; "
            f"left/right swaps corrected: {q.get('side_swaps_corrected', 0)}."
        ]
        lines += [f"⚠ {w}" for w in q.get("warnings") or []]
        if doc.get("view") == "frontal":
            lines.append(TERMINOLOGY_GUARD)
        else:
            lines.append(HIP_PROXY_NOTE)
        self.quality_label.setText("\n".join(lines))

    # -- playback ----------------------------------------------------------------
    def _duration(self) -> float:
        if self.store is not None:
            return self.store.duration_s
        t = self.doc.get("time_s") or [0.0]
        return float(t[-1])

    def _wrap(self, t: float) -> float:
        d = self._duration()
        return t % d if d > 0 else 0.0

    def _set_speed(self, speed: float) -> None:
        self.clock.speed = float(speed)

    def step(self, frames: int) -> None:
        self.clock.pause()
        if self.store is not None and self.store.n_frames:
            times = self.store.times_s()
            i = min(max(self.store.index_at(self.position_s) + frames, 0), len(times) - 1)
            self.seek(float(times[i]))
        else:
            fps = float((self.doc.get("video") or {}).get("fps") or 30.0)
            self.seek(max(0.0, self.position_s + frames / fps))

    def seek(self, time_s: float) -> None:
        """Show the moment ``time_s`` (video seconds) in the video, the plots and the readouts."""
        d = self._duration()
        t = min(max(float(time_s), 0.0), d) if math.isfinite(time_s) else 0.0
        self.position_s = t
        self.video.show_time(t)
        self.measure_tool.frame_shown(self.video.current_index)
        self._show_saved_on_frame()
        self.series_plots.set_time(t)
        phase = phase_at(self.doc, "left", t)
        self.cycle_plots.set_phase(phase)
        for title, side, text in readouts_at(self.doc, t):
            label = self.readout_labels.get((title, side))
            if label is not None:
                label.setText(text)
        frame = self.video.current_index
        self.transport.set_position(
            t / d if d else 0.0, f"{t:6.2f} s / {d:.2f} s  (frame {max(frame, 0)})"
        )
        self.position_changed.emit(t)

    def stop(self) -> None:
        """Stop playback and background decoding (leaving the view or closing)."""
        self.clock.pause()
        self.measure_tool.cancel()
        if self.pose_task is not None and self.pose_task.running:
            self.pose_task.cancel()
            self.pose_task.wait(10_000)
        if self.store is not None:
            self.store.close()

    # -- manual measurements --------------------------------------------------------
    def set_measure_mode(self, on: bool) -> None:
        """Enter or leave the Measure mode (playback pauses; the readouts make room for the tool)."""
        if self.measure_button.isChecked() != bool(on):
            self.measure_button.setChecked(bool(on))  # comes back here through ``toggled``
            return
        if on:
            self.clock.pause()
            self.tabs.setCurrentWidget(self.measurement_list)
        self.measure_tool.set_active(on)
        self.measure_bar.setVisible(on)
        for widget in (self.readouts_title, self.readout_box, self.readout_note):
            widget.setVisible(not on)
        self.measure_bar.show_error("")
        self.measure_bar.refresh()
        if on:
            self.video.graphics.setFocus()

    def start_tilt_measurement(self) -> None:
        """Measure mode with a line against the horizontal, labelled "standing pelvic tilt"."""
        self.set_measure_mode(True)
        self.measure_bar.choose_mode("line_horizontal")
        self.measure_bar.label_combo.setCurrentText("standing pelvic tilt")

    def _drawing_changed(self) -> None:
        if self.measure_tool.points:
            self.clock.pause()

    def refresh_measurements(self) -> None:
        """Reload the visit's measurements into the Measurements tab and onto the frame."""
        rec = self.recording
        if rec is None:
            return
        self.measurements = self.model.list_measurements(rec.visit_id)
        recordings = {r.recording_id: r for r in self.model.list_recordings(rec.visit_id)}

        def describe(s: StoredMeasurement) -> str:
            if s.recording_id is None:
                return "video no longer in the library"
            if s.recording_id == rec.recording_id:
                return f"this {rec.view} video"
            other = recordings.get(s.recording_id)
            return f"{other.view} video · {Path(other.video_path).name}" if other else "another video"

        self.measurement_list.set_measurements(self.measurements, describe)
        self._show_saved_on_frame()

    def _measurements_changed(self, visit_id: int) -> None:
        """Another part of the app changed a visit's measurements: reload when it is this one."""
        if self.recording is not None and int(self.recording.visit_id) == int(visit_id):
            self.refresh_measurements()

    def _on_this_frame(self, s: StoredMeasurement) -> bool:
        if self.recording is None or s.recording_id != self.recording.recording_id:
            return False
        m = s.measurement
        index = self.video.current_index
        if m.frame_index is not None:
            return m.frame_index == index
        return self.store is not None and self.store.index_at(m.time_s) == index

    def _show_saved_on_frame(self) -> None:
        self.measure_tool.overlay.show_saved([s.measurement for s in self.measurements if self._on_this_frame(s)])

    def save_measurement(self, label: str) -> None:
        """Save the finished drawing with the visit under ``label``; errors become one sentence in the bar."""
        if self.recording is None:
            return
        try:
            stored = self.model.add_measurement(
                self.recording.recording_id, self.measure_tool.measurement(label))
        except GaitlabError as exc:
            self.measure_bar.show_error(str(exc))
            return
        self.measure_bar.show_error("")
        self.measure_bar.label_combo.setCurrentText("")  # the next drawing gets its own label
        self.measure_tool.cancel()
        self.refresh_measurements()  # the model's signal reloaded the list; this redraws without the drawing
        self.measurement_list.select(stored.measurement_id)
        m = stored.measurement
        self.model.message.emit(
            f"Saved '{stored.label}' ({format_deg(m.value_deg, signed=is_signed(m.kind))}) with the visit.")

    def show_measurement(self, measurement_id: int) -> None:
        """Jump to the frame a measurement was drawn on and show its drawing."""
        s = next((m for m in self.measurements if m.measurement_id == measurement_id), None)
        if s is None:
            return
        if s.recording_id is None:
            self.model.message.emit(f"The video '{s.label}' was drawn on is no longer in the library.")
            return
        if self.recording is None or s.recording_id != self.recording.recording_id:
            self.show_recording(s.recording_id)
        self.clock.pause()
        self.measure_tool.cancel()
        self.seek(s.time_s)
        self.measurement_list.select(measurement_id)

    def delete_measurement(self, measurement_id: int) -> None:
        s = next((m for m in self.measurements if m.measurement_id == measurement_id), None)
        if s is None:
            return
        answer = QMessageBox.question(
            self, "Delete measurement",
            f"Delete the measurement '{s.label}' "
            f"({format_deg(s.value_deg, signed=is_signed(s.measurement.kind))}) from the visit?")
        if answer != QMessageBox.Yes:
            return
        try:
            self.model.delete_measurement(measurement_id)
        except GaitlabError as exc:
            self.model.message.emit(str(exc))
            self.refresh_measurements()

    def rename_measurement(self, measurement_id: int, label: str) -> None:
        try:
            self.model.rename_measurement(measurement_id, label)
        except GaitlabError as exc:
            self.model.message.emit(str(exc))
            self.refresh_measurements()  # the table shows the stored label again
