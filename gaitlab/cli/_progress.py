"""A terminal progress bar (tqdm) behind gaitlab's Progress protocol."""

from __future__ import annotations

import sys

from tqdm import tqdm

_STAGE_LABELS = {
    "pose": "pose model",
    "download": "downloading model",
    "render": "rendering",
    "import": "importing",
}


class TerminalProgress:
    """Draws one bar per stage on stderr; silent when ``quiet`` or not a terminal."""

    def __init__(self, *, quiet: bool = False, unit: str = "frame") -> None:
        self.quiet = quiet
        self.unit = unit
        self._bar: tqdm | None = None

    def start(self, stage: str, total: int | None) -> None:
        self.finish()
        if self.quiet:
            return
        self._bar = tqdm(
            total=total,
            desc=_STAGE_LABELS.get(stage, stage),
            unit=self.unit if stage != "download" else "B",
            unit_scale=stage == "download",
            file=sys.stderr,
            leave=False,
            dynamic_ncols=True,
            disable=None,  # off when stderr is not a terminal (CI, pipes)
        )

    def update(self, done: int) -> None:
        if self._bar is not None:
            self._bar.n = done
            self._bar.refresh()

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
