"""A stored visit as the comparison reads it (:class:`gaitlab.compare.VisitData`).

The one place that turns the library's records into the comparison's input, for the
command line, the reports and the app alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from gaitlab.compare import VisitData
from gaitlab.storage.records import Recording, Visit
from gaitlab.types import PoseSequence


def visit_data(
    visit: Visit,
    recordings: Sequence[Recording],
    *,
    poses: Sequence[PoseSequence | None] = (),
) -> VisitData:
    """The comparison's view of a visit: its details and its analysed recordings.

    Parameters
    ----------
    visit : Visit
        The stored visit.
    recordings : sequence of Recording
        Its recordings, loaded with their analysis documents; only complete
        analyses (status ``ok``) take part.
    poses : sequence of PoseSequence or None
        Landmarks of the complete recordings in the same order (for the
        camera-placement check), or empty.

    Notes
    -----
    ``scores`` uses the library's field names, units in the names:
    ``hip_pain_left_nrs``, ``hip_pain_right_nrs``, ``back_pain_nrs`` (0-10) and
    ``odi_pct`` (0-100).
    """
    complete = [r for r in recordings if r.status == "ok" and r.result]
    label = visit.label or visit.date.isoformat()
    return VisitData(
        visit_id=visit.visit_id if visit.visit_id is not None else label,  # unsaved: by label
        date=visit.date,
        label=label,
        days_since_surgery=visit.days_since_surgery,
        scores={
            "hip_pain_left_nrs": visit.hip_pain_left_nrs,
            "hip_pain_right_nrs": visit.hip_pain_right_nrs,
            "back_pain_nrs": visit.back_pain_nrs,
            "odi_pct": visit.odi_pct,
        },
        treatments=tuple(visit.treatments),
        walking_aid=visit.walking_aid or "none",
        footwear=visit.footwear or "",
        pain_at_test=visit.pain_at_test_nrs,
        red_flags=tuple(visit.red_flags),
        documents=tuple(r.result for r in complete if r.result is not None),
        poses=tuple(poses),
    )
