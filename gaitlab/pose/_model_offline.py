"""Build the pose model from package registries when the download is blocked.

Hospital networks often reach only package mirrors.  The ``mediapipe==0.10.21``
wheel (from the Python package index or its mirror, through pip) carries the
pose detector and the ``full`` landmark network; MediaPipe's npm package
``@mediapipe/pose`` carries the ``lite`` and ``heavy`` landmark networks (see
:mod:`gaitlab.pose._model_npm`).  Gaitlab takes the detector and the variant's
landmark network out of these packages, checks them against the checksums
below, writes the image metadata MediaPipe's ``PoseLandmarker`` needs (see
:mod:`gaitlab.pose._tflite_metadata`) and zips them into a ``.task`` bundle.
The same package versions always give the same bundle, byte for byte.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from gaitlab.errors import ModelError
from gaitlab.pose._model_bundle import (
    BUNDLE_MEMBERS,
    DETECTOR_MEMBER,
    LANDMARKS_MEMBER,
    write_task_bundle,
)
from gaitlab.pose._model_npm import (
    NPM_LANDMARK_MODELS,
    NPM_SPEC,
    NPM_TARBALL_ENV,
    fetch_npm_tarball,
    read_npm_landmarks,
)
from gaitlab.pose._tflite_metadata import ImageInputSpec, with_image_metadata
from gaitlab.progress import NullProgress, Progress

WHEEL_REQUIREMENT = "mediapipe==0.10.21"
WHEEL_ENV = "GAITLAB_MEDIAPIPE_WHEEL"
"""Environment variable naming a ``mediapipe-0.10.21-*.whl`` already on disk (skips pip)."""

PIP_TIMEOUT_S = 600.0
# Any platform tag will do: the model files are identical in every 0.10.21 wheel.
_FALLBACK_PLATFORM_ARGS = (
    "--platform", "manylinux_2_28_x86_64",
    "--python-version", "3.11",
    "--only-binary=:all:",
)

# Where each bundle member lies in the wheel, its sha256 there, and its input.
WHEEL_MODELS = {
    DETECTOR_MEMBER: (
        "mediapipe/modules/pose_detection/pose_detection.tflite",
        "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
        ImageInputSpec(
            name="Pose detector",
            description="Finds people (face and body boxes) in a 224x224 RGB image.",
            mean=127.5,
            std=127.5,
        ),
    ),
    LANDMARKS_MEMBER: (
        "mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
        "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
        ImageInputSpec(
            name="Pose landmarks detector (full)",
            description="33 body landmarks of one person in a 256x256 RGB crop.",
            mean=0.0,
            std=255.0,
        ),
    ),
}


def build_offline_bundle(
    path: str | os.PathLike,
    *,
    variant: str = "full",
    wheel: str | os.PathLike | None = None,
    tarball: str | os.PathLike | None = None,
    progress: Progress | None = None,
) -> str:
    """Write a pose landmarker bundle built from the mediapipe packages.

    ``full`` comes from the mediapipe wheel alone; ``lite`` and ``heavy`` take
    the detector from the wheel and the landmark network from the npm package.

    Parameters
    ----------
    path : path-like
        The bundle file to write (the caller renames it into place).
    variant : {"full", "lite", "heavy"}
        The model variant.
    wheel : path-like, optional
        A ``mediapipe-0.10.21`` wheel on disk.  Default: the file named by
        ``GAITLAB_MEDIAPIPE_WHEEL``, else one fetched with ``pip download``.
    tarball : path-like, optional
        The ``@mediapipe/pose`` npm package tarball on disk (lite and heavy
        only).  Default: the file named by ``GAITLAB_MEDIAPIPE_NPM``, else one
        fetched with :func:`~gaitlab.pose._model_npm.fetch_npm_tarball`.
    progress : Progress, optional
        Receives the npm package download when there is one (stage
        ``"download"``, bytes), then stage ``"build model"`` with 3 steps
        (packages read, metadata, bundle).

    Returns
    -------
    str
        Where the models came from, for the manifest: for ``full`` e.g.
        ``"mediapipe==0.10.21 (pip)"``; for lite and heavy e.g.
        ``"@mediapipe/pose@0.5.1675469404 (npm) and mediapipe==0.10.21 (pip)"``.
        A package handed over on disk is named by its file name instead of
        ``pip``, ``npm`` or the registry host.

    Raises
    ------
    ModelError
        When a package cannot be fetched or does not hold the expected models.
    """
    if variant != "full" and variant not in NPM_LANDMARK_MODELS:
        raise ModelError(
            f"The pose model variant must be one of lite, full, heavy; got {variant!r}."
        )
    progress = progress or NullProgress()
    wheel = wheel or os.environ.get(WHEEL_ENV) or None
    tarball = tarball or os.environ.get(NPM_TARBALL_ENV) or None
    with tempfile.TemporaryDirectory(prefix="gaitlab-packages-") as tmp:
        npm_origin = ""
        if variant != "full":
            if tarball:
                npm_origin = Path(tarball).name
            else:
                npm_dir = Path(tmp) / "npm"
                npm_dir.mkdir()
                tarball, npm_origin = fetch_npm_tarball(npm_dir, progress=progress)
        progress.start("build model", 3)
        try:
            if variant == "full":
                members = _wheel_members(wheel, tmp, tuple(WHEEL_MODELS))
                specs = {member: spec for member, (_i, _s, spec) in WHEEL_MODELS.items()}
            else:
                if tarball is None:  # fetched above for every variant but full
                    raise ModelError(f"No @mediapipe/pose package was found to build the {variant} model from.")
                landmarks = read_npm_landmarks(tarball, variant)
                members = _wheel_members(wheel, tmp, (DETECTOR_MEMBER,))
                members[LANDMARKS_MEMBER] = landmarks
                specs = {
                    DETECTOR_MEMBER: WHEEL_MODELS[DETECTOR_MEMBER][2],
                    LANDMARKS_MEMBER: NPM_LANDMARK_MODELS[variant][2],
                }
            progress.update(1)
            models = {member: with_image_metadata(members[member], specs[member])
                      for member in BUNDLE_MEMBERS}
            progress.update(2)
            write_task_bundle(path, models)
            progress.update(3)
        finally:
            progress.finish()
    wheel_origin = f"{WHEEL_REQUIREMENT} ({Path(wheel).name if wheel else 'pip'})"
    if variant == "full":
        return wheel_origin
    return f"{NPM_SPEC} ({npm_origin}) and {wheel_origin}"


def _wheel_members(
    wheel: str | os.PathLike | None, tmp: str, members: tuple[str, ...]
) -> dict[str, bytes]:
    """The wanted wheel models, from ``wheel`` or from one pip fetches into ``tmp``."""
    if wheel:
        return read_wheel_models(wheel, members)
    pip_dir = Path(tmp) / "pip"
    pip_dir.mkdir()
    return read_wheel_models(fetch_wheel(pip_dir), members)


def fetch_wheel(dest_dir: str | os.PathLike) -> Path:
    """Download the ``mediapipe==0.10.21`` wheel with pip into ``dest_dir``.

    pip uses its own configuration, so a hospital's package mirror works.  When
    no wheel exists for this platform, the Linux x86-64 wheel is fetched instead
    (its model files are the same).

    Raises
    ------
    ModelError
        When pip is unavailable or cannot fetch the wheel.
    """
    dest = Path(dest_dir)
    base = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check"]
    base += ["--dest", str(dest), WHEEL_REQUIREMENT]
    reason = ""
    for extra in ((), _FALLBACK_PLATFORM_ARGS):
        try:
            done = subprocess.run(
                [*base, *extra],
                capture_output=True,
                text=True,
                timeout=PIP_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            reason = f"pip did not finish within {PIP_TIMEOUT_S:.0f} s"
            continue
        except OSError as exc:
            reason = f"pip could not be started ({exc.strerror or exc})"
            break
        wheels = sorted(dest.glob("mediapipe-0.10.21-*.whl"))
        if done.returncode == 0 and wheels:
            return wheels[0]
        lines = [ln.strip() for ln in (done.stderr or done.stdout or "").splitlines() if ln.strip()]
        reason = lines[-1] if lines else f"pip exited with status {done.returncode}"
    raise ModelError(
        f"The pose model cannot be built offline: pip could not download {WHEEL_REQUIREMENT} "
        f"({reason})."
    )


def read_wheel_models(
    wheel: str | os.PathLike, members: tuple[str, ...] = tuple(WHEEL_MODELS)
) -> dict[str, bytes]:
    """Pose models inside a mediapipe wheel, checked against their sha256.

    Parameters
    ----------
    wheel : path-like
        A ``mediapipe-0.10.21`` wheel.
    members : tuple of str
        The bundle members wanted (default both: detector and full landmarks).

    Returns
    -------
    dict
        Bundle member name -> TFLite model bytes (without gaitlab's metadata).

    Raises
    ------
    ModelError
        When the wheel is unreadable, lacks a model or holds a different one.
    """
    name = Path(wheel).name
    found = {}
    try:
        with zipfile.ZipFile(wheel) as archive:
            for member in members:
                inner, sha256, _spec = WHEEL_MODELS[member]
                try:
                    data = archive.read(inner)
                except KeyError:
                    raise ModelError(
                        f"The wheel {name} does not contain {inner}; gaitlab needs {WHEEL_REQUIREMENT}."
                    ) from None
                if hashlib.sha256(data).hexdigest() != sha256:
                    raise ModelError(
                        f"The wheel {name} holds a different {Path(inner).name} than "
                        f"{WHEEL_REQUIREMENT}; it is not used."
                    )
                found[member] = data
    except (zipfile.BadZipFile, EOFError) as exc:
        raise ModelError(f"The wheel {name} is damaged or not a wheel.") from exc
    except OSError as exc:
        raise ModelError(f"The wheel {name} cannot be read ({exc.strerror or exc}).") from exc
    return found
