"""Film a synthetic walk: a shaded 3-D humanoid in a room, written as an H.264 MP4.

The renderer casts one ray per pixel (numpy, vectorised) against analytic
primitives (capsules and ellipsoids), restricted to each primitive's projected
bounding box, with a depth buffer, Lambert and ambient shading and a soft shadow
on the floor.  The camera is static, so the room (a textured floor and walls) is
rendered once per clip and only the walker is cast per frame.

The video is written with PyAV's libx264 in yuv420p, single-threaded so the same
walk gives the same file.  The truth document is written beside it as
``<stem>.truth.json``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from gaitlab.errors import InputError
from gaitlab.progress import CancelToken, NullProgress, Progress
from gaitlab.synth.body import pelvis_shape
from gaitlab.synth.walk import SyntheticWalk

#: Encoder settings that make x264 deterministic: one thread, and no macroblock-tree
#: rate control (with it, the same frames came out slightly different from run to run,
#: by up to 5 grey levels near the picture's right edge, and the pose model's output
#: with them).
X264_OPTIONS = {"threads": "1", "preset": "medium", "tune": "film", "bf": "2", "g": "60", "mbtree": "0"}


@dataclass(frozen=True)
class _Prim:
    kind: str  # "capsule" or "ellipsoid"
    a: np.ndarray  # capsule start / ellipsoid centre
    b: np.ndarray  # capsule end (unused for ellipsoids)
    radius: float  # capsule radius
    axes: np.ndarray | None  # ellipsoid rotation (columns = axes)
    radii: np.ndarray | None  # ellipsoid radii
    rgb: np.ndarray  # 0..1
    name: str = ""  # set for the pelvic stickers, whose visibility is recorded


def _rgb(c) -> np.ndarray:
    return np.asarray(c, dtype=np.float64) / 255.0


def _capsule(a, b, r, rgb) -> _Prim:
    return _Prim("capsule", np.asarray(a, float), np.asarray(b, float), float(r), None, None, rgb)


def _ellipsoid(c, axes, radii, rgb) -> _Prim:
    return _Prim("ellipsoid", np.asarray(c, float), np.asarray(c, float), 0.0, np.asarray(axes, float), np.asarray(radii, float), rgb)


def _sphere(c, r, rgb) -> _Prim:
    return _ellipsoid(c, np.eye(3), np.array([r, r, r]), rgb)


#: Points on a unit sphere (a Fibonacci lattice) at which a sticker ball is tested
#: against the shirt, and the clearance added to the ball's radius there, metres
#: (on a ball of 2 cm radius the points are about 7 mm apart, and the ball's
#: surface bulges at most 0.3 mm beyond the flat between three of them).
_BALL_POINTS = 100
_BALL_CLEARANCE_M = 0.0005


def _unit_sphere_points(n: int) -> np.ndarray:
    k = np.arange(n) + 0.5
    z = 1.0 - 2.0 * k / n
    phi = math.pi * (3.0 - math.sqrt(5.0)) * k
    rho = np.sqrt(1.0 - z * z)
    return np.stack([rho * np.cos(phi), rho * np.sin(phi), z], 1)


_BALL_DIRECTIONS = _unit_sphere_points(_BALL_POINTS)


def tuck_shirt(centre_m, rot, radii_m, ball_centres_m, ball_radius_m: float) -> tuple[np.ndarray, np.ndarray]:
    """The shirt's lower trunk ellipsoid, its hem raised clear of the pelvic stickers.

    ``docs/pelvic_markers.md`` asks the therapist to tuck the shirt in or roll it
    up so that the stickers stay visible.  The lower trunk is an ellipsoid fixed
    to the thorax; when the trunk leans forward it would swing down through the
    balls resting on the skin over the ASIS and hide part of them (a shirt
    passing through a sticker).  Here its top stays where it is and its height
    shrinks just enough that no sticker ball lies inside it (tested at the
    ball's centre and at :data:`_BALL_POINTS` points :data:`_BALL_CLEARANCE_M`
    outside its surface).

    Parameters
    ----------
    centre_m : (3,) float
        Centre of the ellipsoid, walk-frame metres.
    rot : (3, 3) float
        Its axes (columns: forward, left, up of the thorax).
    radii_m : (3,) float
        Its half-depth, half-width and half-height, metres.
    ball_centres_m : sequence of (3,) float
        Centres of the sticker balls, walk-frame metres (may be empty).
    ball_radius_m : float
        Radius of the balls, metres.

    Returns
    -------
    centre_m, radii_m : (3,) float
        The ellipsoid with its top unchanged, unchanged when no ball is inside it.
    """
    centre = np.asarray(centre_m, dtype=np.float64)
    radii = np.asarray(radii_m, dtype=np.float64)
    if not len(ball_centres_m):
        return centre, radii
    up = rot[:, 2]
    top = centre + radii[2] * up
    reach = ball_radius_m + _BALL_CLEARANCE_M
    pts = np.concatenate([np.asarray(c, float) + reach * np.vstack([np.zeros(3), _BALL_DIRECTIONS])
                          for c in ball_centres_m])
    local = (pts - top) @ rot  # forward, left, up from the top of the ellipsoid

    def clear(height: float) -> bool:
        q = local / np.array([radii[0], radii[1], height]) + np.array([0.0, 0.0, 1.0])
        return bool(np.all(np.einsum("ij,ij->i", q, q) >= 1.0))

    if clear(radii[2]):
        return centre, radii
    low, high = 0.0, float(radii[2])  # clear at low (no height), not at high
    for _ in range(30):
        mid = 0.5 * (low + high)
        low, high = (mid, high) if clear(mid) else (low, mid)
    height = max(low, 1e-4)
    return top - height * up, np.array([radii[0], radii[1], height])


def body_primitives(walk: SyntheticWalk, i: int) -> list[_Prim]:
    """The walker's shapes in frame ``i`` (walk-frame metres)."""
    p = walk.params
    pts = {k: v[i] for k, v in walk.points_m.items()}
    fr = {k: v[i] for k, v in walk.frames.items()}
    sc = p.height_m / 1.70
    g = p.girth_scale * sc
    skin, hair = _rgb(p.skin_rgb), _rgb(p.hair_rgb)
    shirt, trousers, shoes = _rgb(p.shirt_rgb), _rgb(p.trousers_rgb), _rgb(p.shoes_rgb)
    dark = np.array([0.08, 0.06, 0.05])
    white = np.array([0.95, 0.95, 0.93])
    lips = np.clip(skin * np.array([0.75, 0.45, 0.45]), 0, 1)
    prims: list[_Prim] = []
    rp, rt, rh = fr["pelvis"], fr["thorax"], fr["head"]
    hw = p.hip_width_scale
    sw = p.shoulder_width_scale

    def at(origin, rot, v):
        return origin + rot @ (np.asarray(v, float))

    # head and face
    head = pts["head"]
    rx, ry, rz = 0.098 * sc, 0.077 * sc, 0.115 * sc
    prims.append(_ellipsoid(head, rh, [rx, ry, rz], skin))
    prims.append(_ellipsoid(at(head, rh, np.array([-0.022, 0.0, 0.028]) * sc), rh, [rx + 0.006 * sc, ry + 0.005 * sc, rz - 0.006 * sc], hair))
    prims.append(_ellipsoid(at(head, rh, np.array([0.094, 0.0, -0.004]) * sc), rh, np.array([0.022, 0.011, 0.024]) * sc, skin))
    prims.append(_ellipsoid(at(head, rh, np.array([0.086, 0.0, -0.050]) * sc), rh, np.array([0.010, 0.023, 0.0065]) * sc, lips))
    for side in ("left", "right"):
        eye = pts[f"{side}_eye"]
        prims.append(_ellipsoid(eye, rh, np.array([0.007, 0.014, 0.0075]) * sc, white))
        prims.append(_sphere(at(eye, rh, np.array([0.004, 0.0, 0.0]) * sc), 0.0065 * sc, dark))
        prims.append(_ellipsoid(at(eye, rh, np.array([0.004, 0.0, 0.016]) * sc), rh, np.array([0.006, 0.017, 0.0035]) * sc, hair * 0.8))
        prims.append(_ellipsoid(pts[f"{side}_ear"], rh, np.array([0.016, 0.009, 0.026]) * sc, skin))
    # neck and trunk
    prims.append(_capsule(pts["shoulder_mid"] + rt @ np.array([-0.01, 0, -0.02]), at(head, rh, np.array([-0.02, 0, -0.07]) * sc), 0.05 * g, skin))
    chest = at(pts["shoulder_mid"], rt, np.array([0.0, 0.0, -0.15]) * sc)
    prims.append(_ellipsoid(chest, rt, np.array([0.115 * g, 0.165 * sw * sc, 0.19 * sc]), shirt))
    belly = at(pts["spine_base"], rt, np.array([0.015, 0.0, 0.12]) * sc)
    belly_radii = np.array([0.105 * g, 0.148 * sc * max(hw, sw * 0.9), 0.16 * sc])
    balls = [pts[f"{side}_{site}_sticker"] for side in walk.sticker_sides for site in ("asis", "psis")]
    belly, belly_radii = tuck_shirt(belly, rt, belly_radii, balls, 0.5 * p.marker_diameter_m)
    prims.append(_ellipsoid(belly, rt, belly_radii, shirt))
    shape = pelvis_shape(p)
    prims.append(_ellipsoid(at(pts["pelvis"], rp, shape.centre_m), rp, np.array(shape.radii_m), trousers))
    for side in ("left", "right"):
        sh, el, wr = pts[f"{side}_shoulder"], pts[f"{side}_elbow"], pts[f"{side}_wrist"]
        prims.append(_sphere(sh, 0.056 * g, shirt))
        prims.append(_capsule(sh, el, 0.046 * g, shirt))
        prims.append(_capsule(el, wr, 0.035 * g, skin))
        prims.append(_ellipsoid(pts[f"{side}_hand"], fr[f"{side}_hand"], np.array([0.05, 0.043, 0.019]) * sc, skin))
        prims.append(_ellipsoid(pts[f"{side}_thumb"], fr[f"{side}_hand"], np.array([0.022, 0.012, 0.012]) * sc, skin))
        hip, kn, an = pts[f"{side}_hip"], pts[f"{side}_knee"], pts[f"{side}_ankle"]
        prims.append(_capsule(hip, 0.5 * (hip + kn), 0.078 * g, trousers))
        prims.append(_capsule(hip, kn, 0.064 * g, trousers))
        prims.append(_capsule(kn, an, 0.050 * g, trousers))
        prims.append(_capsule(kn, 0.45 * kn + 0.55 * an, 0.056 * g, trousers))
        heel, toe = pts[f"{side}_heel"], pts[f"{side}_foot_index"]
        a = math.radians(float(pts[f"{side}_foot_pitch_deg"]))
        f = np.array([math.cos(a), 0.0, math.sin(a)])
        up = np.array([-math.sin(a), 0.0, math.cos(a)])
        lat = np.cross(up, f)
        foot_axes = np.stack([f, lat, up], 1)
        length = float(np.linalg.norm(toe - heel))
        prims.append(_ellipsoid(heel + 0.5 * length * f + 0.036 * sc * up, foot_axes, np.array([0.5 * length + 0.004, 0.045 * sc, 0.040 * sc]), shoes))
        prims.append(_sphere(heel + 0.034 * sc * (up + f), 0.034 * sc, shoes))
        prims.append(_capsule(an, an + 0.03 * sc * (up + 0.3 * f), 0.045 * sc, shoes))
    marker = _rgb(p.marker_rgb)
    for side in walk.sticker_sides:
        for site in ("asis", "psis"):
            ball = _sphere(pts[f"{side}_{site}_sticker"], 0.5 * p.marker_diameter_m, marker)
            prims.append(replace(ball, name=f"{side}_{site}"))
    return prims


