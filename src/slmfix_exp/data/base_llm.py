"""The frozen LLM that writes the drafts: an offline error-injecting stand-in, cached drafts, a transformers model,
or any OpenAI-compatible endpoint, one `BaseLLM` class per option of the `base_llm` group. `make_drafts` returns one
`Draft` per task, in order, `sample_drafts` several; a real LLM's `chat` answers anything (LeDex's teacher asks it to
explain and refine)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from slmfix_exp.config import (
    BaseLLMConfig,
    CachedLLMConfig,
    HFLLMConfig,
    MutatorLLMConfig,
    OpenAILLMConfig,
    instantiate_as,
)
from slmfix_exp.data.loaders import DataError, jsonl_files, read_jsonl
from slmfix_exp.dsl.base import DSL, Task
from slmfix_exp.prompts import draft_messages, extract_program

log = logging.getLogger(__name__)


@dataclass
class Draft:
    task_id: str
    program: str
    label: str  # what was done to it: "none" (the reference kept), a mutation kind, or "llm"


def mutator_drafts(
    dsl: DSL, tasks: Sequence[Task], p_invalid: float, p_off: float, seed: int, salt: str = "", attempts: int = 6
) -> list[Draft]:
    """Drafts the way a frozen LLM gets programs wrong, each labelled with what was done to it.

    Every label is checked: an "invalid" draft is one the validator rejects and a "valid but off" one is one it
    accepts; a mutation that doesn't keep its promise is redrawn, and after `attempts` the reference is kept."""
    missing = [t.id for t in tasks if t.reference is None]
    if missing:
        raise DataError(f"the mutator breaks references, and {len(missing)} task(s) have none, e.g. {missing[:3]}")
    drafts = [Draft(t.id, t.reference or "", "none") for t in tasks]
    wanted: dict[int, bool] = {}  # task index -> want invalid?
    rngs = {}
    for i, task in enumerate(tasks):
        rng = random.Random(f"{seed}/{salt}/{task.id}")
        u = rng.random()
        if u < p_invalid + p_off:
            wanted[i] = u < p_invalid
            rngs[i] = rng
    for _ in range(attempts):
        if not wanted:
            break
        candidates = {}
        for i, invalid in wanted.items():
            reference = tasks[i].reference or ""
            m = dsl.mutate(reference, tasks[i].context, rngs[i], invalid)
            if m is not None and m.invalid == invalid and m.program != reference:
                candidates[i] = m
        order = list(candidates)
        verdicts = dsl.validate_batch([candidates[i].program for i in order], [tasks[i].context for i in order])
        for i, v in zip(order, verdicts, strict=True):
            if v.ok != wanted[i]:  # promise kept: invalid rejected, off accepted
                drafts[i] = Draft(tasks[i].id, candidates[i].program, candidates[i].label)
                del wanted[i]
    return drafts


def cached_drafts(path: Path, tasks: Sequence[Task]) -> list[Draft]:
    """Drafts produced earlier by any LLM: JSONL lines {"id", "draft"}, in one file or a directory of them (ids
    `<file stem>/<id>` then, as `load_eval_tasks` names the tasks of a directory)."""
    by_id = {}
    for file in jsonl_files(path.expanduser(), "base_llm.path"):
        prefix = f"{file.stem}/" if path.expanduser().is_dir() else ""
        for lineno, r in read_jsonl(file):
            if "id" not in r or not isinstance(r.get("draft"), str):
                raise DataError(f"{file}:{lineno}: each line needs 'id' and a string 'draft'")
            by_id[prefix + str(r["id"])] = r["draft"]
    missing = [t.id for t in tasks if t.id not in by_id]
    if missing:
        raise DataError(f"{path} has no draft for {len(missing)} task(s), e.g. {missing[:3]}")
    return [Draft(t.id, by_id[t.id], "llm") for t in tasks]


