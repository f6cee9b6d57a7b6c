"""Pose model provisioning: cache, download, offline build, verification.

Fast tests use a tiny TFLite model written here, package tarballs written here
and a download server on 127.0.0.1; the offline route's packages point at files
that do not exist, so a failed download never reaches the network.  Tests
marked ``model`` use the real offline route (pip downloads the mediapipe wheel,
npm the ``@mediapipe/pose`` package, once per session) and run MediaPipe's
PoseLandmarker on the bundles it builds.  Every test writes into its own
temporary model folder.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from gaitlab.errors import GaitlabError, ModelError
from gaitlab.pose import models
from gaitlab.pose._model_bundle import (
    BUNDLE_MEMBERS,
    DETECTOR_MEMBER,
    LANDMARKS_MEMBER,
    ZIP_ALIGNMENT_BYTES,
    check_task_bundle,
    member_data_offsets,
    write_task_bundle,
)
from gaitlab.pose._model_npm import (
    NPM_LANDMARK_MODELS,
    NPM_REGISTRY_ENV,
    NPM_SPEC,
    NPM_TARBALL_ENV,
    NPM_TARBALL_NAME,
    fetch_npm_tarball,
    npm_tarball_url,
    read_npm_landmarks,
)
from gaitlab.pose._model_offline import (
    WHEEL_ENV,
    WHEEL_MODELS,
    build_offline_bundle,
    fetch_wheel,
    read_wheel_models,
)
from gaitlab.pose._tflite_metadata import (
    BUFFER_ALIGNMENT_BYTES,
    ImageInputSpec,
    buffer_offsets,
    load_schema_module,
    read_image_metadata,
    with_image_metadata,
)
from gaitlab.pose.models import (
    MODEL_DIR_ENV,
    MODEL_FILE_ENV,
    MODEL_URL_ENV,
    ModelInfo,
    install_model,
    list_models,
    model_dir,
    resolve_model,
    verify_model_file,
)

# --------------------------------------------------------------------------- helpers


def tiny_tflite(*, n_inputs: int = 1, weights: int = 37) -> bytes:
    """A structurally valid TFLite model: inputs, one output, one odd-sized weight buffer."""
    s = load_schema_module("model")
    import flatbuffers

    tensors = []
    for i in range(n_inputs):
        t = s.TensorT()
        t.name, t.shape, t.type, t.buffer = f"input_{i + 1}", [1, 8, 8, 3], s.TensorType.FLOAT32, 0
        tensors.append(t)
    out = s.TensorT()
    out.name, out.shape, out.type, out.buffer = "Identity", [1, 4], s.TensorType.FLOAT32, 0
    const = s.TensorT()
    const.name, const.shape, const.type, const.buffer = "w", [weights], s.TensorType.UINT8, 2
    tensors += [out, const]
    graph = s.SubGraphT()
    graph.tensors = tensors
    graph.inputs = list(range(n_inputs))
    graph.outputs = [n_inputs]
    graph.operators = []
    empty, also_empty, data = s.BufferT(), s.BufferT(), s.BufferT()
    data.data = np.arange(weights, dtype=np.uint8)
    model = s.ModelT()
    model.version = 3
    model.description = "gaitlab test model"
    model.subgraphs = [graph]
    model.buffers = [empty, also_empty, data]
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


DETECTOR_SPEC = ImageInputSpec("test detector", "d", 127.5, 127.5)
LANDMARKS_SPEC = ImageInputSpec("test landmarks", "l", 0.0, 255.0)


def write_tiny_bundle(path: Path, weights: int = 37) -> Path:
    write_task_bundle(
        path,
        {
            DETECTOR_MEMBER: with_image_metadata(tiny_tflite(weights=weights), DETECTOR_SPEC),
            LANDMARKS_MEMBER: with_image_metadata(tiny_tflite(weights=weights), LANDMARKS_SPEC),
        },
    )
    return path


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class RecordingProgress:
    """Records the Progress protocol calls."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def start(self, stage, total):
        self.calls.append(("start", stage, total))

    def update(self, done):
        self.calls.append(("update", done))

    def finish(self):
        self.calls.append(("finish",))


def closed_port_url() -> str:
    """An http address on this machine where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/pose_landmarker_{{variant}}.task"


class ModelServer:
    """Serves bundles over http on 127.0.0.1; ``routes`` maps path -> (bytes, mode)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[bytes, str]] = {}
        self.hits: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                server.hits.append(self.path)
                body, mode = server.routes.get(self.path, (b"", "missing"))
                if mode == "missing":
                    self.send_error(404, "Not Found")
                    return
                if mode == "slow":
                    time.sleep(0.4)
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if mode == "truncate" else body)

            def log_message(self, *args):
                return None

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def template(self) -> str:
        return self.base + "/pose_landmarker_{variant}.task"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


NO_PACKAGES = "packages-not-here"
"""Folder (under each test's tmp_path, never created) of the packages the offline route is given."""


@pytest.fixture(autouse=True)
def isolated_model_env(tmp_path, monkeypatch):
    """Each test gets its own model folder; no explicit model, no real network.

    The offline route is handed packages that do not exist, so a test whose
    download fails gets the offline route's error at once instead of pip or npm
    fetching the real packages.
    """
    folder = tmp_path / "models"
    monkeypatch.setenv(MODEL_DIR_ENV, str(folder))
    monkeypatch.delenv(MODEL_FILE_ENV, raising=False)
    monkeypatch.setenv(WHEEL_ENV, str(tmp_path / NO_PACKAGES / "mediapipe-0.10.21-none.whl"))
    monkeypatch.setenv(NPM_TARBALL_ENV, str(tmp_path / NO_PACKAGES / NPM_TARBALL_NAME))
    monkeypatch.delenv(NPM_REGISTRY_ENV, raising=False)
    monkeypatch.setenv(MODEL_URL_ENV, closed_port_url())
    return folder


@pytest.fixture
def server():
    srv = ModelServer()
    yield srv
    srv.close()


@pytest.fixture
def served_bundle(server, tmp_path, monkeypatch):
    """A valid (tiny) lite bundle served at the download address."""
    bundle = write_tiny_bundle(tmp_path / "served.task")
    server.routes["/pose_landmarker_lite.task"] = (bundle.read_bytes(), "ok")
    monkeypatch.setenv(MODEL_URL_ENV, server.template)
    return bundle


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(".partial-*")) if folder.exists() else []


# --------------------------------------------------------------------------- folder, names