def _hit_capsule(o, d, prim: _Prim):
    a, b, r = prim.a, prim.b, prim.radius
    ba = b - a
    oa = o - a
    baba = ba @ ba
    bard = d @ ba
    baoa = ba @ oa
    rdoa = d @ oa
    oaoa = oa @ oa
    qa = baba - bard * bard
    qb = baba * rdoa - baoa * bard
    qc = baba * oaoa - baoa * baoa - r * r * baba
    h = qb * qb - qa * qc
    with np.errstate(invalid="ignore", divide="ignore"):
        t = (-qb - np.sqrt(np.maximum(h, 0.0))) / qa
        y = baoa + t * bard
        t = np.where((h >= 0) & (y > 0) & (y < baba) & (qa > 1e-12), t, np.inf)
    for c in (a, b):
        oc = o - c
        sb = d @ oc
        sc_ = oc @ oc - r * r
        sh = sb * sb - sc_
        ts = np.where(sh >= 0, -sb - np.sqrt(np.maximum(sh, 0.0)), np.inf)
        t = np.minimum(t, np.where(ts > 0, ts, np.inf))
    p = o + np.where(np.isfinite(t), t, 0.0)[:, None] * d
    s = np.clip(((p - a) @ ba) / baba, 0.0, 1.0)
    n = (p - (a + s[:, None] * ba)) / r
    return t, n


