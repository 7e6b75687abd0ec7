"""A trained head on top of a classify node's embeddings, kept in a sidecar next to the flow.

`junction train` fits a small linear model on the case embedding (a logistic regression,
or nearest centroids shrunk toward the written examples): probabilities are
`softmax((W·x + b) / temperature)`. It is stored as two files beside the flow:

- `FLOW.NODE.<id>.head.json` — readable, diff-friendly metadata: which node, embedding
  model and options it was trained for, how, on how many cases, and the held-out figures;
- `FLOW.NODE.<id>.head.npy` — the weights, one float32 matrix (options × (dims + 1), the
  last column is the bias) in numpy's plain array format (read with `allow_pickle=False`).

`<id>` is a content hash of both (the metadata names the weights' sha256), and the node
names the metadata file (`head: FLOW.NODE.<id>.head.json`), so a retrained head is a
one-line diff of the flow and any edit of either file is caught when the flow is loaded:
a head trained for another embedding model, other options or other examples is refused
with the file and the node named, never silently used. Without `head:` the node behaves
exactly as before.

numpy is imported only when a head is read or applied.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runtime.errors import InputError, Problem
from runtime.nodes.classify import embedding_model_of

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from runtime.flow.loader import LoadedFlow
    from runtime.flow.schema import ClassifyNode, Flow

FORMAT = "junction-head/1"
HASH_CHARS = 16


@dataclass(frozen=True)
class Head:
    """A verified, loaded head: `probabilities(x)` for one case embedding."""

    path: Path
    id: str
    meta: dict[str, Any]
    weights: NDArray[Any]  # options × (dims + 1)

    @property
    def options(self) -> list[str]:
        return list(self.meta["options"])

    @property
    def temperature(self) -> float:
        return float(self.meta["temperature"])

    def probabilities(self, vector: NDArray[Any]) -> dict[str, float]:
        import numpy as np

        x = np.asarray(vector, dtype=np.float64).reshape(-1)
        norm = np.linalg.norm(x)
        x = x / norm if norm > 0 else x
        if x.shape[0] != self.weights.shape[1] - 1:
            raise InputError(f"{self.path}: the head expects {self.weights.shape[1] - 1}-"
                             f"dimensional embeddings, the model gave {x.shape[0]}")
        w = self.weights.astype(np.float64)
        z = (w[:, :-1] @ x + w[:, -1]) / self.temperature
        z -= z.max()
        p = np.exp(z)
        p /= p.sum()
        return {name: float(v) for name, v in zip(self.options, p, strict=True)}


# -- what a head must match -------------------------------------------------------

def options_fingerprint(node: ClassifyNode) -> str:
    """A hash of the node's option names, descriptions and examples, in order: a head
    trained on other options or other written examples no longer describes this node."""
    options = [[o.name, o.description, list(o.examples)] for o in node.options]
    return _sha256(_canonical(options))


def effective_model(node: ClassifyNode, flow: Flow) -> str | None:
    """The embedding model a classify node uses (the node's, the flow's, the settings')."""
    return embedding_model_of(node, flow.embedding_model)


def sidecar_names(flow_path: Path, node_id: str, head_id: str) -> tuple[str, str]:
    stem = f"{flow_path.stem}.{node_id}.{head_id}.head"
    return f"{stem}.json", f"{stem}.npy"


# -- writing -----------------------------------------------------------------------

def write_head(flow_path: Path, node: ClassifyNode, flow: Flow, *, weights: NDArray[Any],
               temperature: float, details: dict[str, Any]) -> Path:
    """Write the two sidecar files for `node` and return the metadata file's path.

    `details` (method, training counts, held-out figures) goes into the metadata as is; the
    identity fields (format, node, model, options, hashes) are set here.
    """
    import io

    import numpy as np

    model = effective_model(node, flow)
    if model is None:
        raise InputError(f"node '{node.id}' does not use the embeddings method")
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(weights, dtype=np.float32), allow_pickle=False)
    blob = buffer.getvalue()
    meta: dict[str, Any] = {
        "format": FORMAT,
        "node": node.id,
        "embedding_model": model,
        "options": [o.name for o in node.options],
        "options_sha256": options_fingerprint(node),
        "temperature": round(float(temperature), 6),
        "weights_shape": list(np.shape(weights)),
        "weights_sha256": _sha256(blob),
        **details,
    }
    head_id = _head_id(meta)
    meta_name, weights_name = sidecar_names(flow_path, node.id, head_id)
    meta = {"id": head_id, **meta, "weights": weights_name}
    folder = flow_path.parent
    (folder / weights_name).write_bytes(blob)
    (folder / meta_name).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n",
                                    encoding="utf-8")
    return folder / meta_name


def _head_id(meta: dict[str, Any]) -> str:
    core = {k: v for k, v in meta.items() if k not in ("id", "weights")}
    return _sha256(_canonical(core))[:HASH_CHARS]


# -- reading and checking ----------------------------------------------------------