def test_model_dir_follows_env_and_defaults_to_user_data(monkeypatch, tmp_path):
    monkeypatch.setenv(MODEL_DIR_ENV, str(tmp_path / "elsewhere"))
    assert model_dir() == tmp_path / "elsewhere"
    monkeypatch.delenv(MODEL_DIR_ENV)
    import platformdirs

    expected = Path(platformdirs.user_data_dir("gaitlab", appauthor=False)) / "models"
    assert model_dir() == expected


def test_official_url_and_override(monkeypatch):
    monkeypatch.delenv(MODEL_URL_ENV)
    assert models.model_url("heavy") == (
        "https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
        "pose_landmarker_heavy/float16/latest/pose_landmarker_heavy.task"
    )
    monkeypatch.setenv(MODEL_URL_ENV, "http://mirror.example/{variant}.task")
    assert models.model_url("lite") == "http://mirror.example/lite.task"


@pytest.mark.parametrize("call", [resolve_model, install_model])
def test_unknown_variant_is_refused(call):
    with pytest.raises(ModelError, match="one of lite, full, heavy"):
        call("medium")


def test_offline_build_refuses_an_unknown_variant(tmp_path):
    with pytest.raises(ModelError, match="one of lite, full, heavy; got 'medium'"):
        build_offline_bundle(tmp_path / "m.task", variant="medium")
    assert not (tmp_path / "m.task").exists()


def test_model_error_is_a_gaitlab_error_with_exit_code_2():
    assert issubclass(ModelError, GaitlabError) and ModelError("x").exit_code == 2


# --------------------------------------------------------------------------- TFLite metadata


def test_metadata_round_trip_on_tiny_model():
    model = with_image_metadata(tiny_tflite(), DETECTOR_SPEC)
    assert model[4:8] == b"TFL3"
    meta = read_image_metadata(model)
    assert meta == {
        "name": "test detector",
        "min_parser_version": "1.0.0",
        "input_color_space": "RGB",
        "mean": [127.5],
        "std": [127.5],
        "output_names": ["Identity"],
    }


def test_metadata_keeps_graph_and_weights():
    s = load_schema_module("model")
    original = tiny_tflite()
    model = s.Model.GetRootAs(with_image_metadata(original, LANDMARKS_SPEC), 0)
    before = s.Model.GetRootAs(original, 0)
    graph = model.Subgraphs(0)
    assert [graph.Tensors(i).Name() for i in range(graph.TensorsLength())] == [
        b"input_1",
        b"Identity",
        b"w",
    ]
    assert model.Buffers(2).DataAsNumpy().tolist() == before.Buffers(2).DataAsNumpy().tolist()
    assert model.Description() == b"gaitlab test model"


def test_metadata_stats_follow_normalisation():
    s_meta = load_schema_module("metadata")
    s = load_schema_module("model")
    model = s.Model.GetRootAs(with_image_metadata(tiny_tflite(), LANDMARKS_SPEC), 0)
    entry = model.Metadata(model.MetadataLength() - 1)
    data = model.Buffers(entry.Buffer()).DataAsNumpy().tobytes()
    assert data[4:8] == b"M001"
    meta = s_meta.ModelMetadata.GetRootAs(data, 0)
    stats = meta.SubgraphMetadata(0).InputTensorMetadata(0).Stats()
    # pixels 0..255 with mean 0, std 255 -> inputs 0..1
    assert (stats.Min(0), stats.Max(0)) == (0.0, 1.0)
    assert (DETECTOR_SPEC.input_min, DETECTOR_SPEC.input_max) == (-1.0, 1.0)


def test_weight_buffers_are_aligned_after_repacking():
    for weights in (1, 5, 37, 100):
        model = with_image_metadata(tiny_tflite(weights=weights), DETECTOR_SPEC)
        offsets = buffer_offsets(model)
        assert offsets and all(o % BUFFER_ALIGNMENT_BYTES == 0 for o in offsets)


def test_rewriting_metadata_replaces_it_in_place():
    once = with_image_metadata(tiny_tflite(), DETECTOR_SPEC)
    twice = with_image_metadata(once, LANDMARKS_SPEC)
    s = load_schema_module("model")
    model = s.Model.GetRootAs(twice, 0)
    names = [model.Metadata(i).Name() for i in range(model.MetadataLength())]
    assert names.count(b"TFLITE_METADATA") == 1
    assert s.Model.GetRootAs(once, 0).BuffersLength() == model.BuffersLength()
    assert read_image_metadata(twice)["std"] == [255.0]


def test_metadata_refuses_non_tflite_and_multi_input_models():
    with pytest.raises(ModelError, match="not a TFLite model"):
        with_image_metadata(b"PK\x03\x04 not a model at all", DETECTOR_SPEC)
    with pytest.raises(ModelError, match="exactly one image input"):
        with_image_metadata(tiny_tflite(n_inputs=2), DETECTOR_SPEC)


def test_model_without_metadata_is_reported():
    with pytest.raises(ModelError, match="no TFLite metadata"):
        read_image_metadata(tiny_tflite())


# --------------------------------------------------------------------------- bundle files


def test_bundle_is_stored_aligned_and_reproducible(tmp_path):
    a = write_tiny_bundle(tmp_path / "a.task")
    b = write_tiny_bundle(tmp_path / "b.task")
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as archive:
        assert archive.namelist() == list(BUNDLE_MEMBERS)
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_STORED}
    offsets = member_data_offsets(a)
    assert set(offsets) == set(BUNDLE_MEMBERS)
    assert all(o % ZIP_ALIGNMENT_BYTES == 0 for o in offsets.values())
    raw = a.read_bytes()
    assert raw[offsets[DETECTOR_MEMBER] + 4 : offsets[DETECTOR_MEMBER] + 8] == b"TFL3"
    check_task_bundle(a)
    verify_model_file(a)


def test_truncated_bundle_is_refused(tmp_path):
    bundle = write_tiny_bundle(tmp_path / "m.task")
    data = bundle.read_bytes()
    for keep in (0, 10, len(data) // 2, len(data) - 1):
        bundle.write_bytes(data[:keep])
        with pytest.raises(ModelError, match="truncated"):
            verify_model_file(bundle)


def test_flipped_byte_inside_a_member_is_refused(tmp_path):
    bundle = write_tiny_bundle(tmp_path / "m.task")
    offset = member_data_offsets(bundle)[LANDMARKS_MEMBER] + 200
    data = bytearray(bundle.read_bytes())
    data[offset] ^= 0xFF
    bundle.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="damaged.*pose_landmarks_detector.tflite"):
        verify_model_file(bundle)