def _hf_model(cfg: HFLLMConfig) -> tuple[Any, Any]:
    """The drafting model, with the dtype and device map of the config: by default (`auto`, `auto`) a 7B model loads in
    its own bfloat16 onto the GPUs, where without them it would load in float32 onto the CPU."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from slmfix_exp.models import check_model_path, device_map_for, torch_dtype

    name = check_model_path(str(cfg.model))
    tokenizer = AutoTokenizer.from_pretrained(name, padding_side="left")
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model: Any = AutoModelForCausalLM.from_pretrained(
        name,
        dtype=torch_dtype(cfg.dtype),
        device_map=device_map_for(cfg.device_map),
    )
    model.eval()
    return tokenizer, model


def hf_chat(
    cfg: HFLLMConfig,
    conversations: Sequence[list[dict[str, str]]],
    cache_dir: Path,
    n: int = 1,
    seed: int = 0,
    desc: str = "chat",
) -> list[list[str]]:
    """Batched generation with a transformers causal LM (chat template when the tokenizer has one). Its answers are
    not cached (`cache_dir` is unused): they cost local compute, not requests."""
    import torch

    tokenizer, model = _hf_model(cfg)  # not kept: the SLM trains after this
    torch.manual_seed(seed)
    answers: list[list[str]] = []
    for start in tqdm(range(0, len(conversations), cfg.batch_size), desc=f"{desc} (hf)", unit="batch"):
        batch = conversations[start : start + cfg.batch_size]
        enc = tokenizer([render_chat(tokenizer, m) for m in batch], return_tensors="pt", padding=True)
        enc = enc.to(model.device)  # the device of the first layer, where a device map spreads the model
        with torch.no_grad():
            out = model.generate(
                **enc,
                max_new_tokens=cfg.max_new_tokens,
                do_sample=cfg.temperature > 0,
                temperature=cfg.temperature if cfg.temperature > 0 else None,
                num_return_sequences=n,
                pad_token_id=tokenizer.pad_token_id,
            )
        texts = [str(tokenizer.decode(seq, skip_special_tokens=True)) for seq in out[:, enc["input_ids"].shape[1] :]]
        answers.extend(texts[i : i + n] for i in range(0, len(texts), n))
    return answers


def render_chat(tokenizer, messages: list[dict[str, str]]) -> str:
    if getattr(tokenizer, "chat_template", None):
        return str(tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))
    return "\n\n".join(m["content"] for m in messages) + "\n\n"


def openai_chat(
    cfg: OpenAILLMConfig,
    conversations: Sequence[list[dict[str, str]]],
    cache_dir: Path,
    n: int = 1,
    seed: int = 0,
    desc: str = "chat",
) -> list[list[str]]:
    """Chat completions from an OpenAI-compatible server through the `openai` SDK, each response cached on disk by its
    request. The `n` samples of a conversation are one request (with `n` and a `seed`, so that a rerun asks the same
    thing); `base_llm.concurrency` requests are in flight at once, which is what lets a vLLM server batch them. The
    SDK retries connection errors, 408, 409, 429 and 5xx `base_llm.max_retries` times with backoff, each attempt
    bounded by `base_llm.request_timeout` seconds."""
    import openai

    if cfg.concurrency < 1:
        raise ValueError(f"base_llm.concurrency must be at least 1, not {cfg.concurrency}")
    cache = cache_dir.expanduser() / "llm_responses"
    cache.mkdir(parents=True, exist_ok=True)
    answers: list[list[str] | None] = [None] * len(conversations)
    todo: list[tuple[int, dict[str, Any], Path]] = []
    for i, messages in enumerate(conversations):
        # with n = 1 the body (and so the cache key) is the one of the client this SDK one replaced: old caches hit
        body: dict[str, Any] = {
            "model": cfg.model,
            "messages": messages,
            "temperature": cfg.temperature,
            "max_tokens": cfg.max_new_tokens,
        }
        if n > 1:
            body |= {"n": n, "seed": seed}
        key = hashlib.sha256(json.dumps([cfg.base_url, body], sort_keys=True).encode()).hexdigest()
        cached = cache / f"{key}.json"
        if cached.exists():
            entry = json.loads(cached.read_text())
            answers[i] = entry["texts"] if "texts" in entry else [entry["text"]]
        else:
            todo.append((i, body, cached))

    def ask(body: dict[str, Any], cached: Path) -> list[str]:
        texts = _chat_completions(client, body, n)
        tmp = cached.with_name(f"{cached.stem}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps({"request": body, "texts": texts} if n > 1 else {"request": body, "text": texts[0]}))
        tmp.replace(cached)  # written as each answer arrives: a killed run keeps what it was sent
        return texts

    with (
        openai.OpenAI(
            base_url=str(cfg.base_url),
            api_key=os.environ.get(cfg.api_key_env) or "none",  # a local vLLM server asks for none; the SDK wants one
            max_retries=cfg.max_retries,
            timeout=cfg.request_timeout,
        ) as client,  # closed after the pool has finished
        ThreadPoolExecutor(max_workers=cfg.concurrency) as pool,
        tqdm(total=len(answers), initial=len(answers) - len(todo), desc=f"{desc} ({cfg.model})", unit="request") as bar,
    ):
        futures = {pool.submit(ask, body, cached): i for i, body, cached in todo}
        try:
            for future in as_completed(futures):
                answers[futures[future]] = future.result()
                bar.update()
        except BaseException:
            for f in futures:  # don't send what nobody will read
                f.cancel()
            raise
    return [a if a is not None else [] for a in answers]


def _chat_completions(client: Any, body: dict[str, Any], n: int) -> list[str]:
    """The `n` answers to one request. A server that returns fewer choices than asked (some ignore `n`) is asked again
    for the rest, each time with the next seed."""
    import openai

    texts: list[str] = []
    while len(texts) < n:
        ask = dict(body)
        if n > 1:
            ask |= {"n": n - len(texts), "seed": body["seed"] + len(texts)}
        try:
            response = client.chat.completions.create(**ask)
        except openai.APIStatusError as exc:  # a bad request, or a server error past the retries
            raise RuntimeError(f"{client.base_url} answered {exc.status_code}: {str(exc)[:300]}") from exc
        except openai.APIConnectionError as exc:  # timeouts too, past the retries
            raise RuntimeError(f"{client.base_url} failed after {client.max_retries + 1} attempts: {exc}") from exc
        choices = sorted(response.choices or [], key=lambda c: c.index or 0)
        if not choices:
            raise RuntimeError(f"{client.base_url} returned no choices for a request of model {body['model']!r}")
        texts += [c.message.content or "" for c in choices][: n - len(texts)]
    return texts


class BaseLLM:
    """An option of the `base_llm` group, built by `hydra.utils.instantiate` from its schema's fields (`schema`, in
    config.py): what writes the drafts, and for a real language model, what answers LeDex's teacher prompts."""

    schema: type[BaseLLMConfig] = BaseLLMConfig
    chats = False  # a language model that can be asked anything (`chat`): LeDex's teacher

    def __init__(self, **options: Any) -> None:
        self.cfg: Any = self.schema(**options)

    @property
    def label(self) -> str:
        """Who wrote a draft, for a synthesised record's provenance."""
        return str(self.cfg.name)

    def with_options(self, **changes: Any) -> BaseLLM:
        """The same LLM with some options changed (a teacher's temperature)."""
        return type(self)(**(vars(self.cfg) | changes))

    def sample(
        self, dsl: DSL, tasks: Sequence[Task], seed: int, cache_dir: Path, n: int = 1, temperature: float | None = None
    ) -> list[list[Draft]]:
        """`n` drafts per task, as LeDex samples many programs per task, at `temperature` where the drafter samples
        (default: base_llm.temperature)."""
        raise NotImplementedError

    def chat(
        self,
        conversations: Sequence[list[dict[str, str]]],
        cache_dir: Path,
        n: int = 1,
        seed: int = 0,
        desc: str = "chat",
    ) -> list[list[str]]:
        """`n` answers of the LLM to each conversation."""
        raise ValueError(f"base_llm={self.cfg.name} is no language model to ask: use hf or openai")


