"""The clinical PDF report: one recording, one visit, or a comparison of two visits.

Built with reportlab's page layout and matplotlib's Agg renderer (no GUI, no
hand-written PDF).  :func:`render_report_pdf` turns a :class:`ReportContent` into
PDF bytes; the caller writes them atomically.  The report is de-identified by
default: the pseudonymous patient ID, the birth year at most, no video file names,
faces in the key frames blurred; the name appears only when ``show_name`` is set.

What the report says about the measures follows ``spec/analysis-v1.md``: hip
flexion is labelled a 2-D proxy wherever it appears, and the terminology guard
stands wherever pelvic obliquity or tilt appears.  Findings point to what to
examine; they never diagnose.  Manual measurements (angles and lines a therapist
drew on a video frame) get their own table, marked as 2-D on-screen angles.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from gaitlab import __version__
from gaitlab.compare import (
    TERMINOLOGY_GUARD,
    Comparison,
    combine_visit_metrics,
    population_band,
)
from gaitlab.compare.visits import METRIC_SPECS, cycle_curve, cycle_sd, pick_document
from gaitlab.errors import InputError
from gaitlab.markers.manual import (
    ON_SCREEN_NOTE,
    Measurement,
    describe_kind,
    pair_measurements,
    sign_convention,
)
from gaitlab.report.annotate import KeyFrame
from gaitlab.storage import RED_FLAGS, TREATMENTS, WALKING_AIDS, Patient, Visit

#: Paper sizes the report is laid out for (points).
PAGE_SIZES: dict[str, tuple[float, float]] = {"a4": A4, "letter": LETTER}

HIP_PROXY_NOTE = (
    "Hip flexion is measured against the trunk line in the side view: a 2-D proxy of the "
    "pelvis-relative hip angle of laboratory gait analysis."
)
#: The measurement caveats of 2-D video, printed in every report.
VIDEO_CAVEATS: tuple[str, ...] = (
    "All angles come from a single 2-D video camera; out-of-plane motion, camera height "
    "and angle, and clothing change them. Small changes are within measurement error.",
    HIP_PROXY_NOTE,
    "Frontal pelvic obliquity from the front view is a dynamic gait measure. " + TERMINOLOGY_GUARD,
    "Sagittal pelvic tilt cannot be seen without skin markers on the pelvis (ASIS/PSIS).",
    "Step length and walking speed need the patient's height as the scale; without it "
    "they are left empty, never guessed.",
    "Gait events are timed from video to about one frame.",
    "Healthy-adult reference values are published key values, not curves for gaitlab's "
    "2-D angles; they orient and do not judge. The patient's own baseline matters most.",
)
NOT_A_DIAGNOSIS = (
    "Findings point to what to examine; they are not a diagnosis. Interpret them with "
    "the clinical examination and imaging."
)

#: Curve panels: (title, series of the left side / whole body, series of the right side, view).
CURVE_PANELS: tuple[tuple[str, str, str | None, str], ...] = (
    ("Hip flexion, left (2-D proxy)", "hip_flexion_left", None, "sagittal"),
    ("Hip flexion, right (2-D proxy)", "hip_flexion_right", None, "sagittal"),
    ("Knee flexion, left", "knee_flexion_left", None, "sagittal"),
    ("Knee flexion, right", "knee_flexion_right", None, "sagittal"),
    ("Pelvic obliquity (video; not radiographic PT)", "pelvic_obliquity", None, "frontal"),
    ("Trunk lean, forward", "trunk_lean_sagittal", None, "sagittal"),
    ("Trunk lean, lateral (+ = to the left)", "trunk_lean_lateral", None, "frontal"),
)
#: Healthy-adult key values drawn as lines on a panel: series → metrics.
_PANEL_KEY_VALUES = {
    "hip_flexion_left": ("hip_flexion_max_deg", "hip_extension_max_deg"),
    "hip_flexion_right": ("hip_flexion_max_deg", "hip_extension_max_deg"),
    "knee_flexion_left": ("knee_flexion_max_deg",),
    "knee_flexion_right": ("knee_flexion_max_deg",),
}
_VISIT_COLOURS = ("#7a7a7a", "#1f5fbf")


@dataclass(frozen=True)
class ReportVisit:
    """One visit (or one lone recording) shown in a report.

    Attributes
    ----------
    visit : Visit or None
        The library's visit record; None for a recording analysed outside the library.
    label : str
        What the report calls it ("6 weeks (2026-04-13)", or "recording").
    documents : tuple of dict
        Analysis documents of its recordings (``spec/analysis-v1.md``).
    key_frames : tuple of KeyFrame
        Heel-strike stills with the skeleton (faces blurred by default).
    notes : tuple of str
        What could not be shown and why (e.g. a video that was not found).
    measurements : tuple of Measurement
        Manual measurements saved with the visit (labelled), in the order saved.
    """

    visit: Visit | None
    label: str
    documents: tuple[dict, ...]
    key_frames: tuple[KeyFrame, ...] = ()
    notes: tuple[str, ...] = ()
    measurements: tuple[Measurement, ...] = ()


@dataclass(frozen=True)
class ReportContent:
    """Everything a report shows.

    Attributes
    ----------
    patient : Patient or None
        None for a lone recording.
    visits : tuple of ReportVisit
        One visit (or recording), or the earlier and the later visit of a comparison.
    comparison : Comparison or None
        Set when two visits are compared.
    show_name : bool
        Print the patient's name (off by default: the pseudonymous ID only).
    created : datetime.date
        Date printed on the report.
    """

    patient: Patient | None
    visits: tuple[ReportVisit, ...]
    comparison: Comparison | None = None
    show_name: bool = False
    created: dt.date = field(default_factory=dt.date.today)

    def __post_init__(self) -> None:
        if not self.visits:
            raise InputError("A report needs at least one analysed visit or recording.")
        if self.comparison is not None and len(self.visits) != 2:
            raise InputError("A comparison report shows exactly two visits.")
        for v in self.visits:
            if not v.documents:
                raise InputError(f"The visit {v.label} has no analysed recording to report.")


# --------------------------------------------------------------------------- styles


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("gl-body", parent=base["BodyText"], fontName="Helvetica", fontSize=8.5, leading=10.5)
    return {
        "title": ParagraphStyle("gl-title", parent=base["Title"], fontSize=16, leading=19, spaceAfter=2, alignment=0),
        "h2": ParagraphStyle("gl-h2", parent=base["Heading2"], fontSize=11.5, leading=14, spaceBefore=8, spaceAfter=3, keepWithNext=1),
        # For headings followed by a long table: a heading kept with a table that does not
        # fit would push the whole table to the next page.
        "h2split": ParagraphStyle("gl-h2s", parent=base["Heading2"], fontSize=11.5, leading=14, spaceBefore=8, spaceAfter=3),
        "body": body,
        "small": ParagraphStyle("gl-small", parent=body, fontSize=7, leading=8.5, textColor=colors.HexColor("#333333")),
        "cell": ParagraphStyle("gl-cell", parent=body, fontSize=7.3, leading=8.6),
        "flag": ParagraphStyle("gl-flag", parent=body, fontName="Helvetica-Bold", fontSize=9.5, leading=12, textColor=colors.white),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _fmt(x: float | None, digits: int = 1, signed: bool = False) -> str:
    if x is None or not np.isfinite(x):
        return "--"
    return f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"


def _digits(unit: str) -> int:
    return 2 if unit in ("s", "m", "m/s") else 1


_TABLE_STYLE = [
    ("FONT", (0, 0), (-1, -1), "Helvetica", 7.3),
    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7.3),
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4e9f2")),
    ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#9aa3b0")),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
]


def _table(rows: list[list[Any]], widths: Sequence[float], extra: Sequence[tuple] = ()) -> Table:
    t = Table(rows, colWidths=list(widths), repeatRows=1)
    t.setStyle(TableStyle(_TABLE_STYLE + list(extra)))
    return t


# --------------------------------------------------------------------------- sections


def _red_flags(content: ReportContent, st: dict) -> list:
    lines = []
    for v in content.visits:
        if v.visit is not None and v.visit.red_flags:
            words = ", ".join(RED_FLAGS.get(k, k) for k in v.visit.red_flags)
            lines.append(f"{v.label}: {words}.")
    if not lines:
        return []
    text = (
        "RED FLAG symptoms were reported - clinical review needed before interpreting the gait "
        "measures. " + " ".join(lines)
    )
    t = Table([[_p(text, st["flag"])]], colWidths=["100%"])
    t.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#b3141b")),
                           ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    return [t, Spacer(1, 4)]


def _patient_block(content: ReportContent, st: dict, width: float) -> list:
    p = content.patient
    if p is None:
        return [_p("Single recording analysed outside the patient library (no patient details).", st["body"])]
    who = p.patient_id + (f" - {p.name}" if content.show_name and p.name else "")
    s = p.surgery
    rows = [
        ["Patient (pseudonym)", who, "Birth year", str(p.birth_year or "--")],
        ["Sex", p.sex or "--", "Height", f"{p.height_cm:.0f} cm" if p.height_cm else "not recorded"],
        ["Surgery date", s.date.isoformat() if s.date else "not recorded", "Fused levels", s.levels or "--"],
        ["Fused to sacrum", {True: "yes", False: "no"}.get(s.fused_to_sacrum, "--") if s.fused_to_sacrum is not None else "--",
         "Approach", s.approach or "--"],
    ]
    rows = [[_p(c, st["cell"]) for c in r] for r in rows]
    t = Table(rows, colWidths=[0.2 * width, 0.3 * width, 0.17 * width, 0.33 * width])
    t.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "Helvetica", 7.3),
                           ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#9aa3b0")),
                           ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f2f6")),
                           ("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#f0f2f6"))]))
    return [t]


def _nrs(x: Any) -> str:
    return "--" if x is None else f"{x:g}"


def _visit_block(content: ReportContent, st: dict, width: float) -> list:
    header = ["Visit"] + [v.label for v in content.visits]
    rows: list[list[str]] = [header]

    def row(name: str, get) -> None:
        rows.append([name] + [get(v.visit) if v.visit is not None else "--" for v in content.visits])

    row("Days since surgery", lambda v: "--" if v.days_since_surgery is None else f"{v.days_since_surgery:d}")
    row("Hip pain L / R (NRS 0-10)", lambda v: f"{_nrs(v.hip_pain_left_nrs)} / {_nrs(v.hip_pain_right_nrs)}")
    row("Back pain (NRS 0-10)", lambda v: _nrs(v.back_pain_nrs))
    row("ODI (%)", lambda v: _nrs(v.odi_pct))
    row("Pain during the walk (NRS)", lambda v: _nrs(v.pain_at_test_nrs))
    row("Treatments", lambda v: ", ".join(TREATMENTS.get(t, t) for t in v.treatments) or "none recorded")
    row("Walking aid", lambda v: WALKING_AIDS.get(v.walking_aid, v.walking_aid) if v.walking_aid else "not recorded")
    row("Footwear", lambda v: v.footwear or "not recorded")
    rows.append(["Recordings"] + [", ".join(sorted({d["view"] for d in v.documents})) for v in content.visits])
    cells = [[_p(c, st["cell"]) for c in r] for r in rows]
    first = 0.28 * width
    rest = (width - first) / len(content.visits)
    return [_table(cells, [first] + [rest] * len(content.visits))]


def _judgement(d) -> str:
    if d.direction in ("not measured", "no detectable change"):
        return d.direction
    concern = (d.concern == "increase" and d.direction == "higher") or (
        d.concern == "decrease" and d.direction == "lower"
    )
    return f"{d.direction} (beyond MDC)" + (" - post-fusion concern" if concern else "")


def _reference(band) -> str:
    if band is None:
        return "none cited"
    if band.low == band.high:
        return f"about {band.low:g}"
    return f"{band.low:g}-{band.high:g}"


def _metric_name(label: str, side: str | None, measure: str, name: str) -> str:
    text = label + (f" ({side[0].upper()})" if side else "")
    if measure == "2-D proxy" and name.startswith("hip_"):
        text += " [2-D proxy]"
    elif name.startswith("pelvic"):
        text += " [video, not X-ray] *"
    elif measure == "2-D proxy":
        text += " [2-D proxy]"
    return text


def _metrics_table_comparison(cmp: Comparison, st: dict, width: float) -> list:
    rows = [["Measure", "Unit", cmp.visit_a.label, cmp.visit_b.label, "Change", "MDC", "Judgement", "Healthy ref."]]
    shaded = []
    for d in cmp.deltas:
        if d.a is None and d.b is None:
            continue
        k = _digits(d.unit)
        rows.append([
            _metric_name(d.label, d.side, d.measure, d.name), d.unit, _fmt(d.a, k), _fmt(d.b, k),
            _fmt(d.delta, k, signed=True), _fmt(d.mdc, k), _judgement(d), _reference(d.population),
        ])
        if d.beyond_mdc:
            shaded.append(len(rows) - 1)
    cells = [[_p(c, st["cell"]) for c in r] for r in rows]
    w = width
    widths = [0.27 * w, 0.08 * w, 0.09 * w, 0.09 * w, 0.08 * w, 0.07 * w, 0.22 * w, 0.10 * w]
    extra = [("BACKGROUND", (0, r), (-1, r), colors.HexColor("#fff3cd")) for r in shaded]
    return [_table(cells, widths, extra)]


def _metrics_table_single(docs: Sequence[dict], st: dict, width: float) -> list:
    combined = combine_visit_metrics(docs)
    rows = [["Measure", "Unit", "Value", "View", "Cycles", "Healthy reference"]]
    for spec in METRIC_SPECS:
        for side in ("left", "right") if spec.sided else (None,):
            mv = combined.get(spec.name, side)  # type: ignore[arg-type]
            if mv is None or mv.value is None:
                continue
            band = population_band(spec.name)
            rows.append([
                _metric_name(spec.label, side, spec.measure, spec.name), spec.unit,
                _fmt(mv.value, _digits(spec.unit)), mv.view or "--", str(mv.n_cycles), _reference(band),
            ])
    cells = [[_p(c, st["cell"]) for c in r] for r in rows]
    w = width
    return [_table(cells, [0.36 * w, 0.1 * w, 0.12 * w, 0.12 * w, 0.1 * w, 0.2 * w])]


def _measurement_value(value: float | None, kind: str, n: int = 1) -> str:
    text = _fmt(value, 1, signed=kind == "line")
    return text + (f" (mean of {n})" if value is not None and n > 1 else "")


def _manual_measurements(content: ReportContent, st: dict, width: float) -> list:
    """The visits' manual measurements: one visit listed, two visits side by side (matched by label)."""
    visits = content.visits
    if not any(v.measurements for v in visits):
        return []
    w = width
    out: list = [_p("Manual measurements (drawn on a video frame)", st["h2split"])]
    if len(visits) == 2:
        pairs = pair_measurements(visits[0].measurements, visits[1].measurements)
        rows = [["Measurement", "Kind", f"{visits[0].label} (deg)", f"{visits[1].label} (deg)", "Change (deg)"]]
        for p in pairs:
            rows.append([p.label, describe_kind(p.kind, p.reference), _measurement_value(p.a_deg, p.kind, p.n_a),
                         _measurement_value(p.b_deg, p.kind, p.n_b), _fmt(p.change_deg, 1, signed=True)])
        widths = [0.34 * w, 0.16 * w, 0.18 * w, 0.18 * w, 0.14 * w]
    else:
        rows = [["Measurement", "Kind", "Value (deg)", "Frame time (s)", "Snapped to landmarks"]]
        for m in visits[0].measurements:
            snapped = ", ".join(n.replace("_", " ") for n in m.snapped if n) or "--"
            rows.append([m.label, describe_kind(m.kind, m.reference), _measurement_value(m.value_deg, m.kind),
                         f"{m.time_s:.2f}", snapped])
        widths = [0.3 * w, 0.16 * w, 0.12 * w, 0.12 * w, 0.3 * w]
    out.append(_table([[_p(c, st["cell"]) for c in r] for r in rows], widths))
    kinds = sorted({(m.kind, m.reference or "") for v in visits for m in v.measurements})
    signs = " ".join(f"{describe_kind(k, r or None).capitalize()}: {sign_convention(k, r or None)}." for k, r in kinds)
    out.append(_p(
        ON_SCREEN_NOTE + " " + signs + " Measurements match between visits by their label. "
        "A hand-drawn pelvic tilt is a visual, on-screen angle: " + TERMINOLOGY_GUARD,
        st["small"]))
    return out


