"""Pose model provisioning: find, download, build and check the pose model bundle.

The pose model is MediaPipe's pose landmarker, a ``.task`` bundle in one of three
variants (``lite``, ``full``, ``heavy``; gaitlab uses ``full`` by default).
:func:`resolve_model` finds one in this order:

1. an explicit file: the ``model_file`` argument, else ``GAITLAB_POSE_MODEL``;
2. the model folder (:func:`model_dir`), when the cached file passes
   :func:`verify_model_file`;
3. the official MediaPipe download (``GAITLAB_MODEL_URL`` overrides the address;
   ``{variant}`` in it is replaced by the variant);
4. the offline route, for hospital networks that reach only package registries
   (see :mod:`gaitlab.pose._model_offline`): the same models built from
   packages.  ``full`` comes from the ``mediapipe==0.10.21`` wheel that pip
   fetches from the package index or the hospital's mirror
   (``GAITLAB_MEDIAPIPE_WHEEL`` names a wheel already on disk).  ``lite`` and
   ``heavy`` take the detector from that wheel and the landmark network from
   MediaPipe's npm package ``@mediapipe/pose@0.5.1675469404``, fetched with
   ``npm pack`` or from the npm registry (``GAITLAB_MEDIAPIPE_NPM`` names a
   tarball already on disk, ``GAITLAB_NPM_REGISTRY`` a registry mirror; see
   :mod:`gaitlab.pose._model_npm`).

Every file is written to a temporary name in the model folder and renamed into
place, and a small manifest (``manifest.json``) beside the models records each
file's sha256, size, source and creation time.  A cached file that no longer
matches its record, or is not an intact bundle, is reported (logged), removed
and provisioned again; it is never used.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import platformdirs

from gaitlab.errors import ModelError
from gaitlab.pose._download import download_file
from gaitlab.pose._model_bundle import check_task_bundle
from gaitlab.progress import NullProgress, Progress

log = logging.getLogger(__name__)

VARIANTS = ("lite", "full", "heavy")
OFFLINE_VARIANTS = ("lite", "full", "heavy")
"""Variants the offline route can build (all of them)."""
OFFLINE_SOURCES = {"lite": "offline-npm", "full": "offline-wheel", "heavy": "offline-npm"}
"""``ModelInfo.source`` of each variant built offline."""
CUSTOM_VARIANT = "custom"
"""``ModelInfo.variant`` of a model file the user named explicitly."""

MODEL_DIR_ENV = "GAITLAB_MODEL_DIR"
MODEL_FILE_ENV = "GAITLAB_POSE_MODEL"
MODEL_URL_ENV = "GAITLAB_MODEL_URL"
OFFICIAL_URL = (
    "https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
    "pose_landmarker_{variant}/float16/latest/pose_landmarker_{variant}.task"
)
DOWNLOAD_TIMEOUT_S = 20.0
"""Socket timeout of the download: connecting, and each wait for more data."""
LOCK_TIMEOUT_S = 900.0
"""How long to wait for another gaitlab process that is provisioning the model."""

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
_CHUNK_BYTES = 1 << 20
_PARTIAL_PREFIX = ".partial-"
_OFFLINE_PACKAGES = {
    "offline-wheel": "the mediapipe wheel",
    "offline-npm": "the mediapipe wheel and the @mediapipe/pose npm package",
}


@dataclass(frozen=True)
class ModelInfo:
    """A verified pose model bundle, ready to load.

    Attributes
    ----------
    variant : str
        ``"lite"``, ``"full"``, ``"heavy"``, or ``"custom"`` for a file the
        user named explicitly.
    path : pathlib.Path
        The ``.task`` bundle.
    sha256 : str
        Hex sha256 of the file (landmark caches are keyed by it).
    size_bytes : int
        File size in bytes.
    source : str
        How this call obtained it: ``"file"`` (explicit), ``"cache"`` (model
        folder), ``"download"`` (official download), ``"offline-wheel"``
        (``full``, built from the mediapipe wheel) or ``"offline-npm"``
        (``lite``/``heavy``, built from the mediapipe wheel's detector and the
        landmark network of the ``@mediapipe/pose`` npm package).
    """

    variant: str
    path: Path
    sha256: str
    size_bytes: int
    source: str


def model_dir() -> Path:
    """The folder of cached pose models.

    ``GAITLAB_MODEL_DIR`` when set, else ``models`` in the user data folder
    (platformdirs, e.g. ``~/.local/share/gaitlab/models`` on Linux).  The folder
    is created only when a model is written.
    """
    override = os.environ.get(MODEL_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir("gaitlab", appauthor=False)) / "models"


def model_file_name(variant: str) -> str:
    """File name of a cached variant, e.g. ``pose_landmarker_full.task``."""
    _check_variant(variant)
    return f"pose_landmarker_{variant}.task"


def model_url(variant: str) -> str:
    """Download address of a variant (``GAITLAB_MODEL_URL`` overrides the official one)."""
    _check_variant(variant)
    template = os.environ.get(MODEL_URL_ENV) or OFFICIAL_URL
    return template.replace("{variant}", variant)


def verify_model_file(path: str | os.PathLike) -> None:
    """Check that a pose model file is complete and undamaged.

    Checks that the file exists, matches the size and sha256 recorded in the
    manifest of its folder (when it is listed there), is an intact zip with
    both models (``pose_detector.tflite``, ``pose_landmarks_detector.tflite``)
    and that each carries the TFLite identifier ``TFL3``.

    Raises
    ------
    ModelError
        With one sentence saying which file is missing, truncated or damaged.
    """
    _inspect_model_file(Path(path))


def resolve_model(
    variant: str = "full",
    *,
    model_file: str | os.PathLike | None = None,
    allow_network: bool = True,
    progress: Progress | None = None,
) -> ModelInfo:
    """Find the pose model to use, provisioning it when needed.

    Parameters
    ----------
    variant : {"lite", "full", "heavy"}
        Model variant (ignored when an explicit file is given).
    model_file : path-like, optional
        An explicit ``.task`` bundle; default ``GAITLAB_POSE_MODEL`` if set.  It
        is verified but never replaced.
    allow_network : bool
        When False, only an explicit or cached model is used; nothing is
        downloaded or built.
    progress : Progress, optional
        Receives the download (stage ``"download"``, bytes) or the offline
        build (a download of the npm package, then stage ``"build model"``).

    Raises
    ------
    ModelError
        When no usable model can be found or provisioned.
    """
    explicit = model_file if model_file not in (None, "") else os.environ.get(MODEL_FILE_ENV)
    if explicit:
        path = Path(explicit).expanduser()
        sha256, size = _inspect_model_file(path)
        return ModelInfo(CUSTOM_VARIANT, path, sha256, size, "file")
    _check_variant(variant)
    cached, problem = _cached_model(variant)
    if cached is not None:
        return cached
    if not allow_network:
        if problem:
            raise ModelError(
                f"{problem.rstrip('.')}; run `gaitlab models install --variant {variant} --force`."
            )
        raise ModelError(
            f"The {variant} pose model is not installed; "
            f"run `gaitlab models install --variant {variant}`."
        )
    return _provision(variant, progress=progress, force=False)


def install_model(
    variant: str = "full", *, force: bool = False, progress: Progress | None = None
) -> ModelInfo:
    """Make sure a variant is in the model folder (``gaitlab models install``).

    Returns at once with ``source="cache"`` when a verified copy is there,
    unless ``force`` asks to provision it again.  Explicit model files
    (``GAITLAB_POSE_MODEL``) play no part here.

    Raises
    ------
    ModelError
        When the variant can be neither downloaded nor built offline.
    """
    _check_variant(variant)
    if not force:
        cached, _problem = _cached_model(variant)
        if cached is not None:
            return cached
    return _provision(variant, progress=progress, force=force)


def list_models() -> list[dict]:
    """State of every variant in the model folder (``gaitlab models list``).

    Returns
    -------
    list of dict
        One per variant, in the order lite, full, heavy, with ``variant``,
        ``installed`` (verified), ``path``, ``size_bytes``, ``sha256``,
        ``source`` (how it was provisioned), ``created_utc`` and ``problem``
        (why an existing file is not usable, else None).  Nothing is changed.
    """
    manifest = _read_manifest(model_dir())
    rows = []
    for variant in VARIANTS:
        path = model_dir() / model_file_name(variant)
        record = manifest.get(path.name, {})
        row = {
            "variant": variant,
            "installed": False,
            "path": str(path),
            "size_bytes": None,
            "sha256": None,
            "source": record.get("source"),
            "created_utc": record.get("created_utc"),
            "problem": None,
        }
        if path.exists():
            try:
                sha256, size = _inspect_model_file(path)
            except ModelError as exc:
                row["problem"] = str(exc)
            else:
                row.update(installed=True, sha256=sha256, size_bytes=size)
                row["source"] = row["source"] or "unrecorded"
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- internals


def _check_variant(variant: str) -> None:
    if variant not in VARIANTS:
        raise ModelError(
            f"The pose model variant must be one of {', '.join(VARIANTS)}; got {variant!r}."
        )


def _inspect_model_file(path: Path) -> tuple[str, int]:
    """Verify a model file (see :func:`verify_model_file`); return its sha256 and size."""
    if not path.is_file():
        raise ModelError(f"The pose model file {path} does not exist.")
    digest = hashlib.sha256()
    size = 0
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK_BYTES):
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        raise ModelError(f"The pose model file {path} cannot be read ({exc.strerror or exc}).") from exc
    sha256 = digest.hexdigest()
    record = _read_manifest(path.parent).get(path.name)
    if record is not None:
        if record.get("size_bytes") != size:
            raise ModelError(
                f"The pose model {path.name} is truncated or altered: it has {size} bytes, "
                f"{record.get('size_bytes')} were installed."
            )
        if record.get("sha256") != sha256:
            raise ModelError(
                f"The pose model {path.name} is damaged: its checksum differs from the one "
                "recorded when it was installed."
            )
    check_task_bundle(path)
    return sha256, size


def _cached_model(variant: str) -> tuple[ModelInfo | None, str | None]:
    """The verified cached model, or None and why the cached file is unusable.

    Nothing is changed here (readers run without the provisioning lock); a
    damaged file is removed by :func:`_provision`, under the lock.
    """
    path = model_dir() / model_file_name(variant)
    if not path.exists():
        return None, None
    try:
        sha256, size = _inspect_model_file(path)
    except ModelError as exc:
        return None, str(exc)
    return ModelInfo(variant, path, sha256, size, "cache"), None


def _provision(variant: str, *, progress: Progress | None, force: bool) -> ModelInfo:
    """Download (or else build offline) a variant into the model folder."""
    import filelock

    folder = model_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(str(folder / ".provision.lock"), timeout=LOCK_TIMEOUT_S)
        lock.acquire()
    except filelock.Timeout as exc:
        raise ModelError(
            f"Another gaitlab is still installing the pose model in {folder}; try again later."
        ) from exc
    except OSError as exc:
        raise ModelError(
            f"The model folder {folder} cannot be written ({exc.strerror or exc})."
        ) from exc
    try:
        target = folder / model_file_name(variant)
        cached, problem = _cached_model(variant)  # another process may have finished meanwhile
        if cached is not None and not force:
            return cached
        if problem:
            log.warning("%s It is removed and provisioned again.", problem)
            with contextlib.suppress(OSError):  # if the folder is read-only, writing will say so
                target.unlink()
        url = model_url(variant)
        try:
            return _install_download(variant, url, target, progress)
        except ModelError as exc:
            download_problem = str(exc)
        log.warning(
            "%s Building the %s model offline, from %s instead.",
            download_problem,
            variant,
            _OFFLINE_PACKAGES[OFFLINE_SOURCES[variant]],
        )
        try:
            return _install_offline(variant, target, progress)
        except ModelError as exc:
            raise ModelError(
                f"The {variant} pose model could be neither downloaded "
                f"({download_problem.rstrip('.')}) nor built offline: {str(exc).rstrip('.')}."
            ) from exc
    finally:
        lock.release()


def _install_download(variant: str, url: str, target: Path, progress: Progress | None) -> ModelInfo:
    """Download ``url`` to ``target`` atomically; verify and record it."""
    with _atomic_file(target) as partial:
        _download(url, partial, progress or NullProgress())
        check_task_bundle(partial)
        sha256, size = _hash_file(partial)
    _record(target, variant=variant, sha256=sha256, size=size, source="download", origin=url)
    return ModelInfo(variant, target, sha256, size, "download")


def _install_offline(variant: str, target: Path, progress: Progress | None) -> ModelInfo:
    """Build the bundle from the mediapipe packages into ``target`` atomically."""
    from gaitlab.pose._model_offline import build_offline_bundle

    source = OFFLINE_SOURCES[variant]
    with _atomic_file(target) as partial:
        origin = build_offline_bundle(partial, variant=variant, progress=progress)
        check_task_bundle(partial)
        sha256, size = _hash_file(partial)
    _record(target, variant=variant, sha256=sha256, size=size, source=source, origin=origin)
    return ModelInfo(variant, target, sha256, size, source)


def _download(url: str, dest: Path, progress: Progress) -> None:
    """Stream ``url`` into ``dest``, reporting bytes; raise ModelError on any failure."""
    download_file(url, dest, progress, timeout_s=DOWNLOAD_TIMEOUT_S)


def _hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


@contextlib.contextmanager
def _atomic_file(target: Path) -> Iterator[Path]:
    """A temporary file beside ``target`` that replaces it only if the block succeeds."""
    partial: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=_PARTIAL_PREFIX, suffix=target.suffix, dir=target.parent)
        os.close(fd)
        partial = Path(name)
        yield partial
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(partial, 0o644)  # models are shared, like any installed data
        os.replace(partial, target)
    except OSError as exc:
        raise ModelError(
            f"The pose model could not be written to {target.parent} ({exc.strerror or exc})."
        ) from exc
    finally:
        if partial is not None:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()


def _read_manifest(folder: Path) -> dict:
    """File name -> record, from ``manifest.json`` (empty when absent or unreadable)."""
    try:
        data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        log.warning("The model manifest in %s is unreadable; it will be rewritten.", folder)
        return {}
    models = data.get("models") if isinstance(data, dict) else None
    return models if isinstance(models, dict) else {}


def _record(target: Path, *, variant: str, sha256: str, size: int, source: str, origin: str) -> None:
    """Add ``target`` to the manifest of its folder (atomic rewrite)."""
    folder = target.parent
    models = _read_manifest(folder)
    models[target.name] = {
        "variant": variant,
        "sha256": sha256,
        "size_bytes": size,
        "source": source,
        "origin": origin,
        "created_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    text = json.dumps({"format": MANIFEST_FORMAT, "models": models}, indent=2, sort_keys=True)
    with _atomic_file(folder / MANIFEST_NAME) as partial:
        partial.write_text(text + "\n", encoding="utf-8")
