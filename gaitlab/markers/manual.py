"""Manual measurements on a video frame (the model behind the recording view's tool).

A therapist picks a frame and draws either

* an **angle**: three points; the value is the angle at the middle point
  (the vertex) between the rays to the first and the third point, 0..180
  degrees, without sign; or
* a **line** against the image horizontal or vertical: two points.

Sign conventions of a line (image y points down; both are turned up first):

* against the **horizontal**: the elevation of the second point over the first,
  -90..90 degrees; **positive when the second point is higher**.  Drawn from
  the ASIS to the PSIS of a standing patient, it reads anterior pelvic tilt as
  positive, like the ``pelvic_tilt`` series.  Drawn from the right to the left
  hip, it reads pelvic obliquity as positive when the left is higher, like the
  ``pelvic_obliquity`` series.
* against the **vertical**: the lean of the line from its lower point to its
  upper point, -90..90 degrees; **positive when the upper point lies to the image
  right** of the lower one (the app may show the size alone).

Points may be snapped to a pose landmark (the name is kept).  Measurements are
plain data with a JSON form (``to_dict``/``from_dict``) so the library can store
them with a visit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from gaitlab.errors import ValidationError
from gaitlab.landmarks import INDEX, LANDMARK_NAMES
from gaitlab.types import PoseSequence

MeasurementKind = Literal["angle", "line"]
Reference = Literal["horizontal", "vertical"]
Point = tuple[float, float]

#: Version of the JSON form written by :meth:`Measurement.to_dict`.
MEASUREMENT_FORMAT = 1

_POINTS = {"angle": 3, "line": 2}


def _point(p, what: str) -> Point:
    try:
        x, y = (float(v) for v in p)
    except (TypeError, ValueError):
        raise ValidationError(f"{what} must be two numbers (x, y) in pixels; got {p!r}.") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValidationError(f"{what} must have finite pixel coordinates; got {p!r}.")
    return (x, y)


def measure_angle(a, vertex, c) -> float:
    """Angle at ``vertex`` between the rays to ``a`` and ``c``, degrees (0..180).

    Raises
    ------
    ValidationError
        When a point coincides with the vertex (no direction to measure).
    """
    pa, pv, pc = _point(a, "The first point"), _point(vertex, "The vertex"), _point(c, "The third point")
    u = (pa[0] - pv[0], pa[1] - pv[1])
    w = (pc[0] - pv[0], pc[1] - pv[1])
    if math.hypot(*u) < 1e-9 or math.hypot(*w) < 1e-9:
        raise ValidationError("An angle needs three distinct points; two of them coincide.")
    cross = u[0] * w[1] - u[1] * w[0]
    dot = u[0] * w[0] + u[1] * w[1]
    return math.degrees(math.atan2(abs(cross), dot))


def measure_line_against(p, q, reference: Reference) -> float:
    """Angle of the line ``p``→``q`` against the image horizontal or vertical, degrees.

    Parameters
    ----------
    p, q : (x, y)
        The two points in image pixels (y down).
    reference : {"horizontal", "vertical"}

    Returns
    -------
    float
        Horizontal: -90..90, positive when ``q`` is higher than ``p``.
        Vertical: -90..90, positive when the upper point lies to the image right
        of the lower point.

    Raises
    ------
    ValidationError
        For coinciding points or an unknown reference.
    """
    pp, pq = _point(p, "The first point"), _point(q, "The second point")
    dx, up = pq[0] - pp[0], pp[1] - pq[1]
    if math.hypot(dx, up) < 1e-9:
        raise ValidationError("A line needs two distinct points.")
    if reference == "horizontal":
        return math.degrees(math.atan2(up, abs(dx)))
    if reference == "vertical":
        if up < 0 or (up == 0 and dx < 0):
            dx, up = -dx, -up  # measure from the lower point to the upper point
        return math.degrees(math.atan2(dx, up))
    raise ValidationError(f"A line is measured against 'horizontal' or 'vertical'; got {reference!r}.")


@dataclass(frozen=True)
class Measurement:
    """One manual measurement on one video frame.

    Build it with :meth:`create`, which checks the points and computes the value.

    Attributes
    ----------
    kind : {"angle", "line"}
    points_px : tuple of (x, y)
        Three points (angle: first, vertex, third) or two (line), image pixels.
    time_s : float
        Video time of the frame, seconds.
    value_deg : float
        The measured angle, degrees (signs in the module docstring).
    reference : {"horizontal", "vertical"} or None
        For a line, what it is measured against; None for an angle.
    label : str
        The therapist's name for it (e.g. "static standing pelvic tilt").
    snapped : tuple of (str or None)
        Per point, the landmark it was snapped to, or None.
    frame_index : int or None
        Index of the frame in the decoded stream, when known.
    """

    kind: MeasurementKind
    points_px: tuple[Point, ...]
    time_s: float
    value_deg: float
    reference: Reference | None = None
    label: str = ""
    snapped: tuple[str | None, ...] = ()
    frame_index: int | None = None

    @classmethod
    def create(
        cls,
        kind: str,
        points_px: Sequence,
        *,
        time_s: float,
        reference: str | None = None,
        label: str = "",
        snapped: Sequence[str | None] | None = None,
        frame_index: int | None = None,
    ) -> Measurement:
        """A checked measurement with its value computed from the points.

        Raises
        ------
        ValidationError
            For an unknown kind, the wrong number of points, a line without a
            reference (or an angle with one), a negative or non-finite time, or
            an unknown landmark name in ``snapped``.
        """
        if kind not in _POINTS:
            raise ValidationError(f"A measurement is an 'angle' or a 'line'; got {kind!r}.")
        pts = tuple(_point(p, f"Point {i + 1}") for i, p in enumerate(points_px))
        if len(pts) != _POINTS[kind]:
            raise ValidationError(f"An {kind} measurement needs {_POINTS[kind]} points; got {len(pts)}.")
        try:
            t = float(time_s)
        except (TypeError, ValueError):
            raise ValidationError(f"The frame time must be a number of seconds; got {time_s!r}.") from None
        if not (math.isfinite(t) and t >= 0):
            raise ValidationError(f"The frame time must be zero or more seconds; got {time_s!r}.")
        if kind == "line":
            if reference not in ("horizontal", "vertical"):
                raise ValidationError("A line is measured against 'horizontal' or 'vertical'.")
            value = measure_line_against(pts[0], pts[1], reference)  # type: ignore[arg-type]
        else:
            if reference is not None:
                raise ValidationError("An angle of three points has no horizontal or vertical reference.")
            value = measure_angle(*pts)
        names = tuple(snapped) if snapped is not None else (None,) * len(pts)
        if len(names) != len(pts):
            raise ValidationError("Give one snapped landmark name (or None) per point.")
        for name in names:
            if name is not None and name not in INDEX:
                raise ValidationError(f"{name!r} is not a pose landmark name.")
        if frame_index is not None and (not isinstance(frame_index, (int, np.integer)) or frame_index < 0):
            raise ValidationError(f"The frame index must be a whole number of 0 or more; got {frame_index!r}.")
        return cls(
            kind=kind,  # type: ignore[arg-type]
            points_px=pts,
            time_s=t,
            value_deg=float(value),
            reference=reference,  # type: ignore[arg-type]
            label=str(label),
            snapped=names,
            frame_index=None if frame_index is None else int(frame_index),
        )

    def moved(self, point_index: int, new_point, snapped: str | None = None) -> Measurement:
        """The same measurement with one point moved (value recomputed)."""
        if not 0 <= point_index < len(self.points_px):
            raise ValidationError(f"This measurement has no point {point_index + 1}.")
        pts = list(self.points_px)
        pts[point_index] = _point(new_point, "The moved point")
        names = list(self.snapped)
        names[point_index] = snapped
        return Measurement.create(
            self.kind,
            pts,
            time_s=self.time_s,
            reference=self.reference,
            label=self.label,
            snapped=names,
            frame_index=self.frame_index,
        )

    def to_dict(self) -> dict:
        """Plain JSON values (with a ``format`` version) for storing with a visit."""
        return {
            "format": MEASUREMENT_FORMAT,
            "kind": self.kind,
            "points_px": [[x, y] for x, y in self.points_px],
            "time_s": self.time_s,
            "frame_index": self.frame_index,
            "reference": self.reference,
            "label": self.label,
            "snapped": list(self.snapped),
            "value_deg": self.value_deg,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> Measurement:
        """Rebuild a measurement stored by :meth:`to_dict`.

        The value is recomputed from the points (a stored value that disagrees
        means the record was changed by hand or is damaged).

        Raises
        ------
        ValidationError
            For a newer or unknown format, missing fields, or a stored value that
            does not match its points.
        """
        if not isinstance(data, Mapping):
            raise ValidationError("A stored measurement must be a JSON object.")
        fmt = data.get("format")
        if fmt != MEASUREMENT_FORMAT:
            raise ValidationError(
                f"This measurement was stored in format {fmt!r}; this gaitlab reads format {MEASUREMENT_FORMAT}."
            )
        try:
            m = cls.create(
                data["kind"],
                data["points_px"],
                time_s=data["time_s"],
                reference=data.get("reference"),
                label=data.get("label", ""),
                snapped=data.get("snapped"),
                frame_index=data.get("frame_index"),
            )
        except KeyError as exc:
            raise ValidationError(f"A stored measurement lacks its {exc.args[0]!r} field.") from None
        stored = data.get("value_deg")
        if stored is not None and not math.isclose(float(stored), m.value_deg, abs_tol=1e-6):
            raise ValidationError(
                f"The stored value {stored} of measurement {m.label or m.kind!r} does not match its points."
            )
        return m


def snap_to_landmark(
    point, pose: PoseSequence, frame_index: int, radius_px: float
) -> tuple[Point, str | None]:
    """Move a point onto the nearest pose landmark within ``radius_px``, if any.

    Parameters
    ----------
    point : (x, y)
        Where the user clicked, image pixels.
    pose : PoseSequence
        The recording's landmarks.
    frame_index : int
        Index of the shown frame in the decoded stream (as in ``pose.frame_index``).
    radius_px : float
        Snap distance, pixels.

    Returns
    -------
    ((x, y), name)
        The landmark's position and name, or the point unchanged and None when
        no detected landmark of that frame is within the radius (or the frame
        was not analysed).
    """
    p = _point(point, "The point")
    if not (math.isfinite(radius_px) and radius_px >= 0):
        raise ValidationError("The snap radius must be zero or more pixels.")
    rows = np.flatnonzero(pose.frame_index == int(frame_index))
    if rows.size == 0:
        return p, None
    lm = pose.image_px[rows[0]]
    d = np.hypot(lm[:, 0] - p[0], lm[:, 1] - p[1])
    d = np.where(np.isfinite(d), d, np.inf)
    k = int(np.argmin(d))
    if not d[k] <= radius_px:
        return p, None
    return (float(lm[k, 0]), float(lm[k, 1])), LANDMARK_NAMES[k]


# --------------------------------------------------------------------------- wording and pairing

#: What every manual measurement is, wherever it is shown (the app's tables, the report).
ON_SCREEN_NOTE = (
    "Manual measurements are 2-D angles drawn by hand on one video frame, in the image "
    "plane of the camera; out-of-plane posture, camera height and the choice of frame "
    "change them."
)


def describe_kind(kind: str, reference: str | None) -> str:
    """Short words for what was measured: "angle (3 points)", "line vs horizontal", ..."""
    if kind == "angle":
        return "angle (3 points)"
    if kind == "line" and reference in ("horizontal", "vertical"):
        return f"line vs {reference}"
    raise ValidationError(f"A measurement is an 'angle' or a 'line' against 'horizontal' or 'vertical'; got {kind!r}.")


def sign_convention(kind: str, reference: str | None) -> str:
    """The sign convention of a measurement in words (the module docstring's rules)."""
    if kind == "angle":
        return "the angle at the middle point (the vertex), 0 to 180 degrees, without sign"
    if kind == "line" and reference == "horizontal":
        return ("positive = second point higher than the first (drawn from ASIS to PSIS: "
                "+ = anterior pelvic tilt)")
    if kind == "line" and reference == "vertical":
        return "positive = upper point to the image right of the lower point"
    raise ValidationError(f"A measurement is an 'angle' or a 'line' against 'horizontal' or 'vertical'; got {kind!r}.")


@dataclass(frozen=True)
class MeasurementPair:
    """The same manual measurement at two visits (matched by label, kind and reference).

    Attributes
    ----------
    label : str
        The label as first written.
    kind : {"angle", "line"}
    reference : {"horizontal", "vertical"} or None
    a_deg, b_deg : float or None
        Mean value at visit A and visit B, degrees (None when not measured there).
    n_a, n_b : int
        How many measurements each mean is made of.
    """

    label: str
    kind: MeasurementKind
    reference: Reference | None
    a_deg: float | None
    b_deg: float | None
    n_a: int
    n_b: int

    @property
    def change_deg(self) -> float | None:
        """B minus A, degrees; None unless both visits have the measurement."""
        if self.a_deg is None or self.b_deg is None:
            return None
        return self.b_deg - self.a_deg


def _label_key(label: str) -> str:
    return " ".join(str(label).split()).casefold()


def pair_measurements(
    visit_a: Sequence[Measurement], visit_b: Sequence[Measurement]
) -> list[MeasurementPair]:
    """Match the manual measurements of two visits for a comparison table.

    Measurements match when their labels are equal (ignoring case and repeated
    spaces) and they are of the same kind and reference.  Several measurements of
    one label at a visit are averaged.  Rows keep the order in which labels first
    appear (visit A first).  A measurement without a label cannot be matched and
    raises.

    Raises
    ------
    ValidationError
        For an item that is not a :class:`Measurement` or has no label.
    """
    Key = tuple[str, MeasurementKind, Reference | None]
    order: list[Key] = []
    shown: dict[Key, str] = {}
    values: dict[Key, tuple[list[float], list[float]]] = {}
    for which, items in ((0, visit_a), (1, visit_b)):
        for m in items:
            if not isinstance(m, Measurement):
                raise ValidationError("Only Measurement objects can be compared.")
            if not m.label.strip():
                raise ValidationError("A measurement without a label cannot be matched between visits.")
            key: Key = (_label_key(m.label), m.kind, m.reference)
            if key not in values:
                order.append(key)
                shown[key] = " ".join(m.label.split())
                values[key] = ([], [])
            values[key][which].append(m.value_deg)
    pairs = []
    for row in order:
        a, b = values[row]
        pairs.append(
            MeasurementPair(
                label=shown[row],
                kind=row[1],
                reference=row[2],
                a_deg=float(np.mean(a)) if a else None,
                b_deg=float(np.mean(b)) if b else None,
                n_a=len(a),
                n_b=len(b),
            )
        )
    return pairs
