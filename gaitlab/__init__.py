"""gaitlab: video gait analysis for patients after lumbar spinal fusion.

The core package never imports Qt; the desktop app lives in ``ui``.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
