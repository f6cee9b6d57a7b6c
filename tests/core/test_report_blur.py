"""Face blur: the face region loses its detail in every exported frame and key frame; the body does not change."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from test_report_kit import (
    draw_person,
    head_centre_radius,
    laplacian_var,
    make_document,
    make_walk,
    render_video,
)

from gaitlab.errors import InputError
from gaitlab.io.video import iter_frames
from gaitlab.landmarks import INDEX
from gaitlab.report.annotate import key_frames, write_annotated_video
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
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(render_report_pdf(content)))
    stills = []
    for page in reader.pages:
        for im in page.images:
            arr = np.asarray(Image.open(io.BytesIO(im.data)).convert("RGB"))
            if arr.shape[:2] == (360, 640):
                stills.append(arr)
    assert len(stills) == 2
    lm_all = walk.landmarks_px()
    for still, kf in zip(stills, frames):
        k = int(np.argmin(np.abs(walk.time_s - kf.time_s)))
        head = _head_box(lm_all[k])
        sharp = draw_person(lm_all[k], np.random.default_rng(1))
        assert laplacian_var(_crop(still, head)) < DETAIL_LEFT_MAX * laplacian_var(_crop(sharp, head))