def _findings(cmp: Comparison, st: dict) -> list:
    out: list = [_p(NOT_A_DIAGNOSIS, st["small"]), Spacer(1, 2)]
    if not cmp.findings:
        out.append(_p("No change reached its minimal detectable change.", st["body"]))
    for i, f in enumerate(cmp.findings, 1):
        head = f"{i}. [{f.severity}{'' if f.kind == 'red_flag' else ', ' + f.trend}] {f.sentence}"
        parts = [_p(head, st["body"])]
        if f.examine:
            parts.append(_p("Examine: " + f.examine, st["small"]))
        if f.caveat:
            parts.append(_p("Caveat: " + f.caveat, st["small"]))
        parts.append(Spacer(1, 3))
        out.append(KeepTogether(parts))
    return out


def _comparability(cmp: Comparison, st: dict) -> list:
    c = cmp.comparability
    out = [_p(f"Comparability of the two visits: {c.status}.", st["body"])]
    for issue in c.issues:
        out.append(_p(f"- [{issue.severity}] {issue.sentence}", st["small"]))
    return out


# --------------------------------------------------------------------------- figures


def _png(fig: Figure, dpi: int = 170) -> io.BytesIO:
    buf = io.BytesIO()
    FigureCanvasAgg(fig)
    fig.savefig(buf, format="png", dpi=dpi)
    buf.seek(0)
    return buf