def _hit_ellipsoid(o, d, prim: _Prim):
    rot, rad = prim.axes, prim.radii
    assert rot is not None and rad is not None
    ol = ((o - prim.a) @ rot) / rad
    dl = (d @ rot) / rad
    qa = np.sum(dl * dl, 1)
    qb = dl @ ol
    qc = ol @ ol - 1.0
    h = qb * qb - qa * qc
    t = np.where(h >= 0, (-qb - np.sqrt(np.maximum(h, 0.0))) / qa, np.inf)
    t = np.where(t > 0, t, np.inf)
    pl = ol + np.where(np.isfinite(t), t, 0.0)[:, None] * dl
    n = (pl / rad) @ rot.T
    n = n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)
    return t, n


class Renderer:
    """Renders the frames of one synthetic walk (room once, walker per frame)."""

    def __init__(self, walk: SyntheticWalk):
        self.walk = walk
        cam = walk.cam
        self.cam = cam
        w, h = cam.width, cam.height
        jj, ii = np.meshgrid(np.arange(w) + 0.5, np.arange(h) + 0.5)
        dc = np.stack([(jj - 0.5 * w) / cam.focal_px, (ii - 0.5 * h) / cam.focal_px, np.ones_like(jj)], -1)
        dw = dc @ cam.rot
        self.rays = dw / np.linalg.norm(dw, axis=-1, keepdims=True)
        self.origin = cam.centre_m
        setup = walk.camera
        back = -cam.rot[2].copy()
        back[2] = 0.0
        back /= np.linalg.norm(back)
        az, el = math.radians(setup.light_azimuth_deg), math.radians(setup.light_elevation_deg)
        ca, sa = math.cos(az), math.sin(az)
        horiz = np.array([ca * back[0] - sa * back[1], sa * back[0] + ca * back[1], 0.0])
        self.light = np.array([horiz[0] * math.cos(el), horiz[1] * math.cos(el), math.sin(el)])
        self.ambient = setup.ambient
        self.sticker_visible_share: dict[str, list[float]] = {}
        self.background, self.floor_xy = self._room()

    # -- the room -----------------------------------------------------------
    def _room(self):
        walk, o, d = self.walk, self.origin, self.rays
        h, w = d.shape[:2]
        px = walk.points_m["pelvis"][:, 0]
        x0, x1 = float(px.min()), float(px.max())
        planes = []  # (point, normal, kind)
        if walk.camera.view == "sagittal":
            side = 1.0 if walk.camera.walking == "right" else -1.0
            planes.append((np.array([0.0, side * 2.6, 0.0]), np.array([0.0, -side, 0.0]), "wall"))
        else:
            far = x0 - 3.0 if walk.camera.walking == "toward" else x1 + 3.0
            sgn = 1.0 if walk.camera.walking == "toward" else -1.0
            planes.append((np.array([far, 0.0, 0.0]), np.array([sgn, 0.0, 0.0]), "wall"))
            planes.append((np.array([0.0, 1.9, 0.0]), np.array([0.0, -1.0, 0.0]), "side"))
            planes.append((np.array([0.0, -1.9, 0.0]), np.array([0.0, 1.0, 0.0]), "side"))
        t_best = np.full((h, w), np.inf)
        kind = np.full((h, w), -1, dtype=np.int8)
        with np.errstate(divide="ignore", invalid="ignore"):
            tf = -o[2] / d[..., 2]
        tf = np.where((d[..., 2] < 0) & np.isfinite(tf), tf, np.inf)
        t_best = np.minimum(t_best, tf)
        kind[np.isfinite(tf)] = 0
        for k, (pt, nrm, _) in enumerate(planes, start=1):
            denom = d @ nrm
            with np.errstate(divide="ignore", invalid="ignore"):
                t = ((pt - o) @ nrm) / denom
            t = np.where((denom < 0) & (t > 0), t, np.inf)
            closer = t < t_best
            t_best = np.where(closer, t, t_best)
            kind[closer] = k
        hit = o + np.where(np.isfinite(t_best), t_best, 0.0)[..., None] * d
        img = np.zeros((h, w, 3))
        img[:] = np.array([0.93, 0.93, 0.90])  # ceiling / far
        # floor: wooden planks along the walkway
        floor = kind == 0
        fx, fy = hit[..., 0], hit[..., 1]
        plank = np.floor(fy / 0.16)
        offset = (np.sin(plank * 12.9898) * 43758.5453) % 1.0
        seg = np.floor(fx / 1.3 + offset)
        tone = (np.sin(plank * 78.233 + seg * 37.719) * 43758.5453) % 1.0
        grain = 0.03 * np.sin(fx * 40.0 + 3.0 * np.sin(fy * 9.0 + plank))
        base = np.array([0.62, 0.45, 0.30])
        shade = 0.85 + 0.2 * tone[..., None] + grain[..., None]
        seam = (np.abs((fy / 0.16) - np.round(fy / 0.16)) < 0.03) | (np.abs(fx / 1.3 + offset - np.round(fx / 1.3 + offset)) < 0.004)
        col = base * shade
        col = np.where(seam[..., None], col * 0.6, col)
        dist = np.linalg.norm(hit - o, axis=-1)
        fog = np.clip((dist - 6.0) / 40.0, 0.0, 0.5)[..., None]
        col = col * (1 - fog) + np.array([0.8, 0.78, 0.74]) * fog
        img[floor] = col[floor]
        for k, (_pt, _nrm, name) in enumerate(planes, start=1):
            m = kind == k
            z = hit[..., 2]
            wall = np.where((z < 0.12)[..., None], np.array([0.35, 0.33, 0.32]), np.array([0.86, 0.84, 0.78]) if name == "wall" else np.array([0.80, 0.82, 0.80]))
            band = (np.abs(z - 1.0) < 0.03)[..., None]
            wall = np.where(band, wall * 0.8, wall)
            img[m] = wall[m]
        floor_xy = np.where(floor[..., None], hit[..., :2], np.nan)
        return img, floor_xy

    # -- one frame ----------------------------------------------------------
    def _bbox(self, prim: _Prim, pad_m: float):
        if prim.kind == "capsule":
            pts = np.stack([prim.a, prim.b])
            r = prim.radius
        else:
            pts = prim.a[None, :]
            assert prim.radii is not None
            r = float(prim.radii.max())
        cpts = self.cam.to_camera(pts)
        z = cpts[:, 2].min()
        if z <= 0.05:
            return None
        uv = self.cam.project(pts)
        pad = self.cam.focal_px * (r + pad_m) / z + 2.0
        x0 = int(max(0, math.floor(uv[:, 0].min() - pad)))
        x1 = int(min(self.cam.width, math.ceil(uv[:, 0].max() + pad)))
        y0 = int(max(0, math.floor(uv[:, 1].min() - pad)))
        y1 = int(min(self.cam.height, math.ceil(uv[:, 1].max() + pad)))
        if x1 <= x0 or y1 <= y0:
            return None
        return x0, x1, y0, y1

    def _shadow(self, img, i):
        pts = self.walk.points_m
        pel = pts["pelvis"][i]
        corners = np.array([[pel[0] + dx, pel[1] + dy, 0.0] for dx in (-0.8, 0.8) for dy in (-0.6, 0.6)])
        c = self.cam.to_camera(corners)
        if np.any(c[:, 2] <= 0.05):
            return
        uv = self.cam.project(corners)
        x0 = int(max(0, uv[:, 0].min()))
        x1 = int(min(self.cam.width, uv[:, 0].max() + 1))
        y0 = int(max(0, uv[:, 1].min()))
        y1 = int(min(self.cam.height, uv[:, 1].max() + 1))
        if x1 <= x0 or y1 <= y0:
            return
        xy = self.floor_xy[y0:y1, x0:x1]
        ok = np.isfinite(xy[..., 0])
        if not ok.any():
            return
        dark = np.zeros(xy.shape[:2])
        d2 = (xy[..., 0] - pel[0]) ** 2 / 0.09 + (xy[..., 1] - pel[1]) ** 2 / 0.05
        dark += 0.35 * np.exp(-d2)
        for side in ("left", "right"):
            heel, toe = pts[f"{side}_heel"][i], pts[f"{side}_foot_index"][i]
            hgt = max(0.0, min(heel[2], toe[2]))
            ab = toe[:2] - heel[:2]
            s = np.clip(((xy - heel[:2]) @ ab) / max(ab @ ab, 1e-9), 0, 1)
            q = heel[:2] + s[..., None] * ab
            dd = np.sum((xy - q) ** 2, -1)
            sig = 0.0025 + 0.02 * hgt
            dark += (0.45 / (1 + 8 * hgt)) * np.exp(-dd / sig)
        dark = np.where(ok, np.clip(dark, 0, 0.6), 0.0)
        img[y0:y1, x0:x1] *= (1.0 - dark)[..., None]

    def frame(self, i: int) -> np.ndarray:
        """Frame ``i`` as (H, W, 3) uint8 RGB (before compression noise)."""
        return self.frame_and_stickers(i)[0]

    def frame_and_stickers(self, i: int) -> tuple[np.ndarray, dict[str, float]]:
        """Frame ``i`` (uint8 RGB) and the visible share of each pelvic sticker.

        The share is the number of pixels in which the sticker is the nearest
        surface divided by the number of pixels it covers (0 = hidden, for
        example by the arm; 1 = in full view; 0 also when it lies outside the
        frame).
        """
        img = self.background.copy()
        shares: dict[str, float] = {}
        self._shadow(img, i)
        prims = body_primitives(self.walk, i)
        boxes = [self._bbox(p, 0.0) for p in prims]
        valid = [b for b in boxes if b is not None]
        if valid:
            x0 = min(b[0] for b in valid)
            x1 = max(b[1] for b in valid)
            y0 = min(b[2] for b in valid)
            y1 = max(b[3] for b in valid)
            zbuf = np.full((y1 - y0, x1 - x0), np.inf)
            owner = np.full((y1 - y0, x1 - x0), -1, dtype=np.int32)
            covered: dict[int, int] = {}
            col = img[y0:y1, x0:x1].copy()
            o = self.origin
            amb = self.ambient
            for k, (prim, box) in enumerate(zip(prims, boxes)):
                if box is None:
                    continue
                bx0, bx1, by0, by1 = box
                d = self.rays[by0:by1, bx0:bx1].reshape(-1, 3)
                if prim.kind == "capsule":
                    t, n = _hit_capsule(o, d, prim)
                else:
                    t, n = _hit_ellipsoid(o, d, prim)
                if prim.name:
                    covered[k] = int(np.isfinite(t).sum())
                sub = zbuf[by0 - y0 : by1 - y0, bx0 - x0 : bx1 - x0].reshape(-1)
                upd = t < sub
                if not upd.any():
                    continue
                own = owner[by0 - y0 : by1 - y0, bx0 - x0 : bx1 - x0].reshape(-1)
                own[upd] = k
                owner[by0 - y0 : by1 - y0, bx0 - x0 : bx1 - x0] = own.reshape(by1 - by0, bx1 - bx0)
                nn = n[upd]
                lam = np.clip(nn @ self.light, 0.0, 1.0)
                sky = 0.5 + 0.5 * nn[:, 2]
                shade = amb * (0.75 + 0.25 * sky) + (1.0 - amb) * lam
                rim = 0.08 * np.clip(1.0 + (nn * d[upd]).sum(1), 0, 1) ** 3
                c = np.clip(prim.rgb[None, :] * shade[:, None] + rim[:, None], 0.0, 1.0)
                sub[upd] = t[upd]
                zbuf[by0 - y0 : by1 - y0, bx0 - x0 : bx1 - x0] = sub.reshape(by1 - by0, bx1 - bx0)
                block = col[by0 - y0 : by1 - y0, bx0 - x0 : bx1 - x0].reshape(-1, 3)
                block[upd] = c
                col[by0 - y0 : by1 - y0, bx0 - x0 : bx1 - x0] = block.reshape(by1 - by0, bx1 - bx0, 3)
            img[y0:y1, x0:x1] = col
            for k, n_covered in covered.items():
                shares[prims[k].name] = float((owner == k).sum()) / n_covered if n_covered else 0.0
        for prim in prims:
            if prim.name and prim.name not in shares:
                shares[prim.name] = 0.0
        return np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8), shares

    def frames(self, *, noise: float = 0.0, blur_px: float = 0.0, seed: int = 0) -> Iterator[np.ndarray]:
        """All frames with optional sensor noise (grey levels SD) and Gaussian blur (pixels SD).

        While iterating, the visible share of each pelvic sticker in each frame
        is appended to :attr:`sticker_visible_share` (see :meth:`frame_and_stickers`).
        """
        self.sticker_visible_share = {}
        rng = np.random.default_rng(seed)
        h, w = self.cam.height, self.cam.width
        bank = []
        if noise > 0:
            bank = [rng.normal(0.0, noise, (h, w, 1)).astype(np.float32) for _ in range(6)]
        for i in range(self.walk.n_frames):
            img, shares = self.frame_and_stickers(i)
            for name, share in shares.items():
                self.sticker_visible_share.setdefault(name, []).append(share)
            if blur_px > 0:
                img = cv2.GaussianBlur(img, (0, 0), blur_px)
            if bank:
                img = np.clip(img.astype(np.float32) + bank[i % len(bank)], 0, 255).astype(np.uint8)
            yield img


