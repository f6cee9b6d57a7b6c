"""Data exports for researchers: metrics CSV, time series CSV, cycle curves CSV, contract JSON.

Every export is a pure function from analysis documents (``spec/analysis-v1.md``)
to text; writing goes through :mod:`gaitlab.io.files`, so nothing is half-written.
Column names are stable and documented in ``docs/exports.md``; numbers are written
with Python's shortest round-trip representation, so re-reading a file gives back
exactly the stored numbers.  A value that was not measured is an empty cell.

De-identification: the exports carry the pseudonymous patient ID only, never a
name, and :func:`deidentify_document` removes the video's file path (file names
often hold a patient's name) unless the user asks to keep it.
"""

from __future__ import annotations

import copy
import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gaitlab.errors import InputError

#: Version of the export layout; bumped only when a column changes meaning.
EXPORT_FORMAT = "gaitlab.exports/1"

#: Contract metrics that are a left/right pair, in column order.
SIDED_METRICS: tuple[str, ...] = (
    "step_time_s",
    "stride_time_s",
    "stance_pct",
    "swing_pct",
    "step_length_m",
    "hip_rom_deg",
    "hip_flexion_max_deg",
    "hip_extension_max_deg",
    "pelvic_drop_deg",
    "trunk_lean_stance_deg",
    "n_cycles",
)
#: Contract metrics that are one number, in column order.
SCALAR_METRICS: tuple[str, ...] = (
    "cadence_steps_per_min",
    "double_support_pct",
    "gait_speed_m_s",
    "pelvic_obliquity_rom_deg",
    "trunk_lean_sagittal_mean_deg",
    "trunk_lean_lateral_rom_deg",
)
#: Entries of the contract's ``symmetry_index_pct``.
SYMMETRY_KEYS: tuple[str, ...] = ("step_time", "stance_time", "step_length", "hip_rom")

#: Columns that say which recording a metrics row belongs to.
ID_COLUMNS: tuple[str, ...] = (
    "patient_id",
    "visit_id",
    "visit_date",
    "visit_label",
    "days_since_surgery",
    "recording_id",
    "view",
    "walking_direction",
    "status",
    "fps",
    "duration_s",
    "detection_rate",
    "side_swaps_corrected",
    "gaitlab_version",
    "model_variant",
)


def _metric_columns() -> tuple[str, ...]:
    cols: list[str] = list(SCALAR_METRICS)
    for name in SIDED_METRICS:
        cols += [f"{name}_left", f"{name}_right"]
    cols += [f"symmetry_index_pct_{k}" for k in SYMMETRY_KEYS]
    return tuple(cols)


#: Metric columns of ``metrics.csv`` (units are in the names, as in the contract).
METRIC_COLUMNS: tuple[str, ...] = _metric_columns()
#: All columns of ``metrics.csv``, in order.
METRICS_CSV_COLUMNS: tuple[str, ...] = ID_COLUMNS + METRIC_COLUMNS
#: Series of the contract, in the column order of the time-series CSV.
SERIES_ORDER: tuple[str, ...] = (
    "hip_flexion_left",
    "hip_flexion_right",
    "thigh_angle_left",
    "thigh_angle_right",
    "knee_flexion_left",
    "knee_flexion_right",
    "trunk_lean_sagittal",
    "pelvic_obliquity",
    "hip_adduction_left",
    "hip_adduction_right",
    "trunk_lean_lateral",
    "pelvic_tilt",
)
#: Columns of the cycle-curve CSV (long format: one row per series and 1 % of the cycle).
CYCLES_CSV_COLUMNS: tuple[str, ...] = ("series", "gait_cycle_pct", "mean_deg", "sd_deg", "n_cycles")
#: Columns of the gait-event CSV.
EVENTS_CSV_COLUMNS: tuple[str, ...] = ("event", "side", "time_s")


@dataclass(frozen=True)
class RecordingRef:
    """Who and when a document belongs to, for the identifying columns of ``metrics.csv``.

    Attributes
    ----------
    patient_id : str
        The pseudonymous patient ID ("" when the document is not from the library).
    visit_id : int or None
    visit_date : str
        ISO date of the visit ("" when unknown).
    visit_label : str
    days_since_surgery : int or None
        Negative before the operation.
    recording_id : int or None
    status : str
        "ok" or "too_little_walking".
    """

    patient_id: str = ""
    visit_id: int | None = None
    visit_date: str = ""
    visit_label: str = ""
    days_since_surgery: int | None = None
    recording_id: int | None = None
    status: str = "ok"


# --------------------------------------------------------------------------- numbers


def format_number(value: Any) -> str:
    """A cell for a number: "" for missing/NaN, integers plain, floats round-trip exact."""
    if value is None or isinstance(value, str) and value == "":
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    return str(value)