_LOADED: dict[tuple[str, int, int], Head] = {}
_LOCK = threading.Lock()


def head_path(node: ClassifyNode, base_dir: Path) -> Path | None:
    ref = getattr(node, "head", None)
    return None if not ref else (base_dir / ref)


def load_head(node: ClassifyNode, flow: Flow, base_dir: Path) -> Head | None:
    """The node's verified head, or None when it has none. Raises `InputError` naming
    the file and the node when the sidecar is missing, edited or does not fit the node."""
    path = head_path(node, base_dir)
    if path is None:
        return None
    problems = _problems(path, node, flow)
    if isinstance(problems, list):
        raise InputError("; ".join(f"node '{node.id}': {p}" for p in problems))
    return problems


def head_problems(loaded: LoadedFlow) -> list[Problem]:
    """Every classify node's head checked at load time: one problem each, located at the
    flow file's node."""
    from runtime.flow.schema import ClassifyNode

    found: list[Problem] = []
    where = str(loaded.path) if loaded.path else None
    for node in loaded.flow.nodes:
        if isinstance(node, ClassifyNode) and getattr(node, "head", None):
            result = _problems(loaded.base_dir / str(node.head), node, loaded.flow)
            if isinstance(result, list):
                found += [Problem(message, file=where, line=loaded.node_line(node.id),
                                  node=node.id) for message in result]
    return found


def _problems(path: Path, node: ClassifyNode, flow: Flow) -> Head | list[str]:
    where = f"trained head {path}"
    try:
        stat = path.stat()
    except OSError:
        return [f"{where}: the file is missing (run `junction train` again, or remove "
                "`head:` from the node)"]
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    with _LOCK:
        cached = _LOADED.get(key)
    if cached is not None and _fits(cached, node, flow, where) == []:
        return cached
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"{where}: not readable JSON ({exc})"]
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        return [f"{where}: not a Junction head file (format must be '{FORMAT}')"]
    problems = _identity_problems(meta, path, where)
    if problems:
        return problems
    weights_or_problem = _read_weights(path.parent / str(meta["weights"]), meta, where)
    if isinstance(weights_or_problem, str):
        return [weights_or_problem]
    head = Head(path, str(meta["id"]), meta, weights_or_problem)
    problems = _fits(head, node, flow, where)
    if problems:
        return problems
    with _LOCK:
        _LOADED[key] = head
    return head


def _identity_problems(meta: dict[str, Any], path: Path, where: str) -> list[str]:
    needed = ("id", "node", "embedding_model", "options", "options_sha256", "temperature",
              "weights", "weights_sha256", "weights_shape")
    missing = [k for k in needed if k not in meta]
    if missing:
        return [f"{where}: missing {', '.join(missing)}"]
    if _head_id(meta) != meta["id"] or f".{meta['id']}.head." not in path.name:
        return [f"{where}: the content hash does not match (the file was edited after "
                "training); run `junction train` again"]
    return []


def _read_weights(path: Path, meta: dict[str, Any], where: str) -> NDArray[Any] | str:
    import io

    import numpy as np

    try:
        blob = path.read_bytes()
    except OSError:
        return f"{where}: its weights file {path.name} is missing"
    if _sha256(blob) != meta["weights_sha256"]:
        return (f"{where}: the weights file {path.name} does not match the hash in the "
                "metadata (edited or from another training); run `junction train` again")
    try:
        weights = np.load(io.BytesIO(blob), allow_pickle=False)
    except ValueError as exc:
        return f"{where}: the weights file {path.name} is not a plain array ({exc})"
    if list(weights.shape) != list(meta["weights_shape"]) or weights.ndim != 2:
        return f"{where}: the weights have shape {list(weights.shape)}, not the recorded one"
    return weights


def _fits(head: Head, node: ClassifyNode, flow: Flow, where: str) -> list[str]:
    meta = head.meta
    problems = []
    if meta["node"] != node.id:
        problems.append(f"{where}: it was trained for node '{meta['node']}'")
    model = effective_model(node, flow)
    if model is None:
        problems.append(f"{where}: the node does not use the embeddings method, a head "
                        "needs an embedding model")
    elif meta["embedding_model"] != model:
        problems.append(f"{where}: it was trained on embeddings of '{meta['embedding_model']}' "
                        f"but the node uses '{model}'; run `junction train` again")
    names = [o.name for o in node.options]
    if meta["options"] != names:
        problems.append(f"{where}: it was trained for options {meta['options']} but the node "
                        f"has {names}; run `junction train` again")
    elif meta["options_sha256"] != options_fingerprint(node):
        problems.append(f"{where}: the options' examples or descriptions changed since "
                        "training; run `junction train` again")
    if head.weights.shape[0] != len(names):
        problems.append(f"{where}: the weights have {head.weights.shape[0]} rows for "
                        f"{len(names)} options")
    return problems


def clear_loaded() -> None:
    with _LOCK:
        _LOADED.clear()


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
