"""How fast SmolLM2-135M (slm=smollm2) trains and repairs on this machine: SFT tokens/s through TRL under each
speed lever, against the first working setting measured in the same run, and greedy repairs/s on real SQL drafts.

    python experiments/bench_smollm2.py [steps=6] [batch=8] [repairs=48] [only=<setting>,...] [adapter=<dir>]
        [config overrides]

SFT settings (each a list of overrides on `dsl=sql slm=smollm2`, trained for `steps` steps of `batch` examples on
the bundled tasks' repair examples; tokens/s is TRL's `num_tokens` over the train runtime, the first step included):
  first      the first version that worked (issue 29): bfloat16 weights, no autocast, gradient checkpointing on
  fp32+amp   float32 weights with bf16 autocast, gradient checkpointing on
  no-ckpt    fp32+amp without gradient checkpointing (the default of slm=smollm2)
  bf16-amp   bfloat16 weights with bf16 autocast, no checkpointing
  lora-top8  no-ckpt with LoRA on the top 8 of the 30 layers only
  attn-only  no-ckpt with LoRA on the attention projections only
  threads1   no-ckpt on one torch thread (what a job of a two-job sweep gets)

Then greedy evaluation (`eval.num_samples=1`, one round) on the first `repairs` invalid real SQL drafts
(../shared/data/real_drafts/sql): repairs per second at evaluation batch sizes 1, 8, 16 and 32, first as generation
first ran (the LoRA adapter computed beside the weights, float32), then as it runs now (the adapter merged into the
weights while generating, bf16 autocast). The model is the untrained SmolLM2 (with a fresh adapter), or the trained
stage `adapter` names (a run's `sft/final`): a trained model stops at its closing fence, the untrained one mostly
writes until `eval.max_new_tokens`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any
from unittest.mock import patch

import torch

from slmfix_exp import generation
from slmfix_exp.evaluate import Evaluation
from slmfix_exp.experiment import compose, setup
from slmfix_exp.models import load_slm, load_tokenizer, slm_from_config
from slmfix_exp.train import repair_examples, sft_trainer

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real_drafts" / "sql"
NO_CKPT = ["trainer.gradient_checkpointing=false"]
SETTINGS: dict[str, list[str]] = {
    "first": ["slm.dtype=bfloat16", "slm.bf16_autocast=false", "trainer.gradient_checkpointing=true"],
    "fp32+amp": ["trainer.gradient_checkpointing=true"],
    "no-ckpt": NO_CKPT,
    "bf16-amp": [*NO_CKPT, "slm.dtype=bfloat16"],
    "lora-top8": [*NO_CKPT, "slm.lora.layers=[22,23,24,25,26,27,28,29]"],
    "attn-only": [*NO_CKPT, "slm.lora.target_modules=[q_proj,k_proj,v_proj,o_proj]"],
    "threads1": [*NO_CKPT, "trainer.threads=1"],
}


def sft_speed(overrides: list[str], steps: int, batch: int) -> dict[str, Any]:
    _, cfg = compose(["dsl=sql", "slm=smollm2", "logger=none", f"trainer.sft.batch_size={batch}", *overrides])
    threads = torch.get_num_threads()
    if cfg.trainer.threads:
        torch.set_num_threads(cfg.trainer.threads)
    try:
        run = setup(cfg)
        examples = repair_examples(cfg, run.dsl, run.splits["train"][: steps * batch], 1, "bench")
        path = slm_from_config(cfg.slm).start([], run.cache_dir, cfg.seed)
        tokenizer, model = load_tokenizer(path), load_slm(path, cfg.slm)
        with tempfile.TemporaryDirectory() as tmp:
            trainer = sft_trainer(cfg, model, tokenizer, examples, Path(tmp), ["none"], max_steps=steps)
            out = trainer.train()
        tokens = max(h.get("num_tokens", 0) for h in trainer.state.log_history)
        seconds = out.metrics["train_runtime"]
    finally:
        torch.set_num_threads(threads)
    return {"tokens": int(tokens), "seconds": round(seconds, 1), "tokens_per_s": round(tokens / seconds, 1)}


def repair_speed(n: int, batch_size: int, adapter: str | None, first: bool) -> dict[str, Any]:
    _, cfg = compose(
        [
            "dsl=sql",
            "slm=smollm2",
            "logger=none",
            f"eval.data.path={SHARED}",
            "base_llm=cached",
            f"base_llm.path={SHARED}",
            "eval.num_samples=1",
            "eval.rounds=1",
            f"eval.batch_size={batch_size}",
            f"slm.bf16_autocast={not first}",
        ]
    )
    run = setup(cfg)
    from slmfix_exp.data.base_llm import make_drafts

    drafts = make_drafts(cfg.base_llm, run.dsl, run.test, cfg.seed, run.cache_dir)
    verdicts = run.dsl.validate_batch([d.program for d in drafts], [t.context for t in run.test])
    invalid = [i for i, v in enumerate(verdicts) if not v.ok][:n]
    evaluation = Evaluation(cfg, run.dsl, [run.test[i] for i in invalid], [drafts[i] for i in invalid])
    path = slm_from_config(cfg.slm).start([], run.cache_dir, cfg.seed)
    tokenizer, model = load_tokenizer(path), load_slm(adapter or path, cfg.slm, trainable=False)
    start = time.perf_counter()
    with patch.object(generation, "merged_lora", lambda _: nullcontext()) if first else nullcontext():
        metrics = evaluation.slm("smollm2", model, tokenizer)
    seconds = time.perf_counter() - start
    return {
        "repairs": len(invalid),
        "seconds": round(seconds, 1),
        "repairs_per_s": round(len(invalid) / seconds, 2),
        "made_valid": metrics["repaired_valid"],
    }


def main(argv: list[str]) -> None:
    own = dict(a.split("=", 1) for a in argv if a.split("=", 1)[0] in ("steps", "batch", "repairs", "only", "adapter"))
    overrides = [a for a in argv if a.split("=", 1)[0] not in own]
    steps, batch, repairs = int(own.get("steps", 6)), int(own.get("batch", 8)), int(own.get("repairs", 48))
    names = own["only"].split(",") if "only" in own else list(SETTINGS)
    adapter = own.get("adapter")
    print(f"SFT, {steps} steps of {batch} examples (dsl=sql slm=smollm2), torch threads {torch.get_num_threads()}")
    print(f"{'setting':<12}{'tokens':>8}{'seconds':>9}{'tokens/s':>10}{'x first':>9}")
    first = None
    for name in ["first", *[n for n in names if n != "first"]] if steps else []:
        r = sft_speed([*SETTINGS[name], *overrides], steps, batch)
        first = first or r["tokens_per_s"]
        print(f"{name:<12}{r['tokens']:>8}{r['seconds']:>9}{r['tokens_per_s']:>10}{r['tokens_per_s'] / first:>9.2f}")
    if SHARED.is_dir() and repairs:
        model = adapter or "untrained SmolLM2"
        print(f"\ngreedy repair, one round, {model}, the first {repairs} invalid real SQL drafts")
        print(f"{'eval.batch_size':<16}{'generation':<12}{'seconds':>9}{'repairs/s':>11}{'x first':>9}", end="")
        print(f"{'made valid':>12}")
        for b in (1, 8, 16, 32):
            base = None
            for first in (True, False):
                r = repair_speed(repairs, b, adapter, first)
                base = base or r["repairs_per_s"]
                label = "first" if first else "now"
                print(
                    f"{b:<16}{label:<12}{r['seconds']:>9}{r['repairs_per_s']:>11}"
                    f"{r['repairs_per_s'] / base:>9.2f}{r['made_valid']:>12}"
                )


if __name__ == "__main__":
    main(sys.argv[1:])
