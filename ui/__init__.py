"""gaitlab's desktop app (PySide6): patients, visits, recordings, comparison and trend.

The app only calls gaitlab's public core API; it holds no analysis of its own.
Start it with ``python -m ui`` (or ``make run``).
"""
