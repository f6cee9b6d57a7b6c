"""The truth of a synthetic walk, in the shape of the analysis contract.

Series follow ``spec/analysis-v1.md`` exactly: sides are the walker's anatomical
sides; sagittal series are computed from the true 3-D joint centres projected
onto the walker's sagittal plane (the line of progression and the vertical),
frontal series from the projection onto the frontal plane.  Events are the
instants the heel touches and the toe tip leaves the floor.  Metrics follow the
spec's definitions; they are computed here from the 3-D model on a dense time
grid (this module does not use :mod:`gaitlab.kinematics`), so they are the
reference an analysis is measured against.
"""

from __future__ import annotations

import numpy as np

from gaitlab import __version__
from gaitlab.contract import SCHEMA_ID, json_ready
from gaitlab.synth.params import camera_side
from gaitlab.types import SIDES

SAGITTAL_SERIES = (
    "hip_flexion_left",
    "hip_flexion_right",
    "thigh_angle_left",
    "thigh_angle_right",
    "knee_flexion_left",
    "knee_flexion_right",
    "trunk_lean_sagittal",
)
FRONTAL_SERIES = (
    "pelvic_obliquity",
    "hip_adduction_left",
    "hip_adduction_right",
    "trunk_lean_lateral",
)
#: Time step of the dense grid the metrics are computed on, seconds.
DENSE_STEP_S = 1.0 / 600.0


def _sag(v):
    """Angle of a sagittal (x forward, z up) vector from straight down, degrees (+ forward)."""
    return np.degrees(np.arctan2(v[..., 0], -v[..., 2]))


def compute_series(pts: dict[str, np.ndarray], *, tilt_side: str | None = None) -> dict[str, np.ndarray]:
    """All contract series (degrees) from walk-frame 3-D points.

    Sagittal: ``hip_flexion_*`` (thigh against the trunk line extended downward,
    + knee in front), ``thigh_angle_*`` (thigh against the vertical, + forward),
    ``knee_flexion_*`` (180° minus the hip-knee-ankle angle), ``trunk_lean_sagittal``
    (+ forward) and, with ``tilt_side``, ``pelvic_tilt``: the line from the centre
    of that side's PSIS sticker to the centre of its ASIS sticker, projected on
    the sagittal plane, against the horizontal (+ anterior, ASIS lower).  The
    stickers are what a video shows, so the truth is their line, not the line
    between the bony points under them.  Frontal: ``pelvic_obliquity`` (+ left
    hip higher), ``hip_adduction_*`` (+ knee toward the midline),
    ``trunk_lean_lateral`` (+ toward the walker's left).

    Parameters
    ----------
    pts : dict
        Walk-frame points (T, 3), metres, as in :attr:`SyntheticWalk.points_m`.
    tilt_side : {"left", "right"} or None
        The side whose stickers give ``pelvic_tilt`` (None: no ``pelvic_tilt``).
    """
    out: dict[str, np.ndarray] = {}
    hip_mid = 0.5 * (pts["left_hip"] + pts["right_hip"])
    sh_mid = 0.5 * (pts["left_shoulder"] + pts["right_shoulder"])
    trunk = sh_mid - hip_mid
    trunk_down = _sag(-trunk)
    out["trunk_lean_sagittal"] = np.degrees(np.arctan2(trunk[:, 0], trunk[:, 2]))
    out["trunk_lean_lateral"] = np.degrees(np.arctan2(trunk[:, 1], trunk[:, 2]))
    pel = pts["left_hip"] - pts["right_hip"]
    out["pelvic_obliquity"] = np.degrees(np.arctan2(pel[:, 2], pel[:, 1]))
    py, pz = pel[:, 1], pel[:, 2]
    norm = np.hypot(py, pz)
    ny, nz = pz / norm, -py / norm  # perpendicular to the pelvic line, pointing down
    for side in SIDES:
        thigh = pts[f"{side}_knee"] - pts[f"{side}_hip"]
        shank = pts[f"{side}_ankle"] - pts[f"{side}_knee"]
        th = _sag(thigh)
        out[f"thigh_angle_{side}"] = th
        out[f"hip_flexion_{side}"] = th - trunk_down
        out[f"knee_flexion_{side}"] = np.abs(th - _sag(shank))
        cross = ny * thigh[:, 2] - nz * thigh[:, 1]
        dot = ny * thigh[:, 1] + nz * thigh[:, 2]
        ang = np.degrees(np.arctan2(cross, dot))
        out[f"hip_adduction_{side}"] = -ang if side == "left" else ang
    if tilt_side is not None:
        asis, psis = pts[f"{tilt_side}_asis_sticker"], pts[f"{tilt_side}_psis_sticker"]
        out["pelvic_tilt"] = np.degrees(np.arctan2(psis[:, 2] - asis[:, 2], asis[:, 0] - psis[:, 0]))
    return out


