"""Where a GRPO step's time goes: generation, the reward (validator + similarity), and the rest (forward, backward,
optimizer). The reward must not dominate.

    python experiments/grpo_step_split.py dsl=sql [steps=6] [model=<a stage's final/ dir>] [config overrides]

The GPU check of the issue (a Qwen2.5-0.5B-shaped model built from config, QLoRA in 4-bit with bf16):

    python experiments/grpo_step_split.py dsl=sql slm.architecture=qwen2 slm.hidden_size=896 slm.num_layers=24 \
        slm.num_heads=14 slm.intermediate_size=4864 slm.quantization=4bit slm.dtype=bfloat16 slm.lora.enabled=true \
        steps=10

Without `model=`, the untrained tiny SLM generates; its completions are as long as `trainer.rl.max_completion_length`
allows, which makes generation's share an upper bound. TRL's `step_time` wraps the whole training step (it calls
generation and the reward first), so backprop = step_time - generation - reward.

Each split is measured twice in the run: with the rollouts as TRL first generated them here (the LoRA adapter
computed beside the weights, float32), and as they are generated now (`generation.generate_as_evaluation`: merged,
bf16 autocast). SmolLM2 after an SFT stage:

    python experiments/grpo_step_split.py dsl=sql slm=smollm2 model=<run>/sft/final trainer.rl.batch_size=8 \
        trainer.rl.max_completion_length=160 steps=4
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any
from unittest.mock import patch

from slmfix_exp import train
from slmfix_exp.config import Config
from slmfix_exp.dsl.base import DSL
from slmfix_exp.experiment import compose, setup
from slmfix_exp.models import load_slm, load_tokenizer, slm_from_config
from slmfix_exp.train import repair_examples, rl_trainer


def main(argv: list[str]) -> None:
    options = dict(a.split("=", 1) for a in argv if a.split("=", 1)[0] in ("steps", "model"))
    overrides = [a for a in argv if a.split("=", 1)[0] not in ("steps", "model")]
    steps = int(options.get("steps", 6))
    _, cfg = compose([*overrides, "trainer.logging_steps=1"])
    cfg.trainer.rl.max_steps = steps
    run = setup(cfg)
    dsl, tasks = run.dsl, run.splits["train"][:400]
    examples = repair_examples(cfg, dsl, tasks, 1, "split")
    corpus = [e["prompt"] + e["completion"] for e in examples]
    start = slm_from_config(cfg.slm).start(corpus, run.cache_dir, cfg.seed)  # the tokenizer, an adapter's base
    path = options.get("model") or start
    print(f"{'rollouts':<9}{'part':<28}{'s/step':>8}{'share':>8}")
    whole = {}
    for rollouts in ("first", "now"):
        split = step_split(cfg, dsl, start, path, examples, first=rollouts == "first")
        whole[rollouts] = split["whole step"]
        for name, value in split.items():
            print(f"{rollouts:<9}{name:<28}{value:>8.3f}{value / split['whole step']:>8.1%}")
    print(f"whole step, first / now: {whole['first'] / whole['now']:.2f}x")


def step_split(
    cfg: Config, dsl: DSL, start: str, path: str, examples: list[dict[str, Any]], first: bool
) -> dict[str, float]:
    """Seconds a step of generation, reward and the rest. `first`: rollouts as TRL first generated them here, the
    LoRA adapter computed beside the weights in float32; else as `train.rl_trainer` makes them now (merged, bf16
    autocast where `slm.bf16_autocast`)."""
    tokenizer, model = load_tokenizer(start), load_slm(path, cfg.slm)
    generation: list[float] = []
    swap = patch.object(train, "generate_as_evaluation", lambda *_: None) if first else nullcontext()
    with swap, tempfile.TemporaryDirectory() as tmp:
        trainer = rl_trainer(cfg, dsl, model, tokenizer, examples, Path(tmp), ["none"])
        generate = model.generate

        def timed_generate(*args, **kwargs):  # type: ignore[no-untyped-def]
            start = time.perf_counter()
            try:
                return generate(*args, **kwargs)
            finally:
                generation.append(time.perf_counter() - start)

        model.generate = timed_generate
        trainer.train()
        history = [h for h in trainer.state.log_history if "step_time" in h]
    step = statistics.mean(h["step_time"] for h in history)
    reward = statistics.mean(h["reward/seconds"] for h in history)
    gen = sum(generation) / len(history)
    tokens = statistics.mean(h["completions/mean_length"] for h in history) * cfg.trainer.rl.batch_size
    print(
        json.dumps(
            {
                "dsl": cfg.dsl.name,
                "rollouts": "first" if first else "now",
                "steps": len(history),
                "completions_per_step": cfg.trainer.rl.batch_size,
                "completion_tokens_per_step": round(tokens, 1),
                "generated_tokens_per_s": round(tokens / gen, 1),
                "trained_steps_per_s": round(1 / step, 3),
            }
        )
    )
    return {
        "generation": gen,
        "reward (validator+sim)": reward,
        "forward+backward+optimizer": step - gen - reward,
        "whole step": step,
    }


if __name__ == "__main__":
    main(sys.argv[1:])