def _visit_doc(v: ReportVisit, view: str, series: str) -> dict | None:
    """The recording a visit's curve of ``series`` comes from (the comparison's choice:
    a leg's own curve from the side recording where that leg is nearer the camera)."""
    side = next((s for s in ("left", "right") if series.endswith(f"_{s}")), None)
    return pick_document(v.documents, view, side)  # type: ignore[arg-type]


def render_curves_png(content: ReportContent, width_in: float) -> io.BytesIO | None:
    """The gait-cycle panels as a PNG (None when no visit has a cycle curve).

    Each visit's mean curve over 0..100 % of the gait cycle with its between-cycle
    SD as a light band; the patient's baseline band (baseline mean +/- SD) in green
    when the comparison has a baseline; healthy-adult key values as dashed lines.
    """
    panels = []
    for title, series, _, view in CURVE_PANELS:
        curves = []
        for i, v in enumerate(content.visits):
            doc = _visit_doc(v, view, series)
            if doc is None:
                continue
            mean = cycle_curve(doc, series)
            if mean is not None:
                sd = cycle_sd(doc, series)
                n = int(doc["cycles"][series].get("n") or 0)
                curves.append((i, v.label, mean, sd, n))
        if curves:
            panels.append((title, series, curves))
    if not panels:
        return None
    base = {}
    base_label = ""
    if content.comparison is not None and content.comparison.baseline is not None:
        base_label = content.comparison.baseline.label
        for c in content.comparison.curves:
            if c.baseline_mean is not None and c.baseline_sd is not None:
                base[c.series] = (
                    np.array([np.nan if x is None else x for x in c.baseline_mean], float),
                    np.array([np.nan if x is None else x for x in c.baseline_sd], float),
                )
    ncols = 2
    nrows = (len(panels) + 1) // 2
    fig = Figure(figsize=(width_in, 2.0 * nrows + 0.4))
    pct = np.arange(101)
    for k, (title, series, curves) in enumerate(panels):
        ax = fig.add_subplot(nrows, ncols, k + 1)
        if series in base:
            bm, bs = base[series]
            ax.fill_between(pct, bm - bs, bm + bs, color="#2e9d4f", alpha=0.18, lw=0,
                            label=f"baseline band ({base_label})")
        for metric in _PANEL_KEY_VALUES.get(series, ()):
            band = population_band(metric)
            if band is not None:
                ax.axhline(band.low, color="#555555", ls="--", lw=0.7)
        for i, label, mean, sd, n in curves:
            colour = _VISIT_COLOURS[i % 2] if len(content.visits) > 1 else _VISIT_COLOURS[1]
            if sd is not None:
                ax.fill_between(pct, mean - sd, mean + sd, color=colour, alpha=0.12, lw=0)
            ax.plot(pct, mean, color=colour, lw=1.4, label=f"{label} (n={n})")
        ax.set_title(title, fontsize=7.5)
        ax.tick_params(labelsize=6)
        ax.set_xlim(0, 100)
        ax.set_ylabel("deg", fontsize=6)
        if k >= len(panels) - 2:
            ax.set_xlabel("% of gait cycle (heel strike to heel strike)", fontsize=6)
        ax.legend(fontsize=5.5, loc="best", frameon=False)
        ax.grid(alpha=0.25, lw=0.4)
    fig.tight_layout(pad=0.6)
    return _png(fig)


