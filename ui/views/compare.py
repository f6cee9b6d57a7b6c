"""The compare view: two visits side by side, phase-locked, with what changed and why it matters.

A 2×2 grid plays the sagittal and frontal videos of visit A and visit B
**phase-locked**: each video is cut into its strides (heel strike to heel strike of
the chosen side, from the analysis's events) and all four advance together in %
of the gait cycle, so the same moment of the stride is on screen in all of them.
The cycle curves (A, B, the patient's baseline band, healthy key values) carry a
cursor at that %.  The tabs show gaitlab's comparison: findings (red flags first)
and the narrative, the metric table with deltas judged against the MDC,
comparability warnings, the frontal compensation profile and the motion budget.
The view computes nothing itself; it shows :func:`gaitlab.compare.compare_visits`.
The "Manual measurements" tab sets the two visits' hand-drawn measurements side by
side (matched by label, :func:`gaitlab.markers.manual.pair_measurements`); where a
side video has no pelvic stickers, the view says how to get pelvic tilt.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gaitlab.errors import GaitlabError, InputError
from gaitlab.storage import Recording, Visit
from ui.frames import FrameStore, mean_stride_s, stride_windows, time_at_phase
from ui.labels import HIP_PROXY_NOTE, TERMINOLOGY_GUARD, VIEW_SERIES
from ui.model import AppModel
from ui.theme import (
    BETTER_COLOR,
    NEUTRAL_COLOR,
    RED_FLAG_COLOR,
    VISIT_A_COLOR,
    VISIT_B_COLOR,
    WORSE_COLOR,
)
from ui.views.recording import healthy_key_values
from ui.widgets.measure import format_deg, is_signed, lacks_pelvic_tilt, pelvic_tilt_missing_text
from ui.widgets.plots import CyclePlots
from ui.widgets.transport import PlaybackClock, Transport
from ui.widgets.video import VideoPanel
from ui.workers import Task

VIEWS = ("sagittal", "frontal")
METRIC_COLUMNS = ("Measure", "Side", "Visit A", "Visit B", "Change", "MDC", "Judgement",
                  "From baseline", "Healthy adults")
MEASUREMENT_COLUMNS = ("Measurement", "Kind", "Visit A", "Visit B", "Change")


def default_pair(visits: list[Visit], analysed: set[int]) -> tuple[Visit, Visit] | None:
    """The visits compared by default: the latest analysed visit against the one before it."""
    usable = sorted((v for v in visits if v.visit_id in analysed), key=lambda v: (v.date, v.visit_id))
    if len(usable) < 2:
        return None
    return usable[-2], usable[-1]


def judgement_colour(direction: str, concern: str, beyond_mdc: bool) -> str:
    """Red when the change beyond the MDC goes the post-fusion concern's way, green when
    it goes the other way, grey within the MDC or without a concern."""
    if not beyond_mdc or concern not in ("increase", "decrease"):
        return NEUTRAL_COLOR
    worse = (direction == "higher") == (concern == "increase")
    return WORSE_COLOR if worse else BETTER_COLOR


def _fmt(x, digits: int = 1, signed: bool = False) -> str:
    if x is None:
        return "—"
    return f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"


def _digits(unit: str) -> int:
    return 3 if unit == "s" else (2 if unit in ("m", "m/s") else 1)


class PhaseLockedPlayer:
    """The phase clock of the grid: stride number and % of the gait cycle.

    Every video shows ``time_at_phase(its strides, cycle, phase)``; the phase
    advances by ``dt / reference_stride_s × 100`` so the grid moves at the pace of
    the reference video's own strides (visit A's side view when it has strides).
    """

    def __init__(self) -> None:
        self.cycle = 0
        self.phase_pct = 0.0
        self.reference_stride_s = 1.0

    def advance(self, dt_s: float) -> None:
        self.phase_pct += 100.0 * dt_s / max(self.reference_stride_s, 1e-3)
        while self.phase_pct >= 100.0:
            self.phase_pct -= 100.0
            self.cycle += 1

    def set_phase(self, phase_pct: float) -> None:
        self.phase_pct = min(max(float(phase_pct), 0.0), 99.999)


class ComparePanel:
    """One cell of the grid: a video of one visit and view, with its strides."""

    def __init__(self, widget: VideoPanel) -> None:
        self.widget = widget
        self.recording: Recording | None = None
        self.doc: dict | None = None
        self.store: FrameStore | None = None
        self.strides: list[tuple[float, float]] = []
        self.task: Task | None = None

    def time_for(self, clock: PhaseLockedPlayer) -> float | None:
        if self.doc is None:
            return None
        if self.strides:
            return time_at_phase(self.strides, clock.cycle, clock.phase_pct)
        duration = float((self.doc.get("video") or {}).get("duration_s") or 0.0)
        t = (clock.cycle + clock.phase_pct / 100.0) * clock.reference_stride_s
        return t % duration if duration > 0 else 0.0

    def close(self) -> None:
        if self.task is not None and self.task.running:
            self.task.cancel()
            self.task.wait(10_000)
        if self.store is not None:
            self.store.close()
        self.store = None


class CompareView(QWidget):
    """Visit A against visit B of one patient."""

    back_requested = Signal()
    comparison_shown = Signal()

    def __init__(self, model: AppModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compare_view")
        self.model = model
        self.patient_id: str | None = None
        self.visits: list[Visit] = []
        self.comparison = None
        self.visit_pair: tuple[Visit, Visit] | None = None
        self.clock_state = PhaseLockedPlayer()
        self.lock_side = "left"
        model.measurements_changed.connect(self._measurements_changed)

        back = QPushButton("◀ Patient", objectName="compare_back_button")
        back.clicked.connect(self.back_requested)
        self.title = QLabel("Compare visits", objectName="page_title")
        self.visit_a_combo = QComboBox(objectName="compare_visit_a_combo")
        self.visit_b_combo = QComboBox(objectName="compare_visit_b_combo")
        for combo in (self.visit_a_combo, self.visit_b_combo):  # the whole visit name, never cut
            combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.title.setWordWrap(True)  # a long patient name wraps instead of pushing the visits off
        self.title.setMinimumWidth(200)
        self.visit_a_combo.activated.connect(lambda _i: self.compare_selected())
        self.visit_b_combo.activated.connect(lambda _i: self.compare_selected())
        self.lock_combo = QComboBox(objectName="lock_side_combo")
        self.lock_combo.addItem("left heel strike = 0 %", "left")
        self.lock_combo.addItem("right heel strike = 0 %", "right")
        self.lock_combo.activated.connect(lambda _i: self._set_lock_side(self.lock_combo.currentData()))
        top = QHBoxLayout()
        top.addWidget(back)
        top.addWidget(self.title, 1)
        top.addWidget(QLabel(f"<b><span style='color:{VISIT_A_COLOR}'>A</span></b>"))
        top.addWidget(self.visit_a_combo)
        top.addWidget(QLabel(f"<b><span style='color:{VISIT_B_COLOR}'>B</span></b>"))
        top.addWidget(self.visit_b_combo)
        top.addWidget(QLabel("Phase lock:"))
        top.addWidget(self.lock_combo)

        self.red_flag_banner = QLabel("", objectName="red_flag_banner")
        self.red_flag_banner.setWordWrap(True)
        self.red_flag_banner.hide()
        self.comparability_banner = QLabel("", objectName="comparability_banner")
        self.comparability_banner.setWordWrap(True)
        self.comparability_banner.hide()

        grid_widget = QWidget(objectName="compare_grid")
        grid = QGridLayout(grid_widget)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(3)
        self.panels: dict[tuple[str, str], ComparePanel] = {}
        self.column_labels = {}
        for c, which in enumerate(("A", "B")):
            label = QLabel("", objectName=f"compare_column_{which}")
            label.setAlignment(Qt.AlignCenter)
            colour = VISIT_A_COLOR if which == "A" else VISIT_B_COLOR
            label.setStyleSheet(f"font-weight: 600; color: white; background: {colour}; padding: 3px;")
            grid.addWidget(label, 0, c)
            self.column_labels[which] = label
            for r, view in enumerate(VIEWS):
                panel = VideoPanel()
                panel.setObjectName(f"compare_video_{view}_{which}")
                grid.addWidget(panel, r + 1, c)
                self.panels[(view, which)] = ComparePanel(panel)
        self.transport = Transport(prefix="compare_")
        self.clock = PlaybackClock(self)
        self.clock.advanced.connect(self._advance)
        self.clock.playing_changed.connect(self.transport.set_playing)
        self.transport.toggle_requested.connect(self.clock.toggle)
        self.transport.step_requested.connect(self._step)
        self.transport.speed_changed.connect(lambda s: setattr(self.clock, "speed", float(s)))
        self.transport.scrubbed.connect(lambda f: self.set_phase(100.0 * f))
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(grid_widget, 1)
        ll.addWidget(self.transport)

        self.findings_text = QTextBrowser(objectName="findings_text")
        self.findings_text.setOpenExternalLinks(False)
        self.metric_table = QTableWidget(0, len(METRIC_COLUMNS), objectName="compare_metric_table")
        self.metric_table.setHorizontalHeaderLabels(METRIC_COLUMNS)
        self.metric_table.verticalHeader().hide()
        self.metric_table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.metric_table.setAlternatingRowColors(True)
        self.metric_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        metric_tab = QWidget()
        mt = QVBoxLayout(metric_tab)
        mt.addWidget(self.metric_table, 1)
        legend = QLabel(
            f"<span style='color:{WORSE_COLOR}'>■</span> beyond the MDC, in the direction of post-fusion "
            f"concern &nbsp; <span style='color:{BETTER_COLOR}'>■</span> beyond the MDC, the other way &nbsp; "
            f"<span style='color:{NEUTRAL_COLOR}'>■</span> within the MDC (no detectable change)",
            objectName="hint")
        legend.setWordWrap(True)
        mt.addWidget(legend)
        self.metric_tilt_hint = QLabel("", objectName="compare_pelvic_tilt_hint")
        self.metric_tilt_hint.setWordWrap(True)
        self.metric_tilt_hint.setStyleSheet(
            "background: #eef5fb; color: #1f4e79; border: 1px solid #9cc3e6; border-radius: 4px; padding: 6px;")
        self.metric_tilt_hint.hide()
        mt.addWidget(self.metric_tilt_hint)
        self.cycle_plots = CyclePlots(columns=2)
        self.cycle_note = QLabel("", objectName="guard_note")
        self.cycle_note.setWordWrap(True)
        curves_tab = QWidget()
        ct = QVBoxLayout(curves_tab)
        ct.addWidget(self.cycle_plots, 1)
        ct.addWidget(self.cycle_note)
        self.profile_text = QTextBrowser(objectName="compensation_text")
        self.measurement_table = QTableWidget(0, len(MEASUREMENT_COLUMNS), objectName="compare_measurement_table")
        self.measurement_table.setHorizontalHeaderLabels(MEASUREMENT_COLUMNS)
        self.measurement_table.verticalHeader().hide()
        self.measurement_table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.measurement_table.setAlternatingRowColors(True)
        self.measurement_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.measurement_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.measurement_empty = QLabel(
            "Neither visit has manual measurements. Draw them in a recording of the visit (Measure).",
            objectName="hint")
        self.measurement_empty.setWordWrap(True)
        self.measurement_note = QLabel("", objectName="guard_note")
        self.measurement_note.setWordWrap(True)
        self.measurement_tilt_hint = QLabel("", objectName="compare_measurement_tilt_hint")
        self.measurement_tilt_hint.setWordWrap(True)
        self.measurement_tilt_hint.setStyleSheet(self.metric_tilt_hint.styleSheet())
        self.measurement_tilt_hint.hide()
        measurements_tab = QWidget()
        mm = QVBoxLayout(measurements_tab)
        mm.addWidget(self.measurement_empty)
        mm.addWidget(self.measurement_table, 1)
        mm.addWidget(self.measurement_note)
        mm.addWidget(self.measurement_tilt_hint)
        self.tabs = QTabWidget(objectName="compare_tabs")
        self.tabs.addTab(self.findings_text, "Findings")
        self.tabs.addTab(curves_tab, "Cycle curves")
        self.tabs.addTab(metric_tab, "Metrics")
        self.tabs.addTab(self.profile_text, "Compensation && motion budget")
        self.tabs.addTab(measurements_tab, "Manual measurements")

        split = QSplitter(Qt.Horizontal)
        split.addWidget(left)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 5)
        split.setStretchFactor(1, 6)
        split.setSizes([620, 740])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.red_flag_banner)
        layout.addWidget(self.comparability_banner)
        layout.addWidget(split, 1)

    # -- choosing the visits ---------------------------------------------------------
    def show_patient(self, patient_id: str, pair: tuple[int, int] | None = None) -> None:
        """Compare two visits of a patient (default: the latest against the one before)."""
        self.patient_id = patient_id
        patient = self.model.get_patient(patient_id)
        self.title.setText(f"Compare visits — {patient.display_name}")
        self.visits = self.model.list_visits(patient_id)
        analysed = {v.visit_id for v in self.visits if self.model.list_recordings(v.visit_id)}
        usable = [v for v in self.visits if v.visit_id in analysed]
        if pair is None:
            chosen = default_pair(self.visits, analysed)
            if chosen is None:
                raise InputError("Comparing needs two visits with analysed recordings.")
            pair = (chosen[0].visit_id, chosen[1].visit_id)
        for combo in (self.visit_a_combo, self.visit_b_combo):
            combo.blockSignals(True)
            combo.clear()
            for v in usable:
                days = v.days_since_surgery
                when = "" if days is None else (f", day {days:+d}")
                flag = "  ⚑" if v.has_red_flags else ""
                combo.addItem(f"{v.label or 'visit'} ({v.date.isoformat()}{when}){flag}", v.visit_id)
            combo.blockSignals(False)
        self.visit_a_combo.setCurrentIndex(self.visit_a_combo.findData(pair[0]))
        self.visit_b_combo.setCurrentIndex(self.visit_b_combo.findData(pair[1]))
        self.compare_selected()

    def compare_selected(self) -> None:
        a_id, b_id = self.visit_a_combo.currentData(), self.visit_b_combo.currentData()
        if a_id is None or b_id is None:
            return
        a = next(v for v in self.visits if v.visit_id == a_id)
        b = next(v for v in self.visits if v.visit_id == b_id)
        if a.visit_id == b.visit_id:
            self.model.message.emit("Choose two different visits to compare.")
            return
        if (a.date, a.visit_id) > (b.date, b.visit_id):  # A is the earlier visit
            a, b = b, a
        from gaitlab.compare import choose_baseline, compare_visits

        data = [self.model.visit_data(v) for v in self.visits]
        by_id = {d.visit_id: d for d in data}
        baseline = choose_baseline(data)
        try:
            self.comparison = compare_visits(by_id[a.visit_id], by_id[b.visit_id], baseline=baseline)
        except GaitlabError as exc:
            self.model.message.emit(str(exc))
            raise
        self.visit_pair = (a, b)
        self._show_comparison(a, b, by_id, baseline)
        self._load_videos(a, b)
        self.comparison_shown.emit()

    # -- showing the comparison -----------------------------------------------------
    def _show_comparison(self, a: Visit, b: Visit, by_id: dict, baseline) -> None:
        comp = self.comparison
        self.column_labels["A"].setText(f"A · {a.label or 'visit'} · {a.date.isoformat()}")
        self.column_labels["B"].setText(f"B · {b.label or 'visit'} · {b.date.isoformat()}")
        flagged = [v for v in (a, b) if v.has_red_flags]
        self.red_flag_banner.setText(
            "⚑ Red-flag symptoms recorded: " + "; ".join(f"{v.label or v.date.isoformat()}: {v.red_flag_text}"
                                                        for v in flagged)
            + ". Clinical review comes before any gait finding."
        )
        self.red_flag_banner.setVisible(bool(flagged))
        c = comp.comparability
        if c.issues:
            head = {"comparable": "Comparable, with notes", "caution": "Compare with caution",
                    "not comparable": "Not comparable"}.get(c.status, c.status)
            first = c.issues[0].sentence
            more = len(c.issues) - 1
            self.comparability_banner.setText(
                f"⚠ {head}: {first}" + (f"  (+{more} more in the Findings tab)" if more else ""))
            self.comparability_banner.setToolTip("\n".join(i.sentence for i in c.issues))
        self.comparability_banner.setVisible(bool(c.issues))
        self._fill_findings(comp)
        self._fill_metrics(comp)
        self._fill_profile(comp)
        self._fill_measurements(a, b)
        self._show_tilt_hint(a, b, by_id)
        docs_a, docs_b = by_id[a.visit_id].documents, by_id[b.visit_id].documents
        layers = []
        for name, docs, colour, dashed in (("A", docs_a, VISIT_A_COLOR, True), ("B", docs_b, VISIT_B_COLOR, False)):
            for doc in docs:
                layers.append((name, doc, colour, dashed))
        baseline_band = {}
        for curve in comp.curves:
            if curve.baseline_mean is not None and curve.baseline_sd is not None:
                baseline_band[curve.series] = (
                    [float("nan") if v is None else v for v in curve.baseline_mean],
                    [float("nan") if v is None else v for v in curve.baseline_sd],
                )
        bases = VIEW_SERIES["sagittal"][:3] + VIEW_SERIES["frontal"]
        self.cycle_plots.set_layers(layers, bases, bands=healthy_key_values(), baseline=baseline_band)
        base_name = comp.baseline.label if comp.baseline else "—"
        self.cycle_note.setText(
            f"Dashed slate: visit A; solid orange: visit B; shaded: ± 1 SD; violet band: the patient's "
            f"baseline ({base_name}, mean ± SD); dashed green lines: healthy-adult key values. "
            f"Cursor: % of the {self.lock_side} gait cycle shown in the videos.\n{HIP_PROXY_NOTE}\n{TERMINOLOGY_GUARD}"
        )

    def _fill_findings(self, comp) -> None:
        parts = []
        va, vb = comp.visit_a, comp.visit_b
        parts.append(f"<h3>Visit B {vb.label} ({vb.date.isoformat()}) against visit A {va.label} "
                     f"({va.date.isoformat()})</h3>")
        if comp.baseline is not None:
            parts.append(f"<p style='color:#52606d'>Patient's baseline: {comp.baseline.label} "
                         f"({comp.baseline.date.isoformat()}).</p>")
        issues = comp.comparability.issues
        if issues:
            parts.append(f"<h4 style='color:#8a4b00'>Comparability: {comp.comparability.status}</h4><ul>")
            parts += [f"<li style='color:#8a4b00'>{i.sentence}</li>" for i in issues]
            parts.append("</ul>")
        if comp.findings:
            parts.append("<h4>Findings</h4><ol>")
            for f in comp.findings:
                colour = {"red flag": RED_FLAG_COLOR, "marked": WORSE_COLOR if f.trend == "worse" else BETTER_COLOR,
                          "moderate": "#8a4b00" if f.trend == "worse" else BETTER_COLOR}.get(f.severity, "#333")
                tag = f"<b style='color:{colour}'>[{f.severity}{', ' + f.trend if f.trend != 'red flag' else ''}]</b>"
                line = f"<li>{tag} {f.sentence}"
                if f.examine:
                    line += f"<br><span style='color:#1f4e79'>Examine: {f.examine}</span>"
                if f.caveat:
                    line += f"<br><i style='color:#52606d'>{f.caveat}</i>"
                parts.append(line + "</li>")
            parts.append("</ol>")
        else:
            parts.append("<p>No change beyond the minimal detectable change was found.</p>")
        parts.append(f"<h4>Narrative</h4><p>{comp.narrative}</p>")
        parts.append(f"<p style='color:#52606d'><i>{comp.terminology_note}</i></p>")
        self.findings_text.setHtml("\n".join(parts))

    def _fill_metrics(self, comp) -> None:
        rows = [d for d in comp.deltas if d.a is not None or d.b is not None]
        self.metric_table.setRowCount(len(rows))
        for r, d in enumerate(rows):
            digits = _digits(d.unit)
            unit = f" {d.unit}" if d.unit and d.unit != "deg" else ("°" if d.unit == "deg" else "")
            label = d.label + (" (2-D proxy)" if d.measure == "2-D proxy" and "proxy" not in d.label else "")
            pop = d.population
            pop_text = "—" if pop is None else (
                f"{pop.low:g}{unit}" if pop.low == pop.high else f"{pop.low:g}–{pop.high:g}{unit}")
            values = (
                label, d.side or "—", _fmt(d.a, digits) + unit if d.a is not None else "—",
                _fmt(d.b, digits) + unit if d.b is not None else "—",
                _fmt(d.delta, digits, signed=True) + unit if d.delta is not None else "—",
                f"{d.mdc:.{digits}g}{unit}" if d.mdc else "—",
                d.direction,
                _fmt(d.delta_from_baseline, digits, signed=True) + unit if d.delta_from_baseline is not None else "—",
                pop_text,
            )
            colour = QColor(judgement_colour(d.direction, d.concern, d.beyond_mdc))
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                tips = [t for t in (d.note, f"MDC: {d.mdc_kind}. {d.mdc_source}",
                                    pop.caveat if pop is not None else "") if t]
                item.setToolTip("\n".join(tips))
                if c >= 2:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if c in (4, 6):
                    item.setForeground(QBrush(colour))
                    if d.beyond_mdc:
                        f = item.font()
                        f.setBold(True)
                        item.setFont(f)
                self.metric_table.setItem(r, c, item)
        self.metric_table.resizeColumnsToContents()

    def _fill_measurements(self, a: Visit, b: Visit) -> None:
        """The two visits' manual measurements side by side, matched by label."""
        from gaitlab.markers.manual import (
            ON_SCREEN_NOTE,
            describe_kind,
            pair_measurements,
            sign_convention,
        )

        pairs = pair_measurements([s.measurement for s in self.model.list_measurements(a.visit_id)],
                                  [s.measurement for s in self.model.list_measurements(b.visit_id)])
        self.measurement_table.setRowCount(len(pairs))
        for r, p in enumerate(pairs):
            signed = is_signed(p.kind)

            def value(v, n, signed=signed):
                return format_deg(v, signed=signed) + (f" (mean of {n})" if n > 1 else "")

            change = "—" if p.change_deg is None else f"{p.change_deg:+.1f}°"
            for c, text in enumerate((p.label, describe_kind(p.kind, p.reference), value(p.a_deg, p.n_a),
                                      value(p.b_deg, p.n_b), change)):
                item = QTableWidgetItem(text)
                if c >= 2:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.measurement_table.setItem(r, c, item)
        self.measurement_table.resizeColumnsToContents()
        self.measurement_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.measurement_empty.setVisible(not pairs)
        kinds = sorted({(p.kind, p.reference) for p in pairs}, key=lambda k: (k[0], k[1] or ""))
        signs = " ".join(f"{describe_kind(k, r).capitalize()}: {sign_convention(k, r)}." for k, r in kinds)
        self.measurement_note.setText(
            f"{ON_SCREEN_NOTE} Compare measurements taken the same way (same posture, same frame choice). "
            f"Change = B − A; no minimal detectable change is known for hand-drawn angles."
            + (f"\n{signs}" if signs else "") + f"\n{TERMINOLOGY_GUARD}")

    def _measurements_changed(self, visit_id: int) -> None:
        """A measurement of a visit was saved, renamed or deleted elsewhere: refresh the table
        when that visit is on screen (the rest of the comparison does not depend on it)."""
        pair = getattr(self, "visit_pair", None)
        if pair is None or int(visit_id) not in (pair[0].visit_id, pair[1].visit_id):
            return
        try:
            self._fill_measurements(*pair)
        except GaitlabError as exc:  # the visit went away with another library
            self.model.message.emit(str(exc))

    def _show_tilt_hint(self, a: Visit, b: Visit, by_id: dict) -> None:
        """Say how to get pelvic tilt where a visit's side video has no stickers."""
        missing = []
        doc = None
        for which, visit in (("A", a), ("B", b)):
            side = [d for d in by_id[visit.visit_id].documents if d.get("view") == "sagittal"]
            lacking = [d for d in side if lacks_pelvic_tilt(d)]
            if lacking and len(lacking) == len(side):
                missing.append(f"visit {which} ({visit.label or visit.date.isoformat()})")
                doc = doc or lacking[0]
        text = ""
        if missing:
            text = f"Pelvic tilt is missing at {' and '.join(missing)}. " + pelvic_tilt_missing_text(doc)
        for label in (self.metric_tilt_hint, self.measurement_tilt_hint):
            label.setText(text)
            label.setVisible(bool(text))

    def _fill_profile(self, comp) -> None:
        parts = ["<h3>Frontal compensation profile (visit B)</h3>",
                 "<table border='0' cellspacing='0' cellpadding='4' width='100%'>",
                 "<tr style='background:#eef1f4'><th align='left'>Stance leg</th><th>Pattern</th>"
                 "<th>Contralateral pelvic drop</th><th>Trunk lean toward stance</th>"
                 "<th>Hip adduction in stance</th></tr>"]
        for p in comp.compensation:
            colour = WORSE_COLOR if p.pattern in ("trendelenburg", "trunk_lurch") else NEUTRAL_COLOR
            parts.append(
                f"<tr><td>{p.stance_side}</td><td style='color:{colour}'><b>{p.label}</b></td>"
                f"<td align='right'>{_fmt(p.contralateral_drop_deg)}° ({_fmt(p.drop_change_deg, signed=True)})</td>"
                f"<td align='right'>{_fmt(p.trunk_lean_toward_stance_deg)}° ({_fmt(p.lean_change_deg, signed=True)})</td>"
                f"<td align='right'>{_fmt(p.hip_adduction_stance_deg)}° "
                f"({_fmt(p.adduction_change_deg, signed=True)})</td></tr>")
        parts.append("</table>")
        for p in comp.compensation:
            parts.append(f"<p>{p.sentence}</p>")
        budget = comp.motion_budget
        parts.append(f"<h3>Lumbo-pelvic-hip motion budget</h3><p><b>{budget.summary}</b></p>")
        if budget.hips_taking_over:
            parts.append(f"<p style='color:{WORSE_COLOR}'>Hip range grew beyond its MDC while trunk excursion "
                         "did not: the hips may be taking over motion from the fused lumbar spine.</p>")
        parts.append("<table border='0' cellspacing='0' cellpadding='4' width='100%'>"
                     "<tr style='background:#eef1f4'><th align='left'>Component</th><th>Measure</th>"
                     "<th>A</th><th>B</th><th>Change</th>"
                     f"<th>From baseline ({budget.reference_label})</th></tr>")
        for comp_ in budget.components:
            side = f" ({comp_.side})" if comp_.side else ""
            parts.append(
                f"<tr><td>{comp_.label}{side}</td><td>{comp_.measure}</td>"
                f"<td align='right'>{_fmt(comp_.a)}°</td><td align='right'>{_fmt(comp_.b)}°</td>"
                f"<td align='right'>{_fmt(comp_.change, signed=True)}°</td>"
                f"<td align='right'>{_fmt(comp_.change_from_baseline, signed=True)}°</td></tr>")
        parts.append("</table>")
        parts.append(f"<p style='color:#52606d'><i>{HIP_PROXY_NOTE} {TERMINOLOGY_GUARD}</i></p>")
        self.profile_text.setHtml("\n".join(parts))

    # -- videos ---------------------------------------------------------------------
    def _load_videos(self, a: Visit, b: Visit) -> None:
        self.clock.pause()
        for which, visit in (("A", a), ("B", b)):
            recs = self.model.list_recordings(visit.visit_id, with_result=True)
            for view in VIEWS:
                panel = self.panels[(view, which)]
                panel.close()
                rec = next((r for r in recs if r.view == view and r.result), None)
                panel.recording = rec
                panel.doc = rec.result if rec else None
                panel.strides = []
                if rec is None:
                    panel.widget.set_source(None, caption=f"{view}: no recording at this visit")
                    panel.widget.set_note("")
                    continue
                heel = ((rec.result.get("events") or {}).get("heel_strike") or {})
                panel.strides = stride_windows(heel.get(self.lock_side) or [])
                path = Path(rec.video_path)
                if not path.is_file() and Path(rec.original_path).is_file():
                    path = Path(rec.original_path)
                if not path.is_file():
                    panel.widget.set_source(None, caption=f"{view}: the video {path.name} is missing")
                    continue
                panel.store = FrameStore(path, max_width_px=480)
                panel.widget.set_source(panel.store, None, caption=f"{which} · {view}")
                panel.widget.set_note("" if panel.strides else "no gait cycles: not phase-locked")
                if (panel.doc.get("video") or {}).get("sha256"):
                    self._load_pose(panel)
        self._update_reference()
        self.clock_state.cycle = 0
        self.set_phase(0.0)

    def _load_pose(self, panel: ComparePanel) -> None:
        doc = panel.doc
        path = panel.store.path

        def work(progress, cancel):
            from gaitlab.analysis import pose_for_result

            return pose_for_result(doc, video_path=path, progress=progress, cancel=cancel)

        task = Task("Loading the skeleton", work, self)
        task.succeeded.connect(lambda pose, p=panel, d=doc: p.widget.set_pose(pose) if p.doc is d else None)
        task.failed.connect(lambda msg, p=panel: p.widget.set_note(f"No skeleton: {msg}"))
        panel.task = task
        task.start()

    def _update_reference(self) -> None:
        for key in (("sagittal", "A"), ("sagittal", "B"), ("frontal", "A"), ("frontal", "B")):
            stride = mean_stride_s(self.panels[key].strides)
            if stride:
                self.clock_state.reference_stride_s = stride
                return
        self.clock_state.reference_stride_s = 1.0

    def _set_lock_side(self, side: str) -> None:
        self.lock_side = side
        for panel in self.panels.values():
            if panel.doc is not None:
                heel = ((panel.doc.get("events") or {}).get("heel_strike") or {})
                panel.strides = stride_windows(heel.get(side) or [])
        self._update_reference()
        self.set_phase(self.clock_state.phase_pct)

    # -- playback -------------------------------------------------------------------
    def _advance(self, dt_s: float) -> None:
        self.clock_state.advance(dt_s)
        self._show_phase()

    def _step(self, direction: int) -> None:
        self.clock.pause()
        p = self.clock_state.phase_pct + direction
        if p < 0:
            p += 100.0
            self.clock_state.cycle = max(0, self.clock_state.cycle - 1)
        elif p >= 100:
            p -= 100.0
            self.clock_state.cycle += 1
        self.set_phase(p)

    def set_phase(self, phase_pct: float) -> None:
        """Show ``phase_pct`` % of the current stride in all four videos and on the curves."""
        self.clock_state.set_phase(phase_pct)
        self._show_phase()

    def panel_times(self) -> dict[tuple[str, str], float | None]:
        """Video time shown in each cell at the current phase."""
        return {key: panel.time_for(self.clock_state) for key, panel in self.panels.items()}

    def _show_phase(self) -> None:
        for key, t in self.panel_times().items():
            if t is not None:
                self.panels[key].widget.show_time(t)
        p = self.clock_state.phase_pct
        self.cycle_plots.set_phase(p)
        self.transport.set_position(p / 100.0, f"{p:5.1f} % of the {self.lock_side} gait cycle "
                                               f"(stride {self.clock_state.cycle + 1})")

    def stop(self) -> None:
        self.clock.pause()
        for panel in self.panels.values():
            panel.close()
