"""Play/pause, frame step, speed and scrub controls, and the clock that drives playback."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

SPEEDS = (0.1, 0.25, 0.5, 1.0, 2.0)
_SLIDER_STEPS = 1000


class PlaybackClock(QObject):
    """Wall-clock ticks while playing; ``advanced(dt_s)`` carries the elapsed seconds × speed."""

    advanced = Signal(float)
    playing_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = 20) -> None:
        super().__init__(parent)
        self.speed = 1.0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def play(self) -> None:
        if not self.playing:
            self._last = time.monotonic()
            self._timer.start()
            self.playing_changed.emit(True)

    def pause(self) -> None:
        if self.playing:
            self._timer.stop()
            self.playing_changed.emit(False)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def _tick(self) -> None:
        now = time.monotonic()
        dt = min(0.25, now - self._last)  # a stalled loop never jumps far ahead
        self._last = now
        self.advanced.emit(dt * self.speed)


class Transport(QWidget):
    """Controls under a player.  The owner connects the signals and calls :meth:`set_position`.

    Signals: ``toggle_requested()``, ``step_requested(int)`` (−1/+1 frame),
    ``speed_changed(float)``, ``scrubbed(float)`` (0–1 of the timeline).
    """

    toggle_requested = Signal()
    step_requested = Signal(int)
    speed_changed = Signal(float)
    scrubbed = Signal(float)

    def __init__(self, parent: QWidget | None = None, *, prefix: str = "") -> None:
        super().__init__(parent)
        self.play_button = QPushButton("▶ Play", objectName=f"{prefix}play_button")
        self.play_button.setMinimumWidth(80)
        self.play_button.clicked.connect(self.toggle_requested)
        self.back_button = QPushButton("◀|", objectName=f"{prefix}step_back_button")
        self.back_button.setToolTip("One frame back")
        self.back_button.clicked.connect(lambda: self.step_requested.emit(-1))
        self.forward_button = QPushButton("|▶", objectName=f"{prefix}step_forward_button")
        self.forward_button.setToolTip("One frame forward")
        self.forward_button.clicked.connect(lambda: self.step_requested.emit(1))
        self.speed_combo = QComboBox(objectName=f"{prefix}speed_combo")
        for s in SPEEDS:
            self.speed_combo.addItem(f"{s:g}×", s)
        self.speed_combo.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_combo.currentIndexChanged.connect(lambda _i: self.speed_changed.emit(self.speed_combo.currentData()))
        self.slider = QSlider(Qt.Horizontal, objectName=f"{prefix}scrub_slider")
        self.slider.setRange(0, _SLIDER_STEPS)
        self.slider.sliderMoved.connect(lambda v: self.scrubbed.emit(v / _SLIDER_STEPS))
        self.slider.actionTriggered.connect(self._on_slider_action)
        self.position_label = QLabel("0.00 s", objectName=f"{prefix}position_label")
        self.position_label.setMinimumWidth(150)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.back_button, self.play_button, self.forward_button, self.speed_combo):
            layout.addWidget(w)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.position_label)

    def _on_slider_action(self, action: int) -> None:
        if action in (QSlider.SliderPageStepAdd, QSlider.SliderPageStepSub,
                      QSlider.SliderSingleStepAdd, QSlider.SliderSingleStepSub):
            self.scrubbed.emit(self.slider.sliderPosition() / _SLIDER_STEPS)

    def set_playing(self, playing: bool) -> None:
        self.play_button.setText("❚❚ Pause" if playing else "▶ Play")

    def set_position(self, fraction: float, text: str) -> None:
        if not self.slider.isSliderDown():
            self.slider.blockSignals(True)
            self.slider.setValue(int(round(min(max(fraction, 0.0), 1.0) * _SLIDER_STEPS)))
            self.slider.blockSignals(False)
        self.position_label.setText(text)