def parse_number(cell: str) -> float | int | None:
    """The number in a cell written by :func:`format_number` (None for an empty cell)."""
    text = cell.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise InputError(f"The cell '{text}' is not a number.") from None


def _as_number(value: Any) -> float | int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _csv_text(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buf.getvalue()


def _read_csv(text: str, expected: Sequence[str], what: str) -> list[dict[str, str]]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"The {what} file is empty.") from None
    missing = [c for c in expected if c not in header]
    if missing:
        raise InputError(f"The {what} file lacks the columns {', '.join(missing)}.")
    rows = []
    for line in reader:
        if len(line) != len(header):
            raise InputError(f"A row of the {what} file has {len(line)} cells for {len(header)} columns.")
        rows.append(dict(zip(header, line)))
    return rows


# --------------------------------------------------------------------------- metrics


def flatten_metrics(metrics: Mapping[str, Any]) -> dict[str, float | int | None]:
    """The contract's ``metrics`` block as flat columns (:data:`METRIC_COLUMNS`).

    Sided metrics become ``<name>_left`` and ``<name>_right``; the symmetry indices
    ``symmetry_index_pct_<key>``.  Metrics the view does not measure are None.
    """
    out: dict[str, float | int | None] = {}
    for name in SCALAR_METRICS:
        out[name] = _as_number(metrics.get(name))
    for name in SIDED_METRICS:
        pair = metrics.get(name)
        pair = pair if isinstance(pair, Mapping) else {}
        for side in ("left", "right"):
            out[f"{name}_{side}"] = _as_number(pair.get(side))
    sym = metrics.get("symmetry_index_pct")
    sym = sym if isinstance(sym, Mapping) else {}
    for key in SYMMETRY_KEYS:
        out[f"symmetry_index_pct_{key}"] = _as_number(sym.get(key))
    return out


def metrics_row(doc: Mapping[str, Any], ref: RecordingRef | None = None) -> dict[str, Any]:
    """One ``metrics.csv`` row (column → value) for an analysis document."""
    ref = ref or RecordingRef()
    video = doc.get("video") or {}
    quality = doc.get("quality") or {}
    row: dict[str, Any] = {
        "patient_id": ref.patient_id,
        "visit_id": ref.visit_id,
        "visit_date": ref.visit_date,
        "visit_label": ref.visit_label,
        "days_since_surgery": ref.days_since_surgery,
        "recording_id": ref.recording_id,
        "view": doc.get("view", ""),
        "walking_direction": doc.get("walking_direction", ""),
        "status": ref.status,
        "fps": _as_number(video.get("fps")),
        "duration_s": _as_number(video.get("duration_s")),
        "detection_rate": _as_number(quality.get("detection_rate")),
        "side_swaps_corrected": _as_number(quality.get("side_swaps_corrected")),
        "gaitlab_version": doc.get("gaitlab_version", ""),
        "model_variant": (doc.get("model") or {}).get("variant", ""),
    }
    row.update(flatten_metrics(doc.get("metrics") or {}))
    return row


def format_metrics_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """``metrics.csv``: one row per recording, columns :data:`METRICS_CSV_COLUMNS`."""
    return _csv_text(
        METRICS_CSV_COLUMNS,
        ([format_number(r.get(c)) for c in METRICS_CSV_COLUMNS] for r in rows),
    )


_TEXT_COLUMNS = frozenset(
    {"patient_id", "visit_date", "visit_label", "view", "walking_direction", "status",
     "gaitlab_version", "model_variant"}
)


def read_metrics_csv(text: str) -> list[dict[str, Any]]:
    """Rows of a ``metrics.csv``: text columns as text, the others as numbers or None."""
    out = []
    for row in _read_csv(text, METRICS_CSV_COLUMNS, "metrics"):
        out.append(
            {c: (row[c] if c in _TEXT_COLUMNS else parse_number(row[c])) for c in METRICS_CSV_COLUMNS}
        )
    return out


# --------------------------------------------------------------------------- series


def series_columns(doc: Mapping[str, Any]) -> tuple[str, ...]:
    """The series a document measures (non-empty and not all null), in stable order."""
    series = doc.get("series") or {}
    known = [n for n in SERIES_ORDER if n in series]
    extra = sorted(n for n in series if n not in SERIES_ORDER)
    return tuple(
        n for n in known + extra if series[n] and any(v is not None for v in series[n])
    )


