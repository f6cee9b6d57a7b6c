"""Drawing on video frames: face blur, skeleton, angles and gait-event markers.

Pure functions on RGB ``uint8`` arrays (H, W, 3), returning new arrays; the app,
the annotated video and the report's key frames all use them.  Landmarks are image
pixels (x right, y down), NaN where not detected.

Face blur
---------
The face region is found from the face landmarks (nose, eyes, ears, mouth;
:data:`gaitlab.landmarks.FACE`): their box, made at least as large as a head
(a share of the shoulder-to-hip trunk length, so a side view with the landmarks
bunched on one side of the head is still covered), grown by ``margin`` on every
side.  Inside it the image is pixelated and then smoothed, which removes facial
detail while keeping the head's rough colour.  Frames where the person was not
detected take the face box of the nearest frame where they were
(:func:`face_boxes_px`), so a short detection drop-out does not reveal a face.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import cv2
import numpy as np

from gaitlab.landmarks import (
    FACE,
    LANDMARK_NAMES,
    LEFT_HIP,
    LEFT_SHOULDER,
    RIGHT_HIP,
    RIGHT_SHOULDER,
    SKELETON,
)

#: Default growth of the face box on every side, as a share of its size.
FACE_MARGIN = 0.35
#: Smallest face box side as a share of the trunk length (shoulder to hip midpoint).
HEAD_TO_TRUNK = 0.55

#: Colours (RGB): the patient's left side, right side, midline.
LEFT_RGB = (40, 120, 255)
RIGHT_RGB = (255, 90, 40)
MID_RGB = (240, 240, 240)

Box = tuple[int, int, int, int]


def _side_colour(i: int, j: int) -> tuple[int, int, int]:
    names = LANDMARK_NAMES[i], LANDMARK_NAMES[j]
    if all(n.startswith("left_") for n in names):
        return LEFT_RGB
    if all(n.startswith("right_") for n in names):
        return RIGHT_RGB
    return MID_RGB


def face_box_px(
    landmarks_px: np.ndarray, image_size_px: tuple[int, int], *, margin: float = FACE_MARGIN
) -> Box | None:
    """The face region of one frame, (x0, y0, x1, y1) in pixels, clipped to the image.

    Parameters
    ----------
    landmarks_px : (33, 2) float
        One frame's landmarks in pixels; NaN where not detected.
    image_size_px : (int, int)
        Width and height of the frame.
    margin : float
        Growth on every side as a share of the box size (0.35 = 35 %).

    Returns
    -------
    tuple or None
        None when no face landmark was detected in the frame.
    """
    lm = np.asarray(landmarks_px, dtype=float)
    face = lm[list(FACE)]
    face = face[np.isfinite(face).all(axis=1)]
    if face.shape[0] == 0:
        return None
    x0, y0 = face.min(axis=0)
    x1, y1 = face.max(axis=0)
    cx, cy = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
    side = max(x1 - x0, y1 - y0)
    shoulders = lm[[LEFT_SHOULDER, RIGHT_SHOULDER]]
    hips = lm[[LEFT_HIP, RIGHT_HIP]]
    if np.isfinite(shoulders).all() and np.isfinite(hips).all():
        trunk = float(np.linalg.norm(shoulders.mean(axis=0) - hips.mean(axis=0)))
        side = max(side, HEAD_TO_TRUNK * trunk)
    side = max(side, 8.0)
    half = 0.5 * side * (1.0 + 2.0 * margin)
    # The head extends above the eyes more than below the mouth: shift the box up a little.
    cy -= 0.1 * side
    w, h = int(image_size_px[0]), int(image_size_px[1])
    box = (
        int(max(0, np.floor(cx - half))),
        int(max(0, np.floor(cy - half))),
        int(min(w, np.ceil(cx + half))),
        int(min(h, np.ceil(cy + half))),
    )
    if box[2] <= box[0] or box[3] <= box[1]:
        return None
    return box


def face_boxes_px(
    landmarks_px: np.ndarray, image_size_px: tuple[int, int], *, margin: float = FACE_MARGIN
) -> list[Box | None]:
    """Face boxes for every frame of a sequence (T, 33, 2).

    A frame without face landmarks takes the box of the nearest frame that has one
    (earlier on a tie); all None only when no frame shows a face landmark.
    """
    boxes = [face_box_px(f, image_size_px, margin=margin) for f in np.asarray(landmarks_px)]
    known = [i for i, b in enumerate(boxes) if b is not None]
    if not known:
        return boxes
    known_arr = np.array(known)
    out: list[Box | None] = []
    for i, b in enumerate(boxes):
        if b is None:
            j = int(known_arr[np.argmin(np.abs(known_arr - i))])
            b = boxes[j]
        out.append(b)
    return out


def blur_region(image: np.ndarray, box: Box) -> np.ndarray:
    """A copy of ``image`` with the box pixelated and smoothed (no detail left inside)."""
    out = np.array(image, dtype=np.uint8, copy=True)
    x0, y0, x1, y1 = box
    if x1 <= x0 or y1 <= y0:
        return out
    region = out[y0:y1, x0:x1]
    h, w = region.shape[:2]
    cells = 6  # about six blocks across the face: a head's colour, no features
    small = cv2.resize(region, (max(1, w // max(1, w // cells)), max(1, h // max(1, h // cells))),
                       interpolation=cv2.INTER_AREA)
    coarse = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    k = max(3, (min(w, h) // 4) | 1)
    out[y0:y1, x0:x1] = cv2.GaussianBlur(coarse, (k, k), 0)
    return out


def blur_face(
    image: np.ndarray,
    landmarks_px: np.ndarray | None = None,
    *,
    box: Box | None = None,
    margin: float = FACE_MARGIN,
) -> np.ndarray:
    """A copy of ``image`` with the face blurred (from ``box``, else from the landmarks)."""
    if box is None and landmarks_px is not None:
        box = face_box_px(landmarks_px, (image.shape[1], image.shape[0]), margin=margin)
    if box is None:
        return np.array(image, copy=True)
    return blur_region(image, box)


def _scale(image: np.ndarray) -> float:
    return max(1.0, min(image.shape[0], image.shape[1]) / 480.0)


def draw_skeleton(image: np.ndarray, landmarks_px: np.ndarray) -> np.ndarray:
    """A copy of ``image`` with the skeleton drawn (patient's left blue, right orange)."""
    out = np.array(image, dtype=np.uint8, copy=True)
    lm = np.asarray(landmarks_px, dtype=float)
    s = _scale(out)
    thick = max(1, int(round(2 * s)))
    for i, j in SKELETON:
        a, b = lm[i], lm[j]
        if np.isfinite(a).all() and np.isfinite(b).all():
            cv2.line(out, (int(round(a[0])), int(round(a[1]))), (int(round(b[0])), int(round(b[1]))),
                     _side_colour(i, j), thick, cv2.LINE_AA)
    joints = {k for e in SKELETON for k in e}
    for k in sorted(joints):
        p = lm[k]
        if np.isfinite(p).all():
            cv2.circle(out, (int(round(p[0])), int(round(p[1]))), max(2, int(round(3 * s))),
                       _side_colour(k, k), -1, cv2.LINE_AA)
    return out


def _text(out: np.ndarray, text: str, org: tuple[int, int], scale: float, colour) -> None:
    thick = max(1, int(round(scale * 2)))
    cv2.putText(out, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thick + 2, cv2.LINE_AA)
    cv2.putText(out, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, thick, cv2.LINE_AA)


def draw_labels(
    image: np.ndarray,
    angles_deg: Mapping[str, float | None],
    *,
    events: Sequence[str] = (),
    caption: str = "",
    corner: str = "left",
) -> np.ndarray:
    """A copy of ``image`` with angle values and event markers in a top corner, and a caption.

    Parameters
    ----------
    angles_deg : mapping of label to float or None
        Text label (e.g. "hip flex L (2-D proxy)") to degrees; None is shown as "--".
    events : sequence of str
        Gait events at this frame ("L heel strike"), drawn as a banner.
    caption : str
        One line at the bottom (e.g. the time in the video).
    corner : {"left", "right"}
        The top corner for the angles and events (choose the one away from the person).
    """
    out = np.array(image, dtype=np.uint8, copy=True)
    s = _scale(out)
    fs = 0.5 * s
    w = out.shape[1]
    thick = max(1, int(round(fs * 2)))
    y = int(22 * s)
    for label, value in angles_deg.items():
        text = f"{label}: {'--' if value is None else f'{value:+.1f} deg'}"
        colour = LEFT_RGB if " L" in label else RIGHT_RGB if " R" in label else MID_RGB
        (tw, _), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, fs, thick + 2)
        x = int(8 * s) if corner == "left" else w - tw - int(8 * s)
        _text(out, text, (x, y), fs, colour)
        y += int(20 * s)
    y += int(8 * s)
    for ev in events:
        et = max(1, int(round(1.2 * s)))
        (tw, th), _ = cv2.getTextSize(ev, cv2.FONT_HERSHEY_SIMPLEX, 0.6 * s, et)
        x = int(14 * s) if corner == "left" else w - tw - int(14 * s)
        cv2.rectangle(out, (x - int(6 * s), y - th - int(6 * s)), (x + tw + int(6 * s), y + int(6 * s)),
                      (255, 220, 0), -1)
        cv2.putText(out, ev, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.6 * s, (0, 0, 0), et, cv2.LINE_AA)
        y += th + int(18 * s)
    if caption:
        _text(out, caption, (int(8 * s), out.shape[0] - int(10 * s)), fs, MID_RGB)
    return out