class Mutator(BaseLLM):
    """The offline stand-in: each reference broken the way a frozen LLM gets programs wrong (`mutator_drafts`)."""

    schema = MutatorLLMConfig

    def sample(
        self, dsl: DSL, tasks: Sequence[Task], seed: int, cache_dir: Path, n: int = 1, temperature: float | None = None
    ) -> list[list[Draft]]:
        """Each reference broken `n` ways; sample 0 is the one draft `make_drafts` gives."""
        salts = [f"sample{k}" if k else "" for k in range(n)]
        per_sample = [mutator_drafts(dsl, tasks, self.cfg.p_invalid, self.cfg.p_off, seed, salt) for salt in salts]
        return [list(drafts) for drafts in zip(*per_sample, strict=True)] if tasks else []


class CachedDrafts(BaseLLM):
    """Drafts any LLM wrote earlier, read by task id (`cached_drafts`)."""

    schema = CachedLLMConfig

    def sample(
        self, dsl: DSL, tasks: Sequence[Task], seed: int, cache_dir: Path, n: int = 1, temperature: float | None = None
    ) -> list[list[Draft]]:
        if n > 1:
            log.warning("base_llm=cached holds one draft per task: sampling 1, not %d", n)
        return [[d] for d in cached_drafts(Path(self.cfg.path), tasks)]


