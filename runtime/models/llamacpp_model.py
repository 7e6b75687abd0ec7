"""One loaded llama.cpp model per file per process, shared and used one call at a time.

A GGUF model costs hundreds of MB and a second or more to load, and a llama.cpp context is
not safe to use from two threads at once. So every provider that names the same file gets
the same `SharedModel`; it loads on first use under a lock (concurrent runs wait for the
one load instead of starting their own) and every call holds its lock while it works.

Scoring helpers work on the context directly and keep it consistent with llama-cpp-python's
own bookkeeping (`input_ids`, `n_tokens`), so its `create_completion` can keep reusing the
same cache afterwards:

- `eval_anchored` keeps a node's instructions and examples (the same for every case) at
  the start of the cache and evaluates only the case on top, always split the same way so
  results do not depend on what ran before;
- `continuation_logprob` scores a short continuation from the prompt's cached state, so N
  options cost N short evaluations, not N prompts.

Log-probabilities are read from the last position's logits (`llama_get_logits_ith`), so
the model is loaded *without* `logits_all=True`: with Gemma's 262k-token vocabulary that
flag would keep a 1 MB row of logits per context position (GBs at a 4k context).
"""

from __future__ import annotations

import atexit
import itertools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runtime.models.base import ModelUnavailable

if TYPE_CHECKING:  # numpy comes with the llamacpp extra; importing this module needs neither
    import numpy as np

INSTALL_HINT = "install it with `pip install 'junction[llamacpp]'`"


