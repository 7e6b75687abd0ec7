"""A lighter way to run a plain BERT sentence-transformers model (the bundled MiniLM).

Importing `sentence_transformers` costs ~4 s of a cold `junction run` (it pulls in most
of its optional machinery); the model itself needs only torch, transformers' `BertModel`
and a fast tokenizer. For a folder whose sentence-transformers pipeline is exactly
*Transformer → mean pooling → normalise* on a BERT model — all-MiniLM-L6-v2 is — this
computes the same vectors (checked against sentence-transformers in the tests) without
importing sentence-transformers. Any other folder returns None and the caller uses
sentence-transformers as before.
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
    if (config.get("model_type") != "bert" or not pooling.get("pooling_mode_mean_tokens")
            or others or bert.get("do_lower_case") or not (path / "tokenizer.json").exists()):
        return None
    return {"max_length": int(bert.get("max_seq_length") or 256)}


class PlainBert:
    """Tokenizer (the `tokenizers` library) + `BertModel`, mean-pooled and normalised."""

    def __init__(self, path: Path, max_length: int) -> None:
        import torch
        from tokenizers import Tokenizer
        from transformers import BertModel

        self._torch = torch
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_length)
        self.tokenizer.enable_padding()
        self.model = BertModel.from_pretrained(str(path), local_files_only=True)
        self.model.eval()

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
                tokens = self.model(input_ids=ids, attention_mask=mask,
                                    token_type_ids=types).last_hidden_state
            weights = mask.unsqueeze(-1).to(tokens.dtype)
            pooled = (tokens * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
            rows.append(pooled.numpy().astype(np.float32))
        return np.vstack(rows) if rows else np.zeros((0, 0), dtype=np.float32)
