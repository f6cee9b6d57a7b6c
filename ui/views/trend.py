"""The trend view: chosen metrics over all visits against days since surgery, with pain.

Each chosen metric gets its own plot (units differ), sides in their colours, the
patient's baseline ± MDC as a band, and the day of surgery as a vertical line;
the pain scores share the same time axis below.  Values come from
:func:`gaitlab.compare.trend`; the view computes nothing itself.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gaitlab.errors import InputError
from ui.labels import HIP_PROXY_NOTE, TERMINOLOGY_GUARD
from ui.model import AppModel
from ui.theme import BASELINE_BAND_RGBA, LEFT_COLOR, RIGHT_COLOR, SIDE_COLORS

#: Metrics ticked when the view opens.
DEFAULT_CHOSEN = ("cadence_steps_per_min", "hip_rom_deg", "pelvic_drop_deg", "trunk_lean_sagittal_mean_deg")
PAIN_SERIES = (
    ("hip_pain_left_nrs", "hip pain, left", LEFT_COLOR, Qt.SolidLine),
    ("hip_pain_right_nrs", "hip pain, right", RIGHT_COLOR, Qt.SolidLine),
    ("back_pain_nrs", "back pain", "#555555", Qt.DashLine),
)


def time_axis(visits) -> tuple[list[float], str]:
    """x values of the visits: days since surgery, or days since the first visit without a surgery date."""
    if visits and all(v.days_since_surgery is not None for v in visits):
        return [float(v.days_since_surgery) for v in visits], "days since surgery"
    first = min(v.date for v in visits) if visits else None
    return [float((v.date - first).days) for v in visits], "days since the first visit"


class TrendView(QWidget):
    back_requested = Signal()

    def __init__(self, model: AppModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trend_view")
        self.model = model
        self.patient_id: str | None = None
        self.trend = None
        back = QPushButton("◀ Patient", objectName="trend_back_button")
        back.clicked.connect(self.back_requested)
        self.title = QLabel("Trend", objectName="page_title")
        top = QHBoxLayout()
        top.addWidget(back)
        top.addWidget(self.title, 1)
        self.metric_list = QListWidget(objectName="trend_metric_list")
        self.metric_list.itemChanged.connect(lambda _i: self.redraw())
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setObjectName("trend_plots")
        self.graphics.setBackground("w")
        self.note = QLabel("", objectName="guard_note")
        self.note.setWordWrap(True)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.graphics, 1)
        rl.addWidget(self.note)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel("Metrics", objectName="section_title"))
        ll.addWidget(self.metric_list, 1)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 4)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self.plots: dict[str, pg.PlotItem] = {}

    def show_patient(self, patient_id: str) -> None:
        from gaitlab.compare import METRIC_SPECS

        self.patient_id = patient_id
        patient = self.model.get_patient(patient_id)
        self.title.setText(f"Trend — {patient.display_name}")
        self.visits = self.model.list_visits(patient_id)
        if not any(self.model.list_recordings(v.visit_id) for v in self.visits):
            raise InputError("None of the patient's visits has an analysed recording.")
        chosen = {self.metric_list.item(i).data(Qt.UserRole) for i in range(self.metric_list.count())
                  if self.metric_list.item(i).checkState() == Qt.Checked} or set(DEFAULT_CHOSEN)
        self.metric_list.blockSignals(True)
        self.metric_list.clear()
        for spec in METRIC_SPECS:
            label = spec.label + (" (2-D proxy)" if spec.measure == "2-D proxy" else "")
            item = QListWidgetItem(f"{label} ({spec.unit})" if spec.unit else label)
            item.setData(Qt.UserRole, spec.name)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if spec.name in chosen else Qt.Unchecked)
            self.metric_list.addItem(item)
        self.metric_list.blockSignals(False)
        # every metric's name readable without a horizontal scroll bar
        self.metric_list.setMinimumWidth(self.metric_list.sizeHintForColumn(0) + 36)
        self.redraw()

    def _label_visits(self, plot: pg.PlotItem, x_of: dict) -> None:
        """Name the visits once, on the top axis of the first plot (the plots share the x axis)."""
        plot.showAxis("top")
        top = plot.getAxis("top")
        top.setTicks([[(x, v.label or v.date.isoformat()) for v in self.visits
                       if (x := x_of.get(v.visit_id)) is not None], []])
        top.setTextPen("#1f2933")

    def chosen_metrics(self) -> list[str]:
        return [self.metric_list.item(i).data(Qt.UserRole) for i in range(self.metric_list.count())
                if self.metric_list.item(i).checkState() == Qt.Checked]

    def redraw(self) -> None:
        from gaitlab.compare import METRIC_SPECS, trend

        METRIC_SPEC_BY_NAME = {spec.name: spec for spec in METRIC_SPECS}  # noqa: N806
        self.graphics.clear()
        self.plots.clear()
        metrics = self.chosen_metrics()
        data = [self.model.visit_data(v) for v in self.visits]
        self.trend = trend(data, metrics) if metrics else None
        xs_all, x_label = time_axis(self.visits)
        x_of = {v.visit_id: x for v, x in zip(self.visits, xs_all)}
        first: pg.PlotItem | None = None
        row = 0
        notes = set()
        for metric in metrics:
            series = [s for s in (self.trend.series if self.trend else ()) if s.metric == metric]
            if not series:
                continue
            plot = self.graphics.addPlot(row=row, col=0)
            row += 1
            s0 = series[0]
            proxy = " (2-D proxy)" if METRIC_SPEC_BY_NAME[metric].measure == "2-D proxy" else ""
            plot.setTitle(f"{s0.label}{proxy} ({s0.unit})" if s0.unit else s0.label + proxy, size="9pt")
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setMenuEnabled(False)
            plot.getAxis("left").setWidth(46)
            plot.addLegend(offset=(-6, 4), labelTextSize="8pt", verSpacing=-6)  # top right, clear of the data
            for s in series:
                xs = [x_of.get(p.visit_id) for p in s.points]
                ys = [np.nan if p.value is None else p.value for p in s.points]
                colour = SIDE_COLORS.get(s.side or "", "#37474f")
                base = next((p.value - p.change_from_baseline for p in s.points
                             if p.value is not None and p.change_from_baseline is not None), None)
                if base is not None and s.mdc:
                    region = pg.LinearRegionItem((base - s.mdc, base + s.mdc), orientation="horizontal",
                                                 movable=False, brush=pg.mkBrush(*BASELINE_BAND_RGBA),
                                                 pen=pg.mkPen(None))
                    region.setZValue(-10)
                    plot.addItem(region)
                measured = [(x, y) for x, y in zip(xs, ys) if x is not None and np.isfinite(y)]
                if not measured:
                    continue
                plot.plot([x for x, _ in measured], [y for _, y in measured], pen=pg.mkPen(colour, width=2),
                          symbol="o", symbolSize=8, symbolBrush=colour, name=s.side or s.label)
                if s.note:
                    notes.add(s.note)
            if metric.startswith("hip_"):
                notes.add(HIP_PROXY_NOTE)
            if metric.startswith("pelvic_") and not any(s.note for s in series):
                notes.add(TERMINOLOGY_GUARD)
            plot.addItem(pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen("#999999", style=Qt.DashLine),
                                         label="surgery", labelOpts={"position": 0.9, "color": "#777777"}))
            if first is None:
                first = plot
                self._label_visits(plot, x_of)
            else:
                plot.setXLink(first)
            self.plots[metric] = plot
        pain = self.graphics.addPlot(row=row, col=0)
        pain.setTitle("Patient-reported pain (NRS 0–10)", size="9pt")
        pain.setYRange(0, 10)
        pain.showGrid(x=True, y=True, alpha=0.25)
        pain.setMenuEnabled(False)
        pain.getAxis("left").setWidth(46)
        pain.setLabel("bottom", x_label)
        pain.addLegend(offset=(-6, 4), labelTextSize="8pt", verSpacing=-6)
        for attr, name, colour, style in PAIN_SERIES:
            xs = [x_of[v.visit_id] for v in self.visits]
            measured = [(x, float(getattr(v, attr))) for x, v in zip(xs, self.visits)
                        if getattr(v, attr) is not None]
            if measured:
                pain.plot([x for x, _ in measured], [y for _, y in measured],
                          pen=pg.mkPen(colour, width=2, style=style), symbol="s", symbolSize=7,
                          symbolBrush=colour, name=name)
        for v in self.visits:
            if v.has_red_flags:
                flag = pg.TextItem("⚑ red flag", color="#b71c1c", anchor=(0.5, 0))
                flag.setPos(x_of[v.visit_id], 10)
                pain.addItem(flag)
        pain.addItem(pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen("#999999", style=Qt.DashLine)))
        if first is not None:
            pain.setXLink(first)
        else:
            self._label_visits(pain, x_of)
            first = pain
        if xs_all:  # room on the right for the legends, so they never cover the latest visit
            lo, hi = min(xs_all), max(xs_all)
            span = max(hi - lo, 1.0)
            first.setXRange(min(lo, 0.0) - 0.04 * span, hi + 0.28 * span, padding=0)
        self.plots["pain"] = pain
        base = self.trend.baseline if self.trend else None
        lines = [f"Violet band: the patient's baseline ({base.label}) ± the minimal detectable change."
                 if base else "No baseline visit."]
        lines += sorted(notes)
        self.note.setText("\n".join(lines))
