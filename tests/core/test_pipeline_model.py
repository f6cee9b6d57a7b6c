"""The real pose model on a rendered walking clip: the foundation's end-to-end claims."""

from __future__ import annotations

import json

import numpy as np
import pytest
from clikit import assert_one_clear_sentence, run_gaitlab

from gaitlab.contract import validate_document
from gaitlab.io.video import probe_video
from gaitlab.kinematics import analyze_gait
from gaitlab.pose.estimator import EstimatorSettings
from gaitlab.pose.extract import extract_raw_poses, run_pose_model
from gaitlab.pose.models import resolve_model
from gaitlab.pose.tracking import select_walker, track_people

pytestmark = [pytest.mark.model, pytest.mark.slow]


@pytest.fixture(scope="session")
def walk_clip(tmp_path_factory):
    """A 5 s side-view walk (walking right), rendered by the gait lab."""
    from gaitlab.synth import CameraSetup, GaitParams, render_walk, simulate_walk

    camera = CameraSetup(view="sagittal", walking="right", width=640, height=360, fps=30)
    walk = simulate_walk(GaitParams(), camera, duration_s=5.0, seed=101)
    return render_walk(walk, tmp_path_factory.mktemp("clips") / "walk_right.mp4")


@pytest.fixture(scope="session")
def analysed(walk_clip, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "result.json"
    run = run_gaitlab("analyze", walk_clip, "--out", out, "--quiet")
    return run, out


def test_analyze_writes_a_valid_document_from_the_real_model(analysed, walk_clip):
    run, out = analysed
    assert run.code in (0, 3), run.err
    doc = json.loads(out.read_text())
    validate_document(doc)
    assert doc["quality"]["detection_rate"] > 0.9
    t = np.array(doc["time_s"])
    assert np.all(np.diff(t) > 0)
    assert len(t) == probe_video(walk_clip, with_sha256=False).frame_count
    assert doc["view"] == "sagittal"
    assert doc["walking_direction"] == "right"
    assert doc["person"] == {"selected": 0, "people_seen": 1}
    assert doc["model"]["sha256"] == resolve_model().sha256
    assert doc["video"]["sha256"] == probe_video(walk_clip).sha256


def test_second_analysis_reads_the_landmark_cache(analysed, walk_clip):
    video = probe_video(walk_clip)
    model = resolve_model()
    raw, cached = extract_raw_poses(video, model.path, model.sha256)
    assert cached, "the landmarks of the first analysis were not reused"
    assert raw.n_frames == video.frame_count


def test_chunked_run_equals_the_single_stream(walk_clip):
    video = probe_video(walk_clip)
    model = resolve_model()
    single = run_pose_model(video, model.path, workers=1)
    chunked = run_pose_model(video, model.path, workers=2, min_chunk_s=2.0)
    np.testing.assert_allclose(chunked.time_s, single.time_s)
    np.testing.assert_array_equal(chunked.frame_index, single.frame_index)
    poses = []
    for raw in (single, chunked):
        people = track_people(raw)
        poses.append(people[select_walker(people)])
    a, b = (analyze_gait(p, view="sagittal", direction="right") for p in poses)
    for name, series in a.series.items():
        other = b.series[name]
        both = np.isfinite(series) & np.isfinite(other)
        assert np.array_equal(np.isfinite(series), np.isfinite(other)), name
        if both.any():
            assert np.max(np.abs(series[both] - other[both])) <= 0.5, name
    for kind in ("heel_strike", "toe_off"):
        for side in ("left", "right"):
            assert len(a.events[kind][side]) == len(b.events[kind][side])
            np.testing.assert_allclose(a.events[kind][side], b.events[kind][side], atol=1e-6)


def test_prestarted_workers_get_the_chunks_and_give_the_same_result(walk_clip, monkeypatch):
    from gaitlab.pose import parallel

    video = probe_video(walk_clip)
    model = resolve_model()
    single = run_pose_model(video, model.path, workers=1)
    parallel.prestart_workers(model.path, EstimatorSettings(), 2)
    started = []
    real_start = parallel._start_worker
    monkeypatch.setattr(parallel, "_start_worker", lambda key: started.append(key) or real_start(key))
    chunked = run_pose_model(video, model.path, workers=2, min_chunk_s=2.0)
    assert started == []  # both chunks went to the workers started ahead
    np.testing.assert_array_equal(chunked.frame_index, single.frame_index)
    np.testing.assert_allclose(chunked.image_px, single.image_px)


def test_workers_started_ahead_and_never_used_stop_cleanly():
    from gaitlab.pose import parallel

    model = resolve_model()
    parallel.prestart_workers(model.path, EstimatorSettings(), 2)
    procs = [p for pool in parallel._PRESTARTED.values() for p in pool]
    assert len(procs) == 2
    parallel.stop_prestarted_workers()
    assert all(p.poll() is not None for p in procs) and parallel._PRESTARTED == {}
    # a worker whose input simply ends (its caller went away) exits by itself, without error
    proc = parallel._start_worker(parallel._model_key(model.path, EstimatorSettings()))
    proc.stdin.close()
    assert proc.wait(timeout=60) == 0
    proc.stdout.close()


def test_prestart_only_for_long_uncached_videos_with_an_installed_model(walk_clip, tmp_path, monkeypatch):
    from gaitlab.pose import parallel
    from gaitlab.pose.extract import prestart_pose_model

    asked = []
    monkeypatch.setattr(parallel, "prestart_workers", lambda *a: asked.append(a))
    assert not prestart_pose_model(walk_clip, use_cache=False)  # 5 s: one stream is enough
    monkeypatch.setattr("gaitlab.pose.extract.MIN_CHUNK_S", 2.0)
    assert prestart_pose_model(walk_clip, use_cache=False)
    assert asked and asked[-1][2] == 2
    extract_raw_poses(probe_video(walk_clip), resolve_model().path, resolve_model().sha256)  # now cached
    assert not prestart_pose_model(walk_clip, use_cache=True)
    # problems are left for the analysis to report
    assert not prestart_pose_model(tmp_path / "missing.mp4")
    assert not prestart_pose_model(walk_clip, model_file=tmp_path / "missing.task", use_cache=False)
    assert len(asked) == 1


def test_people_lists_the_walker_with_a_thumbnail(walk_clip, tmp_path):
    run = run_gaitlab("people", walk_clip, "--thumbs", tmp_path, "--quiet")
    assert run.code == 0, run.err
    assert "person 0" in run.out and "walks" in run.out
    assert (tmp_path / "person_0.png").stat().st_size > 500


def test_asking_for_a_person_who_is_not_there(walk_clip, tmp_path):
    out = tmp_path / "r.json"
    run = run_gaitlab("analyze", walk_clip, "--out", out, "--person", "3", "--quiet")
    assert run.code == 2
    assert_one_clear_sentence(run.err)
    assert "no person 3" in run.err
    assert not out.exists()


_LANDMARKS_OF_FIRST_FRAMES = r"""
import json, sys
import numpy as np
from gaitlab.pose.estimator import EstimatorSettings, MediaPipePoseEstimator, use_lean_mediapipe_import
from gaitlab.io.video import iter_frames
lean = sys.argv[3] == "lean"
used = use_lean_mediapipe_import() if lean else False
out = []
with MediaPipePoseEstimator(sys.argv[2], EstimatorSettings()) as est:
    for k, frame in zip(range(12), iter_frames(sys.argv[1])):
        found = est.detect(frame.image, frame.time_s)
        out.append(found[0].image_px.tolist() if found else None)
print(json.dumps({"used": used, "matplotlib": "matplotlib" in sys.modules, "px": out}))
"""


def test_pose_workers_lean_mediapipe_import_gives_the_same_landmarks(walk_clip):
    # the pose worker processes import only the landmarker's modules (about 0.4 s of
    # processor time less per process); the model must see and answer the same
    import subprocess
    import sys

    model = resolve_model()
    runs = {}
    for mode in ("lean", "usual"):
        proc = subprocess.run(
            [sys.executable, "-c", _LANDMARKS_OF_FIRST_FRAMES, str(walk_clip), str(model.path), mode],
            capture_output=True, text=True, timeout=300,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        runs[mode] = json.loads(proc.stdout.strip().splitlines()[-1])
    assert runs["lean"]["used"] and not runs["lean"]["matplotlib"]
    assert runs["usual"]["px"] == runs["lean"]["px"]
    assert sum(p is not None for p in runs["lean"]["px"]) >= 10