def format_timeseries_csv(doc: Mapping[str, Any]) -> str:
    """Time series CSV: ``frame``, ``time_s`` and one column per measured series (degrees).

    ``frame`` counts the analysed frames from 0; ``time_s`` is the video time in
    seconds.  Signs are those of ``spec/analysis-v1.md``.
    """
    names = series_columns(doc)
    times = doc.get("time_s") or []
    series = doc.get("series") or {}
    rows = (
        [str(i), format_number(float(t))] + [format_number(_as_number(series[n][i])) for n in names]
        for i, t in enumerate(times)
    )
    return _csv_text(("frame", "time_s", *names), rows)


def read_timeseries_csv(text: str) -> dict[str, list[float | None]]:
    """The columns of a time series CSV: ``time_s`` and each series (None where empty)."""
    rows = _read_csv(text, ("frame", "time_s"), "time series")
    if not rows:
        return {"time_s": []}
    names = [c for c in rows[0] if c != "frame"]
    return {n: [_float_or_none(r[n]) for r in rows] for n in names}


def _float_or_none(cell: str) -> float | None:
    v = parse_number(cell)
    return None if v is None else float(v)


def format_cycles_csv(doc: Mapping[str, Any]) -> str:
    """Gait-cycle curves in long format (:data:`CYCLES_CSV_COLUMNS`).

    One row per series and each 1 % of the gait cycle (0..100, heel strike to the
    next heel strike of the same side; whole-body series are normalised to the
    cycles of the document).  ``mean_deg`` and ``sd_deg`` are the mean and the
    between-cycle standard deviation in degrees; ``n_cycles`` the cycles averaged.
    """
    cycles = doc.get("cycles") or {}
    known = [n for n in SERIES_ORDER if n in cycles] + sorted(n for n in cycles if n not in SERIES_ORDER)
    rows = []
    for name in known:
        entry = cycles[name] or {}
        mean, sd = entry.get("mean") or [], entry.get("sd") or []
        n = int(entry.get("n") or 0)
        for pct in range(len(mean)):
            rows.append(
                [
                    name,
                    str(pct),
                    format_number(_as_number(mean[pct])),
                    format_number(_as_number(sd[pct]) if pct < len(sd) else None),
                    str(n),
                ]
            )
    return _csv_text(CYCLES_CSV_COLUMNS, rows)


def read_cycles_csv(text: str) -> dict[str, dict[str, Any]]:
    """Cycle curves from a CSV of :func:`format_cycles_csv`, shaped like the contract's ``cycles``."""
    out: dict[str, dict[str, Any]] = {}
    for row in _read_csv(text, CYCLES_CSV_COLUMNS, "cycle curve"):
        entry = out.setdefault(row["series"], {"mean": [], "sd": [], "n": int(row["n_cycles"])})
        if int(row["gait_cycle_pct"]) != len(entry["mean"]):
            raise InputError(f"The cycle rows of {row['series']} are not in order 0..100.")
        entry["mean"].append(_float_or_none(row["mean_deg"]))
        entry["sd"].append(_float_or_none(row["sd_deg"]))
    return out


def format_events_csv(doc: Mapping[str, Any]) -> str:
    """Gait events (:data:`EVENTS_CSV_COLUMNS`): heel strikes and toe offs in video seconds."""
    events = doc.get("events") or {}
    rows = []
    for kind in ("heel_strike", "toe_off"):
        for side in ("left", "right"):
            for t in (events.get(kind) or {}).get(side) or []:
                rows.append((kind, side, float(t)))
    rows.sort(key=lambda r: (r[2], r[0], r[1]))
    return _csv_text(EVENTS_CSV_COLUMNS, ([k, s, format_number(t)] for k, s, t in rows))


def read_events_csv(text: str) -> dict[str, dict[str, list[float]]]:
    """Events from a CSV of :func:`format_events_csv`, shaped like the contract's ``events``."""
    out: dict[str, dict[str, list[float]]] = {
        k: {"left": [], "right": []} for k in ("heel_strike", "toe_off")
    }
    for row in _read_csv(text, EVENTS_CSV_COLUMNS, "gait event"):
        if row["event"] not in out or row["side"] not in ("left", "right"):
            raise InputError(f"'{row['event']} {row['side']}' is not a gait event of gaitlab.")
        out[row["event"]][row["side"]].append(float(row["time_s"]))
    return out


def deidentify_document(doc: Mapping[str, Any], *, keep_video_path: bool = False) -> dict:
    """A copy of an analysis document safe to hand on.

    The video's path is replaced by ``"(removed)"`` (file names often hold the
    patient's name); the video's SHA-256 stays, so the file can still be matched
    by whoever holds it.  With ``keep_video_path`` the document is copied unchanged.
    """
    out = copy.deepcopy(dict(doc))
    if not keep_video_path and isinstance(out.get("video"), dict):
        out["video"]["path"] = "(removed)"
    return out
