"""Sampling repairs from the SLM: batched generation (`generate`) and a random stream of its own (`seeded`), so that
what a stage samples depends on the seed alone, not on what ran before it in the process.

Evaluation, the choice of RL's prompts and LeDex's SLM teacher all generate through here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import torch
from tqdm.auto import tqdm
from transformers import PreTrainedTokenizerBase

from slmfix_exp.constrained import SearchTextInDraft
from slmfix_exp.models import SLM, prompt_text


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Run the block on torch's random streams (CPU and every GPU) seeded with `seed`, and give the process its own
    streams back after it: sampling inside draws the same numbers whatever consumed the streams before (an
    evaluation, another rank's different history), and draws nothing from the training that follows."""
    with torch.random.fork_rng(devices=list(range(torch.cuda.device_count()))):
        torch.manual_seed(seed)
        yield


@torch.no_grad()
def generate(
    model: SLM,
    tokenizer: PreTrainedTokenizerBase,
    prompts: Sequence[str],
    max_new_tokens: int,
    batch_size: int,
    num_samples: int = 1,
    temperature: float = 0.0,
    desc: str = "generating",
    constrain: bool = False,
    sample: bool | None = None,
    names: bool = False,
    autocast: bool = False,
) -> list[list[str]]:
    """`num_samples` completions per prompt, greedy when num_samples == 1 (unless `sample`). Batches hold
    `batch_size` sequences (prompts x samples) of prompts of like length, left-padded: sorting by length cuts the
    padding computed on. Each prompt is given to the model as it was in training (`models.prompt_text`: through the
    tokenizer's chat template, where it has one).

    With `constrain` (repair prompts, edit answers), the search texts can only copy pieces of the prompt's draft;
    with `names` too, the replacement texts can only write names that the prompt shows. With `autocast`
    (`slm.bf16_autocast`), the model runs in bfloat16 mixed precision, as it trained.

    A LoRA adapter is folded into the weights while it generates (`merged_lora`)."""
    with merged_lora(model), torch.autocast(model.device.type, torch.bfloat16, enabled=autocast):
        model.eval()
        tokenizer.padding_side = "left"
        outputs: list[list[str]] = [[] for _ in prompts]
        sample = num_samples > 1 if sample is None else sample
        prompts = [prompt_text(tokenizer, p) for p in prompts]
        encoded = tokenizer(list(prompts), add_special_tokens=False)["input_ids"] if prompts else []
        lengths = [len(ids) for ids in encoded]
        order = sorted(range(len(prompts)), key=lengths.__getitem__)
        per_batch = max(1, batch_size // num_samples)
        for start in tqdm(range(0, len(order), per_batch), desc=desc, unit="batch", leave=False):
            ids = order[start : start + per_batch]
            enc = tokenizer([prompts[i] for i in ids], return_tensors="pt", padding=True, add_special_tokens=False)
            out = model.generate(
                **enc.to(model.device),
                max_new_tokens=max_new_tokens,
                do_sample=sample,
                temperature=temperature if sample else None,
                top_p=None,
                top_k=None,
                num_return_sequences=num_samples,
                pad_token_id=tokenizer.pad_token_id,
                eos_token_id=tokenizer.eos_token_id,
                logits_processor=[SearchTextInDraft(tokenizer, names)] if constrain else None,
            )
            texts = tokenizer.batch_decode(out[:, enc["input_ids"].shape[1] :], skip_special_tokens=True)
            for k, i in enumerate(ids):
                outputs[i] = texts[k * num_samples : (k + 1) * num_samples]
        return outputs


@contextmanager
def merged_lora(model: SLM) -> Iterator[None]:
    """A LoRA model's adapter merged into its weights for the block, and taken out again after it: each projection
    is then one matmul, not three (experiments/bench_smollm2.py measures it). Not over a 4-bit base, which would
    round the adapter into NF4, nor an adapter merged already."""
    from peft import PeftModel

    merge = (
        isinstance(model, PeftModel)
        and getattr(model.get_base_model(), "hf_quantizer", None) is None
        and not any(getattr(m, "merged", False) for m in model.modules())
    )
    if merge:
        model.merge_adapter()
    try:
        yield
    finally:
        if merge:
            model.unmerge_adapter()


def generate_as_evaluation(model: SLM, autocast: bool) -> None:
    """Make every `model.generate` call (TRL's rollouts, which take the model as it trains) run as `generate` does:
    the LoRA adapter merged into the weights, in bf16 autocast where `autocast`."""
    inner = model.generate

    def merged(*args: Any, **kwargs: Any) -> Any:
        with merged_lora(model), torch.autocast(model.device.type, torch.bfloat16, enabled=autocast):
            return inner(*args, **kwargs)

    model.generate = merged