def write_video(frames, path: Path, *, fps: float, width: int, height: int, crf: int = 26, progress: Progress | None = None, total: int | None = None, cancel: CancelToken | None = None) -> Path:
    """Encode RGB frames as H.264 (yuv420p) MP4, deterministic settings."""
    progress = progress or NullProgress()
    rate = Fraction(fps).limit_denominator(1001)
    tmp = path.with_name(path.name + ".part")
    container = av.open(str(tmp), mode="w", format="mp4")
    try:
        stream = container.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = 1 / rate
        stream.thread_count = 1
        stream.thread_type = "NONE"
        stream.codec_context.options = {**X264_OPTIONS, "crf": str(int(crf))}
        container.metadata["comment"] = "gaitlab synthetic walk"
        progress.start("render", total)
        for k, img in enumerate(frames):
            if cancel is not None:
                cancel.raise_if_cancelled()
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = k
            for packet in stream.encode(frame):
                container.mux(packet)
            progress.update(k + 1)
        for packet in stream.encode():
            container.mux(packet)
    except BaseException:
        container.close()
        tmp.unlink(missing_ok=True)
        raise
    container.close()
    progress.finish()
    os.replace(tmp, path)
    return path


def truth_path_for(video_path: str | os.PathLike) -> Path:
    """Where the truth document of a rendered clip lives: ``<stem>.truth.json`` beside it."""
    p = Path(video_path)
    return p.with_name(p.stem + ".truth.json")


