"""The lighter MiniLM path (tokenizers + a plain-torch BERT) gives sentence-transformers'
vectors and is what a run loads for the bundled model, importing neither
sentence-transformers nor transformers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from runtime.models.embedding_backends import bundled_model_dir
from runtime.models.embedding_bert import PlainBert, plain_bert_settings

TEXTS = ["Where is my refund?", "The app crashes when I open settings.",
         "a much longer message " * 80, "ünïcödé and emoji 🙂", "x"]


def test_the_light_path_matches_sentence_transformers_on_the_bundled_model() -> None:
    from sentence_transformers import SentenceTransformer

    path = bundled_model_dir()
    assert path is not None
    settings = plain_bert_settings(path)
    assert settings == {"max_length": 256}
    light = PlainBert(path, settings["max_length"]).encode(TEXTS)
    full = SentenceTransformer(str(path), device="cpu", local_files_only=True).encode(
        TEXTS, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False)
    assert light.shape == full.shape == (len(TEXTS), 384)
    assert np.abs(light - full).max() < 1e-5


def test_a_folder_that_is_not_a_plain_mean_pooled_bert_takes_the_full_library(
        tmp_path: Path) -> None:
    path = bundled_model_dir()
    assert path is not None
    copy = tmp_path / "model"
    copy.mkdir()
    for name in ("modules.json", "config.json", "sentence_bert_config.json",
                 "tokenizer.json"):
        (copy / name).write_bytes((path / name).read_bytes())
    (copy / "model.safetensors").symlink_to(path / "model.safetensors")
    (copy / "1_Pooling").mkdir()
    pooling = json.loads((path / "1_Pooling" / "config.json").read_text())
    (copy / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    assert plain_bert_settings(copy) is not None
    (copy / "1_Pooling" / "config.json").write_text(json.dumps(
        {**pooling, "pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}))
    assert plain_bert_settings(copy) is None
    assert plain_bert_settings(tmp_path) is None


def test_classifying_with_the_bundled_model_does_not_import_sentence_transformers(
        tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from runtime.models.embedding_backends import SentenceTransformerEmbedder\n"
        "vectors = SentenceTransformerEmbedder.bundled().embed(['where is my refund'])\n"
        "assert vectors.shape == (1, 384)\n"
        "print('sentence_transformers' in sys.modules, 'transformers' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, cwd=tmp_path,
                          env={**_env(), "JUNCTION_HOME": str(tmp_path)})
    assert done.stdout.strip() == "False False"


def _env() -> dict[str, str]:
    import os

    root = str(Path(__file__).resolve().parents[3])
    return {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
