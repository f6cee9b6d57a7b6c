"""The synthetic walker: 3-D joint trajectories with exactly known gait events.

The gait is built so that what a camera can see is what the truth says:

1. A step schedule (heel-strike times, heel positions, toe-off times) follows from
   cadence, step lengths and stance shares, with seeded stride-to-stride
   variability.
2. Each stance foot is planted: it rolls on its heel from heel strike to foot
   flat, lies flat, then rolls on its toe tip until toe off.  The heel point
   touches the floor exactly at the heel-strike time, and the toe tip leaves it
   exactly at the toe-off time.
3. The pelvis travels forward through the step schedule; its height is the
   highest the stance leg(s) allow with the prescribed stance knee flexion (a
   smooth minimum over the legs in contact, so the pelvis stays continuous as
   legs land and push off).  Pelvic obliquity, rotation and tilt are prescribed.
4. Knees follow by inverse kinematics (the knee points forward).  Swing legs
   follow prescribed thigh and knee curves, corrected smoothly so each swing
   starts at the toe-off pose and ends at the next heel-strike pose, and lifted
   where a foot would touch the floor.

Coordinates of the walk frame: x forward along the line of progression, y to the
walker's left, z up, metres; the floor is z = 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.interpolate import CubicSpline, PchipInterpolator

from gaitlab.errors import InputError
from gaitlab.landmarks import INDEX, LANDMARK_NAMES, N_LANDMARKS
from gaitlab.synth.body import BodyDims, body_dims, sticker_site
from gaitlab.synth.params import CameraSetup, GaitParams, sticker_sides

SIDE_SIGN = {"left": 1.0, "right": -1.0}
OTHER = {"left": "right", "right": "left"}

#: Foot pitch at heel strike (toe up), degrees.
HEEL_STRIKE_PITCH_DEG = 15.0
#: Prescribed heel rise at toe off (heel up), degrees; more if the hip needs it.
TOE_OFF_PITCH_DEG = 30.0
#: Share of stance from heel strike to foot flat.
FOOT_FLAT_SHARE = 0.18
#: Share of stance at which the heel starts to rise.
HEEL_OFF_SHARE = 0.62
#: Share of swing at which the thigh reaches its peak flexion.
THIGH_PEAK_SHARE = 0.78
#: Share of swing at which the knee reaches its peak flexion.
KNEE_PEAK_SHARE = 0.35
#: Smallest height of the swinging heel and toe above the floor mid-swing, metres.
SWING_CLEARANCE_M = 0.012
#: Where the pelvis is at heel strike: this share of the step behind the landing heel.
PELVIS_BEHIND_HEEL_SHARE = 0.42
#: Time after heel strike of the pelvis's lowest point, share of the stride.
PELVIS_LOW_SHARE = 0.01
#: Softness of the minimum over the stance legs that sets the pelvis height, metres.
SOFTMIN_M = 0.004


def smoothstep(x):
    """Cubic ease from 0 (x <= 0) to 1 (x >= 1) with zero slope at both ends."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _rot_x(a):
    c, s = np.cos(a), np.sin(a)
    z, o = np.zeros_like(a), np.ones_like(a)
    return np.stack([np.stack([o, z, z], -1), np.stack([z, c, -s], -1), np.stack([z, s, c], -1)], -2)


def _rot_y(a):
    c, s = np.cos(a), np.sin(a)
    z, o = np.zeros_like(a), np.ones_like(a)
    return np.stack([np.stack([c, z, s], -1), np.stack([z, o, z], -1), np.stack([-s, z, c], -1)], -2)


def _rot_z(a):
    c, s = np.cos(a), np.sin(a)
    z, o = np.zeros_like(a), np.ones_like(a)
    return np.stack([np.stack([c, -s, z], -1), np.stack([s, c, z], -1), np.stack([z, z, o], -1)], -2)


def _apply(rot, vec):
    """Rotate (T,3) or (3,) vectors by (T,3,3) rotations."""
    vec = np.broadcast_to(np.asarray(vec, dtype=np.float64), rot.shape[:-1])
    return np.einsum("tij,tj->ti", rot, vec)


def _unit(v):
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def leg_reach_m(thigh_m: float, shank_m: float, knee_flexion_deg):
    """Hip-to-ankle distance for a knee flexion angle (law of cosines), metres."""
    k = np.radians(knee_flexion_deg)
    return np.sqrt(thigh_m**2 + shank_m**2 + 2.0 * thigh_m * shank_m * np.cos(k))


def solve_knee(hip, ankle, forward, thigh_m: float, shank_m: float):
    """Knee centre from hip and ankle centres (two-segment inverse kinematics).

    The knee lies in the plane through hip and ankle that contains ``forward``
    and bends forward.  Ankles out of reach are treated as at full reach.
    """
    v = ankle - hip
    d = np.linalg.norm(v, axis=-1)
    dc = np.clip(d, abs(thigh_m - shank_m) + 1e-4, thigh_m + shank_m - 1e-9)
    e = v / d[:, None]
    a = (thigh_m**2 - shank_m**2 + dc**2) / (2.0 * dc)
    h = np.sqrt(np.maximum(thigh_m**2 - a**2, 0.0))
    p = forward - np.sum(forward * e, axis=-1, keepdims=True) * e
    p = _unit(p)
    return hip + a[:, None] * e + h[:, None] * p


