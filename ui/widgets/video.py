"""A video frame with the skeleton of the analysed person drawn over it.

Display follows pyqtgraph's fast path: one ``ImageItem`` created once and fed
row-major RGB frames with ``autoLevels=False``; the skeleton is one line item drawn
as segment pairs.  The image is placed in video pixel coordinates, so landmarks
(``PoseSequence.image_px``, full-resolution pixels, y down) need no rescaling.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize
from PySide6.QtGui import QTransform
from PySide6.QtWidgets import QVBoxLayout, QWidget

from gaitlab.landmarks import INDEX, LANDMARK_NAMES, SKELETON
from gaitlab.types import PoseSequence
from ui.frames import FrameStore
from ui.theme import LEFT_COLOR, MIDLINE_COLOR, RIGHT_COLOR

_LEFT = {i for i, name in enumerate(LANDMARK_NAMES) if name.startswith("left_")}
_RIGHT = {i for i, name in enumerate(LANDMARK_NAMES) if name.startswith("right_")}
_BODY_JOINTS = tuple(
    INDEX[n]
    for side in ("left", "right")
    for n in (f"{side}_shoulder", f"{side}_elbow", f"{side}_wrist", f"{side}_hip",
              f"{side}_knee", f"{side}_ankle", f"{side}_heel", f"{side}_foot_index")
)


def _edge_side(a: int, b: int) -> str:
    if a in _LEFT and b in _LEFT:
        return "left"
    if a in _RIGHT and b in _RIGHT:
        return "right"
    return "mid"


_EDGES = {side: [(a, b) for a, b in SKELETON if _edge_side(a, b) == side] for side in ("left", "right", "mid")}


def skeleton_segments(points_px: np.ndarray, edges) -> tuple[np.ndarray, np.ndarray]:
    """x, y arrays of line segment pairs for ``edges`` (NaN-free; missing joints dropped)."""
    xs, ys = [], []
    for a, b in edges:
        pa, pb = points_px[a], points_px[b]
        if np.all(np.isfinite(pa)) and np.all(np.isfinite(pb)):
            xs += [pa[0], pb[0]]
            ys += [pa[1], pb[1]]
    return np.asarray(xs, float), np.asarray(ys, float)


class VideoPanel(QWidget):
    """One video with its skeleton overlay and a caption.

    Use :meth:`set_source` with a :class:`FrameStore` (and optionally the analysed
    person's :class:`PoseSequence`), then :meth:`show_time` as the player moves.
    """

    def __init__(self, parent: QWidget | None = None, *, caption: str = "") -> None:
        super().__init__(parent)
        pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("#111418")
        self.graphics.ci.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)
        self.view = self.graphics.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.view.setMenuEnabled(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.image)
        self._lines = {
            "left": pg.PlotDataItem(connect="pairs", pen=pg.mkPen(LEFT_COLOR, width=3)),
            "right": pg.PlotDataItem(connect="pairs", pen=pg.mkPen(RIGHT_COLOR, width=3)),
            "mid": pg.PlotDataItem(connect="pairs", pen=pg.mkPen(MIDLINE_COLOR, width=3)),
        }
        for item in self._lines.values():
            self.view.addItem(item)
        self._joints = pg.ScatterPlotItem(size=6, brush=pg.mkBrush("#ffffff"), pen=pg.mkPen("#222222"))
        self.view.addItem(self._joints)
        self.caption = pg.TextItem("", color="#f0f0f0", anchor=(0, 0), fill=pg.mkBrush(0, 0, 0, 150))
        self.view.addItem(self.caption, ignoreBounds=True)
        self.note = pg.TextItem("", color="#ffd27f", anchor=(0, 1), fill=pg.mkBrush(0, 0, 0, 150))
        self.view.addItem(self.note, ignoreBounds=True)
        self.store: FrameStore | None = None
        self.pose: PoseSequence | None = None
        self._pose_row: np.ndarray = np.zeros(0, np.int64)
        self.current_index = -1
        self.show_skeleton = True
        self.follow = True  # keep the walker centred and large (zoomed to the person)
        self._person_height_px = 0.0
        self._caption_text = caption

    def set_source(self, store: FrameStore | None, pose: PoseSequence | None = None, caption: str = "") -> None:
        """Show ``store``'s video with ``pose`` (the analysed person) drawn over it."""
        self.store = store
        self._caption_text = caption
        self.current_index = -1
        self.set_pose(pose)
        if store is None:
            self.image.clear()
            self.caption.setText(caption or "no video")
            return
        width, height = store.info.width, store.info.height
        # Display-size frames drawn in full-resolution video pixels (the landmarks' coordinates).
        self.image.setTransform(QTransform.fromScale(width / store.size_px[0], height / store.size_px[1]))
        self.view.setRange(xRange=(0, width), yRange=(0, height), padding=0)
        self.caption.setPos(0, 0)
        self.note.setPos(0, height)
        self.caption.setText(caption)

    def set_pose(self, pose: PoseSequence | None) -> None:
        self.pose = pose
        if pose is None:
            self._pose_row = np.zeros(0, np.int64)
            self._person_height_px = 0.0
        else:
            rows = np.full(int(pose.frame_index.max(initial=-1)) + 1, -1, np.int64)
            rows[pose.frame_index] = np.arange(pose.n_frames)
            self._pose_row = rows
            y = pose.image_px[:, :, 1]
            ok = np.isfinite(y).any(axis=1)
            spans = np.nanmax(y[ok], axis=1) - np.nanmin(y[ok], axis=1) if ok.any() else np.zeros(0)
            self._person_height_px = float(np.percentile(spans, 90)) if spans.size else 0.0
        self._draw_pose(self.current_index)

    def set_note(self, text: str) -> None:
        self.note.setText(text)

    def show_time(self, time_s: float) -> int:
        """Show the frame on screen at ``time_s`` (video seconds); returns its index."""
        if self.store is None:
            return -1
        return self.show_index(self.store.index_at(time_s))

    def show_index(self, index: int) -> int:
        if self.store is None:
            return -1
        frame = self.store.frame(index)
        if frame is None:
            return -1
        if index != self.current_index:
            self.image.setImage(frame, autoLevels=False, levels=(0, 255))
            self.current_index = index
            self._draw_pose(index)
        return index

    def _draw_pose(self, index: int) -> None:
        row = self._pose_row[index] if 0 <= index < len(self._pose_row) else -1
        if self.pose is None or row < 0 or not self.show_skeleton:
            for item in self._lines.values():
                item.setData([], [])
            self._joints.setData([], [])
            return
        points = self.pose.image_px[row]
        for side, item in self._lines.items():
            x, y = skeleton_segments(points, _EDGES[side])
            item.setData(x, y)
        joints = points[list(_BODY_JOINTS)]
        ok = np.all(np.isfinite(joints), axis=1)
        self._joints.setData(joints[ok, 0], joints[ok, 1])
        if self.follow and ok.any() and self._person_height_px > 0:
            self._centre_on(joints[ok])

    def _centre_on(self, joints: np.ndarray) -> None:
        """Zoom so the walker fills about 70 % of the panel height, centred on the body."""
        cx = float(np.mean(joints[:, 0]))
        cy = float(0.5 * (joints[:, 1].min() + joints[:, 1].max()))
        h = self._person_height_px / 0.7
        rect = self.view.rect()
        aspect = rect.width() / rect.height() if rect.height() > 0 else 4 / 3
        w = h * aspect
        self.view.setRange(xRange=(cx - w / 2, cx + w / 2), yRange=(cy - h / 2, cy + h / 2), padding=0)
        x0, y0 = self.view.viewRange()[0][0], self.view.viewRange()[1][0]
        self.caption.setPos(x0, y0)
        self.note.setPos(x0, self.view.viewRange()[1][1])

    def set_follow(self, follow: bool) -> None:
        """Follow the walker (zoomed) or show the whole frame."""
        self.follow = bool(follow)
        if not self.follow and self.store is not None:
            w, h = self.store.info.width, self.store.info.height
            self.view.setRange(xRange=(0, w), yRange=(0, h), padding=0)
            self.caption.setPos(0, 0)
            self.note.setPos(0, h)
        self._draw_pose(self.current_index)

    def set_skeleton_visible(self, visible: bool) -> None:
        self.show_skeleton = bool(visible)
        self._draw_pose(self.current_index)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(480, 300)
