"""A lighter way to run a plain BERT sentence-transformers model (the bundled MiniLM).

Importing `sentence_transformers` costs ~4 s of a cold `junction run` (it pulls in
transformers and most of its optional machinery); the model itself needs only torch, its
safetensors weights and a fast tokenizer. For a folder whose sentence-transformers
pipeline is exactly *Transformer → mean pooling → normalise* on a BERT model —
all-MiniLM-L6-v2 is — this computes the same vectors (checked against sentence-transformers
in the tests) without importing sentence-transformers or transformers. Any other folder
returns None and the caller uses sentence-transformers as before.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from runtime.models.embedding_scoring import Matrix

BATCH = 32


def plain_bert_settings(path: Path) -> dict[str, Any] | None:
    """The settings of a Transformer → mean-pooling → Normalize BERT folder, else None."""
    try:
        modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        if kinds != ["Transformer", "Pooling", "Normalize"] or modules[0]["path"] != "":
            return None
        pooling = json.loads((path / modules[1]["path"] / "config.json").read_text("utf-8"))
        bert = json.loads((path / "sentence_bert_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    others = [k for k, v in pooling.items()
              if k.startswith("pooling_mode_") and v and k != "pooling_mode_mean_tokens"]
    if (config.get("model_type") != "bert" or config.get("hidden_act") != "gelu"
            or config.get("position_embedding_type", "absolute") != "absolute"
            or not pooling.get("pooling_mode_mean_tokens") or others
            or bert.get("do_lower_case") or not (path / "tokenizer.json").exists()
            or not (path / "model.safetensors").exists()):
        return None
    return {"max_length": int(bert.get("max_seq_length") or 256)}


class PlainBert:
    """A BERT encoder written out in plain torch (≈40 lines: embeddings, self-attention,
    feed-forward, layer norms), weights read from `model.safetensors`, tokenised by the
    `tokenizers` library, mean-pooled and normalised. Importing transformers' `BertModel`
    costs most of what importing sentence-transformers does; torch alone is the floor."""

    def __init__(self, path: Path, max_length: int) -> None:
        import torch
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        self._torch = torch
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.weights = load_file(str(path / "model.safetensors"), device="cpu")
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_length)
        self.tokenizer.enable_padding()

    def encode(self, texts: Sequence[str], **_: Any) -> Matrix:
        """Unit vectors, one row per text (sentence-transformers' `encode` keywords are
        accepted and need nothing: this path always normalises, on the CPU, in batches)."""
        torch = self._torch
        rows = []
        for start in range(0, len(texts), BATCH):
            batch = self.tokenizer.encode_batch(list(texts[start:start + BATCH]))
            ids = torch.tensor([e.ids for e in batch])
            mask = torch.tensor([e.attention_mask for e in batch])
            types = torch.tensor([e.type_ids for e in batch])
            with torch.inference_mode():
                tokens = self._forward(ids, mask, types)
            weights = mask.unsqueeze(-1).to(tokens.dtype)
            pooled = (tokens * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
            rows.append(pooled.numpy().astype(np.float32))
        return np.vstack(rows) if rows else np.zeros((0, 0), dtype=np.float32)

    def _forward(self, ids: Any, mask: Any, types: Any) -> Any:
        """BERT's last hidden state, as transformers' `BertModel` computes it (eval mode)."""
        functional = self._torch.nn.functional
        w = self.weights
        positions = self._torch.arange(ids.shape[1])
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][positions][None]
             + w["embeddings.token_type_embeddings.weight"][types])
        x = self._norm(x, "embeddings.LayerNorm")
        blocked = (1.0 - mask[:, None, None, :].to(x.dtype)) * self._torch.finfo(x.dtype).min
        batch, length, width = x.shape
        size = width // self.heads
        for n in range(self.layers):
            p = f"encoder.layer.{n}."

            def split(name: str, h: Any = x, p: str = p) -> Any:
                projected = functional.linear(h, w[p + name + ".weight"], w[p + name + ".bias"])
                return projected.view(batch, length, self.heads, size).transpose(1, 2)

            q, k, v = (split(f"attention.self.{part}") for part in ("query", "key", "value"))
            scores = q @ k.transpose(-1, -2) / size ** 0.5 + blocked
            context = (scores.softmax(dim=-1) @ v).transpose(1, 2).reshape(batch, length, width)
            attended = self._norm(self._dense(context, p + "attention.output.dense") + x,
                                  p + "attention.output.LayerNorm")
            inner = functional.gelu(self._dense(attended, p + "intermediate.dense"))
            x = self._norm(self._dense(inner, p + "output.dense") + attended,
                           p + "output.LayerNorm")
        return x

    def _dense(self, x: Any, name: str) -> Any:
        return self._torch.nn.functional.linear(x, self.weights[name + ".weight"],
                                                self.weights[name + ".bias"])

    def _norm(self, x: Any, name: str) -> Any:
        return self._torch.nn.functional.layer_norm(
            x, x.shape[-1:], self.weights[name + ".weight"], self.weights[name + ".bias"],
            self.eps)
