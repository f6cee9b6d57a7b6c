"""Face blur: the face region loses its detail in every exported frame and key frame; the body does not change."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_report_kit import (
    SAMPLE_DIR,
    draw_person,
    head_centre_radius,
    laplacian_var,
    make_document,
    make_walk,
    pdf_stills,
    render_video,
    sample_description,
    sample_walk,
)

from gaitlab.errors import InputError
from gaitlab.io.video import iter_frames, probe_video
from gaitlab.landmarks import INDEX
from gaitlab.report.annotate import annotate_frame, key_frames, write_annotated_video
from gaitlab.report.overlay import blur_face, face_box_px
from gaitlab.report.pdf import ReportContent, ReportVisit, render_report_pdf

#: A blurred face keeps under this share of the Laplacian variance of the sharp one.
DETAIL_LEFT_MAX = 0.05


def _head_box(lm: np.ndarray) -> tuple[int, int, int, int]:
    """The drawn head's bounding square (what must lose its detail)."""
    c, r = head_centre_radius(lm)
    return int(c[0] - r), int(c[1] - r), int(c[0] + r), int(c[1] + r)


def _leg_box(lm: np.ndarray, side: str = "left") -> tuple[int, int, int, int]:
    knee, ankle = lm[INDEX[f"{side}_knee"]], lm[INDEX[f"{side}_ankle"]]
    x0, x1 = sorted((knee[0], ankle[0]))
    y0, y1 = sorted((knee[1], ankle[1]))
    return int(x0) - 6, int(y0) + 4, int(x1) + 6, int(y1) - 4


def _crop(img, box):
    x0, y0, x1, y1 = box
    return img[max(0, y0):y1, max(0, x0):x1]


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    walk = make_walk("sagittal", seed=5, duration_s=2.5)
    path = render_video(walk, tmp_path_factory.mktemp("clip") / "clip.mp4")
    return walk, path


def test_blur_removes_face_detail_and_leaves_the_body():
    walk = make_walk("sagittal", seed=6, duration_s=2.0)
    lm_all = walk.landmarks_px()
    rng = np.random.default_rng(0)
    for k in (0, 20, 45):
        lm = lm_all[k]
        img = draw_person(lm, rng)
        out = blur_face(img, lm)
        head = _head_box(lm)
        before, after = laplacian_var(_crop(img, head)), laplacian_var(_crop(out, head))
        assert before > 2000
        assert after < DETAIL_LEFT_MAX * before, (k, before, after)
        box = face_box_px(lm, (img.shape[1], img.shape[0]))
        assert box is not None
        untouched = np.ones(img.shape[:2], bool)
        untouched[box[1]:box[3], box[0]:box[2]] = False
        assert np.array_equal(out[untouched], img[untouched])  # the body is untouched
        assert box[3] < lm[INDEX["left_hip"], 1]  # the box stays above the hips


def test_annotated_video_blurs_every_frame(clip, tmp_path):
    walk, path = clip
    doc = make_document(walk, video_path=str(path))
    pose = walk.truth_pose()
    blurred = write_annotated_video(doc, pose, path, tmp_path / "blurred.mp4")
    sharp = write_annotated_video(doc, pose, path, tmp_path / "sharp.mp4", blur=False)
    lm_all = walk.landmarks_px()
    n = 0
    for fb, fs in zip(iter_frames(blurred), iter_frames(sharp)):
        lm = lm_all[fb.index]
        head = _head_box(lm)
        vb, vs = laplacian_var(_crop(fb.image, head)), laplacian_var(_crop(fs.image, head))
        assert vb < DETAIL_LEFT_MAX * vs, (fb.index, vb, vs)
        leg = _leg_box(lm)
        lb, ls = _crop(fb.image, leg), _crop(fs.image, leg)
        # The body keeps its detail with the face blur (pixel equality is checked before
        # encoding, in the first test; here the encoder adds noise to the fine stripes).
        assert laplacian_var(lb) > 0.8 * laplacian_var(ls), fb.index
        n += 1
    assert n == walk.n_frames
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blurred.mp4", "sharp.mp4"]


def test_annotated_video_refuses_when_no_face_can_be_found(clip, tmp_path):
    walk, path = clip
    doc = make_document(walk, video_path=str(path))
    pose = walk.truth_pose()
    px = np.array(pose.image_px)
    px[:, :11] = np.nan
    faceless = pose.replace(image_px=px)
    with pytest.raises(InputError, match="No face landmarks"):
        write_annotated_video(doc, faceless, path, tmp_path / "out.mp4")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(InputError, match=r"\.mp4"):
        write_annotated_video(doc, pose, path, tmp_path / "out.avi")