@dataclass(frozen=True)
class StepSchedule:
    """Heel strikes, heel positions and toe offs of both feet (walk frame).

    For each side: ``heel_strike_s[k]`` starts stride k, ``toe_off_s[k]`` ends its
    stance, ``heel_x_m[k]``/``heel_y_m[k]`` is where the heel lands.
    """

    heel_strike_s: dict[str, np.ndarray]
    toe_off_s: dict[str, np.ndarray]
    heel_x_m: dict[str, np.ndarray]
    heel_y_m: dict[str, np.ndarray]
    drop_deg: dict[str, np.ndarray]
    order: tuple[tuple[float, str, float], ...]

    def shifted(self, dx_m: float) -> StepSchedule:
        """The same schedule moved ``dx_m`` metres along the line of progression."""
        return StepSchedule(
            heel_strike_s=self.heel_strike_s,
            toe_off_s=self.toe_off_s,
            heel_x_m={k: v + dx_m for k, v in self.heel_x_m.items()},
            heel_y_m=self.heel_y_m,
            drop_deg=self.drop_deg,
            order=tuple((t, s, x + dx_m) for t, s, x in self.order),
        )


def plan_steps(params: GaitParams, *, t_start_s: float, t_end_s: float, rng) -> StepSchedule:
    """The step schedule covering ``t_start_s``..``t_end_s`` with margins (seconds)."""
    stride = params.stride_time_s
    s_l, s_r = params.stance_pct_left / 100.0, params.stance_pct_right / 100.0
    ds_half = 0.5 * (s_l + s_r - 1.0) * stride
    step_time = {"right": ds_half + (1.0 - s_r) * stride, "left": ds_half + (1.0 - s_l) * stride}
    step_len = {"left": params.step_length_m_left, "right": params.step_length_m_right}
    drop = {"left": params.pelvic_drop_deg_left, "right": params.pelvic_drop_deg_right}
    cv = params.variability

    def jitter() -> float:
        return float(np.clip(1.0 + cv * rng.standard_normal(), 1.0 - 3 * cv, 1.0 + 3 * cv))

    t = t_start_s - 4.0 * stride
    side, x = "left", 0.0
    events: list[tuple[float, str, float]] = []
    while t < t_end_s + 6.0 * stride:
        events.append((t, side, x))
        side = OTHER[side]
        t += step_time[side] * jitter()
        x += step_len[side] * jitter()
    times = np.array([e[0] for e in events])
    hs: dict[str, list[float]] = {"left": [], "right": []}
    to: dict[str, list[float]] = {"left": [], "right": []}
    hx: dict[str, list[float]] = {"left": [], "right": []}
    dr: dict[str, list[float]] = {"left": [], "right": []}
    for i, (ti, si, xi) in enumerate(events):
        hs[si].append(ti)
        hx[si].append(xi)
        dr[si].append(drop[si] * jitter())
        if i + 2 < len(events):
            t1, t2 = times[i + 1], times[i + 2]
            to[si].append(min(t1 + ds_half * jitter(), t1 + 0.8 * (t2 - t1)))
        else:
            to[si].append(math.nan)
    half_width = 0.5 * params.step_width_m
    return StepSchedule(
        heel_strike_s={k: np.array(v) for k, v in hs.items()},
        toe_off_s={k: np.array(v) for k, v in to.items()},
        heel_x_m={k: np.array(v) for k, v in hx.items()},
        heel_y_m={k: np.full(len(v), SIDE_SIGN[k] * half_width) for k, v in hx.items()},
        drop_deg={k: np.array(v) for k, v in dr.items()},
        order=tuple(events),
    )


@dataclass(frozen=True)
class LegPhase:
    """Where one leg is in its gait cycle at each time."""

    stride: np.ndarray  # (T,) index k of the current stride (heel strike k .. k+1)
    stance: np.ndarray  # (T,) bool
    stance_share: np.ndarray  # (T,) 0..1 through stance (meaningful in stance)
    swing_share: np.ndarray  # (T,) 0..1 through swing (meaningful in swing)
    cycle_share: np.ndarray  # (T,) 0..1 through the stride


def leg_phase(sched: StepSchedule, side: str, times: np.ndarray) -> LegPhase:
    """The phase of ``side``'s leg at ``times`` (seconds)."""
    hs, to = sched.heel_strike_s[side], sched.toe_off_s[side]
    k = np.searchsorted(hs, times, side="right") - 1
    if np.any(k < 0) or np.any(k + 1 >= hs.size) or np.any(~np.isfinite(to[k])):
        raise InputError("The synthetic walk was asked for a time outside its step plan.")
    stance = times < to[k]
    st = (times - hs[k]) / (to[k] - hs[k])
    sw = (times - to[k]) / (hs[k + 1] - to[k])
    cyc = (times - hs[k]) / (hs[k + 1] - hs[k])
    return LegPhase(k, stance, np.clip(st, 0, 1), np.clip(sw, 0, 1), cyc)


def _stance_knee_deg(share):
    """Least knee flexion of a stance leg (degrees): nearly straight, a little more late."""
    return 3.0 + 3.0 * np.asarray(share)


def _stance_pitch_deg(share):
    """Prescribed foot pitch in stance (degrees, toe up positive) and whether it pivots on the heel."""
    a = HEEL_STRIKE_PITCH_DEG * (1.0 - smoothstep(share / FOOT_FLAT_SHARE))
    r = -TOE_OFF_PITCH_DEG * smoothstep((share - HEEL_OFF_SHARE) / (1.0 - HEEL_OFF_SHARE))
    pitch = np.where(share < FOOT_FLAT_SHARE, a, np.where(share < HEEL_OFF_SHARE, 0.0, r))
    return pitch, share < FOOT_FLAT_SHARE


