"""The 33 body landmarks of the pose model, their left/right pairs and the skeleton.

Indices follow MediaPipe's BlazePose topology.  "Left" and "right" are the
patient's anatomical sides.
"""

from __future__ import annotations

LANDMARK_NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner", "left_eye", "left_eye_outer",
    "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear",
    "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow",
    "left_wrist", "right_wrist",
    "left_pinky", "right_pinky",
    "left_index", "right_index",
    "left_thumb", "right_thumb",
    "left_hip", "right_hip",
    "left_knee", "right_knee",
    "left_ankle", "right_ankle",
    "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)

N_LANDMARKS = len(LANDMARK_NAMES)
INDEX: dict[str, int] = {name: i for i, name in enumerate(LANDMARK_NAMES)}

NOSE = INDEX["nose"]
LEFT_SHOULDER, RIGHT_SHOULDER = INDEX["left_shoulder"], INDEX["right_shoulder"]
LEFT_HIP, RIGHT_HIP = INDEX["left_hip"], INDEX["right_hip"]
LEFT_KNEE, RIGHT_KNEE = INDEX["left_knee"], INDEX["right_knee"]
LEFT_ANKLE, RIGHT_ANKLE = INDEX["left_ankle"], INDEX["right_ankle"]
LEFT_HEEL, RIGHT_HEEL = INDEX["left_heel"], INDEX["right_heel"]
LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX = INDEX["left_foot_index"], INDEX["right_foot_index"]


def _mirror_name(name: str) -> str:
    if name.startswith("left_"):
        return "right_" + name[5:]
    if name.startswith("right_"):
        return "left_" + name[6:]
    if name == "mouth_left":
        return "mouth_right"
    if name == "mouth_right":
        return "mouth_left"
    return name


#: For each landmark index, the index of its mirror-image partner (itself on the midline).
MIRROR: tuple[int, ...] = tuple(INDEX[_mirror_name(n)] for n in LANDMARK_NAMES)

#: (left, right) index pairs of the lower limb, swapped together by side correction.
LEG_PAIRS: tuple[tuple[int, int], ...] = (
    (LEFT_HIP, RIGHT_HIP),
    (LEFT_KNEE, RIGHT_KNEE),
    (LEFT_ANKLE, RIGHT_ANKLE),
    (LEFT_HEEL, RIGHT_HEEL),
    (LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX),
)

#: Face landmarks (used to blur faces in exports).
FACE: tuple[int, ...] = tuple(range(0, 11))

#: Skeleton edges for drawing.
SKELETON: tuple[tuple[int, int], ...] = (
    (LEFT_SHOULDER, RIGHT_SHOULDER),
    (LEFT_SHOULDER, INDEX["left_elbow"]), (INDEX["left_elbow"], INDEX["left_wrist"]),
    (RIGHT_SHOULDER, INDEX["right_elbow"]), (INDEX["right_elbow"], INDEX["right_wrist"]),
    (LEFT_SHOULDER, LEFT_HIP), (RIGHT_SHOULDER, RIGHT_HIP), (LEFT_HIP, RIGHT_HIP),
    (LEFT_HIP, LEFT_KNEE), (LEFT_KNEE, LEFT_ANKLE), (LEFT_ANKLE, LEFT_HEEL),
    (LEFT_HEEL, LEFT_FOOT_INDEX), (LEFT_ANKLE, LEFT_FOOT_INDEX),
    (RIGHT_HIP, RIGHT_KNEE), (RIGHT_KNEE, RIGHT_ANKLE), (RIGHT_ANKLE, RIGHT_HEEL),
    (RIGHT_HEEL, RIGHT_FOOT_INDEX), (RIGHT_ANKLE, RIGHT_FOOT_INDEX),
)
