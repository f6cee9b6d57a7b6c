"""Colours and the application style: one sober palette used by every view.

Left side red, right side blue (as in most gait-lab reports, with blue rather than
green so the two stay apart for colour-blind readers).  Visit A is slate, visit B
orange; the healthy reference band is a pale green, the patient's baseline a pale
violet.  Judgements: beyond the MDC and worse = red, beyond the MDC and better =
green, within the MDC = grey.
"""

from __future__ import annotations

LEFT_COLOR = "#d1495b"
RIGHT_COLOR = "#2e86de"
MIDLINE_COLOR = "#f2c14e"
VISIT_A_COLOR = "#5c6b7a"
VISIT_B_COLOR = "#e07b1a"
HEALTHY_BAND_RGBA = (76, 175, 80, 50)
BASELINE_BAND_RGBA = (126, 87, 194, 45)
SD_ALPHA = 45
WORSE_COLOR = "#c62828"
BETTER_COLOR = "#2e7d32"
NEUTRAL_COLOR = "#616161"
RED_FLAG_COLOR = "#b71c1c"
WARNING_BG = "#fff4e5"
WARNING_FG = "#8a4b00"

SIDE_COLORS = {"left": LEFT_COLOR, "right": RIGHT_COLOR}

#: Stylesheet of the whole app: quiet greys, clear headings, readable tables.
STYLESHEET = """
QMainWindow, QDialog { background: #f5f6f8; }
QLabel#page_title { font-size: 18px; font-weight: 600; color: #1f2933; }
QLabel#section_title { font-size: 13px; font-weight: 600; color: #1f2933; margin-top: 6px; }
QLabel#hint { color: #52606d; }
QLabel#warning_banner, QLabel#comparability_banner {
    background: #fff4e5; color: #8a4b00; border: 1px solid #f0c36d;
    border-radius: 4px; padding: 6px;
}
QLabel#red_flag_banner {
    background: #fdecea; color: #b71c1c; border: 1px solid #e57373;
    border-radius: 4px; padding: 6px; font-weight: 600;
}
QLabel#guard_note { color: #52606d; font-style: italic; }
QTableWidget, QListWidget, QTreeWidget {
    background: white; alternate-background-color: #f7f9fb; gridline-color: #e4e7eb;
    selection-background-color: #d9e8fb; selection-color: #1f2933;
}
QHeaderView::section { background: #eef1f4; padding: 4px; border: 0; border-bottom: 1px solid #d5dae0; font-weight: 600; }
QPushButton { padding: 4px 12px; }
QPushButton#primary { background: #2e6da4; color: white; border-radius: 3px; padding: 6px 14px; }
QTabBar::tab { padding: 6px 14px; }
QToolBar { spacing: 6px; }
"""