def _key_frame_images(content: ReportContent, width: float, st: dict) -> list:
    out: list = []
    for v in content.visits:
        if not v.key_frames:
            for note in v.notes:
                out.append(_p(f"{v.label}: {note}", st["small"]))
            continue
        cells, captions = [], []
        cell_w = width / max(2, len(v.key_frames))
        for kf in v.key_frames:
            h, w = kf.image.shape[:2]
            fig_h = cell_w * h / w
            if fig_h > 70 * mm:
                fig_h = 70 * mm
            img_w = fig_h * w / h
            buf = io.BytesIO()
            from PIL import Image as PILImage  # matplotlib depends on Pillow

            PILImage.fromarray(kf.image).save(buf, format="JPEG", quality=85)
            buf.seek(0)
            cells.append(Image(buf, width=img_w, height=fig_h))
            captions.append(_p(
                f"{v.label}: {kf.side} heel strike at {kf.time_s:.2f} s"
                + (" (face blurred)" if kf.blurred else " (face NOT blurred)"), st["small"]))
        t = Table([cells, captions], colWidths=[cell_w] * len(cells))
        t.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        out += [KeepTogether([t]), Spacer(1, 4)]
        for note in v.notes:
            out.append(_p(f"{v.label}: {note}", st["small"]))
    return out