def render_walk(
    walk: SyntheticWalk,
    out_path: str | os.PathLike,
    *,
    crf: int = 26,
    noise: float = 1.5,
    blur: float = 0.6,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> Path:
    """Film ``walk`` into an MP4 at ``out_path`` and write its truth JSON beside it.

    Parameters
    ----------
    crf : int
        x264 constant rate factor (higher = smaller file, lower quality), 0..51.
    noise : float
        Sensor noise, standard deviation in grey levels (0..20).
    blur : float
        Optical blur, Gaussian standard deviation in pixels (0..5).

    Returns
    -------
    pathlib.Path
        The video path.  The truth document is at :func:`truth_path_for`.
    """
    out = Path(out_path)
    if out.suffix.lower() != ".mp4":
        raise InputError(f"The synthetic clip must be written as .mp4; got {out.name}.")
    if not out.parent.is_dir():
        raise InputError(f"The folder {out.parent} does not exist.")
    if not (0 <= crf <= 51):
        raise InputError(f"crf must be between 0 and 51; got {crf}.")
    if not (0.0 <= noise <= 20.0):
        raise InputError(f"noise must be between 0 and 20 grey levels; got {noise}.")
    if not (0.0 <= blur <= 5.0):
        raise InputError(f"blur must be between 0 and 5 pixels; got {blur}.")
    renderer = Renderer(walk)
    cam = walk.camera
    write_video(
        renderer.frames(noise=noise, blur_px=blur, seed=walk.seed),
        out,
        fps=cam.fps,
        width=cam.width,
        height=cam.height,
        crf=crf,
        progress=progress,
        total=walk.n_frames,
        cancel=cancel,
    )
    doc = walk.truth_document()
    doc["video"]["path"] = out.name
    if renderer.sticker_visible_share:
        # what the camera saw of each sticker, frame by frame (0 hidden .. 1 in full view)
        doc["synthetic"]["sticker_visible_share"] = {
            name: [round(v, 3) for v in values] for name, values in renderer.sticker_visible_share.items()
        }
    doc["synthetic"]["render"] = {"crf": int(crf), "noise": float(noise), "blur_px": float(blur), "encoder": "libx264", **{k: v for k, v in X264_OPTIONS.items()}}
    tp = truth_path_for(out)
    tmp = tp.with_name(tp.name + ".part")
    tmp.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    os.replace(tmp, tp)
    return out