class _FootGeometry:
    """Sole points of a rigid foot: heel (rear, on the sole), toe tip and ankle centre."""

    def __init__(self, dims: BodyDims):
        self.length = dims.foot_length_m
        self.ankle_fwd = dims.heel_to_ankle_m
        self.ankle_up = dims.ankle_height_m

    def points(self, pivot, pitch_deg, pivot_is_heel):
        """Heel, toe and ankle (T,3) of a foot pitched ``pitch_deg`` about a floor pivot."""
        a = np.radians(pitch_deg)
        f = np.stack([np.cos(a), np.zeros_like(a), np.sin(a)], -1)
        u = np.stack([-np.sin(a), np.zeros_like(a), np.cos(a)], -1)
        heel = np.where(pivot_is_heel[:, None], pivot, pivot - self.length * f)
        toe = heel + self.length * f
        ankle = heel + self.ankle_fwd * f + self.ankle_up * u
        return heel, toe, ankle

    def ankle_from_toe(self, toe, pitch_deg):
        a = np.radians(pitch_deg)
        f = np.stack([np.cos(a), np.zeros_like(a), np.sin(a)], -1)
        u = np.stack([-np.sin(a), np.zeros_like(a), np.cos(a)], -1)
        return toe + (self.ankle_fwd - self.length) * f + self.ankle_up * u


@dataclass
class _Pelvis:
    centre: np.ndarray  # (T,3)
    rot: np.ndarray  # (T,3,3)
    obliquity_deg: np.ndarray
    rotation_deg: np.ndarray
    tilt_deg: np.ndarray