def tilt_side_of(walk) -> str | None:
    """The side whose stickers a sagittal clip shows as a pair: the side facing
    the camera when it carries stickers; None otherwise (and in frontal clips)."""
    side = camera_side(walk.camera)
    return side if side is not None and side in walk.sticker_sides else None


def view_series_names(view: str, tilt: bool) -> tuple[str, ...]:
    """The series a view measures (``pelvic_tilt`` only sagittal with stickers facing the camera)."""
    if view == "sagittal":
        return SAGITTAL_SERIES + (("pelvic_tilt",) if tilt else ())
    return FRONTAL_SERIES


def _events(walk, t_end: float) -> dict:
    sched = walk.schedule
    ev: dict = {"heel_strike": {}, "toe_off": {}}
    for side in SIDES:
        hs = sched.heel_strike_s[side]
        to = sched.toe_off_s[side]
        ev["heel_strike"][side] = [float(t) for t in hs if 0.0 <= t <= t_end]
        ev["toe_off"][side] = [float(t) for t in to if np.isfinite(t) and 0.0 <= t <= t_end]
    return ev


def _mean(values) -> float | None:
    v = [x for x in values if x is not None and np.isfinite(x)]
    return float(np.mean(v)) if v else None


def _si(left, right) -> float | None:
    if left is None or right is None or (left + right) == 0:
        return None
    return 100.0 * (left - right) / (0.5 * (left + right))


def _swing(stance: float | None) -> float | None:
    return None if stance is None else 100.0 - stance


def _r(x, nd=4):
    return None if x is None else round(float(x), nd)


class _Dense:
    """Series on a dense time grid, for exact windows, extremes and cycles."""

    def __init__(self, walk, t0: float, t1: float):
        n = int(np.ceil((t1 - t0) / DENSE_STEP_S)) + 1
        self.t = np.linspace(t0, t1, n)
        pts = walk.points_at(self.t)
        self.series = compute_series(pts, tilt_side=tilt_side_of(walk))
        self.pts = pts

    def window(self, name, a, b):
        m = (self.t >= a) & (self.t <= b)
        return self.series[name][m]

    def cycle_curve(self, name, a, b, n=101):
        tt = np.linspace(a, b, n)
        return np.interp(tt, self.t, self.series[name])


