"""Material for the report and export tests: synthetic walks, their documents and videos.

Documents are real gaitlab analyses (``analyze_gait`` + ``build_document``) of the
synthetic walker's exact landmarks, so every number has a known source without
running the pose model.  Videos are drawn from the same landmarks: a textured
background, a body of thick textured limbs, and a head filled with fine
high-contrast detail (what a face blur must remove).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from gaitlab.analysis import build_document
from gaitlab.io.video import file_sha256
from gaitlab.kinematics import KinematicsSettings, analyze_gait
from gaitlab.landmarks import INDEX, SKELETON
from gaitlab.pose.estimator import EstimatorSettings
from gaitlab.synth.params import CameraSetup, GaitParams
from gaitlab.synth.walk import SyntheticWalk, simulate_walk
from gaitlab.types import PoseSequence, VideoInfo

WIDTH, HEIGHT, FPS = 640, 360, 30.0


def make_walk(view: str = "sagittal", *, seed: int = 1, duration_s: float = 4.5, **params) -> SyntheticWalk:
    walking = "right" if view == "sagittal" else "toward"
    camera = CameraSetup(view=view, walking=walking, width=WIDTH, height=HEIGHT, fps=FPS)
    return simulate_walk(GaitParams(**params), camera, duration_s=duration_s, seed=seed)


def make_document(walk: SyntheticWalk, *, video_path: str = "", sha256: str | None = None) -> dict:
    pose = walk.truth_pose()
    view = walk.camera.view
    direction = walk.camera.walking
    gait = analyze_gait(pose, view=view, direction=direction, height_cm=100 * walk.params.height_m)
    assert gait.enough_walking
    info = VideoInfo(
        path=video_path or f"/clinic/videos/Jane_Doe_{view}.mp4",
        width=WIDTH,
        height=HEIGHT,
        fps=FPS,
        frame_count=pose.n_frames,
        duration_s=pose.n_frames / FPS,
        rotation_deg=0,
        sha256=sha256 or f"{walk.seed:02d}{view[:2]}".encode().hex().ljust(64, "0"),
    )
    return build_document(
        video=info,
        model={"name": "pose_landmarker", "variant": "full", "sha256": "0" * 64},
        pose=pose,
        people_seen=1,
        view=view,
        direction=direction,
        gait=gait,
        settings=KinematicsSettings(),
        estimator_settings=EstimatorSettings(),
    )


def textured(shape: tuple[int, int], rng, low: int, high: int) -> np.ndarray:
    return rng.integers(low, high, size=(*shape, 3), dtype=np.uint8)


def head_centre_radius(lm: np.ndarray) -> tuple[np.ndarray, float]:
    face = lm[:11]
    centre = face.mean(axis=0)
    shoulders = 0.5 * (lm[INDEX["left_shoulder"]] + lm[INDEX["right_shoulder"]])
    hips = 0.5 * (lm[INDEX["left_hip"]] + lm[INDEX["right_hip"]])
    radius = 0.2 * float(np.linalg.norm(shoulders - hips))
    return centre, max(radius, 5.0)


def draw_person(lm: np.ndarray, rng) -> np.ndarray:
    """One frame: smooth background, a textured body, a head full of fine detail."""
    img = np.empty((HEIGHT, WIDTH, 3), np.uint8)
    img[:] = (90, 110, 100)
    body = np.zeros((HEIGHT, WIDTH), np.uint8)
    for i, j in SKELETON:
        a, b = lm[i], lm[j]
        cv2.line(body, tuple(int(v) for v in a), tuple(int(v) for v in b), 255, 9)
    stripes = ((np.add.outer(np.arange(HEIGHT), np.arange(WIDTH)) // 3) % 2 * 120 + 60).astype(np.uint8)
    img[body > 0] = np.stack([stripes] * 3, -1)[body > 0]
    centre, radius = head_centre_radius(lm)
    mask = np.zeros((HEIGHT, WIDTH), np.uint8)
    cv2.circle(mask, (int(centre[0]), int(centre[1])), int(radius), 255, -1)
    noise = textured((HEIGHT, WIDTH), rng, 0, 256)
    img[mask > 0] = noise[mask > 0]
    return img


def render_video(walk: SyntheticWalk, path: Path) -> Path:
    """The walk drawn as an MP4 (H.264, near-lossless) at the walk's frame times."""
    lm_all = walk.landmarks_px()
    rng = np.random.default_rng(walk.seed)
    container = av.open(str(path), mode="w")
    stream = container.add_stream("libx264", rate=int(FPS))
    stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    tb = Fraction(1, 90000)
    stream.time_base = tb
    stream.codec_context.time_base = tb
    stream.codec_context.options = {"bf": "0", "crf": "12", "preset": "ultrafast"}
    for k, t in enumerate(walk.time_s):
        frame = av.VideoFrame.from_ndarray(draw_person(lm_all[k], rng), format="rgb24")
        frame.pts = int(round(float(t) / tb))
        frame.time_base = tb
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return path


def pose_for(walk: SyntheticWalk) -> PoseSequence:
    return walk.truth_pose()