class _WalkModel:
    """Evaluates the walker's pose at any times inside the step plan."""

    def __init__(self, params: GaitParams, sched: StepSchedule, rng):
        self.p = params
        self.sched = sched
        self.dims = body_dims(params)
        self.foot = _FootGeometry(self.dims)
        d = self.dims
        self.reach_max = float(leg_reach_m(d.thigh_m, d.shank_m, 1.0))
        order = sched.order
        t_ev = np.array([e[0] for e in order])
        x_ev = np.array([e[2] for e in order])
        sgn = np.array([SIDE_SIGN[e[1]] for e in order])
        # pelvis progression: at each heel strike a little nearer the landing heel
        xp = x_ev[1:] - PELVIS_BEHIND_HEEL_SHARE * (x_ev[1:] - x_ev[:-1])
        self._x = PchipInterpolator(t_ev[1:], xp)
        # knots at heel strikes (0) and mid single support (+ toward the stance side)
        t_mid = 0.5 * (t_ev[1:] + t_ev[:-1])
        kt = np.sort(np.concatenate([t_ev, t_mid]))
        is_mid = np.isin(kt, t_mid)
        mid_sign = np.interp(kt, t_mid, sgn[:-1])  # side that struck last = stance side
        amp = lambda a: a * np.clip(1.0 + params.variability * rng.standard_normal(kt.size), 0.7, 1.3)  # noqa: E731
        sway = 0.018 + 0.15 * params.step_width_m
        self._y = CubicSpline(kt, np.where(is_mid, mid_sign * amp(sway), 0.0))
        self._lat = CubicSpline(
            kt, np.where(is_mid, mid_sign * amp(params.trunk_lean_lateral_amplitude_deg), 0.0)
        )
        tilt = params.pelvic_tilt_amplitude_deg + 3.0 * params.lumbar_stiffness
        self._tilt = CubicSpline(kt, np.where(is_mid, amp(tilt), -amp(tilt)))
        # pelvis turns forward on the swinging side: right hip forward at right heel strike
        self._rot = CubicSpline(t_ev, sgn * -amp(params.pelvic_rotation_deg)[: t_ev.size])
        self._trunk_osc = CubicSpline(kt, np.where(is_mid, -0.8, 0.8))
        self._target: CubicSpline | None = None

    # -- pelvis -------------------------------------------------------------
    def _obliquity_deg(self, times, ph):
        """Positive = left hip higher: the right hip drops in left single support."""
        out = np.zeros_like(times)
        for side in ("left", "right"):
            # this side swinging = the other side in single support = this side's hip drops
            sw = ~ph[side].stance
            u = ph[side].swing_share
            bump = np.sin(np.pi * np.clip(u, 0, 1) ** 0.576) ** 2
            drop = self.sched.drop_deg[side][ph[side].stride]
            out += np.where(sw, -SIDE_SIGN[side] * drop * bump, 0.0)
        return out

    def _pelvis_orientation(self, times, ph):
        obl = self._obliquity_deg(times, ph)
        rot = self._rot(times)
        tilt = self._tilt(times)
        r = _rot_z(np.radians(rot)) @ _rot_y(np.radians(tilt)) @ _rot_x(np.radians(obl))
        return r, obl, rot, tilt

    def _hip_offset(self, rot, side):
        return _apply(rot, np.array([0.0, SIDE_SIGN[side] * self.dims.hip_half_width_m, 0.0]))

    def _stance_foot(self, side, k, share):
        """Prescribed stance foot (heel, toe, ankle, pitch, heel pivot) for stride k."""
        pitch, on_heel = _stance_pitch_deg(share)
        pivot_heel = np.stack(
            [self.sched.heel_x_m[side][k], self.sched.heel_y_m[side][k], np.zeros(k.size)], -1
        )
        pivot_toe = pivot_heel + np.array([self.foot.length, 0.0, 0.0])
        pivot = np.where(on_heel[:, None], pivot_heel, pivot_toe)
        heel, toe, ankle = self.foot.points(pivot, pitch, on_heel)
        return heel, toe, ankle, pitch, on_heel

    def _candidate(self, xy, rot, side, ankle, knee_deg):
        """Pelvis height at which this leg's knee has ``knee_deg`` with the ankle placed."""
        off = self._hip_offset(rot, side)
        hip_xy = xy[:, :2] + off[:, :2]
        dxy2 = np.sum((hip_xy - ankle[:, :2]) ** 2, axis=-1)
        reach = leg_reach_m(self.dims.thigh_m, self.dims.shank_m, knee_deg)
        hip_z = ankle[:, 2] + np.sqrt(np.maximum(reach**2 - dxy2, 1e-6))
        return hip_z - off[:, 2]

    def _pelvis_frame(self, times):
        ph = {s: leg_phase(self.sched, s, times) for s in ("left", "right")}
        rot, obl, prot, tilt = self._pelvis_orientation(times, ph)
        xy = np.stack([self._x(times), self._y(times), np.zeros_like(times)], -1)
        return ph, xy, rot, obl, prot, tilt

    def _leg_candidate(self, side, times, knee_deg=None):
        """Pelvis height at which ``side``'s stance knee has ``knee_deg`` (default: nearly straight)."""
        ph, xy, rot, *_ = self._pelvis_frame(times)
        lp = ph[side]
        _, _, ankle, _, _ = self._stance_foot(side, lp.stride, lp.stance_share)
        knee = _stance_knee_deg(lp.stance_share) if knee_deg is None else knee_deg
        return self._candidate(xy, rot, side, ankle, knee)

    def _pelvis_bound(self, times) -> _Pelvis:
        """Highest pelvis the stance legs allow with nearly straight knees."""
        ph, xy, rot, obl, prot, tilt = self._pelvis_frame(times)
        stride = self.p.stride_time_s
        cands, weights = [], []
        for side in ("left", "right"):
            lp = ph[side]
            k = lp.stride
            hs = self.sched.heel_strike_s[side]
            to = self.sched.toe_off_s[side]
            c_st = self._leg_candidate(side, times)
            # late swing: the bound this leg will set when it lands, faded in
            k1 = np.minimum(k + 1, hs.size - 1)
            c_sw = self._leg_candidate(side, hs[k1])
            delta = np.minimum(0.2 * stride, 0.6 * (hs[k1] - to[k]))
            w_in = smoothstep((times - (hs[k1] - delta)) / delta)
            # pre-swing: fade out from the other foot's heel strike to toe off
            other = self.sched.heel_strike_s[OTHER[side]]
            last_other = other[np.searchsorted(other, times, side="right") - 1]
            in_ds = last_other > hs[k]
            w_out = np.where(in_ds, 1.0 - smoothstep((times - last_other) / (to[k] - last_other)), 1.0)
            cands.append(np.where(lp.stance, c_st, c_sw))
            weights.append(np.where(lp.stance, w_out, w_in))
        c = np.stack(cands, 0)
        w = np.stack(weights, 0)
        firm = w >= 1.0 - 1e-12
        lo = np.where(firm, c, np.inf).min(axis=0)
        z = lo - SOFTMIN_M * np.log(np.sum(np.where(firm, np.exp(-(c - lo) / SOFTMIN_M), 0.0), axis=0))
        # a leg landing or pushing off pulls the pelvis down in proportion to its weight
        for i in range(c.shape[0]):
            gap = (z - c[i]) / SOFTMIN_M
            excess = SOFTMIN_M * np.logaddexp(0.0, np.clip(gap, -50, 50))
            z = np.where(firm[i] | (w[i] <= 0), z, z - w[i] * excess)
        centre = xy.copy()
        centre[:, 2] = z
        return _Pelvis(centre, rot, obl, prot, tilt)

    def _pelvis_target(self):
        """Smooth pelvis height: lowest at heel strike, loading-response knee flexion, high mid-stance."""
        order = self.sched.order[1:-3]
        t_ev = np.array([e[0] for e in order])
        stride = self.p.stride_time_s
        kt, kz = [], []
        for (t0, side, _), t1 in zip(order[:-1], t_ev[1:]):
            t_lr = t0 + 0.12 * stride
            t_mid = 0.5 * (t0 + t1) + 0.05 * stride
            z_hs = self._pelvis_bound(np.array([t0])).centre[0, 2] - 0.0005
            z_lr = self._leg_candidate(side, np.array([t_lr]), self.p.knee_flexion_loading_deg)[0]
            z_mid = self._pelvis_bound(np.array([t_mid])).centre[0, 2] - 0.001
            kt += [t0 + 0.01 * stride, t_lr, t_mid]
            kz += [z_hs, min(z_lr, z_hs + 0.02), z_mid]
        return CubicSpline(np.array(kt), np.array(kz))

    def pelvis(self, times) -> _Pelvis:
        bound = self._pelvis_bound(times)
        target = self._target
        if target is None:
            target = self._target = self._pelvis_target()
        zt = target(times)
        zb = bound.centre[:, 2]
        lo = np.minimum(zt, zb)
        z = lo - SOFTMIN_M * np.log(np.exp(-(zt - lo) / SOFTMIN_M) + np.exp(-(zb - lo) / SOFTMIN_M))
        bound.centre[:, 2] = z
        return bound

    # -- legs ---------------------------------------------------------------
    def _stance_leg(self, side, k, share, pel: _Pelvis):
        """Planted foot, ankle, hip and knee of a stance leg (heel rise added if needed)."""
        heel, toe, ankle, pitch, on_heel = self._stance_foot(side, k, share)
        hip = pel.centre + self._hip_offset(pel.rot, side)
        limit = self.reach_max
        too_far = (np.linalg.norm(ankle - hip, axis=-1) > limit) & ~on_heel
        if np.any(too_far):
            # roll further onto the toe until the ankle is within reach (bisection on pitch)
            lo = np.full(too_far.sum(), -85.0)
            hi = pitch[too_far].copy()
            t_pts, h_pts = toe[too_far], hip[too_far]
            for _ in range(40):
                mid = 0.5 * (lo + hi)
                dist = np.linalg.norm(self.foot.ankle_from_toe(t_pts, mid) - h_pts, axis=-1)
                ok = dist <= limit
                lo = np.where(ok, mid, lo)
                hi = np.where(ok, hi, mid)
            pitch = pitch.copy()
            pitch[too_far] = lo
            h2, t2, a2 = self.foot.points(t_pts, lo, np.zeros(lo.size, dtype=bool))
            heel, toe, ankle = heel.copy(), toe.copy(), ankle.copy()
            heel[too_far], toe[too_far], ankle[too_far] = h2, t2, a2
        fwd = np.broadcast_to(np.array([1.0, 0.0, 0.0]), hip.shape)
        knee = solve_knee(hip, ankle, fwd, self.dims.thigh_m, self.dims.shank_m)
        return {"hip": hip, "knee": knee, "ankle": ankle, "heel": heel, "toe": toe, "pitch": pitch}

    def _thigh_deg(self, hip, knee):
        return np.degrees(np.arctan2(knee[:, 0] - hip[:, 0], hip[:, 2] - knee[:, 2]))

    def _knee_deg(self, hip, knee, ankle):
        a, b = _unit(knee - hip), _unit(ankle - knee)
        return np.degrees(np.arccos(np.clip(np.sum(a * b, -1), -1, 1)))

    def _swing_leg(self, side, times, lp: LegPhase, pel: _Pelvis):
        d = self.dims
        k = lp.stride
        hs, to = self.sched.heel_strike_s[side], self.sched.toe_off_s[side]
        t0, t1 = to[k], hs[k + 1]
        p0 = self.pelvis(t0)
        p1 = self.pelvis(t1)
        s0 = self._stance_leg(side, k, np.ones_like(t0), p0)
        s1 = self._stance_leg(side, k + 1, np.zeros_like(t1), p1)
        th0, th1 = self._thigh_deg(s0["hip"], s0["knee"]), self._thigh_deg(s1["hip"], s1["knee"])
        kn0 = self._knee_deg(s0["hip"], s0["knee"], s0["ankle"])
        kn1 = self._knee_deg(s1["hip"], s1["knee"], s1["ankle"])
        amp = self.p.hip_flexion_amplitude_deg_left if side == "left" else self.p.hip_flexion_amplitude_deg_right
        th_pk = np.maximum(th1 + 3.0, th0 + amp)
        kn_pk = np.full_like(th0, self.p.knee_flexion_peak_deg)

        def fk(u, hip):
            th = np.where(
                u < THIGH_PEAK_SHARE,
                th0 + (th_pk - th0) * np.sin(0.5 * np.pi * np.clip(u / THIGH_PEAK_SHARE, 0, 1)),
                th_pk + (th1 - th_pk) * smoothstep((u - THIGH_PEAK_SHARE) / (1 - THIGH_PEAK_SHARE)),
            )
            kn = np.where(
                u < KNEE_PEAK_SHARE,
                kn0 + (kn_pk - kn0) * np.sin(0.5 * np.pi * np.clip(u / KNEE_PEAK_SHARE, 0, 1)),
                kn_pk + (kn1 - kn_pk) * smoothstep((u - KNEE_PEAK_SHARE) / (1 - KNEE_PEAK_SHARE)),
            )
            a, b = np.radians(th), np.radians(th - kn)
            x = hip[:, 0] + d.thigh_m * np.sin(a) + d.shank_m * np.sin(b)
            z = hip[:, 2] - d.thigh_m * np.cos(a) - d.shank_m * np.cos(b)
            return np.stack([x, np.zeros_like(x), z], -1)

        u = lp.swing_share
        hip = pel.centre + self._hip_offset(pel.rot, side)
        e0 = s0["ankle"] - fk(np.zeros_like(u), s0["hip"])
        e1 = s1["ankle"] - fk(np.ones_like(u), s1["hip"])
        w = smoothstep(u)[:, None]
        ankle = fk(u, hip) + (1 - w) * e0 + w * e1
        ankle[:, 1] = s0["ankle"][:, 1] + (s1["ankle"][:, 1] - s0["ankle"][:, 1]) * w[:, 0]
        pitch = np.where(
            u < 0.6,
            s0["pitch"] * (1 - smoothstep(u / 0.6)),
            HEEL_STRIKE_PITCH_DEG * smoothstep((u - 0.6) / 0.4),
        )
        a = np.radians(pitch)
        f = np.stack([np.cos(a), np.zeros_like(a), np.sin(a)], -1)
        up = np.stack([-np.sin(a), np.zeros_like(a), np.cos(a)], -1)
        heel = ankle - self.foot.ankle_fwd * f - self.foot.ankle_up * up
        toe = heel + self.foot.length * f
        clear = SWING_CLEARANCE_M * np.sin(np.pi * u)
        lift = np.maximum(0.0, np.maximum(clear - heel[:, 2], clear - toe[:, 2]))
        for pt in (ankle, heel, toe):
            pt[:, 2] += lift
        # keep the ankle within reach (pull it toward the hip)
        v = ankle - hip
        dist = np.linalg.norm(v, axis=-1)
        over = np.maximum(dist - self.reach_max, 0.0)
        shift = -(over / np.maximum(dist, 1e-9))[:, None] * v
        ankle, heel, toe = ankle + shift, heel + shift, toe + shift
        fwd = np.broadcast_to(np.array([1.0, 0.0, 0.0]), hip.shape)
        knee = solve_knee(hip, ankle, fwd, d.thigh_m, d.shank_m)
        return {"hip": hip, "knee": knee, "ankle": ankle, "heel": heel, "toe": toe, "pitch": pitch}

    def legs(self, times, pel: _Pelvis):
        out = {}
        for side in ("left", "right"):
            lp = leg_phase(self.sched, side, times)
            st = self._stance_leg(side, lp.stride, lp.stance_share, pel)
            sw = self._swing_leg(side, times, lp, pel)
            out[side] = {
                key: np.where(lp.stance[:, None] if st[key].ndim == 2 else lp.stance, st[key], sw[key])
                for key in st
            }
            out[side]["phase"] = lp
        return out

    # -- upper body ---------------------------------------------------------
    def pose(self, times) -> dict[str, np.ndarray]:
        """All joint centres, landmarks and segment frames at ``times``."""
        p, d = self.p, self.dims
        sc = d.height_m / 1.70
        pel = self.pelvis(times)
        legs = self.legs(times, pel)
        ph_l, ph_r = legs["left"]["phase"], legs["right"]["phase"]
        stiff = p.lumbar_stiffness
        # thorax: counter-rotation and tilt damping fade as the lumbar spine stiffens
        chi = pel.rotation_deg * (stiff - (1.0 - stiff) * 0.8)
        sag = p.trunk_lean_sagittal_deg + self._trunk_osc(times) + (0.25 + 0.75 * stiff) * pel.tilt_deg
        lat = self._lat(times) - (0.2 + 0.6 * stiff) * pel.obliquity_deg
        r_t = _rot_z(np.radians(chi)) @ _rot_y(np.radians(sag)) @ _rot_x(np.radians(-lat))
        r_h = _rot_z(np.radians(0.5 * chi)) @ _rot_y(np.radians(0.3 * sag)) @ _rot_x(np.radians(-0.3 * lat))
        # the trunk line (hip midpoint to shoulder midpoint) follows the thorax axis
        base = pel.centre + _apply(r_t, np.array([0.0, 0.0, d.spine_base_up_m]))
        sh_mid = base + _apply(r_t, np.array([0.0, 0.0, d.trunk_m]))
        neck_top = sh_mid + _apply(r_t, np.array([0.0, 0.0, d.neck_m]))
        rx, ry, rz = d.head_radii_m
        head = neck_top + _apply(r_h, np.array([0.012 * sc, 0.0, 0.75 * rz]))
        pts: dict[str, np.ndarray] = {
            "pelvis": pel.centre,
            "spine_base": base,
            "shoulder_mid": sh_mid,
            "neck_top": neck_top,
            "head": head,
        }
        frames = {"pelvis": pel.rot, "thorax": r_t, "head": r_h}

        def hp(v):
            return head + _apply(r_h, np.asarray(v) * sc)

        pts["nose"] = hp([0.112, 0.0, -0.012])
        for side, sg in (("left", 1.0), ("right", -1.0)):
            pts[f"{side}_eye_inner"] = hp([0.088, sg * 0.017, 0.022])
            pts[f"{side}_eye"] = hp([0.086, sg * 0.031, 0.024])
            pts[f"{side}_eye_outer"] = hp([0.080, sg * 0.045, 0.022])
            pts[f"{side}_ear"] = hp([-0.005, sg * 0.080, 0.005])
            pts[f"mouth_{side}"] = hp([0.085, sg * 0.022, -0.050])
        # arms swing opposite to the legs: an arm is forward when the other leg is
        for side, lp in (("left", ph_l), ("right", ph_r)):
            sg = SIDE_SIGN[side]
            shoulder = sh_mid + _apply(r_t, np.array([0.0, sg * d.shoulder_half_width_m, 0.0]))
            flex = -0.5 * p.arm_swing_deg * np.cos(2 * np.pi * lp.cycle_share) - 2.0
            elbow_flex = 14.0 + 0.45 * (flex + 0.5 * p.arm_swing_deg)
            ab = np.radians(9.0 * d.girth)
            fa = np.radians(flex)
            v1 = np.stack([np.sin(fa) * np.cos(ab), sg * np.sin(ab) * np.ones_like(fa), -np.cos(fa) * np.cos(ab)], -1)
            fb = np.radians(flex + elbow_flex)
            ab2 = np.radians(4.0)
            v2 = np.stack([np.sin(fb) * np.cos(ab2), sg * np.sin(ab2) * np.ones_like(fb), -np.cos(fb) * np.cos(ab2)], -1)
            v1w, v2w = _apply(r_t, v1), _apply(r_t, v2)
            elbow = shoulder + d.upper_arm_m * v1w
            wrist = elbow + d.forearm_m * v2w
            fwd_t = _apply(r_t, np.array([1.0, 0.0, 0.0]))
            hf = _unit(fwd_t - np.sum(fwd_t * v2w, -1, keepdims=True) * v2w)
            med = np.cross(v2w, hf) * sg
            hl = d.hand_m
            pts[f"{side}_shoulder"] = shoulder
            pts[f"{side}_elbow"] = elbow
            pts[f"{side}_wrist"] = wrist
            pts[f"{side}_index"] = wrist + 0.42 * hl * v2w + 0.028 * sc * hf
            pts[f"{side}_pinky"] = wrist + 0.38 * hl * v2w - 0.030 * sc * hf
            pts[f"{side}_thumb"] = wrist + 0.22 * hl * v2w + 0.045 * sc * hf - 0.012 * sc * med
            pts[f"{side}_hand"] = wrist + 0.40 * hl * v2w
            frames[f"{side}_hand"] = np.stack([v2w, hf, np.cross(v2w, hf)], -1)
            leg = legs[side]
            pts[f"{side}_hip"] = leg["hip"]
            pts[f"{side}_knee"] = leg["knee"]
            pts[f"{side}_ankle"] = leg["ankle"]
            pts[f"{side}_heel"] = leg["heel"]
            pts[f"{side}_foot_index"] = leg["toe"]
            pts[f"{side}_foot_pitch_deg"] = leg["pitch"]
            # pelvic bony landmarks (ASIS front-top, PSIS back-top) and the centres
            # of the ball stickers resting on the skin over them
            for site in ("asis", "psis"):
                bone, _skin, ball = sticker_site(p, side, site)
                pts[f"{side}_{site}"] = pel.centre + _apply(pel.rot, bone)
                pts[f"{side}_{site}_sticker"] = pel.centre + _apply(pel.rot, ball)
        pts["_frames"] = frames  # type: ignore[assignment]
        pts["_pelvis_angles_deg"] = np.stack([pel.obliquity_deg, pel.rotation_deg, pel.tilt_deg], -1)
        return pts


