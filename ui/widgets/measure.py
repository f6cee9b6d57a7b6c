"""The manual measuring tool of the recording view: draw an angle or a line on a frame.

The therapist chooses what to measure (an angle of three points, or a line against
the image horizontal or vertical) and clicks the points on the video frame.  A
click near a pose landmark snaps onto it (the landmark is ringed while the mouse
is near it, and its name is kept).  The value is shown live while the mouse moves
and once the last point is set; the therapist types a label and saves the
measurement with the visit.  Esc discards the drawing.

Pieces:

* :class:`MeasureOverlay` draws measurements on a :class:`~ui.widgets.video.VideoPanel`
  (points in video pixels, like the skeleton);
* :class:`MeasureTool` turns clicks on the frame into points, snaps them, and knows
  when a measurement is complete;
* :class:`MeasureBar` holds the controls (kind, live value, sign convention, label, save);
* :class:`MeasurementList` lists a visit's stored measurements.

The values come from :mod:`gaitlab.markers.manual`; nothing here computes an angle.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gaitlab.errors import GaitlabError
from gaitlab.markers.detect import DEFAULT_MARKER_COLOUR, MARKER_COLOURS
from gaitlab.markers.manual import (
    ON_SCREEN_NOTE,
    Measurement,
    describe_kind,
    measure_angle,
    measure_line_against,
    sign_convention,
    snap_to_landmark,
)
from gaitlab.storage import StoredMeasurement
from ui.labels import TERMINOLOGY_GUARD, has_values
from ui.widgets.video import VideoPanel

#: The three things the tool measures: key → (kind, reference, button text).
MODES: dict[str, tuple[str, str | None, str]] = {
    "angle": ("angle", None, "Angle (3 points)"),
    "line_horizontal": ("line", "horizontal", "Line vs horizontal"),
    "line_vertical": ("line", "vertical", "Line vs vertical"),
}
#: A click this close to a landmark (screen pixels) lands on the landmark.
SNAP_RADIUS_SCREEN_PX = 12.0
#: Labels offered in the label box (the therapist may type any other).
LABEL_SUGGESTIONS = (
    "standing pelvic tilt",
    "standing pelvic obliquity",
    "standing trunk lean",
    "knee angle at heel strike",
    "knee angle, standing",
)
#: Drawing amber, saved white: neither may be read as a side (left is red, right blue).
DRAW_COLOR = "#ffb300"
SAVED_COLOR = "#f5f5f5"
SNAP_COLOR = "#76ff03"
_POINT_NAMES = {"angle": ("first arm end", "vertex", "second arm end"), "line": ("first point", "second point")}


# --------------------------------------------------------------------------- words


def lacks_pelvic_tilt(doc: dict | None) -> bool:
    """True for a side-view analysis without a measured ``pelvic_tilt`` (no stickers found)."""
    if not doc or doc.get("view") != "sagittal":
        return False
    return not has_values((doc.get("series") or {}).get("pelvic_tilt"))


def sticker_diameter_cm(width_px: int, height_px: int, *, distance_m: float = 4.5,
                        field_of_view_deg: float = 65.0, min_width_px: float = 8.0) -> float:
    """Smallest sticker diameter (cm, rounded up to 0.5) that appears ``min_width_px`` wide.

    A phone's main camera (``field_of_view_deg`` across the long side of the
    picture) at ``distance_m`` from the walkway; see ``docs/pelvic_markers.md``.
    """
    long_side = max(int(width_px), int(height_px), 1)
    focal_px = 0.5 * long_side / math.tan(math.radians(0.5 * field_of_view_deg))
    diameter_cm = 100.0 * min_width_px * distance_m / focal_px
    return math.ceil(2.0 * diameter_cm) / 2.0


def pelvic_tilt_missing_text(doc: dict | None) -> str:
    """What the app says where pelvic tilt would appear when a side video has no stickers."""
    colour = MARKER_COLOURS[DEFAULT_MARKER_COLOUR].name
    video = (doc or {}).get("video") or {}
    width, height = int(video.get("width") or 0), int(video.get("height") or 0)
    if width > 0 and height > 0:
        size = (f"at least {sticker_diameter_cm(width, height):g} cm across for this {width}×{height} video "
                "with the camera about 4.5 m away")
    else:
        size = "2–2.5 cm across in a 1080p video"
    return (
        "Pelvic tilt was not measured: no pelvic stickers were found in this side video. "
        f"To measure it, put round {colour} ball stickers ({colour} is gaitlab's default sticker colour; "
        f"{size}) on the ASIS and the PSIS of the side facing the camera and film the side view again "
        "(see docs/pelvic_markers.md). Or measure a standing pelvic tilt by hand: Measure → Line vs "
        "horizontal, from the ASIS to the PSIS on a frame where the patient stands still "
        "(positive = anterior tilt)."
    )


def format_deg(value: float | None, *, signed: bool) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:+.1f}°" if signed else f"{value:.1f}°"


def is_signed(kind: str) -> bool:
    return kind == "line"


# --------------------------------------------------------------------------- drawing


class _ShapeItems:
    """The graphics items of one drawn measurement."""

    def __init__(self, view: pg.ViewBox, colour: str) -> None:
        self.view = view
        self.colour = colour
        self.reference = pg.PlotDataItem(pen=pg.mkPen("#ffffff", width=1.2, style=Qt.DashLine))
        self.arc = pg.PlotDataItem(pen=pg.mkPen(colour, width=1.5))
        self.outline = pg.PlotDataItem(pen=pg.mkPen("#000000", width=5))
        self.line = pg.PlotDataItem(pen=pg.mkPen(colour, width=2.5))
        self.points = pg.ScatterPlotItem(size=9, pen=pg.mkPen("#000000", width=1.5), brush=pg.mkBrush(colour))
        self.value = pg.TextItem("", color="#ffffff", anchor=(0, 1), fill=pg.mkBrush(0, 0, 0, 190),
                                 border=pg.mkPen(colour, width=1))
        font = QFont()
        font.setPointSize(11)
        font.setBold(True)
        self.value.setFont(font)
        self.items = (self.reference, self.arc, self.outline, self.line, self.points, self.value)
        for item in self.items:
            view.addItem(item, ignoreBounds=True)
            item.setZValue(20)

    def hide(self) -> None:
        for item in self.items:
            item.setVisible(False)

    def draw(self, points: Sequence[tuple[float, float]], kind: str, reference: str | None,
             value_text: str, px: float) -> None:
        """Draw ``points`` (video pixels); ``px`` is the size of one screen pixel in video pixels."""
        for item in self.items:
            item.setVisible(True)
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        self.outline.setData(xs, ys)
        self.line.setData(xs, ys)
        self.points.setData(xs, ys)
        self.reference.setData([], [])
        self.arc.setData([], [])
        if kind == "line" and len(points) == 2 and reference is not None:
            (x0, y0), (x1, y1) = points
            length = max(math.hypot(x1 - x0, y1 - y0), 40 * px)
            if reference == "horizontal":
                self.reference.setData([x0 - 0.15 * length, x0 + 1.15 * length * (1 if x1 >= x0 else -1)], [y0, y0])
            else:
                lower = (x0, y0) if y0 >= y1 else (x1, y1)
                self.reference.setData([lower[0], lower[0]], [lower[1] + 0.15 * length, lower[1] - 1.15 * length])
        if kind == "angle" and len(points) == 3:
            self.arc.setData(*_arc(points, px))
        if value_text and points:
            anchor = points[1] if kind == "angle" and len(points) >= 2 else points[-1]
            self.value.setText(value_text)
            _, x_hi = self.view.viewRange()[0]
            text_px = float(self.value.boundingRect().width())  # the text is drawn unscaled, in screen pixels
            # the text goes to the left of the point when the right has no room for it
            to_left = anchor[0] + (8 + text_px) * px > x_hi
            self.value.setAnchor((1, 1) if to_left else (0, 1))
            self.value.setPos(anchor[0] + (-8 if to_left else 8) * px, anchor[1] - 8 * px)
        else:
            self.value.setText("")


def _arc(points: Sequence[tuple[float, float]], px: float) -> tuple[np.ndarray, np.ndarray]:
    """A circular arc at the vertex between the two arms (video pixels)."""
    a, v, c = (np.asarray(p, float) for p in points)
    ua, uc = a - v, c - v
    la, lc = float(np.hypot(*ua)), float(np.hypot(*uc))
    if la < 1e-9 or lc < 1e-9:
        return np.zeros(0), np.zeros(0)
    radius = min(0.35 * min(la, lc), 45 * px)
    t0 = math.atan2(ua[1], ua[0])
    t1 = math.atan2(uc[1], uc[0])
    sweep = (t1 - t0 + math.pi) % (2 * math.pi) - math.pi  # the short way round
    t = t0 + np.linspace(0.0, 1.0, 40) * sweep
    return v[0] + radius * np.cos(t), v[1] + radius * np.sin(t)


class MeasureOverlay:
    """Measurements drawn over a video panel: the one being drawn, and saved ones of this frame."""

    def __init__(self, panel: VideoPanel) -> None:
        self.panel = panel
        self.drawing = _ShapeItems(panel.view, DRAW_COLOR)
        self.saved: list[_ShapeItems] = []
        self.snap_ring = pg.ScatterPlotItem(size=22, pen=pg.mkPen(SNAP_COLOR, width=2.5), brush=pg.mkBrush(None),
                                            symbol="o")
        self.snap_label = pg.TextItem("", color=SNAP_COLOR, anchor=(0, 0), fill=pg.mkBrush(0, 0, 0, 160))
        for item in (self.snap_ring, self.snap_label):
            panel.view.addItem(item, ignoreBounds=True)
            item.setZValue(25)
        self.drawing.hide()

    def pixel_size(self) -> float:
        """Video pixels per screen pixel at the current zoom."""
        size = self.panel.view.viewPixelSize()
        return float(size[0]) if size and size[0] > 0 else 1.0

    def show_drawing(self, points, kind, reference, value_text) -> None:
        if not points:
            self.drawing.hide()
            return
        self.drawing.draw(points, kind, reference, value_text, self.pixel_size())

    def show_saved(self, measurements: Sequence[Measurement]) -> None:
        while len(self.saved) < len(measurements):
            self.saved.append(_ShapeItems(self.panel.view, SAVED_COLOR))
        for shape, m in zip(self.saved, measurements):
            shape.draw(m.points_px, m.kind, m.reference,
                       format_deg(m.value_deg, signed=is_signed(m.kind)), self.pixel_size())
            shape.value.setToolTip(m.label)
        for shape in self.saved[len(measurements):]:
            shape.hide()

    def show_snap(self, point: tuple[float, float] | None, name: str | None) -> None:
        if point is None or name is None:
            self.snap_ring.setData([], [])
            self.snap_label.setText("")
            return
        px = self.pixel_size()
        self.snap_ring.setData([point[0]], [point[1]])
        self.snap_label.setText(name.replace("_", " "))
        self.snap_label.setPos(point[0] + 10 * px, point[1] + 6 * px)


# --------------------------------------------------------------------------- the tool


class MeasureTool(QObject):
    """Clicks on the frame → points of a manual measurement.

    Signals: ``changed()`` whenever the drawing, the preview or the mode changes.
    Points are video pixels (the landmarks' coordinates, y down).
    """

    changed = Signal()

    def __init__(self, panel: VideoPanel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.panel = panel
        self.overlay = MeasureOverlay(panel)
        self.active = False
        self.mode = "angle"
        self.points: list[tuple[float, float]] = []
        self.snapped: list[str | None] = []
        self.frame_index = -1
        self.time_s = 0.0
        self.preview: tuple[float, float] | None = None
        self.message = ""
        scene = panel.graphics.scene()
        scene.sigMouseClicked.connect(self._scene_clicked)
        scene.sigMouseMoved.connect(self._scene_moved)
        panel.graphics.installEventFilter(self)
        panel.graphics.viewport().installEventFilter(self)

    # -- state ---------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return MODES[self.mode][0]

    @property
    def reference(self) -> str | None:
        return MODES[self.mode][1]

    @property
    def needed(self) -> int:
        return 3 if self.kind == "angle" else 2

    @property
    def complete(self) -> bool:
        return len(self.points) == self.needed

    def set_active(self, active: bool) -> None:
        self.active = bool(active)
        self.panel.graphics.setCursor(Qt.CrossCursor if self.active else Qt.ArrowCursor)
        if not self.active:
            self.cancel()
            self.overlay.show_snap(None, None)

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise GaitlabError(f"The measuring tool draws {', '.join(MODES)}; got {mode!r}.")
        self.mode = mode
        self.cancel()

    def cancel(self) -> None:
        """Discard the drawing (Esc)."""
        self.points.clear()
        self.snapped.clear()
        self.preview = None
        self.message = ""
        self.overlay.show_snap(None, None)
        self._redraw()

    def frame_shown(self, index: int) -> None:
        """The panel moved to another frame: a drawing belongs to its frame, so it is discarded."""
        if self.points and index != self.frame_index:
            self.cancel()

    # -- values ----------------------------------------------------------------------
    def value_deg(self, points: Sequence[tuple[float, float]] | None = None) -> float | None:
        """The value of ``points`` (default: the drawing, with the preview point); None when incomplete."""
        pts = list(self.points if points is None else points)
        if points is None and not self.complete and self.preview is not None:
            pts.append(self.preview)
        if len(pts) != self.needed:
            return None
        try:
            if self.kind == "angle":
                return measure_angle(*pts)
            return measure_line_against(pts[0], pts[1], self.reference)  # type: ignore[arg-type]
        except GaitlabError:
            return None

    def measurement(self, label: str) -> Measurement:
        """The finished drawing as a :class:`Measurement` (raises a GaitlabError when unfinished)."""
        if not self.complete:
            raise GaitlabError(f"Click all {self.needed} points on the frame first.")
        return Measurement.create(
            self.kind, self.points, time_s=self.time_s, reference=self.reference, label=label,
            snapped=self.snapped, frame_index=self.frame_index if self.frame_index >= 0 else None,
        )

    def instruction(self) -> str:
        if not self.active:
            return ""
        if self.message:
            return self.message
        if self.complete:
            return "Done. Type a label and save it with the visit, or press Esc to discard."
        names = _POINT_NAMES[self.kind]
        n = len(self.points)
        return f"Click the {names[n]} (point {n + 1} of {self.needed}) on the frame. Esc cancels."

    # -- clicks and moves -------------------------------------------------------------
    def snap(self, x: float, y: float) -> tuple[tuple[float, float], str | None]:
        """The point after snapping to the nearest landmark within the snap radius."""
        pose = self.panel.pose
        index = self.panel.current_index
        if pose is None or index < 0:
            return (x, y), None
        radius = SNAP_RADIUS_SCREEN_PX * self.overlay.pixel_size()
        return snap_to_landmark((x, y), pose, index, radius)

    def _inside(self, x: float, y: float) -> bool:
        store = self.panel.store
        if store is None:
            return False
        return 0.0 <= x <= store.info.width and 0.0 <= y <= store.info.height

    def click_at(self, x: float, y: float) -> None:
        """A click at video pixel (x, y) on the shown frame."""
        if not self.active or self.panel.store is None:
            return
        if not self._inside(x, y):
            self.message = "That click was outside the video frame; click on the picture."
            self._redraw()
            return
        if self.complete:  # a new drawing starts with the next click
            self.points.clear()
            self.snapped.clear()
        index = self.panel.current_index
        if not self.points:
            self.frame_index = index
            times = self.panel.store.times_s()
            self.time_s = float(times[index]) if 0 <= index < len(times) else 0.0
        point, name = self.snap(x, y)
        self.points.append(point)
        self.snapped.append(name)
        self.preview = None
        self.message = ""
        self._redraw()

    def hover_at(self, x: float, y: float) -> None:
        """The mouse is over video pixel (x, y): ring the landmark it would snap to, preview the value."""
        if not self.active or self.panel.store is None:
            return
        point, name = self.snap(x, y)
        self.overlay.show_snap(point if name else None, name)
        self.preview = point if (self.points and not self.complete and self._inside(x, y)) else None
        self._redraw()

    def _scene_clicked(self, event) -> None:
        if not self.active or event.button() != Qt.LeftButton:
            return
        p = self.panel.view.mapSceneToView(event.scenePos())
        event.accept()
        self.click_at(float(p.x()), float(p.y()))

    def _scene_moved(self, scene_pos: QPointF) -> None:
        if self.active:
            p = self.panel.view.mapSceneToView(scene_pos)
            self.hover_at(float(p.x()), float(p.y()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if self.active and event.type() == QEvent.KeyPress and event.key() == Qt.Key_Escape:
            self.cancel()
            return True
        return super().eventFilter(watched, event)

    def _redraw(self) -> None:
        pts = list(self.points)
        if self.preview is not None and not self.complete:
            pts.append(self.preview)
        value = self.value_deg()
        text = format_deg(value, signed=is_signed(self.kind)) if value is not None else ""
        self.overlay.show_drawing(pts, self.kind, self.reference, text)
        self.changed.emit()


# --------------------------------------------------------------------------- controls


class MeasureBar(QWidget):
    """The tool's controls under the video: what to draw, the live value, its sign, label and save.

    Signals: ``save_requested(str label)``, ``discard_requested()``.
    """

    save_requested = Signal(str)
    discard_requested = Signal()

    def __init__(self, tool: MeasureTool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("measure_bar")
        self.tool = tool
        self.setStyleSheet(
            "QWidget#measure_bar { background: #ffffff; border: 1px solid #d5dae0; border-radius: 4px; }"
            "QPushButton[mode='true'] { padding: 4px 10px; }"
            "QPushButton[mode='true']:checked { background: #2e6da4; color: white; border-radius: 3px; }"
        )
        self.mode_group = QButtonGroup(self)
        self.mode_group.setExclusive(True)
        modes = QHBoxLayout()
        modes.addWidget(QLabel("<b>Measure</b>"))
        self.mode_buttons: dict[str, QPushButton] = {}
        for key, (_, _, text) in MODES.items():
            button = QPushButton(text, objectName=f"measure_mode_{key}")
            button.setCheckable(True)
            button.setProperty("mode", True)
            self.mode_group.addButton(button)
            button.clicked.connect(lambda _checked=False, k=key: self.choose_mode(k))
            modes.addWidget(button)
            self.mode_buttons[key] = button
        modes.addStretch(1)
        self.value_label = QLabel("—", objectName="measure_value")
        self.value_label.setStyleSheet("font-size: 22px; font-weight: 600; color: #1f2933; min-width: 90px;")
        self.value_label.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        modes.addWidget(self.value_label)
        self.instruction = QLabel("", objectName="measure_instruction")
        self.instruction.setWordWrap(True)
        self.sign_label = QLabel("", objectName="measure_sign")
        self.sign_label.setWordWrap(True)
        self.sign_label.setStyleSheet("color: #52606d;")
        self.label_combo = QComboBox(objectName="measure_label_combo")
        self.label_combo.setEditable(True)
        self.label_combo.addItems(LABEL_SUGGESTIONS)
        self.label_combo.setCurrentText("")
        self.label_combo.lineEdit().setPlaceholderText("label, e.g. standing pelvic tilt")
        self.label_combo.setMinimumWidth(220)
        self.save_button = QPushButton("Save to visit", objectName="measure_save_button")
        self.save_button.setProperty("class", "primary")
        self.save_button.setStyleSheet(
            "QPushButton { background: #2e6da4; color: white; border-radius: 3px; padding: 5px 14px; }"
            "QPushButton:disabled { background: #b8c4d0; }")
        self.discard_button = QPushButton("Discard", objectName="measure_discard_button")
        self.save_button.clicked.connect(lambda: self.save_requested.emit(self.label_combo.currentText()))
        self.discard_button.clicked.connect(self.discard_requested)
        self.label_combo.lineEdit().returnPressed.connect(
            lambda: self.save_requested.emit(self.label_combo.currentText()) if self.tool.complete else None)
        save_row = QHBoxLayout()
        save_row.addWidget(QLabel("Label:"))
        save_row.addWidget(self.label_combo, 1)
        save_row.addWidget(self.save_button)
        save_row.addWidget(self.discard_button)
        self.error_label = QLabel("", objectName="measure_error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b71c1c;")
        self.error_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        layout.addLayout(modes)
        layout.addWidget(self.instruction)
        layout.addWidget(self.sign_label)
        layout.addLayout(save_row)
        layout.addWidget(self.error_label)
        tool.changed.connect(self.refresh)
        self.mode_buttons[tool.mode].setChecked(True)
        self.refresh()

    def choose_mode(self, mode: str) -> None:
        self.tool.set_mode(mode)
        self.mode_buttons[mode].setChecked(True)
        self.show_error("")
        self.refresh()

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def refresh(self) -> None:
        tool = self.tool
        value = tool.value_deg()
        self.value_label.setText(format_deg(value, signed=is_signed(tool.kind)))
        self.value_label.setToolTip("" if tool.complete else "live value at the mouse position")
        self.instruction.setText(tool.instruction())
        snapped = [n.replace("_", " ") for n in tool.snapped if n]
        sign = f"Sign: {sign_convention(tool.kind, tool.reference)}."
        if snapped:
            sign += f" Snapped to: {', '.join(snapped)}."
        if tool.panel.pose is None:
            sign += " The skeleton is not loaded yet: points are not snapped to landmarks."
        self.sign_label.setText(sign)
        self.save_button.setEnabled(tool.complete)
        self.discard_button.setEnabled(bool(tool.points))


class MeasurementList(QWidget):
    """A visit's manual measurements: label (editable), value, kind, frame; show and delete.

    Signals: ``show_requested(int measurement_id)``, ``delete_requested(int)``,
    ``rename_requested(int, str)``.
    """

    show_requested = Signal(int)
    delete_requested = Signal(int)
    rename_requested = Signal(int, str)

    COLUMNS = ("Label", "Value", "Measured", "Frame", "Video")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[StoredMeasurement] = []
        self._filling = False
        self.table = QTableWidget(0, len(self.COLUMNS), objectName="measurement_table")
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.table.cellClicked.connect(lambda r, _c: self._show(r))
        self.table.itemChanged.connect(self._renamed)
        self.show_button = QPushButton("Show on frame", objectName="measurement_show_button")
        self.delete_button = QPushButton("Delete…", objectName="measurement_delete_button")
        self.show_button.clicked.connect(lambda: self._show(self.table.currentRow()))
        self.delete_button.clicked.connect(self._delete)
        self.empty_label = QLabel(
            "No manual measurements at this visit yet. Press Measure above the video, choose an angle "
            "or a line, and click the points on a frame.", objectName="hint")
        self.empty_label.setWordWrap(True)
        note = QLabel(f"{ON_SCREEN_NOTE} Double-click a label to rename it. {TERMINOLOGY_GUARD}",
                      objectName="guard_note")
        note.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(note)
        self._update_buttons()

    def set_measurements(self, rows: Sequence[StoredMeasurement], describe_video) -> None:
        """Fill the table; ``describe_video(stored) -> str`` names the video each was drawn on."""
        self._filling = True
        self.rows = list(rows)
        self.table.setRowCount(len(self.rows))
        for r, s in enumerate(self.rows):
            m = s.measurement
            frame = f"{m.time_s:.2f} s" + (f" (frame {m.frame_index})" if m.frame_index is not None else "")
            cells = (m.label, format_deg(m.value_deg, signed=is_signed(m.kind)), describe_kind(m.kind, m.reference),
                     frame, describe_video(s))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c:
                    item.setFlags(item.flags() & ~Qt.ItemIsEditable)
                if c == 1:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                    f = item.font()
                    f.setBold(True)
                    item.setFont(f)
                snapped = [n.replace("_", " ") for n in m.snapped if n]
                item.setToolTip(f"{sign_convention(m.kind, m.reference)}."
                                + (f" Snapped to: {', '.join(snapped)}." if snapped else ""))
                if s.recording_id is None:
                    item.setForeground(QColor("#8a8f98"))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.empty_label.setVisible(not self.rows)
        self._filling = False
        self._update_buttons()

    def select(self, measurement_id: int) -> None:
        for r, s in enumerate(self.rows):
            if s.measurement_id == measurement_id:
                self.table.selectRow(r)
        self._update_buttons()

    def _update_buttons(self) -> None:
        has = bool(self.rows)
        self.show_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    def _show(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.show_requested.emit(self.rows[row].measurement_id)

    def _delete(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.rows):
            self.delete_requested.emit(self.rows[row].measurement_id)

    def _renamed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != 0 or not 0 <= item.row() < len(self.rows):
            return
        s = self.rows[item.row()]
        if item.text() != s.label:
            self.rename_requested.emit(s.measurement_id, item.text())
