"""Plots of an analysis: time series with a video cursor, and gait-cycle curves.

:class:`SeriesPlots` stacks one plot per measure (time axes linked), marks heel
strikes (solid) and toe offs (dotted) per side, and shows a cursor at the video's
time; clicking a plot or dragging the cursor asks the player to seek there.
:class:`CyclePlots` draws the gait-cycle curves (mean ± SD per side, 0–100 %), with
healthy-adult key values as dashed lines where gaitlab cites a source, and a
cursor at the current % of the gait cycle.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ui.labels import SERIES_LABELS, has_values, series_names
from ui.theme import SD_ALPHA, SIDE_COLORS

SIDE_STYLE = {"left": Qt.SolidLine, "right": Qt.SolidLine}


def _values(seq) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in (seq or [])], dtype=float)


def _rgba(hex_color: str, alpha: int) -> tuple[int, int, int, int]:
    c = hex_color.lstrip("#")
    return (int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16), alpha)


def available_bases(doc: dict, bases) -> list[str]:
    """The base names among ``bases`` with at least one measured value in ``doc``."""
    series = doc.get("series") or {}
    return [b for b in bases if any(has_values(series.get(n)) for n in series_names(b))]


class SeriesPlots(QWidget):
    """Time series of one analysis with event markers and a video-time cursor.

    Signals: ``seek_requested(float time_s)``.
    """

    seek_requested = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("series_plots")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        layout.addWidget(self.graphics)
        self.plots: dict[str, pg.PlotItem] = {}
        self.cursors: list[pg.InfiniteLine] = []
        self.graphics.scene().sigMouseClicked.connect(self._on_click)

    def set_document(self, doc: dict, bases) -> None:
        self.graphics.clear()
        self.plots.clear()
        self.cursors.clear()
        t = np.asarray(doc.get("time_s") or [], float)
        series = doc.get("series") or {}
        events = doc.get("events") or {}
        first: pg.PlotItem | None = None
        shown = available_bases(doc, bases)
        for row, base in enumerate(shown):
            label = SERIES_LABELS[base]
            plot = self.graphics.addPlot(row=row, col=0)
            plot.setTitle(f"{label.title}   <span style='color:#667'>({label.positive}, °)</span>", size="9pt")
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=True, y=False)
            plot.getAxis("left").setWidth(42)
            if row == len(shown) - 1:
                plot.setLabel("bottom", "video time", units="s")
            for name in series_names(base):
                values = _values(series.get(name))
                if values.size != t.size or not np.isfinite(values).any():
                    continue
                side = name.rsplit("_", 1)[-1]
                color = SIDE_COLORS.get(side, "#333333")
                plot.plot(t, values, pen=pg.mkPen(color, width=2), connect="finite",
                          name=f"{side} side" if side in SIDE_COLORS else label.title)
            self._add_events(plot, events)
            cursor = pg.InfiniteLine(pos=0.0, angle=90, movable=True, pen=pg.mkPen("#222222", width=1.5))
            cursor.sigDragged.connect(lambda line: self.seek_requested.emit(float(line.value())))
            plot.addItem(cursor)
            self.cursors.append(cursor)
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            self.plots[base] = plot
        if first is not None and t.size:
            first.setXRange(float(t[0]), float(t[-1]), padding=0.01)

    @staticmethod
    def _add_events(plot: pg.PlotItem, events: dict) -> None:
        for kind, style in (("heel_strike", Qt.SolidLine), ("toe_off", Qt.DotLine)):
            for side, times in (events.get(kind) or {}).items():
                color = SIDE_COLORS.get(side, "#777777")
                for ts in times or []:
                    line = pg.InfiniteLine(pos=float(ts), angle=90, movable=False,
                                           pen=pg.mkPen(_rgba(color, 150), width=1, style=style))
                    plot.addItem(line, ignoreBounds=True)

    def set_time(self, time_s: float) -> None:
        for cursor in self.cursors:
            if cursor.value() != time_s:
                cursor.blockSignals(True)
                cursor.setValue(time_s)
                cursor.blockSignals(False)

    def _on_click(self, event) -> None:
        if event.button() != Qt.LeftButton:
            return
        pos = event.scenePos()
        for plot in self.plots.values():
            if plot.vb.sceneBoundingRect().contains(pos):
                self.seek_requested.emit(float(plot.vb.mapSceneToView(pos).x()))
                event.accept()
                return

    def cursor_time(self) -> float | None:
        return float(self.cursors[0].value()) if self.cursors else None


class CyclePlots(QWidget):
    """Gait-cycle curves: mean ± SD per side (0–100 % of the cycle), per measure.

    ``layers`` lets the compare view overlay several visits: each layer is
    (name, doc, colour or None for side colours, style).  ``bands`` maps a base
    name to (low, high, label) horizontal reference bands or lines.
    """

    def __init__(self, parent: QWidget | None = None, *, columns: int = 2) -> None:
        super().__init__(parent)
        self.setObjectName("cycle_plots")
        self.columns = columns
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        layout.addWidget(self.graphics)
        self.plots: dict[str, pg.PlotItem] = {}
        self.cursors: list[pg.InfiniteLine] = []
        self.curve_count = 0

    def clear(self) -> None:
        self.graphics.clear()
        self.plots.clear()
        self.cursors.clear()
        self.curve_count = 0

    def set_layers(self, layers, bases, *, bands: dict | None = None, baseline: dict | None = None) -> None:
        """Draw ``layers`` [(name, doc, colour|None, dashed)] for each base name with cycles.

        ``baseline``: per series name (e.g. "hip_flexion_left") a (mean, sd) pair of
        101-point arrays drawn as the patient's baseline band.
        """
        from ui.theme import BASELINE_BAND_RGBA, HEALTHY_BAND_RGBA

        self.clear()
        bands = bands or {}
        baseline = baseline or {}
        x = np.linspace(0, 100, 101)
        shown = [b for b in bases if any(
            (doc.get("cycles") or {}).get(n, {}).get("mean") for _, doc, _, _ in layers for n in series_names(b))]
        for i, base in enumerate(shown):
            label = SERIES_LABELS[base]
            plot = self.graphics.addPlot(row=i // self.columns, col=i % self.columns)
            plot.setTitle(f"{label.title} (°)", size="9pt")
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.setLabel("bottom", "% of gait cycle")
            plot.getAxis("left").setWidth(38)
            plot.setXRange(0, 100, padding=0.0)
            plot.addLegend(offset=(4, 4), labelTextSize="7pt", verSpacing=-6)
            for name in series_names(base):
                band = baseline.get(name)
                if band is not None:
                    mean, sd = (np.asarray(band[0], float), np.asarray(band[1], float))
                    lo = pg.PlotDataItem(x, mean - sd, pen=None)
                    hi = pg.PlotDataItem(x, mean + sd, pen=None)
                    fill = pg.FillBetweenItem(lo, hi, brush=pg.mkBrush(*BASELINE_BAND_RGBA))
                    plot.addItem(fill)
            if base in bands:
                for low, high, text in bands[base]:
                    if high > low:
                        region = pg.LinearRegionItem((low, high), orientation="horizontal", movable=False,
                                                     brush=pg.mkBrush(*HEALTHY_BAND_RGBA))
                        plot.addItem(region)
                    else:
                        line = pg.InfiniteLine(pos=low, angle=0, movable=False,
                                               pen=pg.mkPen((56, 142, 60), width=1.5, style=Qt.DashLine),
                                               label=text, labelOpts={"position": 0.97, "color": (56, 142, 60),
                                                                      "anchors": [(1, 1), (1, 1)]})
                        plot.addItem(line)
            for layer_name, doc, colour, dashed in layers:
                cycles = doc.get("cycles") or {}
                for name in series_names(base):
                    c = cycles.get(name) or {}
                    mean, sd = _values(c.get("mean")), _values(c.get("sd"))
                    if mean.size != 101 or not np.isfinite(mean).any():
                        continue
                    side = name.rsplit("_", 1)[-1]
                    color = colour or SIDE_COLORS.get(side, "#333333")
                    if sd.size == 101 and np.isfinite(sd).any():
                        lo = pg.PlotDataItem(x, mean - sd, pen=None, connect="finite")
                        hi = pg.PlotDataItem(x, mean + sd, pen=None, connect="finite")
                        plot.addItem(pg.FillBetweenItem(lo, hi, brush=pg.mkBrush(*_rgba(color, SD_ALPHA))))
                    style = Qt.DashLine if dashed else Qt.SolidLine
                    tag = f"{layer_name} {side}" if side in SIDE_COLORS else layer_name
                    plot.plot(x, mean, pen=pg.mkPen(color, width=2, style=style), connect="finite",
                              name=f"{tag.strip()} (n={c.get('n', 0)})")
                    self.curve_count += 1
            cursor = pg.InfiniteLine(pos=0.0, angle=90, movable=False, pen=pg.mkPen("#222222", width=1))
            plot.addItem(cursor)
            self.cursors.append(cursor)
            self.plots[base] = plot

    def set_phase(self, phase_pct: float | None) -> None:
        for cursor in self.cursors:
            cursor.setVisible(phase_pct is not None)
            if phase_pct is not None:
                cursor.setValue(float(phase_pct))
