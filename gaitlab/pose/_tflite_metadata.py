"""TFLite model metadata for the pose models gaitlab builds offline.

MediaPipe's ``PoseLandmarker`` reads the image normalisation of each model from
the TFLite model metadata (a ``TFLITE_METADATA`` flatbuffer stored in one of the
model's buffers).  The pose models inside the ``mediapipe==0.10.21`` wheel lack
usable metadata, so gaitlab writes it: one RGB image input with its
``NormalizationOptions`` (``value = (pixel - mean) / std``) and a feature entry
per output tensor.

The flatbuffer classes come from the schema modules that mediapipe ships as
plain files (``mediapipe/tasks/metadata/schema_py_generated.py`` for the model,
``metadata_schema_py_generated.py`` for the metadata).  They are loaded from
their files, without importing the mediapipe package, whose import of them fails
in some releases.  Only the ``flatbuffers`` package is needed.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import flatbuffers
import numpy as np

from gaitlab.errors import ModelError

TFLITE_IDENTIFIER = b"TFL3"
METADATA_IDENTIFIER = b"M001"
METADATA_NAME = "TFLITE_METADATA"
MIN_PARSER_VERSION = "1.0.0"
BUFFER_ALIGNMENT_BYTES = 16
"""Alignment of every weight buffer inside a re-packed model (bytes from the start)."""

_SCHEMA_FILES = {
    "model": "schema_py_generated.py",
    "metadata": "metadata_schema_py_generated.py",
}


@functools.cache
def load_schema_module(kind: str) -> ModuleType:
    """Load one of mediapipe's generated flatbuffer schema modules from its file.

    Parameters
    ----------
    kind : {"model", "metadata"}
        ``"model"`` is the TFLite model schema, ``"metadata"`` the TFLite
        metadata schema.

    Raises
    ------
    ModelError
        When mediapipe, or the schema file inside it, is not installed.
    """
    file_name = _SCHEMA_FILES[kind]
    spec = importlib.util.find_spec("mediapipe")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / "tasks" / "metadata" / file_name
        if path.is_file():
            break
    else:
        raise ModelError(
            f"The pose model cannot be built: mediapipe's {file_name} is not installed."
        )
    module_name = f"gaitlab.pose._tflite_{kind}_schema"
    module_spec = importlib.util.spec_from_file_location(module_name, path)
    if module_spec is None or module_spec.loader is None:  # pragma: no cover - a file we just found
        raise ModelError(f"The pose model cannot be built: {path} cannot be loaded.")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_name] = module
    try:
        module_spec.loader.exec_module(module)
    except (ImportError, SyntaxError, AttributeError) as exc:
        sys.modules.pop(module_name, None)
        raise ModelError(
            f"The pose model cannot be built: mediapipe's {file_name} cannot be loaded."
        ) from exc
    return module


@dataclass(frozen=True)
class ImageInputSpec:
    """How pixels of an RGB image become the model's float input.

    Attributes
    ----------
    mean, std : float
        ``input = (pixel - mean) / std`` for pixels in 0..255, every channel.
    """

    name: str
    description: str
    mean: float
    std: float

    @property
    def input_min(self) -> float:
        """The smallest input value (pixel 0)."""
        return (0.0 - self.mean) / self.std

    @property
    def input_max(self) -> float:
        """The largest input value (pixel 255)."""
        return (255.0 - self.mean) / self.std


def has_tflite_identifier(data: bytes | memoryview) -> bool:
    """True when ``data`` starts like a TFLite flatbuffer (``TFL3`` at bytes 4..8)."""
    return len(data) >= 8 and bytes(data[4:8]) == TFLITE_IDENTIFIER


def with_image_metadata(model_bytes: bytes, spec: ImageInputSpec) -> bytes:
    """Return the TFLite model with image metadata written into it.

    The model keeps its graph and weights; its ``TFLITE_METADATA`` entry (added,
    or replaced when one exists) holds a ``ModelMetadata`` with one RGB image
    input carrying ``NormalizationOptions(mean, std)`` and one feature entry per
    output tensor.  Every weight buffer of the re-packed model starts at a
    multiple of :data:`BUFFER_ALIGNMENT_BYTES`, so the runtime can use it in place.

    Parameters
    ----------
    model_bytes : bytes
        A TFLite model (``TFL3`` flatbuffer) with one subgraph and one input.
    spec : ImageInputSpec
        Name, description and normalisation of the image input.

    Raises
    ------
    ModelError
        When ``model_bytes`` is not a single-input TFLite model.
    """
    schema = load_schema_module("model")
    if not has_tflite_identifier(model_bytes):
        raise ModelError("The pose model file is not a TFLite model.")
    try:
        model = schema.ModelT.InitFromObj(schema.Model.GetRootAs(model_bytes, 0))
    except (IndexError, ValueError, TypeError) as exc:
        raise ModelError("The pose model file is damaged and cannot be read.") from exc
    if not model.subgraphs or len(model.subgraphs[0].inputs) != 1:
        raise ModelError("The pose model file does not have exactly one image input.")
    graph = model.subgraphs[0]
    output_names = [_text(graph.tensors[i].name) for i in graph.outputs]
    metadata = _pack_metadata(spec, output_names)

    if any(b.offset or b.size for b in model.buffers or []):
        raise ModelError("The pose model keeps its weights outside the file and cannot be rebuilt.")
    buffers = [_AlignedBuffer(b.data) for b in (model.buffers or [])]
    entries = list(model.metadata or [])
    metadata_array = np.frombuffer(metadata, dtype=np.uint8)
    old = next((e for e in entries if _text(e.name) == METADATA_NAME), None)
    tensor_buffers = {t.buffer for g in model.subgraphs for t in (g.tensors or [])}
    if old is not None and old.buffer not in tensor_buffers and 0 < old.buffer < len(buffers):
        buffers[old.buffer] = _AlignedBuffer(metadata_array)  # replace in place
    else:
        if old is not None:
            entries.remove(old)
        buffers.append(_AlignedBuffer(metadata_array))
        entry = schema.MetadataT()
        entry.name = METADATA_NAME
        entry.buffer = len(buffers) - 1
        entries.append(entry)
    model.buffers = buffers
    model.metadata = entries

    builder = flatbuffers.Builder(len(model_bytes) + len(metadata) + 65536)
    builder.Finish(model.Pack(builder), file_identifier=TFLITE_IDENTIFIER)
    return bytes(builder.Output())


def read_image_metadata(model_bytes: bytes) -> dict:
    """Read back what :func:`with_image_metadata` wrote (or any TFLite metadata).

    Returns
    -------
    dict
        ``name``, ``min_parser_version``, ``input_color_space`` (``"RGB"`` or
        other), ``mean`` and ``std`` (lists of float), ``output_names`` (list of
        str).

    Raises
    ------
    ModelError
        When the model has no ``TFLITE_METADATA`` entry.
    """
    schema = load_schema_module("model")
    meta_schema = load_schema_module("metadata")
    model = schema.Model.GetRootAs(model_bytes, 0)
    for i in range(model.MetadataLength()):
        entry = model.Metadata(i)
        if _text(entry.Name()) == METADATA_NAME:
            data = model.Buffers(entry.Buffer()).DataAsNumpy().tobytes()
            break
    else:
        raise ModelError("The pose model carries no TFLite metadata.")
    if data[4:8] != METADATA_IDENTIFIER:
        raise ModelError("The pose model's TFLite metadata is damaged.")
    meta = meta_schema.ModelMetadataT.InitFromObj(
        meta_schema.ModelMetadata.GetRootAs(data, 0)
    )
    graph = meta.subgraphMetadata[0]
    tensor = graph.inputTensorMetadata[0]
    colour = tensor.content.contentProperties.colorSpace
    norm = next(
        u.options
        for u in tensor.processUnits or []
        if u.optionsType == meta_schema.ProcessUnitOptions.NormalizationOptions
    )
    return {
        "name": _text(meta.name),
        "min_parser_version": _text(meta.minParserVersion),
        "input_color_space": "RGB" if colour == meta_schema.ColorSpaceType.RGB else str(colour),
        "mean": [float(v) for v in norm.mean],
        "std": [float(v) for v in norm.std],
        "output_names": [_text(t.name) for t in graph.outputTensorMetadata or []],
    }


def buffer_offsets(model_bytes: bytes) -> list[int]:
    """Byte offsets (from the model's start) of every non-empty weight buffer."""
    schema = load_schema_module("model")
    model = schema.Model.GetRootAs(model_bytes, 0)
    offsets = []
    for i in range(model.BuffersLength()):
        buffer = model.Buffers(i)
        if buffer.DataLength():
            table = buffer._tab
            offsets.append(table.Vector(table.Offset(4)))
    return offsets


def _pack_metadata(spec: ImageInputSpec, output_names: list[str]) -> bytes:
    """The ``ModelMetadata`` flatbuffer (identifier ``M001``) for one image model."""
    m = load_schema_module("metadata")

    image = m.ImagePropertiesT()
    image.colorSpace = m.ColorSpaceType.RGB
    content = m.ContentT()
    content.contentPropertiesType = m.ContentProperties.ImageProperties
    content.contentProperties = image

    norm = m.NormalizationOptionsT()
    norm.mean = [float(spec.mean)]
    norm.std = [float(spec.std)]
    unit = m.ProcessUnitT()
    unit.optionsType = m.ProcessUnitOptions.NormalizationOptions
    unit.options = norm

    stats = m.StatsT()
    stats.min = [spec.input_min]
    stats.max = [spec.input_max]

    image_tensor = m.TensorMetadataT()
    image_tensor.name = "image"
    image_tensor.description = "RGB image, pixels normalised as (value - mean) / std."
    image_tensor.content = content
    image_tensor.processUnits = [unit]
    image_tensor.stats = stats

    outputs = []
    for name in output_names:
        feature = m.ContentT()
        feature.contentPropertiesType = m.ContentProperties.FeatureProperties
        feature.contentProperties = m.FeaturePropertiesT()
        tensor = m.TensorMetadataT()
        tensor.name = name
        tensor.content = feature
        outputs.append(tensor)

    graph = m.SubGraphMetadataT()
    graph.inputTensorMetadata = [image_tensor]
    graph.outputTensorMetadata = outputs

    meta = m.ModelMetadataT()
    meta.name = spec.name
    meta.description = spec.description
    meta.subgraphMetadata = [graph]
    meta.minParserVersion = MIN_PARSER_VERSION

    builder = flatbuffers.Builder(1024)
    builder.Finish(meta.Pack(builder), file_identifier=METADATA_IDENTIFIER)
    return bytes(builder.Output())


class _AlignedBuffer:
    """A TFLite ``Buffer`` that packs its bytes at an aligned offset."""

    def __init__(self, data) -> None:
        self.data = None if data is None else np.asarray(data, dtype=np.uint8).ravel()

    def Pack(self, builder: flatbuffers.Builder) -> int:  # noqa: N802 - flatbuffers' name
        schema = load_schema_module("model")
        vector = None
        if self.data is not None and self.data.size:
            payload = self.data.tobytes()
            builder.StartVector(1, len(payload), BUFFER_ALIGNMENT_BYTES)
            builder.head -= len(payload)
            builder.Bytes[builder.head : builder.head + len(payload)] = payload
            vector = builder.EndVector()
        schema.BufferStart(builder)
        if vector is not None:
            schema.BufferAddData(builder, vector)
        return schema.BufferEnd(builder)


def _text(value) -> str:
    """Flatbuffer strings arrive as bytes; names are compared as text."""
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