# ---------------------------------------------------------------------------
# camera


@dataclass(frozen=True)
class CameraPose:
    """A placed pinhole camera: centre and world-to-camera rotation (x right, y down, z ahead)."""

    centre_m: np.ndarray
    rot: np.ndarray
    focal_px: float
    width: int
    height: int

    def to_camera(self, pts):
        return (np.asarray(pts) - self.centre_m) @ self.rot.T

    def project(self, pts):
        """Pixel coordinates (x right, y down) of world points (..., 3)."""
        c = self.to_camera(pts)
        u = self.focal_px * c[..., 0] / c[..., 2] + 0.5 * self.width
        v = self.focal_px * c[..., 1] / c[..., 2] + 0.5 * self.height
        return np.stack([u, v], -1)


def look_at(centre, target, focal_px: float, width: int, height: int) -> CameraPose:
    """A camera at ``centre`` looking at ``target`` with the image upright."""
    fwd = _unit(np.asarray(target, float) - np.asarray(centre, float))
    right = np.cross(fwd, np.array([0.0, 0.0, 1.0]))
    right = right / np.linalg.norm(right)
    down = np.cross(fwd, right)
    return CameraPose(np.asarray(centre, float), np.stack([right, down, fwd]), focal_px, width, height)


def place_camera(camera: CameraSetup, distance_m: float, pelvis_x_range: tuple[float, float], aim_z_m: float) -> CameraPose:
    """The camera pose for a set-up, given where the pelvis travels along x."""
    x0, x1 = pelvis_x_range
    yaw = math.radians(camera.yaw_deg)
    if camera.view == "sagittal":
        target = np.array([0.5 * (x0 + x1), 0.0, aim_z_m])
        side = -1.0 if camera.walking == "right" else 1.0
        offset = np.array([0.0, side * distance_m, camera.height_m - aim_z_m])
    else:
        if camera.walking == "toward":
            target = np.array([x1, 0.0, aim_z_m])
            offset = np.array([distance_m, 0.0, camera.height_m - aim_z_m])
        else:
            target = np.array([x0, 0.0, aim_z_m])
            offset = np.array([-distance_m, 0.0, camera.height_m - aim_z_m])
    rot = _rot_z(np.array(yaw))
    centre = target + rot @ offset
    if camera.view == "frontal":
        # look down the walkway at the middle of the walk
        look = np.array([0.5 * (x0 + x1), 0.0, aim_z_m])
        look = target + rot @ (look - target)
    else:
        look = target
    return look_at(centre, look, camera.focal_px, camera.width, camera.height)