def test_bundle_missing_a_model_or_holding_a_non_model_is_refused(tmp_path):
    one = tmp_path / "one.task"
    write_task_bundle(one, {DETECTOR_MEMBER: tiny_tflite()})
    with pytest.raises(ModelError, match="lacks pose_landmarks_detector.tflite"):
        verify_model_file(one)
    fake = tmp_path / "fake.task"
    write_task_bundle(fake, {DETECTOR_MEMBER: tiny_tflite(), LANDMARKS_MEMBER: b"hello world!"})
    with pytest.raises(ModelError, match="pose_landmarks_detector.tflite is not a TFLite model"):
        verify_model_file(fake)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        verify_model_file(tmp_path / "nothing.task")


def test_checksum_is_compared_with_the_manifest(tmp_path, isolated_model_env):
    folder = isolated_model_env
    folder.mkdir()
    bundle = write_tiny_bundle(folder / "pose_landmarker_full.task")
    models._record(bundle, variant="full", sha256=sha256_of(bundle), size=bundle.stat().st_size,
                   source="download", origin="test")
    verify_model_file(bundle)
    original = bundle.read_bytes()
    bundle.write_bytes(original + bytes(10))  # still opens as a zip, but is not what was installed
    with pytest.raises(ModelError, match="truncated or altered: it has"):
        verify_model_file(bundle)
    write_tiny_bundle(bundle, weights=38)  # another intact bundle, of the same size
    assert bundle.stat().st_size == len(original) and bundle.read_bytes() != original
    with pytest.raises(ModelError, match="damaged: its checksum differs"):
        verify_model_file(bundle)


# --------------------------------------------------------------------------- download path


def test_download_is_atomic_verified_recorded_and_reported(served_bundle, server, isolated_model_env):
    progress = RecordingProgress()
    info = install_model("lite", progress=progress)
    folder = isolated_model_env
    size = served_bundle.stat().st_size
    assert info == ModelInfo("lite", folder / "pose_landmarker_lite.task", sha256_of(served_bundle),
                             size, "download")
    assert info.path.read_bytes() == served_bundle.read_bytes()
    record = json.loads((folder / "manifest.json").read_text())
    assert record["format"] == 1
    entry = record["models"]["pose_landmarker_lite.task"]
    assert entry["sha256"] == info.sha256 and entry["size_bytes"] == size
    assert entry["source"] == "download" and entry["origin"] == server.base + "/pose_landmarker_lite.task"
    assert entry["created_utc"].endswith("Z")
    assert progress.calls[0] == ("start", "download", size)
    assert progress.calls[-2:] == [("update", size), ("finish",)]
    assert leftovers(folder) == []
    assert server.hits == ["/pose_landmarker_lite.task"]

    again = install_model("lite")
    assert again.source == "cache" and again.sha256 == info.sha256
    assert server.hits == ["/pose_landmarker_lite.task"]  # no second download


def test_resolve_uses_the_cache_before_the_network(served_bundle, server):
    first = resolve_model("lite")
    second = resolve_model("lite")
    assert (first.source, second.source) == ("download", "cache")
    assert len(server.hits) == 1


def test_broken_off_download_leaves_nothing(server, tmp_path, monkeypatch, isolated_model_env):
    bundle = write_tiny_bundle(tmp_path / "served.task")
    server.routes["/pose_landmarker_heavy.task"] = (bundle.read_bytes(), "truncate")
    monkeypatch.setenv(MODEL_URL_ENV, server.template)
    with pytest.raises(ModelError, match="heavy pose model could be neither downloaded.*broke off"):
        install_model("heavy")
    assert not (isolated_model_env / "pose_landmarker_heavy.task").exists()
    assert leftovers(isolated_model_env) == []


def test_download_of_something_else_is_refused(server, monkeypatch, isolated_model_env):
    server.routes["/pose_landmarker_lite.task"] = (b"<html>proxy login page</html>", "ok")
    monkeypatch.setenv(MODEL_URL_ENV, server.template)
    with pytest.raises(ModelError, match="not a complete pose landmarker bundle"):
        install_model("lite")
    assert not (isolated_model_env / "pose_landmarker_lite.task").exists()
    assert leftovers(isolated_model_env) == []


def test_http_error_is_named(server, monkeypatch):
    monkeypatch.setenv(MODEL_URL_ENV, server.template)
    with pytest.raises(ModelError, match="answered 404"):
        install_model("lite")


def test_unreachable_address_and_no_packages_give_one_clear_sentence(caplog):
    for variant, missing in (("lite", NPM_TARBALL_NAME), ("heavy", NPM_TARBALL_NAME),
                             ("full", "mediapipe-0.10.21-none.whl")):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="gaitlab.pose.models"):
            with pytest.raises(ModelError) as caught:
                resolve_model(variant)
        text = str(caught.value)
        assert text.startswith(f"The {variant} pose model could be neither downloaded (127.0.0.1:")
        assert "cannot be reached" in text and "nor built offline: " in text
        assert missing in text and text.endswith(".") and "\n" not in text
        packages = "the mediapipe wheel" + ("" if variant == "full" else " and the @mediapipe/pose")
        assert f"Building the {variant} model offline, from {packages}" in caplog.text


def test_stalled_server_times_out(monkeypatch):
    monkeypatch.setattr(models, "DOWNLOAD_TIMEOUT_S", 0.5)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # accepts the connection, never answers
        port = listener.getsockname()[1]
        monkeypatch.setenv(MODEL_URL_ENV, f"http://127.0.0.1:{port}/{{variant}}.task")
        start = time.monotonic()
        with pytest.raises(ModelError, match="stopped answering for 0.5 s|timed out"):
            install_model("lite")
        assert time.monotonic() - start < 10


def test_non_http_address_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv(MODEL_URL_ENV, f"file://{tmp_path}/x.task")
    with pytest.raises(ModelError, match="is not an http\\(s\\) address"):
        install_model("lite")


def test_no_network_means_no_download(served_bundle, server):
    with pytest.raises(ModelError, match="not installed; run `gaitlab models install --variant lite`"):
        resolve_model("lite", allow_network=False)
    assert server.hits == []


