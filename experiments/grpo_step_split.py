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
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

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
    path = options.get("model") or slm_from_config(cfg.slm).start(corpus, run.cache_dir, cfg.seed)
    tokenizer, model = load_tokenizer(path), load_slm(path, cfg.slm)

    generation: list[float] = []
    generate = model.generate

    def timed_generate(*args, **kwargs):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return generate(*args, **kwargs)
        finally:
            generation.append(time.perf_counter() - start)

    model.generate = timed_generate
    with tempfile.TemporaryDirectory() as tmp:
        trainer = rl_trainer(cfg, dsl, model, tokenizer, examples, Path(tmp), ["none"])
        trainer.train()
        history = [h for h in trainer.state.log_history if "step_time" in h]
    step = statistics.mean(h["step_time"] for h in history)
    reward = statistics.mean(h["reward/seconds"] for h in history)
    gen = sum(generation) / len(history)
    rest = step - gen - reward
    tokens = statistics.mean(h["completions/mean_length"] for h in history) * cfg.trainer.rl.batch_size
    print(
        json.dumps(
            {
                "dsl": cfg.dsl.name,
                "steps": len(history),
                "completions_per_step": cfg.trainer.rl.batch_size,
                "completion_tokens_per_step": round(tokens, 1),
                "generated_tokens_per_s": round(tokens / gen, 1),
                "trained_steps_per_s": round(1 / step, 3),
            }
        )
    )
    print(f"{'part':<28}{'s/step':>8}{'share':>8}")
    for name, value in (
        ("generation", gen),
        ("reward (validator+sim)", reward),
        ("forward+backward+optimizer", rest),
        ("whole step", step),
    ):
        print(f"{name:<28}{value:>8.3f}{value / step:>8.1%}")


if __name__ == "__main__":
    main(sys.argv[1:])