# ---------------------------------------------------------------------------
# the walk


@dataclass(frozen=True)
class SyntheticWalk:
    """A simulated walk filmed by a placed camera, with its exact truth.

    Attributes
    ----------
    params, camera : GaitParams, CameraSetup
        What was asked for (``camera.distance_m`` may be None = chosen).
    distance_m : float
        The camera distance used (see :class:`CameraSetup`).
    duration_s, seed : float, int
    time_s : (T,) float
        Frame times, seconds (frame k at k / fps).
    points_m : dict
        Walk-frame 3-D points (T, 3) by name: the 33 landmark names plus
        ``pelvis``, ``head``, ``*_hand`` and others; ``*_asis`` and ``*_psis`` are
        the bony landmarks, ``*_asis_sticker`` and ``*_psis_sticker`` the centres
        of the ball stickers on the skin over them (both sides, whether or not
        the clip shows stickers there).
    frames : dict
        Segment rotations (T, 3, 3): pelvis, thorax, head, hands.
    schedule : StepSchedule
    cam : CameraPose
    """

    params: GaitParams
    camera: CameraSetup
    distance_m: float
    duration_s: float
    seed: int
    time_s: np.ndarray
    points_m: dict = field(repr=False)
    frames: dict = field(repr=False)
    schedule: StepSchedule = field(repr=False)
    cam: CameraPose = field(repr=False)
    model: _WalkModel = field(repr=False, compare=False)

    def points_at(self, times_s) -> dict[str, np.ndarray]:
        """Walk-frame 3-D points (T, 3) at any times inside the clip, seconds (exact)."""
        t = np.atleast_1d(np.asarray(times_s, dtype=np.float64))
        pts = self.model.pose(t)
        pts.pop("_frames")
        pts["pelvis_angles_deg"] = pts.pop("_pelvis_angles_deg")
        return pts

    @property
    def n_frames(self) -> int:
        return int(self.time_s.size)

    def landmarks_m(self) -> np.ndarray:
        """(T, 33, 3) walk-frame landmark positions in landmark order, metres."""
        return np.stack([self.points_m[n] for n in LANDMARK_NAMES], axis=1)

    def landmarks_px(self) -> np.ndarray:
        """(T, 33, 2) exact image positions of the landmarks, pixels (y down)."""
        return self.cam.project(self.landmarks_m())

    @property
    def sticker_sides(self) -> tuple[str, ...]:
        """The walker's sides that carry pelvic stickers in this clip (may be empty)."""
        return sticker_sides(self.params, self.camera)

    def markers_px(self) -> dict[str, np.ndarray]:
        """Image positions (T, 2) of the centres of the pelvic ball stickers, pixels.

        Keys are ``"<side>_asis"`` and ``"<side>_psis"`` for the sides that carry
        stickers (:attr:`sticker_sides`).
        """
        return {
            f"{side}_{site}": self.cam.project(self.points_m[f"{side}_{site}_sticker"])
            for side in self.sticker_sides
            for site in ("asis", "psis")
        }

    def truth_pose(self):
        """The 33 landmarks as a :class:`gaitlab.types.PoseSequence`, exact.

        ``image_px`` are the projections of the model's joint centres and face
        points; ``world_m`` are the same points in metres in the contract's world
        axes (origin at the hip midpoint, x to the image right, y down, z away
        from the camera).  Visibility and presence are 1.
        """
        from gaitlab.types import PoseSequence

        lm = self.landmarks_m()
        mid = 0.5 * (lm[:, INDEX["left_hip"]] + lm[:, INDEX["right_hip"]])
        world = (lm - mid[:, None, :]) @ self.cam.rot.T
        ones = np.ones((self.n_frames, N_LANDMARKS))
        return PoseSequence.create(
            self.time_s,
            self.landmarks_px(),
            image_size_px=(self.camera.width, self.camera.height),
            fps=self.camera.fps,
            visibility=ones,
            presence=ones,
            world_m=world,
            meta={"source": "gaitlab.synth", "seed": self.seed},
        )

    def truth_document(self) -> dict:
        """The contract-shaped truth (see :func:`gaitlab.synth.truth.truth_document`)."""
        from gaitlab.synth.truth import truth_document

        return truth_document(self)