def test_corrupt_cache_is_reported_and_provisioned_again(served_bundle, server, caplog):
    info = install_model("lite")
    data = info.path.read_bytes()
    info.path.write_bytes(data[: len(data) // 3])  # truncated, e.g. by a full disk
    with pytest.raises(ModelError, match="truncated or altered.*--force"):
        resolve_model("lite", allow_network=False)  # never used silently
    assert [row["problem"] for row in list_models() if row["variant"] == "lite"][0]
    with caplog.at_level(logging.WARNING, logger="gaitlab.pose.models"):
        again = resolve_model("lite")
    assert "pose_landmarker_lite.task is truncated or altered" in caplog.text
    assert again.source == "download" and again.path.read_bytes() == data
    assert len(server.hits) == 2


def test_force_provisions_again(served_bundle, server):
    install_model("lite")
    info = install_model("lite", force=True)
    assert info.source == "download" and len(server.hits) == 2


def test_concurrent_installs_download_once(server, served_bundle):
    server.routes["/pose_landmarker_lite.task"] = (served_bundle.read_bytes(), "slow")
    results: list = []
    threads = [threading.Thread(target=lambda: results.append(install_model("lite"))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.source for r in results) == ["cache", "cache", "download"]
    assert len({r.sha256 for r in results}) == 1 and len(server.hits) == 1


def test_unreadable_manifest_is_rewritten(served_bundle, isolated_model_env, caplog):
    info = install_model("lite")
    (isolated_model_env / "manifest.json").write_text("{ not json")
    with caplog.at_level(logging.WARNING, logger="gaitlab.pose.models"):
        assert resolve_model("lite").sha256 == info.sha256  # the bundle itself is still checked
    assert "manifest" in caplog.text
    install_model("lite", force=True)
    record = json.loads((isolated_model_env / "manifest.json").read_text())
    assert record["models"]["pose_landmarker_lite.task"]["sha256"] == info.sha256


def test_read_only_folder_gives_a_model_error(monkeypatch, tmp_path, served_bundle):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(MODEL_DIR_ENV, str(blocker / "models"))
    with pytest.raises(ModelError, match="cannot be written"):
        install_model("lite")


# --------------------------------------------------------------------------- explicit file, list


def test_explicit_file_by_argument_and_by_env(tmp_path, monkeypatch, served_bundle, server):
    mine = write_tiny_bundle(tmp_path / "my model.task")
    info = resolve_model("lite", model_file=mine)
    assert info == ModelInfo("custom", mine, sha256_of(mine), mine.stat().st_size, "file")
    monkeypatch.setenv(MODEL_FILE_ENV, str(mine))
    assert resolve_model().path == mine
    assert server.hits == []


def test_corrupt_explicit_file_is_refused_and_kept(tmp_path, served_bundle, server):
    mine = write_tiny_bundle(tmp_path / "mine.task")
    mine.write_bytes(mine.read_bytes()[:100])
    with pytest.raises(ModelError, match="mine.task is not a complete pose landmarker bundle"):
        resolve_model("lite", model_file=mine)
    assert mine.exists() and server.hits == []


def test_list_models_reports_each_variant(served_bundle, isolated_model_env):
    rows = list_models()
    assert [r["variant"] for r in rows] == ["lite", "full", "heavy"]
    assert not any(r["installed"] for r in rows)
    info = install_model("lite")
    (isolated_model_env / "pose_landmarker_heavy.task").write_bytes(b"garbage")
    rows = {r["variant"]: r for r in list_models()}
    assert rows["lite"]["installed"] and rows["lite"]["sha256"] == info.sha256
    assert rows["lite"]["size_bytes"] == info.size_bytes and rows["lite"]["source"] == "download"
    assert rows["lite"]["path"] == str(info.path)
    assert not rows["heavy"]["installed"] and "not a complete" in rows["heavy"]["problem"]
    assert not rows["full"]["installed"] and rows["full"]["problem"] is None


# --------------------------------------------------------------------------- wheel contents


def test_wheel_with_other_models_is_refused(tmp_path):
    wheel = tmp_path / "mediapipe-0.10.21-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for inner, _sha, _spec in WHEEL_MODELS.values():
            archive.writestr(inner, tiny_tflite())
    with pytest.raises(ModelError, match="holds a different pose_detection.tflite"):
        read_wheel_models(wheel)
    empty = tmp_path / "mediapipe-0.10.21-cp99-none-any.whl"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("mediapipe/__init__.py", "")
    with pytest.raises(ModelError, match="does not contain mediapipe/modules/pose_detection"):
        read_wheel_models(empty)
    (tmp_path / "broken.whl").write_bytes(b"nope")
    with pytest.raises(ModelError, match="damaged or not a wheel"):
        read_wheel_models(tmp_path / "broken.whl")


# --------------------------------------------------------------------------- npm package contents

HEAVY_MEMBER = NPM_LANDMARK_MODELS["heavy"][0]
LITE_MEMBER = NPM_LANDMARK_MODELS["lite"][0]
TARBALL_PATH = "/@mediapipe/pose/-/pose-0.5.1675469404.tgz"


def write_tarball(path: Path, members: dict[str, bytes], *, link: str | None = None) -> Path:
    """A gzip-compressed tar like an npm package; ``link`` adds a symlink of that name."""
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        if link is not None:
            info = tarfile.TarInfo(link)
            info.type = tarfile.SYMTYPE
            info.linkname = "/etc/passwd"
            archive.addfile(info)
    return path


def fake_package(path: Path) -> Path:
    """A package tarball whose lite and heavy networks are not MediaPipe's."""
    return write_tarball(path, {"package/package.json": b'{"name": "@mediapipe/pose"}',
                                LITE_MEMBER: tiny_tflite(), HEAVY_MEMBER: tiny_tflite(weights=90)})


def test_npm_tarball_with_other_networks_is_refused(tmp_path):
    tarball = fake_package(tmp_path / "pose.tgz")
    for variant, member in (("heavy", "pose_landmark_heavy.tflite"), ("lite", "pose_landmark_lite.tflite")):
        with pytest.raises(ModelError, match=f"pose.tgz holds a different {member} than "
                                             f"@mediapipe/pose@0.5.1675469404 \\(its checksum differs\\)"):
            read_npm_landmarks(tarball, variant)


def test_npm_tarball_without_the_network_is_refused(tmp_path):
    tarball = write_tarball(tmp_path / "other.tgz", {"package/package.json": b"{}",
                                                     LITE_MEMBER: tiny_tflite()})
    with pytest.raises(ModelError, match="other.tgz does not contain package/pose_landmark_heavy.tflite; "
                                         "gaitlab needs @mediapipe/pose@0.5.1675469404"):
        read_npm_landmarks(tarball, "heavy")
    linked = write_tarball(tmp_path / "linked.tgz", {}, link=HEAVY_MEMBER)
    with pytest.raises(ModelError, match="holds package/pose_landmark_heavy.tflite as a link"):
        read_npm_landmarks(linked, "heavy")


def test_file_that_is_not_a_tarball_is_refused(tmp_path):
    for name, data in (("page.tgz", b"<html>proxy login page</html>"), ("empty.tgz", b""),
                       ("zip.tgz", b"PK\x05\x06" + bytes(18))):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ModelError, match=f"{name} is damaged, incomplete or not a tarball"):
            read_npm_landmarks(tmp_path / name, "lite")
    with pytest.raises(ModelError, match="tarball .*nothing.tgz does not exist"):
        read_npm_landmarks(tmp_path / "nothing.tgz", "lite")


def test_truncated_tarball_is_refused(tmp_path):
    rng = np.random.default_rng(4)
    filler = rng.integers(0, 256, 300_000, dtype=np.uint8).tobytes()  # does not compress
    tarball = write_tarball(tmp_path / "cut.tgz", {"package/pose.js": filler,
                                                   HEAVY_MEMBER: filler[:100_000]})
    data = tarball.read_bytes()
    for keep in (10, len(data) // 3, len(data) - 50_000, len(data) - 5_000):  # cut before or inside
        tarball.write_bytes(data[:keep])
        with pytest.raises(ModelError, match="cut.tgz (is damaged, incomplete or not a tarball|ends inside)"):
            read_npm_landmarks(tarball, "heavy")


def test_npm_tarball_address_in_the_registry_and_a_mirror(monkeypatch):
    assert npm_tarball_url() == "https://registry.npmjs.org/@mediapipe/pose/-/pose-0.5.1675469404.tgz"
    monkeypatch.setenv(NPM_REGISTRY_ENV, "https://npm.hospital.example/repository/npm/")
    assert npm_tarball_url() == (
        "https://npm.hospital.example/repository/npm/@mediapipe/pose/-/pose-0.5.1675469404.tgz"
    )


@pytest.fixture
def no_npm(tmp_path, monkeypatch):
    """A PATH without npm."""
    empty = tmp_path / "bin-without-npm"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return empty


FAILING_NPM = """#!/bin/sh
PATH=/usr/bin:/bin
echo "$@" > "$(dirname "$0")/npm-args"
echo "npm warn Unknown user config" >&2
echo "npm error code E404" >&2
echo "npm error 404  The requested resource '@mediapipe/pose@0.5.1675469404' could not be found." >&2
echo "npm error A complete log of this run can be found in: /tmp/npm.log" >&2
exit 1
"""


@pytest.fixture
def failing_npm(tmp_path, monkeypatch):
    """A PATH whose npm fails like npm does when the registry lacks the package."""
    folder = tmp_path / "bin-with-failing-npm"
    folder.mkdir()
    npm = folder / "npm"
    npm.write_text(FAILING_NPM)
    npm.chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    return folder


def test_registry_download_when_npm_is_missing(no_npm, server, monkeypatch, tmp_path):
    package = fake_package(tmp_path / "served.tgz")
    server.routes[TARBALL_PATH] = (package.read_bytes(), "ok")
    monkeypatch.setenv(NPM_REGISTRY_ENV, server.base + "/")
    dest = tmp_path / "dest"
    dest.mkdir()
    progress = RecordingProgress()
    tarball, origin = fetch_npm_tarball(dest, progress=progress)
    assert (tarball, origin) == (dest / NPM_TARBALL_NAME, server.base.removeprefix("http://"))
    assert tarball.read_bytes() == package.read_bytes() and server.hits == [TARBALL_PATH]
    size = len(package.read_bytes())
    assert progress.calls[0] == ("start", "download", size) and progress.calls[-1] == ("finish",)


@pytest.mark.parametrize(("mode", "says"), [("missing", "answered 404 Not Found"),
                                            ("truncate", "broke off before the end")])
def test_registry_download_failures_are_named(no_npm, server, monkeypatch, tmp_path, mode, says):
    server.routes[TARBALL_PATH] = (fake_package(tmp_path / "served.tgz").read_bytes(), mode)
    monkeypatch.setenv(NPM_REGISTRY_ENV, server.base)
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(ModelError) as caught:
        fetch_npm_tarball(dest)
    text = str(caught.value)
    assert text.startswith("The npm package @mediapipe/pose@0.5.1675469404 could not be downloaded "
                           "(npm is not installed): ")
    assert says in text and server.base.removeprefix("http://") in text and "\n" not in text
    assert list(dest.iterdir()) == []


def test_unreachable_registry_is_named(no_npm, monkeypatch, tmp_path):
    monkeypatch.setenv(NPM_REGISTRY_ENV, closed_port_url().rsplit("/", 1)[0])
    with pytest.raises(ModelError, match="could not be downloaded.*cannot be reached"):
        fetch_npm_tarball(tmp_path)
    monkeypatch.setenv(NPM_REGISTRY_ENV, "ftp://mirror.example/npm")
    with pytest.raises(ModelError, match="npm registry address ftp://.* is not an http\\(s\\) address"):
        fetch_npm_tarball(tmp_path)


def test_failing_npm_falls_back_to_the_registry(failing_npm, server, monkeypatch, tmp_path):
    package = fake_package(tmp_path / "served.tgz")
    server.routes[TARBALL_PATH] = (package.read_bytes(), "ok")
    monkeypatch.setenv(NPM_REGISTRY_ENV, server.base + "/")
    dest = tmp_path / "dest"
    dest.mkdir()
    tarball, origin = fetch_npm_tarball(dest)
    assert tarball.read_bytes() == package.read_bytes() and origin.startswith("127.0.0.1:")
    # npm was asked first, for the pinned version, from the same mirror, without running scripts
    args = (failing_npm / "npm-args").read_text().split()
    assert args[:2] == ["pack", NPM_SPEC] and "--ignore-scripts" in args
    assert args[args.index("--registry") + 1] == server.base + "/"
    server.routes[TARBALL_PATH] = (b"", "missing")
    tarball.unlink()
    with pytest.raises(ModelError) as caught:
        fetch_npm_tarball(dest)
    assert str(caught.value) == (
        "The npm package @mediapipe/pose@0.5.1675469404 could not be fetched: npm pack failed "
        "(404 The requested resource '@mediapipe/pose@0.5.1675469404' could not be found), and "
        f"its download failed: {server.base.removeprefix('http://')} answered 404 Not Found."
    )
    assert list(dest.iterdir()) == []


TRIPWIRE_NPM = """#!/bin/sh
PATH=/usr/bin:/bin
touch "$(dirname "$0")/npm-was-run"
exit 1
"""


def test_tarball_on_disk_skips_npm_and_the_network(tmp_path, monkeypatch, server, isolated_model_env):
    folder = tmp_path / "bin-with-tripwire-npm"
    folder.mkdir()
    (folder / "npm").write_text(TRIPWIRE_NPM)
    (folder / "npm").chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.setenv(NPM_REGISTRY_ENV, server.base)
    server.routes[TARBALL_PATH] = (b"", "missing")
    monkeypatch.setenv(NPM_TARBALL_ENV, str(fake_package(tmp_path / "handed-over.tgz")))
    with pytest.raises(ModelError) as caught:
        install_model("heavy")
    assert "nor built offline: The npm package tarball handed-over.tgz holds a different " \
           "pose_landmark_heavy.tflite" in str(caught.value)
    assert not (folder / "npm-was-run").exists() and server.hits == []
    assert not (isolated_model_env / "pose_landmarker_heavy.task").exists()
    assert leftovers(isolated_model_env) == []


# --------------------------------------------------------------------------- the real offline route


@pytest.fixture(scope="session")
def mediapipe_wheel(tmp_path_factory) -> Path:
    """The real mediapipe 0.10.21 wheel, fetched once with pip."""
    return fetch_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="session")
def offline_install(tmp_path_factory):
    """``install_model('full')`` with the download unreachable: the offline route, via pip."""
    folder = tmp_path_factory.mktemp("offline-models")
    progress = RecordingProgress()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(MODEL_DIR_ENV, str(folder))
        mp.setenv(MODEL_URL_ENV, closed_port_url())
        mp.delenv(WHEEL_ENV, raising=False)
        mp.delenv(MODEL_FILE_ENV, raising=False)
        info = install_model("full", progress=progress)
    return info, progress, folder


@pytest.mark.model
def test_unreachable_download_falls_back_to_the_offline_route(offline_install):
    info, progress, folder = offline_install
    assert info.source == "offline-wheel" and info.variant == "full"
    assert info.path == folder / "pose_landmarker_full.task"
    assert info.sha256 == sha256_of(info.path) and info.size_bytes == info.path.stat().st_size
    entry = json.loads((folder / "manifest.json").read_text())["models"][info.path.name]
    assert entry["source"] == "offline-wheel" and entry["sha256"] == info.sha256
    assert entry["origin"] == "mediapipe==0.10.21 (pip)"
    assert ("start", "build model", 3) in progress.calls and ("update", 3) in progress.calls
    assert leftovers(folder) == []


@pytest.mark.model
def test_offline_bundle_carries_the_normalisation_and_alignment(offline_install):
    info, _, _ = offline_install
    verify_model_file(info.path)
    assert all(o % ZIP_ALIGNMENT_BYTES == 0 for o in member_data_offsets(info.path).values())
    with zipfile.ZipFile(info.path) as archive:
        detector = archive.read(DETECTOR_MEMBER)
        landmarks = archive.read(LANDMARKS_MEMBER)
    d, lm = read_image_metadata(detector), read_image_metadata(landmarks)
    assert (d["mean"], d["std"], d["input_color_space"]) == ([127.5], [127.5], "RGB")
    assert (lm["mean"], lm["std"], lm["input_color_space"]) == ([0.0], [255.0], "RGB")
    assert d["output_names"] == ["Identity", "Identity_1"]
    assert lm["output_names"] == [f"Identity{s}" for s in ("", "_1", "_2", "_3", "_4")]
    assert d["min_parser_version"] == lm["min_parser_version"] == "1.0.0"
    for model in (detector, landmarks):
        assert all(o % BUFFER_ALIGNMENT_BYTES == 0 for o in buffer_offsets(model))


@pytest.mark.model
def test_offline_build_is_reproducible_from_a_wheel_on_disk(offline_install, mediapipe_wheel,
                                                           tmp_path, monkeypatch):
    info, _, _ = offline_install
    rebuilt = tmp_path / "rebuilt.task"
    assert build_offline_bundle(rebuilt, wheel=mediapipe_wheel) == f"mediapipe==0.10.21 ({mediapipe_wheel.name})"
    assert sha256_of(rebuilt) == info.sha256
    # GAITLAB_MEDIAPIPE_WHEEL lets a hospital hand gaitlab the wheel directly.
    monkeypatch.setenv(WHEEL_ENV, str(mediapipe_wheel))
    built = install_model("full")
    assert built.source == "offline-wheel" and built.sha256 == info.sha256


@pytest.mark.model
def test_cached_model_is_verified_quickly(offline_install, monkeypatch):
    info, _, folder = offline_install
    monkeypatch.setenv(MODEL_DIR_ENV, str(folder))
    start = time.perf_counter()
    again = install_model("full")
    elapsed = time.perf_counter() - start
    assert again == ModelInfo("full", info.path, info.sha256, info.size_bytes, "cache")
    assert elapsed < 0.5, f"verifying the cached model took {elapsed:.3f} s"


# The child draws people (flat-coloured figures facing the camera) and runs the
# bundle in MediaPipe's PoseLandmarker; it prints the landmarks as JSON.  It runs
# in its own process so the runtime's native log lines can be read.
_LANDMARKER_CHILD = textwrap.dedent(
    """
    import json, sys
    import cv2, numpy as np, mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    def draw(img, cx):
        skin, shirt, pants = (224, 172, 140), (40, 70, 160), (50, 50, 60)
        cv2.ellipse(img, (cx, 80), (26, 34), 0, 0, 360, skin, -1)
        cv2.circle(img, (cx - 9, 74), 4, (40, 30, 30), -1)
        cv2.circle(img, (cx + 9, 74), 4, (40, 30, 30), -1)
        cv2.ellipse(img, (cx, 98), (10, 4), 0, 0, 180, (150, 60, 60), -1)
        cv2.rectangle(img, (cx - 8, 110), (cx + 8, 125), skin, -1)
        body = np.array([[cx - 55, 125], [cx + 55, 125], [cx + 45, 260], [cx - 45, 260]])
        cv2.fillPoly(img, [body], shirt)
        for s in (-1, 1):
            cv2.line(img, (cx + s * 50, 135), (cx + s * 70, 200), shirt, 22)
            cv2.line(img, (cx + s * 70, 200), (cx + s * 78, 265), skin, 18)
            cv2.circle(img, (cx + s * 78, 272), 12, skin, -1)
            cv2.line(img, (cx + s * 25, 260), (cx + s * 30, 350), pants, 34)
            cv2.line(img, (cx + s * 30, 350), (cx + s * 32, 440), pants, 28)
            cv2.ellipse(img, (cx + s * 40, 450), (22, 10), 0, 0, 360, (30, 30, 30), -1)
        cv2.rectangle(img, (cx - 48, 250), (cx + 48, 280), pants, -1)

    centres = json.loads(sys.argv[2])
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=sys.argv[1]),
        running_mode=vision.RunningMode.VIDEO,
        num_poses=2,
    )
    frames = []
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        for i, row in enumerate(centres):
            img = np.full((480, 640, 3), (200, 210, 220), np.uint8)
            for cx in row:
                draw(img, cx)
            result = landmarker.detect_for_video(
                mp.Image(image_format=mp.ImageFormat.SRGB, data=img), 40 * i
            )
            frames.append([[[p.x * 640, p.y * 480] for p in pose] for pose in result.pose_landmarks])
    print(json.dumps(frames))
    """
)

NOSE, L_KNEE, R_KNEE, L_ANKLE, R_ANKLE = 0, 25, 26, 27, 28


def run_landmarker(bundle: Path, centres: list[list[int]]) -> tuple[list, str]:
    env = dict(os.environ, GLOG_minloglevel="0")
    done = subprocess.run(
        [sys.executable, "-c", _LANDMARKER_CHILD, str(bundle), json.dumps(centres)],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def assert_on_drawn_joints(pose, cx):
    """Landmarks within 20 px of where the figure centred at ``cx`` was drawn."""
    p = np.asarray(pose)
    # The figure faces the camera, so its left side is on the image's right.
    expected = {NOSE: (cx, 82), L_KNEE: (cx + 30, 350), R_KNEE: (cx - 30, 350),
                L_ANKLE: (cx + 32, 440), R_ANKLE: (cx - 32, 440)}
    for index, (x, y) in expected.items():
        assert np.hypot(p[index, 0] - x, p[index, 1] - y) < 20, (index, p[index], (x, y))


@pytest.mark.model
def test_built_bundle_tracks_people_in_pose_landmarker(offline_install):
    info, _, _ = offline_install
    one = [[320 + 4 * i] for i in range(4)]
    two = [[160 + 2 * i, 480 - 2 * i] for i in range(4)]
    frames, log_text = run_landmarker(info.path, one + two)
    assert "unaligned" not in log_text.lower()
    for i, frame in enumerate(frames[:4]):
        assert len(frame) == 1
        assert_on_drawn_joints(frame[0], one[i][0])
    for i, frame in enumerate(frames[4:]):
        assert len(frame) == 2
        by_x = sorted(frame, key=lambda pose: pose[NOSE][0])
        for pose, cx in zip(by_x, two[i]):
            assert_on_drawn_joints(pose, cx)


# --------------------------------------------------------------------------- the real npm route

SAMPLE_SIDE_CLIP = Path(__file__).resolve().parents[2] / "sample_videos" / "preop_sagittal.mp4"
SIDE_FRAMES = (100, 115, 130)


@pytest.fixture(scope="session")
def npm_tarball(tmp_path_factory) -> Path:
    """The real ``@mediapipe/pose`` package, fetched once (npm pack, else the registry)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(NPM_REGISTRY_ENV, raising=False)
        tarball, origin = fetch_npm_tarball(tmp_path_factory.mktemp("npm"))
    assert origin == ("npm" if shutil.which("npm") else "registry.npmjs.org")
    return tarball


@pytest.fixture(scope="session")
def heavy_install(tmp_path_factory, mediapipe_wheel, npm_tarball):
    """``install_model('heavy')`` with the download unreachable: npm pack and the wheel.

    The wheel is the session's; the npm package is fetched again by the
    offline route itself (npm's cache makes that quick).
    """
    folder = tmp_path_factory.mktemp("heavy-models")
    scratch = tmp_path_factory.mktemp("heavy-scratch")
    progress = RecordingProgress()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(MODEL_DIR_ENV, str(folder))
        mp.setenv(MODEL_URL_ENV, closed_port_url())
        mp.setenv(WHEEL_ENV, str(mediapipe_wheel))
        mp.delenv(NPM_TARBALL_ENV, raising=False)
        mp.delenv(NPM_REGISTRY_ENV, raising=False)
        mp.delenv(MODEL_FILE_ENV, raising=False)
        mp.setattr(tempfile, "tempdir", str(scratch))
        info = install_model("heavy", progress=progress)
        left = sorted(p.name for p in scratch.iterdir())
    return info, progress, folder, left


@pytest.mark.model
def test_heavy_model_is_built_offline_from_the_npm_package(heavy_install, mediapipe_wheel):
    info, progress, folder, left = heavy_install
    assert info.source == "offline-npm" and info.variant == "heavy"
    assert info.path == folder / "pose_landmarker_heavy.task"
    assert info.sha256 == sha256_of(info.path) and info.size_bytes == info.path.stat().st_size
    entry = json.loads((folder / "manifest.json").read_text())["models"][info.path.name]
    assert entry["source"] == "offline-npm" and entry["sha256"] == info.sha256
    expected_npm = "npm" if shutil.which("npm") else "registry.npmjs.org"
    assert entry["origin"] == (
        f"@mediapipe/pose@0.5.1675469404 ({expected_npm}) and mediapipe==0.10.21 ({mediapipe_wheel.name})"
    )
    assert ("start", "build model", 3) in progress.calls and progress.calls[-1] == ("finish",)
    assert leftovers(folder) == [] and left == []  # the package tarball is not kept


@pytest.mark.model
def test_npm_bundles_carry_the_networks_with_their_normalisation(heavy_install, npm_tarball,
                                                                 mediapipe_wheel, tmp_path):
    info, _, _, _ = heavy_install
    lite = tmp_path / "lite.task"
    origin = build_offline_bundle(lite, variant="lite", wheel=mediapipe_wheel, tarball=npm_tarball)
    assert origin == f"{NPM_SPEC} ({npm_tarball.name}) and mediapipe==0.10.21 ({mediapipe_wheel.name})"
    for bundle, variant in ((info.path, "heavy"), (lite, "lite")):
        verify_model_file(bundle)
        assert all(o % ZIP_ALIGNMENT_BYTES == 0 for o in member_data_offsets(bundle).values())
        with zipfile.ZipFile(bundle) as archive:
            detector = archive.read(DETECTOR_MEMBER)
            landmarks = archive.read(LANDMARKS_MEMBER)
        d, lm = read_image_metadata(detector), read_image_metadata(landmarks)
        assert (d["mean"], d["std"], d["input_color_space"]) == ([127.5], [127.5], "RGB")
        assert (lm["mean"], lm["std"], lm["input_color_space"]) == ([0.0], [255.0], "RGB")
        assert lm["name"] == f"Pose landmarks detector ({variant})"
        assert lm["output_names"] == [f"Identity{s}" for s in ("", "_1", "_2", "_3", "_4")]
        for model in (detector, landmarks):
            assert all(o % BUFFER_ALIGNMENT_BYTES == 0 for o in buffer_offsets(model))
    # the same detector as the wheel route, and a landmark network of the npm package's size
    with zipfile.ZipFile(info.path) as heavy, zipfile.ZipFile(lite) as small:
        assert heavy.read(DETECTOR_MEMBER) == small.read(DETECTOR_MEMBER)
        assert heavy.getinfo(LANDMARKS_MEMBER).file_size > 27_000_000
        assert small.getinfo(LANDMARKS_MEMBER).file_size < 3_000_000


@pytest.mark.model
def test_heavy_build_is_reproducible_from_packages_on_disk(heavy_install, npm_tarball,
                                                           mediapipe_wheel, tmp_path, monkeypatch,
                                                           server):
    info, _, _, _ = heavy_install
    rebuilt = tmp_path / "rebuilt.task"
    build_offline_bundle(rebuilt, variant="heavy", wheel=mediapipe_wheel, tarball=npm_tarball)
    assert sha256_of(rebuilt) == info.sha256
    # GAITLAB_MEDIAPIPE_NPM hands gaitlab the package: npm and the registry are not asked.
    folder = tmp_path / "bin-with-tripwire-npm"
    folder.mkdir()
    (folder / "npm").write_text(TRIPWIRE_NPM)
    (folder / "npm").chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.setenv(NPM_REGISTRY_ENV, server.base)
    monkeypatch.setenv(NPM_TARBALL_ENV, str(npm_tarball))
    monkeypatch.setenv(WHEEL_ENV, str(mediapipe_wheel))
    built = install_model("heavy")
    assert built.source == "offline-npm" and built.sha256 == info.sha256
    assert not (folder / "npm-was-run").exists() and server.hits == []


# The child reads frames of a sample clip and runs each bundle in MediaPipe's
# PoseLandmarker (video mode); it prints the landmarks in pixels as JSON.
_CLIP_CHILD = textwrap.dedent(
    """
    import json, sys
    import cv2, numpy as np, mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    video, bundles, wanted = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
    capture = cv2.VideoCapture(video)
    fps = capture.get(cv2.CAP_PROP_FPS)
    images = {}
    for index in range(max(wanted) + 1):
        ok, frame = capture.read()
        assert ok, index
        if index in wanted:
            images[index] = np.ascontiguousarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    capture.release()
    out = {}
    for bundle in bundles:
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=bundle),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=2,
        )
        rows = []
        with vision.PoseLandmarker.create_from_options(options) as landmarker:
            for index in wanted:
                img = images[index]
                h, w = img.shape[:2]
                result = landmarker.detect_for_video(
                    mp.Image(image_format=mp.ImageFormat.SRGB, data=img), round(index * 1000 / fps)
                )
                rows.append([[[p.x * w, p.y * h] for p in pose] for pose in result.pose_landmarks])
        out[bundle] = rows
    print(json.dumps(out))
    """
)
L_HIP, R_HIP = 23, 24


def thigh_angles_deg(pose: np.ndarray) -> list[float]:
    """Thigh (hip -> knee) against the vertical, positive with the knee to the right."""
    return [float(np.degrees(np.arctan2(pose[k, 0] - pose[h, 0], pose[k, 1] - pose[h, 1])))
            for h, k in ((L_HIP, L_KNEE), (R_HIP, R_KNEE))]


@pytest.mark.model
def test_npm_bundles_find_the_patient_in_a_real_side_clip(heavy_install, npm_tarball,
                                                          mediapipe_wheel, tmp_path):
    info, _, _, _ = heavy_install
    lite = tmp_path / "lite.task"
    build_offline_bundle(lite, variant="lite", wheel=mediapipe_wheel, tarball=npm_tarball)
    bundles = [str(info.path), str(lite)]
    done = subprocess.run(
        [sys.executable, "-c", _CLIP_CHILD, str(SAMPLE_SIDE_CLIP), json.dumps(bundles),
         json.dumps(SIDE_FRAMES)],
        capture_output=True, text=True, timeout=240, env=dict(os.environ, GLOG_minloglevel="0"),
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "unaligned" not in done.stderr.lower()
    found = json.loads(done.stdout.strip().splitlines()[-1])
    truth = json.loads(SAMPLE_SIDE_CLIP.with_suffix(".truth.json").read_text())["series"]
    heavy, small = found[bundles[0]], found[bundles[1]]
    for k, index in enumerate(SIDE_FRAMES):
        assert len(heavy[k]) == 1 and len(small[k]) == 1, index  # the one patient, in every frame
        h, s = np.asarray(heavy[k][0]), np.asarray(small[k][0])
        for pose in (h, s):  # upright: nose above hips above knees above ankles, a person's height
            assert pose[NOSE, 1] < pose[[L_HIP, R_HIP], 1].min()
            assert pose[[L_HIP, R_HIP], 1].max() < pose[[L_KNEE, R_KNEE], 1].min()
            assert pose[[L_KNEE, R_KNEE], 1].max() < pose[[L_ANKLE, R_ANKLE], 1].min()
            assert pose[[L_ANKLE, R_ANKLE], 1].max() - pose[NOSE, 1] > 0.2 * 720
        legs = [L_HIP, R_HIP, L_KNEE, R_KNEE, L_ANKLE, R_ANKLE]
        assert np.hypot(*(h[legs] - s[legs]).T).max() < 30, index  # two networks agree
        # heavy's thighs follow the walk: the mean of both legs (immune to a left/right swap)
        measured = np.mean(thigh_angles_deg(h))
        expected = np.mean([truth["thigh_angle_left"][index], truth["thigh_angle_right"][index]])
        assert abs(measured - expected) < 8, (index, measured, expected)