def compute_truth_metrics(walk) -> tuple[dict, dict]:
    """Metrics of both views and cycle curves of every series, from the 3-D model.

    Returns
    -------
    metrics : dict
        Every metric of ``spec/analysis-v1.md`` (sagittal and frontal), with step
        lengths in metres and the gait speed in metres per second.
    cycles : dict
        ``{series_side: {"mean": [101], "sd": [101], "n": k}}`` for side series
        over that side's complete cycles, and for the bilateral series (pelvic
        obliquity, trunk lean, pelvic tilt) over the left cycles.
    """
    t_end = float(walk.time_s[-1])
    ev = _events(walk, t_end)
    sched = walk.schedule
    dense = _Dense(walk, 0.0, t_end)
    hs: dict[str, np.ndarray] = {s: np.array(ev["heel_strike"][s]) for s in SIDES}
    all_to: dict[str, np.ndarray] = {s: sched.toe_off_s[s] for s in SIDES}
    all_hs: dict[str, np.ndarray] = {s: sched.heel_strike_s[s] for s in SIDES}
    other: dict[str, str] = {"left": "right", "right": "left"}

    step_time: dict[str, float | None] = {}
    stride_time: dict[str, float | None] = {}
    stance_pct: dict[str, float | None] = {}
    stance_time: dict[str, float | None] = {}
    step_len: dict[str, float | None] = {}
    cycles_of: dict[str, list[tuple[float, float, float]]] = {}
    for s in SIDES:
        o = other[s]
        st, sl = [], []
        for k, t in enumerate(all_hs[s]):
            if not (0.0 <= t <= t_end):
                continue
            prev = all_hs[o][all_hs[o] < t]
            if prev.size and prev[-1] >= 0.0:
                st.append(t - prev[-1])
                j = prev.size - 1
                sl.append(sched.heel_x_m[s][k] - sched.heel_x_m[o][j])
        step_time[s] = _mean(st)
        step_len[s] = _mean(sl)
        cyc = []
        for a, b in zip(hs[s][:-1], hs[s][1:]):
            to = all_to[s][(all_to[s] > a) & (all_to[s] < b)]
            cyc.append((float(a), float(b), float(to[0])))
        cycles_of[s] = cyc
        stride_time[s] = _mean([b - a for a, b, _ in cyc])
        stance_pct[s] = _mean([100.0 * (c - a) / (b - a) for a, b, c in cyc])
        stance_time[s] = _mean([c - a for a, b, c in cyc])
    steps = [x for s in SIDES for x in ([step_time[s]] if step_time[s] else [])]
    all_steps = []
    for s in SIDES:
        for t in hs[s]:
            prev = all_hs[other[s]][all_hs[other[s]] < t]
            if prev.size and prev[-1] >= 0.0:
                all_steps.append(t - prev[-1])
    cadence = 60.0 / float(np.mean(all_steps)) if all_steps else None
    del steps
    # double support: share of each left stride in which both feet are on the floor
    ds = []
    for a, b, _ in cycles_of["left"]:
        m = (dense.t >= a) & (dense.t < b)
        tt = dense.t[m]
        both = np.ones(tt.size, dtype=bool)
        for s in SIDES:
            idx = np.searchsorted(all_hs[s], tt, side="right") - 1
            both &= tt < all_to[s][idx]
        ds.append(100.0 * both.mean())
    pel_x = dense.pts["pelvis"][:, 0]
    speed = float((pel_x[-1] - pel_x[0]) / (dense.t[-1] - dense.t[0]))

    def per_cycle(name, side, fn):
        return _mean([fn(dense.window(name, a, b)) for a, b, _ in cycles_of[side]])

    hip_rom = {s: per_cycle(f"hip_flexion_{s}", s, np.ptp) for s in SIDES}
    hip_max = {s: per_cycle(f"hip_flexion_{s}", s, np.max) for s in SIDES}
    hip_ext = {s: per_cycle(f"hip_flexion_{s}", s, np.min) for s in SIDES}
    # single support of a side: the other foot's toe off to its heel strike
    drop: dict[str, float | None] = {}
    lean_stance: dict[str, float | None] = {}
    for s in SIDES:
        o = other[s]
        win = []
        for to_t in all_to[o]:
            nxt = all_hs[o][all_hs[o] > to_t]
            if nxt.size and to_t >= 0.0 and nxt[0] <= t_end:
                win.append((float(to_t), float(nxt[0])))
        sign = 1.0 if s == "left" else -1.0
        # left single support: the right hip drops (obliquity positive)
        drop[o] = _mean([float(np.max(sign * dense.window("pelvic_obliquity", a, b))) for a, b in win])
        lean_stance[s] = _mean([float(np.mean(sign * dense.window("trunk_lean_lateral", a, b))) for a, b in win])
    metrics = {
        "cadence_steps_per_min": _r(cadence, 3),
        "step_time_s": {s: _r(step_time[s]) for s in SIDES},
        "stride_time_s": {s: _r(stride_time[s]) for s in SIDES},
        "stance_pct": {s: _r(stance_pct[s], 3) for s in SIDES},
        "swing_pct": {s: _r(_swing(stance_pct[s]), 3) for s in SIDES},
        "double_support_pct": _r(_mean(ds), 3),
        "step_length_m": {s: _r(step_len[s]) for s in SIDES},
        "gait_speed_m_s": _r(speed),
        "hip_rom_deg": {s: _r(hip_rom[s], 3) for s in SIDES},
        "hip_flexion_max_deg": {s: _r(hip_max[s], 3) for s in SIDES},
        "hip_extension_max_deg": {s: _r(hip_ext[s], 3) for s in SIDES},
        "pelvic_obliquity_rom_deg": _r(per_cycle("pelvic_obliquity", "left", np.ptp), 3),
        "pelvic_drop_deg": {s: _r(drop[s], 3) for s in SIDES},
        "trunk_lean_stance_deg": {s: _r(lean_stance[s], 3) for s in SIDES},
        "trunk_lean_sagittal_mean_deg": _r(float(np.mean(dense.series["trunk_lean_sagittal"])), 3),
        "trunk_lean_lateral_rom_deg": _r(per_cycle("trunk_lean_lateral", "left", np.ptp), 3),
        "symmetry_index_pct": {
            "step_time": _r(_si(step_time["left"], step_time["right"]), 3),
            "stance_time": _r(_si(stance_time["left"], stance_time["right"]), 3),
            "step_length": _r(_si(step_len["left"], step_len["right"]), 3),
            "hip_rom": _r(_si(hip_rom["left"], hip_rom["right"]), 3),
        },
        "n_cycles": {s: len(cycles_of[s]) for s in SIDES},
    }
    cycles = {}
    for name in dense.series:
        side = "right" if name.endswith("_right") else "left"
        cyc = cycles_of[side]
        if not cyc:
            continue
        curves = np.stack([dense.cycle_curve(name, a, b) for a, b, _ in cyc])
        cycles[name] = {
            "mean": np.round(curves.mean(0), 4),
            "sd": np.round(curves.std(0), 4),
            "n": len(cyc),
        }
    return metrics, cycles