def _frame_fits(cam: CameraPose, pts: np.ndarray, margin_px: float) -> bool:
    c = cam.to_camera(pts)
    if np.any(c[..., 2] <= 0.2):
        return False
    px = cam.project(pts)
    return bool(
        np.all(px[..., 0] >= margin_px)
        and np.all(px[..., 0] <= cam.width - margin_px)
        and np.all(px[..., 1] >= margin_px)
        and np.all(px[..., 1] <= cam.height - margin_px)
    )


def _silhouette_points(pts: dict) -> np.ndarray:
    """Points that bound the rendered body (landmarks plus the top of the head)."""
    names = [n for n in LANDMARK_NAMES] + ["head"]
    arr = np.stack([pts[n] for n in names], 1)
    top = pts["head"] + np.array([0.0, 0.0, 0.14])
    return np.concatenate([arr, top[:, None, :]], 1)


def simulate_walk(
    params: GaitParams, camera: CameraSetup, *, duration_s: float = 8.0, seed: int = 0
) -> SyntheticWalk:
    """Simulate a walk of ``duration_s`` seconds filmed by ``camera`` (no pixels yet).

    The walker is in steady gait from the first frame; the walk is centred on the
    camera (sagittal) or ends (toward) / starts (away) at ``camera.distance_m``
    from it (frontal).  The same parameters and seed give the same walk.

    Raises
    ------
    InputError
        For a duration outside 1..60 s, or a camera so close that the walker
        leaves the frame.
    """
    if not (isinstance(duration_s, (int, float)) and 1.0 <= duration_s <= 60.0):
        raise InputError(f"The walk must last between 1 and 60 seconds; got {duration_s!r}.")
    rng = np.random.default_rng(seed)
    n = int(math.floor(duration_s * camera.fps + 1e-9))
    times = np.arange(n) / camera.fps
    sched = plan_steps(params, t_start_s=0.0, t_end_s=float(times[-1]), rng=rng)
    model = _WalkModel(params, sched, rng)
    x_mid = float(model._x(0.5 * times[-1]))
    sched = sched.shifted(-x_mid)
    model = _WalkModel(params, sched, np.random.default_rng(seed + 7919))
    pts = model.pose(times)
    frames: dict = pts.pop("_frames")  # type: ignore[assignment]
    pts["pelvis_angles_deg"] = pts.pop("_pelvis_angles_deg")
    px = pts["pelvis"][:, 0]
    x_range = (float(px.min()), float(px.max()))
    aim = 0.5 * params.height_m
    sil = _silhouette_points(pts)
    margin = 0.03 * min(camera.width, camera.height)
    if camera.distance_m is None:
        lo, hi = 0.8, 40.0
        if not _frame_fits(place_camera(camera, hi, x_range, aim), sil, margin):
            raise InputError("The walk does not fit in the frame from any camera distance; shorten the clip.")
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            if _frame_fits(place_camera(camera, mid, x_range, aim), sil, margin):
                hi = mid
            else:
                lo = mid
        distance = round(hi + 0.05, 2)
    else:
        distance = float(camera.distance_m)
    cam = place_camera(camera, distance, x_range, aim)
    if not _frame_fits(cam, sil, 0.0):
        raise InputError(
            f"From {distance:g} m the walker leaves the frame; move the camera farther "
            "away, widen the field of view or shorten the clip."
        )
    return SyntheticWalk(
        params=params,
        camera=camera,
        distance_m=distance,
        duration_s=float(duration_s),
        seed=int(seed),
        time_s=times,
        points_m=pts,
        frames=frames,
        schedule=sched,
        cam=cam,
        model=model,
    )