def test_key_frames_in_the_pdf_are_blurred(clip):
    walk, path = clip
    doc = make_document(walk, video_path=str(path))
    frames = key_frames(doc, walk.truth_pose(), path)
    assert {f.side for f in frames} == {"left", "right"}
    content = ReportContent(
        patient=None,
        visits=(ReportVisit(visit=None, label="recording", documents=(doc,), key_frames=tuple(frames)),),
    )
    stills = pdf_stills(render_report_pdf(content), (360, 640))
    assert len(stills) == 2
    lm_all = walk.landmarks_px()
    for still, kf in zip(stills, frames):
        k = int(np.argmin(np.abs(walk.time_s - kf.time_s)))
        head = _head_box(lm_all[k])
        sharp = draw_person(lm_all[k], np.random.default_rng(1))
        assert laplacian_var(_crop(still, head)) < DETAIL_LEFT_MAX * laplacian_var(_crop(sharp, head))


# --------------------------------------------------------------------------- on the sample clips

#: On the sample clips a blurred face keeps a Laplacian variance under this (sharp: 500 to 2,100).
SAMPLE_FACE_DETAIL_MAX = 50.0
SAMPLE_STEMS = ("preop_frontal", "preop_sagittal")

needs_samples = pytest.mark.skipif(sample_description() is None, reason="the sample clips are missing")


def _face_region(lm: np.ndarray) -> tuple[int, int, int, int]:
    """The face landmarks' bounding box grown by 10 % (eyes, ears, nose and mouth of the walker)."""
    face = lm[:11]
    (x0, y0), (x1, y1) = face.min(axis=0), face.max(axis=0)
    pad = 0.1 * max(x1 - x0, y1 - y0, 10.0)
    return int(x0 - pad), int(y0 - pad), int(x1 + pad) + 1, int(y1 + pad) + 1


def _legs_region(lm: np.ndarray) -> tuple[int, int, int, int]:
    """Hips to heels, both legs."""
    pts = lm[[INDEX[n] for n in ("left_hip", "right_hip", "left_ankle", "right_ankle", "left_heel", "right_heel")]]
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    return int(x0) - 10, int(y0), int(x1) + 10, int(y1)


def _sample(stem: str):
    walk = sample_walk(stem)
    doc = json.loads((SAMPLE_DIR / f"{stem}.truth.json").read_text(encoding="utf-8"))
    return walk.truth_pose(), doc, SAMPLE_DIR / f"{stem}.mp4"


@needs_samples
@pytest.mark.slow
@pytest.mark.parametrize("stem", SAMPLE_STEMS)
def test_sample_clip_every_exported_frame_is_blurred_and_the_body_is_not(stem, tmp_path):
    pose, doc, clip = _sample(stem)  # the walker's exact landmarks: the face is where they say
    blurred = write_annotated_video(doc, pose, clip, tmp_path / "blurred.mp4")
    sharp = write_annotated_video(doc, pose, clip, tmp_path / "sharp.mp4", blur=False)
    source = {f.index: f.image for f in iter_frames(clip)}
    n = 0
    for fb, fs in zip(iter_frames(blurred), iter_frames(sharp)):
        lm = pose.image_px[fb.index]
        face = _face_region(lm)
        vb, vs = laplacian_var(_crop(fb.image, face)), laplacian_var(_crop(fs.image, face))
        assert vs > 10 * SAMPLE_FACE_DETAIL_MAX, (fb.index, vs)  # the face has detail to lose
        assert vb < SAMPLE_FACE_DETAIL_MAX, (fb.index, vb, vs)
        legs = _legs_region(lm)
        ratio = laplacian_var(_crop(fb.image, legs)) / laplacian_var(_crop(fs.image, legs))
        assert 0.85 < ratio < 1.2, (fb.index, ratio)  # the encoder's noise, not a blur
        # Before encoding, the blur changes the face box and nothing else.
        img = source[fb.index]
        a = annotate_frame(img, fb.time_s, doc, pose, blur=True)
        b = annotate_frame(img, fb.time_s, doc, pose, blur=False)
        box = face_box_px(lm, pose.image_size_px)
        outside = np.ones(img.shape[:2], bool)
        outside[box[1]:box[3], box[0]:box[2]] = False
        assert np.array_equal(a[outside], b[outside]), fb.index
        n += 1
    assert n == len(source) == probe_video(clip, with_sha256=False).frame_count


@needs_samples
def test_sample_clip_key_frames_in_the_pdf_are_blurred():
    pose, doc, clip = _sample("preop_sagittal")
    frames = key_frames(doc, pose, clip)
    assert [f.side for f in frames] == ["left", "right"] and all(f.blurred for f in frames)
    content = ReportContent(
        patient=None,
        visits=(ReportVisit(visit=None, label="recording", documents=(doc,), key_frames=tuple(frames)),),
    )
    stills = pdf_stills(render_report_pdf(content), (720, 1280))
    assert len(stills) == 2
    sharp = {f.index: f.image for f in iter_frames(clip)}
    for still, kf in zip(stills, frames):
        k = int(np.argmin(np.abs(pose.time_s - kf.time_s)))
        face = _face_region(pose.image_px[k])
        assert laplacian_var(_crop(sharp[int(pose.frame_index[k])], face)) > 10 * SAMPLE_FACE_DETAIL_MAX
        assert laplacian_var(_crop(still, face)) < SAMPLE_FACE_DETAIL_MAX