SAGITTAL_METRICS = (
    "hip_rom_deg",
    "hip_flexion_max_deg",
    "hip_extension_max_deg",
    "trunk_lean_sagittal_mean_deg",
)
FRONTAL_METRICS = (
    "pelvic_obliquity_rom_deg",
    "pelvic_drop_deg",
    "trunk_lean_stance_deg",
    "trunk_lean_lateral_rom_deg",
)


def truth_document(walk) -> dict:
    """The contract-shaped truth of a synthetic walk.

    It has every required field of ``gaitlab.analysis/1`` (``model.variant`` is
    "truth"), the series of the camera's view at the frame times, the exact
    events, cycles and metrics of that view, and a ``synthetic`` block with the
    generating parameters, the camera actually used, the metrics of both views
    and the heel positions.
    """
    view = walk.camera.view
    tilt_side = tilt_side_of(walk)
    names = view_series_names(view, tilt_side is not None)
    series_all = compute_series(walk.points_m, tilt_side=tilt_side)
    metrics_all, cycles_all = compute_truth_metrics(walk)
    drop = FRONTAL_METRICS if view == "sagittal" else SAGITTAL_METRICS
    metrics = {k: v for k, v in metrics_all.items() if k not in drop}
    if view == "frontal":
        metrics["symmetry_index_pct"] = {k: v for k, v in metrics["symmetry_index_pct"].items() if k != "hip_rom"}
    cycles = {k: v for k, v in cycles_all.items() if k in names}
    t_end = float(walk.time_s[-1])
    cam = walk.camera
    sched = walk.schedule
    doc = {
        "schema": SCHEMA_ID,
        "gaitlab_version": __version__,
        "model": {"name": "gaitlab.synth", "variant": "truth", "sha256": ""},
        "video": {
            "path": "",
            "sha256": "",
            "width": cam.width,
            "height": cam.height,
            "fps": float(cam.fps),
            "frame_count": walk.n_frames,
            "duration_s": round(walk.n_frames / cam.fps, 4),
            "rotation_deg": 0,
        },
        "view": view,
        "walking_direction": cam.walking,
        "person": {"selected": 0, "people_seen": 1},
        "settings": {"source": "synthetic truth"},
        "time_s": [round(float(t), 6) for t in walk.time_s],
        "series": {n: np.round(series_all[n], 4) for n in names},
        "events": _events(walk, t_end),
        "cycles": cycles,
        "metrics": metrics,
        "quality": {"detection_rate": 1.0, "side_swaps_corrected": 0, "warnings": []},
        "synthetic": {
            "generator": "gaitlab.synth",
            "seed": walk.seed,
            "duration_s": walk.duration_s,
            "params": walk.params.to_dict(),
            "camera": {**cam.to_dict(), "distance_m_used": walk.distance_m},
            "stickers": {
                "sides": list(walk.sticker_sides),
                "diameter_m": walk.params.marker_diameter_m if walk.sticker_sides else None,
                "pelvic_tilt_side": tilt_side,
            },
            "metrics_all_views": metrics_all,
            "heel_strike_position_m": {
                s: [
                    [round(float(x), 4), round(float(y), 4)]
                    for t, x, y in zip(sched.heel_strike_s[s], sched.heel_x_m[s], sched.heel_y_m[s])
                    if 0.0 <= t <= t_end
                ]
                for s in SIDES
            },
            "axes": "walk frame: x forward along the line of progression, y to the walker's left, z up, metres",
        },
    }
    return json_ready(doc)