def _quality(content: ReportContent, st: dict) -> list:
    out = []
    for v in content.visits:
        for d in v.documents:
            q = d.get("quality") or {}
            n = (d.get("metrics") or {}).get("n_cycles") or {}
            line = (
                f"{v.label}, {d.get('view')} view (walking {d.get('walking_direction')}): person "
                f"detected in {100 * float(q.get('detection_rate') or 0):.0f} % of frames, "
                f"{n.get('left', 0)} left and {n.get('right', 0)} right gait cycles, "
                f"{int(q.get('side_swaps_corrected') or 0)} left/right swaps corrected."
            )
            out.append(_p(line, st["body"]))
            for w in q.get("warnings") or []:
                out.append(_p("- Warning: " + str(w), st["small"]))
    return out


# --------------------------------------------------------------------------- document


def render_report_pdf(content: ReportContent, *, paper: str = "a4") -> bytes:
    """The report as PDF bytes.

    Parameters
    ----------
    content : ReportContent
        What to show.
    paper : {"a4", "letter"}
        Page size.

    Raises
    ------
    InputError
        For an unknown paper size.
    """
    if paper not in PAGE_SIZES:
        raise InputError(f"The paper size must be one of {', '.join(PAGE_SIZES)}; got {paper!r}.")
    page = PAGE_SIZES[paper]
    margin = 14 * mm
    width = page[0] - 2 * margin
    st = _styles()
    cmp = content.comparison
    pid = content.patient.patient_id if content.patient else "single recording"
    story: list = []
    kind = "Visit comparison" if cmp is not None else ("Visit" if content.patient else "Recording")
    story.append(_p(f"gaitlab gait report - {kind}", st["title"]))
    story.append(_p(
        f"Patient {pid} | created {content.created.isoformat()} | gaitlab {__version__} | "
        + ("name shown on request" if content.show_name and content.patient and content.patient.name
           else "de-identified (pseudonym, no video file names, faces blurred)"),
        st["small"]))
    story.append(Spacer(1, 4))
    story += _red_flags(content, st)
    story.append(_p("Patient and surgery", st["h2"]))
    story += _patient_block(content, st, width)
    if any(v.visit is not None for v in content.visits):
        story.append(_p("Visits, pain and treatment", st["h2"]))
        story += _visit_block(content, st, width)
    if cmp is not None:
        story.append(_p("Comparability", st["h2"]))
        story += _comparability(cmp, st)
        story.append(_p(f"Key measures: {cmp.visit_b.label} against {cmp.visit_a.label}", st["h2split"]))
        story += _metrics_table_comparison(cmp, st, width)
    else:
        story.append(_p(f"Key measures: {content.visits[0].label}", st["h2split"]))
        story += _metrics_table_single(content.visits[0].documents, st, width)
    story.append(_p(
        "[2-D proxy]: " + HIP_PROXY_NOTE + "  * " + TERMINOLOGY_GUARD
        + "  MDC: minimal detectable change; a change below it is within measurement error. "
        "Healthy ref.: published healthy-adult key value or range of group means.",
        st["small"]))
    story += _manual_measurements(content, st, width)
    if cmp is not None:
        story.append(_p("Findings and their evidence", st["h2"]))
        story += _findings(cmp, st)
        story.append(_p("Motion budget (lumbo-pelvic-hip)", st["h2"]))
        story.append(_p(cmp.motion_budget.summary + ".", st["body"]))
        for prof in cmp.compensation:
            story.append(_p(f"{prof.label}: {prof.sentence}", st["small"]))
        story.append(_p("Summary for a referral letter", st["h2"]))
        story.append(_p(cmp.narrative, st["body"]))
    curves = render_curves_png(content, width / 72.0)
    if curves is not None:
        story.append(_p("Gait-cycle curves", st["h2"]))
        from PIL import Image as PILImage

        with PILImage.open(curves) as im:
            w_px, h_px = im.size
        curves.seek(0)
        story.append(Image(curves, width=width, height=width * h_px / w_px))
        story.append(_p(
            "Mean over the gait cycles with the between-cycle SD (light band). Green band: the "
            "patient's baseline mean +/- SD. Dashed lines: healthy-adult key values (no published "
            "curve exists for these 2-D video angles). Pelvic obliquity: " + TERMINOLOGY_GUARD,
            st["small"]))
    frames = _key_frame_images(content, width, st)
    if frames:
        story.append(_p("Key frames (heel strike of each side)", st["h2"]))
        story += frames
    story.append(_p("Recording quality", st["h2"]))
    story += _quality(content, st)
    story.append(_p("What 2-D video can and cannot measure", st["h2"]))
    for c in VIDEO_CAVEATS:
        story.append(_p("- " + c, st["small"]))

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 6.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(margin, 8 * mm, f"gaitlab report | patient {pid} | {content.created.isoformat()}")
        canvas.drawRightString(page[0] - margin, 8 * mm, f"page {doc.page}")
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=page, leftMargin=margin, rightMargin=margin, topMargin=margin,
        bottomMargin=14 * mm, title=f"gaitlab gait report {pid}", author="gaitlab",
        subject="Gait analysis report", creator=f"gaitlab {__version__}",
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def red_flag_keys(visits: Sequence[ReportVisit]) -> tuple[str, ...]:
    """The red-flag keys reported at any of the visits, in vocabulary order."""
    keys = {k for v in visits if v.visit is not None for k in v.visit.red_flags}
    return tuple(k for k in RED_FLAGS if k in keys)
