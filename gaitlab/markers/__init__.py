"""Pelvic skin stickers: detection, tracking, pelvic angles, and manual measurements.

The pose model sees only the two hip joint centres, which say nothing about the
rotation of the pelvis around the hip axis.  Coloured stickers on the palpated
ASIS and PSIS make the sagittal ``pelvic_tilt`` measurable, and give a
marker-based ``pelvic_obliquity`` in the frontal view.  See
``docs/pelvic_markers.md`` for sticker placement and filming.
"""

from gaitlab.markers.detect import (
    DEFAULT_MARKER_COLOUR,
    MARKER_COLOURS,
    MarkerCandidate,
    MarkerColour,
    colour_mask,
    detect_marker_candidates,
    parse_marker_colour,
    search_windows_px,
)
from gaitlab.markers.manual import (
    Measurement,
    measure_angle,
    measure_line_against,
    snap_to_landmark,
)
from gaitlab.markers.measure import (
    DEFAULT_LOWPASS_HZ,
    SOURCE_MARKERS,
    PelvicMarkerResult,
    measure_pelvic_markers,
    pelvic_result_from_candidates,
    smooth_angle_deg,
)
from gaitlab.markers.pelvis import (
    cycle_ranges_deg,
    pelvic_obliquity_deg,
    pelvic_tilt_deg,
    pelvic_tilt_metrics,
)
from gaitlab.markers.track import (
    MarkerTrack,
    bridge_short_gaps,
    track_marker_pair,
    tracked_marker_names,
)

__all__ = [
    "DEFAULT_LOWPASS_HZ",
    "DEFAULT_MARKER_COLOUR",
    "MARKER_COLOURS",
    "SOURCE_MARKERS",
    "MarkerCandidate",
    "MarkerColour",
    "MarkerTrack",
    "Measurement",
    "PelvicMarkerResult",
    "bridge_short_gaps",
    "colour_mask",
    "cycle_ranges_deg",
    "detect_marker_candidates",
    "measure_angle",
    "measure_line_against",
    "measure_pelvic_markers",
    "parse_marker_colour",
    "pelvic_obliquity_deg",
    "pelvic_result_from_candidates",
    "pelvic_tilt_deg",
    "pelvic_tilt_metrics",
    "search_windows_px",
    "smooth_angle_deg",
    "snap_to_landmark",
    "track_marker_pair",
    "tracked_marker_names",
]