class ChatLLM(BaseLLM):
    """A language model asked for each draft: the task's request in a chat (`prompts.draft_messages`)."""

    chats = True
    ask: Callable[..., list[list[str]]]  # (cfg, conversations, cache_dir, n, seed, desc) -> n answers to each

    @property
    def label(self) -> str:
        return f"{self.cfg.name}:{self.cfg.model}"

    def chat(
        self,
        conversations: Sequence[list[dict[str, str]]],
        cache_dir: Path,
        n: int = 1,
        seed: int = 0,
        desc: str = "chat",
    ) -> list[list[str]]:
        return self.ask(self.cfg, conversations, cache_dir, n, seed, desc)

    def sample(
        self, dsl: DSL, tasks: Sequence[Task], seed: int, cache_dir: Path, n: int = 1, temperature: float | None = None
    ) -> list[list[Draft]]:
        llm = self if temperature is None else self.with_options(temperature=temperature)
        texts = llm.chat([draft_messages(t, dsl) for t in tasks], cache_dir, n, seed, desc="drafting")
        return [
            [Draft(t.id, extract_program(x, dsl.fence, require_fence=False) or "", "llm") for x in xs]
            for t, xs in zip(tasks, texts, strict=True)
        ]


class HFLLM(ChatLLM):
    """A transformers causal LM, by hub name or local path, with batched generation."""

    schema = HFLLMConfig
    ask = staticmethod(hf_chat)


class OpenAILLM(ChatLLM):
    """Any OpenAI-compatible endpoint (a vLLM server), through the `openai` SDK."""

    schema = OpenAILLMConfig
    ask = staticmethod(openai_chat)


def base_llm_from_config(cfg: BaseLLMConfig) -> BaseLLM:
    """The `base_llm` option of a config, built by `hydra.utils.instantiate` from its `_target_`."""
    return instantiate_as(cfg, BaseLLM)


def make_drafts(cfg: BaseLLMConfig, dsl: DSL, tasks: Sequence[Task], seed: int, cache_dir: Path) -> list[Draft]:
    """One draft per task, in order."""
    return [samples[0] for samples in sample_drafts(cfg, dsl, tasks, seed, cache_dir)]


def sample_drafts(
    cfg: BaseLLMConfig,
    dsl: DSL,
    tasks: Sequence[Task],
    seed: int,
    cache_dir: Path,
    n: int = 1,
    temperature: float | None = None,
) -> list[list[Draft]]:
    """`n` drafts per task from the `base_llm` option `cfg` (`BaseLLM.sample`)."""
    return base_llm_from_config(cfg).sample(dsl, tasks, seed, cache_dir, n, temperature)