def laplacian_var(rgb: np.ndarray) -> float:
    grey = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def video_sha(path: Path) -> str:
    return file_sha256(path)


def fill_library(library, tmp: Path, *, red_flag: bool = False, with_videos: bool = False):
    """A patient with a pre-op and a 6-week visit, each with a sagittal and a frontal recording.

    At 6 weeks the right hip drops more (left-stance Trendelenburg pattern) and the
    hips move more.  Returns {(visit_label, view): (walk, video_path)}.
    """
    from gaitlab.storage import Patient, Surgery, Visit

    library.add_patient(
        Patient(
            patient_id="P-0042",
            name="Jane Doe",
            birth_year=1961,
            sex="female",
            height_cm=170.0,
            surgery=Surgery(date=dt.date(2025, 3, 3), levels="L4-S1", approach="posterior (TLIF)"),
        )
    )
    made = {}
    plan = (
        ("pre-op", dt.date(2025, 2, 17), {}, 1),
        ("6 weeks", dt.date(2025, 4, 14),
         {"pelvic_drop_deg_right": 9.0, "hip_flexion_amplitude_deg_left": 50.0,
          "hip_flexion_amplitude_deg_right": 50.0}, 2),
    )
    for label, day, params, seed in plan:
        visit = library.add_visit(
            Visit(
                patient_id="P-0042",
                date=day,
                label=label,
                hip_pain_left_nrs=2,
                hip_pain_right_nrs=5 if label == "6 weeks" else 3,
                back_pain_nrs=6,
                odi_pct=38.0,
                treatments=("physical_therapy",) + (("pelvic_belt",) if label == "6 weeks" else ()),
                walking_aid="none",
                footwear="trainers",
                pain_at_test_nrs=3,
                red_flags=("new_numbness_or_weakness",) if red_flag and label == "6 weeks" else (),
            )
        )
        for view in ("sagittal", "frontal"):
            walk = make_walk(view, seed=seed * 10 + (view == "frontal"), **params)
            video = tmp / f"Jane_Doe_{label.replace(' ', '_')}_{view}.mp4"
            if with_videos and view == "sagittal":
                render_video(walk, video)
                sha = video_sha(video)
            else:
                sha = f"{seed}{view}".encode().hex().ljust(64, "0")
            doc = make_document(walk, video_path=str(video), sha256=sha)
            library.add_recording(visit.visit_id, video, sha, view, doc)
            made[(label, view)] = (walk, video)
    return made


# --------------------------------------------------------------------------- the sample patient

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_videos"
#: The sample patient's visits the report tests compare: pre-op against 6 weeks after surgery.
SAMPLE_PAIR = ("pre-op", "6 weeks post-op")


def sample_description() -> dict | None:
    """``sample_videos/patient.json`` when it and every clip it names exist, else None."""
    import json

    path = SAMPLE_DIR / "patient.json"
    if not path.is_file():
        return None
    desc = json.loads(path.read_text(encoding="utf-8"))
    clips = [SAMPLE_DIR / r["file"] for v in desc["visits"] for r in v["recordings"]]
    return desc if all(c.is_file() for c in clips) else None


def import_sample_visits(library, tmp: Path, labels: tuple[str, ...] = SAMPLE_PAIR) -> str:
    """Import the sample patient's visits ``labels`` (both views each) the way ``gaitlab demo`` does.

    The real pose model analyses the clips (landmarks cached for the test session);
    a trimmed copy of ``patient.json`` naming the clips by absolute path keeps the
    other visits out.  Returns the patient's ID.
    """
    import json

    from gaitlab.workflow import import_sample_patient

    desc = sample_description()
    assert desc is not None, "the sample clips are missing from sample_videos/"
    visits = [v for v in desc["visits"] if v["label"] in labels]
    assert [v["label"] for v in visits] == list(labels)
    for v in visits:
        v["recordings"] = [dict(r, file=str(SAMPLE_DIR / r["file"])) for r in v["recordings"]]
    folder = tmp / "sample-subset"
    folder.mkdir(exist_ok=True)
    (folder / "patient.json").write_text(json.dumps(dict(desc, visits=visits)), encoding="utf-8")
    return import_sample_patient(library, folder)


def sample_walk(stem: str) -> SyntheticWalk:
    """The synthetic walk a sample clip was rendered from (its exact landmarks, no model)."""
    from gaitlab.synth.samples import sample_specs

    spec = next(s for s in sample_specs() if s.stem == stem)
    return simulate_walk(spec.params, spec.camera, duration_s=spec.duration_s, seed=spec.seed)


def pdf_stills(pdf: bytes, shape: tuple[int, int]) -> list[np.ndarray]:
    """The RGB images of a PDF with ``shape`` (height, width) pixels, in page order."""
    import io

    from PIL import Image
    from pypdf import PdfReader

    out = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for im in page.images:
            arr = np.asarray(Image.open(io.BytesIO(im.data)).convert("RGB"))
            if arr.shape[:2] == tuple(shape):
                out.append(arr)
    return out