@dataclass(frozen=True)
class LlamaCppSettings:
    """From the environment: `JUNCTION_LLAMACPP_CTX` (context tokens),
    `JUNCTION_LLAMACPP_THREADS` (CPU threads; half the cores by default).

    Not all cores: llama.cpp's threads wait for each other by spinning, so when anything
    else keeps one core busy (another run, a test suite, the designer) a thread count equal
    to the core count made each token ~25× slower here (0.74 s instead of 0.03 s on two
    cores); half the cores degrades gracefully instead.
    """

    n_ctx: int = 4096
    threads: int = 0

    @classmethod
    def from_env(cls) -> LlamaCppSettings:
        return cls(n_ctx=int(os.environ.get("JUNCTION_LLAMACPP_CTX", cls.n_ctx)),
                   threads=int(os.environ.get("JUNCTION_LLAMACPP_THREADS", 0)))

    def thread_count(self) -> int:
        return self.threads or max(1, (os.cpu_count() or 2) // 2)


Loader = Callable[[Path, LlamaCppSettings], Any]


def load_llama(path: Path, settings: LlamaCppSettings) -> Any:
    """Load a GGUF file with llama-cpp-python (imported here: it is an optional extra)."""
    try:
        import llama_cpp
    except ImportError:
        raise ModelUnavailable(f"llama.cpp support is not installed; {INSTALL_HINT}") from None
    if not path.exists():
        raise ModelUnavailable(f"model file not found: {path}")
    try:
        with _without_extra_buffer_types(llama_cpp):
            return llama_cpp.Llama(model_path=str(path), n_ctx=settings.n_ctx,
                                   n_threads=settings.thread_count(),
                                   n_threads_batch=settings.thread_count(),
                                   logits_all=False, verbose=False, seed=0,
                                   # rolling the cache back to a prompt (option scoring,
                                   # prefix reuse) needs every position kept, sliding-window
                                   # layers too
                                   swa_full=True)
    except (ValueError, RuntimeError) as exc:
        raise ModelUnavailable(f"llama.cpp could not load {path}: {exc}") from None


_PARAMS_LOCK = threading.Lock()


@contextmanager
def _without_extra_buffer_types(llama_cpp: Any) -> Iterator[None]:
    """Load with llama.cpp's extra buffer types off (`use_extra_bufts=False`).

    Extra buffer types repack the weights for the CPU's special kernels, AMX among them. A
    build made on a machine whose CPU *advertises* AMX compiles those kernels in, and in a
    virtual machine that cannot actually run AMX the first matrix multiplication dies with
    SIGSEGV (`ldtilecfg` in `ggml_backend_amx_mul_mat`): a fresh `pip install` of
    llama-cpp-python 0.3.36 crashed the whole process that way. `Llama(...)` has no
    argument for the flag and loads the model inside its constructor, so the default model
    parameters it asks for are amended for the duration of the load.
    """
    low_level = llama_cpp.llama_cpp
    original = low_level.llama_model_default_params

    def safe_params() -> Any:
        params = original()
        if hasattr(params, "use_extra_bufts"):
            params.use_extra_bufts = False
        return params

    with _PARAMS_LOCK:
        low_level.llama_model_default_params = safe_params
        try:
            yield
        finally:
            low_level.llama_model_default_params = original


class SharedModel:
    """A model file's single loaded instance; `lock` serialises every use of it."""

    def __init__(self, path: Path, settings: LlamaCppSettings, loader: Loader) -> None:
        self.path = path
        self.settings = settings
        self.lock = threading.RLock()
        self._loader = loader
        self._llm: Any = None
        self.loads = 0
        # The token prefix that sits at the start of the cache, evaluated on its own from
        # position 0 (see `eval_anchored`); None once anything else used the cache.
        self.anchor: list[int] | None = None

    def llm(self) -> Any:
        """The loaded model (loading it the first time); call with `lock` held."""
        with self.lock:
            if self._llm is None:
                self._llm = self._loader(self.path, self.settings)
                self.loads += 1
                atexit.register(self.close)
            return self._llm

    def close(self) -> None:
        """Free the model while llama_cpp is still intact (at interpreter exit its own
        finaliser would run after the library's globals are gone, and print a traceback)."""
        with self.lock:
            llm, self._llm = self._llm, None
        if llm is not None and hasattr(llm, "close"):
            llm.close()


_MODELS: dict[str, SharedModel] = {}
_MODELS_LOCK = threading.Lock()


def shared_model(path: Path, settings: LlamaCppSettings | None = None,
                 loader: Loader = load_llama) -> SharedModel:
    """The process-wide instance for `path` (resolved, so two spellings share one)."""
    key = str(path.resolve())
    with _MODELS_LOCK:
        model = _MODELS.get(key)
        if model is None:
            model = SharedModel(path.resolve(), settings or LlamaCppSettings.from_env(),
                                loader)
            _MODELS[key] = model
        return model


def forget_models() -> None:
    """Drop every shared model (tests; frees memory once no provider holds them)."""
    with _MODELS_LOCK:
        _MODELS.clear()


# -- scoring on a loaded model (call with the model's lock held) ---------------------


def tokenize(llm: Any, text: str, *, bos: bool) -> list[int]:
    return list(llm.tokenize(text.encode("utf-8"), add_bos=bos, special=False))


def eval_anchored(shared: SharedModel, llm: Any, head: list[int], rest: list[int]) -> int:
    """Bring the context to `head + rest`, so that the result does not depend on what was
    evaluated before.

    llama.cpp's numbers depend slightly on how tokens are split into batches (a whole
    prompt at once, or only its last token on top of a cached copy can differ by a few
    hundredths of a probability). So `head` — a node's instructions and examples, the same
    for every case — is always evaluated alone from position 0 and then kept, and `rest`
    (the case) is always evaluated alone on top of it: the same case gets the same
    probabilities whatever ran before, and only the case costs time.
    Returns how many tokens were evaluated.
    """
    evaluated = 0
    if shared.anchor != head or llm.n_tokens < len(head):
        llm.n_tokens = 0
        llm.eval(head)
        shared.anchor = list(head)
        evaluated += len(head)
    llm.n_tokens = len(head)
    llm.eval(rest)
    return evaluated + len(rest)


def last_logprobs(llm: Any) -> np.ndarray:
    """Log-probabilities of the next token after the last evaluated one."""
    import llama_cpp
    import numpy as np

    pointer = llama_cpp.llama_get_logits_ith(llm.ctx, -1)
    logits = np.ctypeslib.as_array(pointer, shape=(llm.n_vocab(),)).astype(np.float64)
    top = logits.max()
    return logits - top - np.log(np.exp(logits - top).sum())


def continuation_logprob(llm: Any, prompt_len: int, first: np.ndarray,
                         tokens: list[int]) -> float:
    """Sum of log P(token | prompt, earlier tokens) over `tokens`.

    `first` holds the log-probabilities after the prompt; every later token is evaluated
    on top of the prompt's cached state, which is restored (by position) afterwards.
    """
    total = float(first[tokens[0]])
    llm.n_tokens = prompt_len
    for previous, token in itertools.pairwise(tokens):
        llm.eval([previous])
        total += float(last_logprobs(llm)[token])
    llm.n_tokens = prompt_len
    return total
