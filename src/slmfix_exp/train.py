"""Training through TRL: SFT on (broken draft -> reference) pairs, then GRPO or RLOO with the reward group.

Each stage writes into `<run_dir>/<stage>/`: checkpoints every `trainer.save_steps`, the final model in `final/`
and the trainer's log history in `log_history.json`. A stage whose `final/` exists is skipped and a stage with
checkpoints resumes from the last one, so rerunning a killed run into the same run dir finishes it.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import torch
from datasets import Dataset
from transformers import PreTrainedTokenizerBase

from slmfix_exp.config import Config, check_rl
from slmfix_exp.constrained import constrain_generation
from slmfix_exp.data.base_llm import mutator_drafts
from slmfix_exp.dsl.base import DSL, Task
from slmfix_exp.models import SLM, slm_example
from slmfix_exp.prompts import explain, repair_completion, repair_prompt
from slmfix_exp.reward import RepairReward

log = logging.getLogger(__name__)


def repair_examples(cfg: Config, dsl: DSL, originals: Sequence[Task], copies: int, salt: str) -> list[dict[str, Any]]:
    """Prompt/completion records for repairing invalid drafts of the tasks: `copies` differently broken drafts each,
    a share of them (`trainer.sft.vary_names`) over the task in other names (`DSL.vary`).

    The drafts come from the mutator whatever `base_llm` is: training needs many broken programs with known fixes."""
    records: dict[str, dict[str, Any]] = {}
    for k in range(copies):
        rng = random.Random(f"{cfg.seed}/{salt}{k}/vary")
        tasks = [dsl.vary(t, rng) if rng.random() < cfg.trainer.sft.vary_names else t for t in originals]
        drafts = mutator_drafts(dsl, tasks, p_invalid=1.0, p_off=0.0, seed=cfg.seed, salt=f"{salt}{k}")
        broken = [(t, d) for t, d in zip(tasks, drafts, strict=True) if d.label != "none"]
        verdicts = dsl.validate_batch([d.program for _, d in broken], [t.context for t, _ in broken])
        for (task, draft), verdict in zip(broken, verdicts, strict=True):
            prompt = repair_prompt(
                task, draft.program, verdict, dsl, cfg.prompt.mode, cfg.prompt.max_diagnostics, cfg.slm.answer
            )
            why = explain(verdict) if cfg.prompt.mode == "explain_then_fix" else None
            records[prompt] = {
                "prompt": prompt,
                "completion": repair_completion(task.reference or "", dsl, why, cfg.slm.answer, draft.program),
                "draft": draft.program,
                "reference": task.reference,
                "context": json.dumps(task.context),
                "label": draft.label,
            }
    return list(records.values())


def common_args(cfg: Config, stage_dir: Path, report_to: list[str]) -> dict[str, Any]:
    return dict(
        output_dir=str(stage_dir),
        use_cpu=not torch.cuda.is_available(),
        bf16=cfg.slm.bf16_autocast or (torch.cuda.is_available() and cfg.slm.dtype == "bfloat16"),
        logging_steps=cfg.trainer.logging_steps,
        save_steps=cfg.trainer.save_steps,
        save_total_limit=2,
        report_to=report_to,
        seed=cfg.seed,
        dataloader_num_workers=0,
        disable_tqdm=False,
        gradient_checkpointing=gradient_checkpointing(cfg),
    )


def gradient_checkpointing(cfg: Config) -> bool:
    """`trainer.gradient_checkpointing`; null: on for a pretrained SLM (TRL's own default, for its memory), off for
    the tiny one, where it saves little memory and costs a recomputed forward pass."""
    if cfg.trainer.gradient_checkpointing is not None:
        return cfg.trainer.gradient_checkpointing
    return cfg.slm.name != "tiny"


def run_sft(
    cfg: Config,
    dsl: DSL,
    model: SLM,
    tokenizer: PreTrainedTokenizerBase,
    examples: list[dict[str, Any]],
    stage_dir: Path,
    report_to: list[str],
) -> SLM:
    return _train(sft_trainer(cfg, model, tokenizer, examples, stage_dir, report_to), stage_dir, tokenizer)


def sft_trainer(
    cfg: Config,
    model: SLM,
    tokenizer: PreTrainedTokenizerBase,
    examples: list[dict[str, Any]],
    stage_dir: Path,
    report_to: list[str],
) -> Any:
    """TRL's SFT trainer on the repair examples, in the SLM's prompt format (`models.slm_example`)."""
    from trl import SFTConfig, SFTTrainer

    c = cfg.trainer.sft
    args = SFTConfig(
        **common_args(cfg, stage_dir, report_to),
        max_steps=c.max_steps,
        learning_rate=c.learning_rate,
        per_device_train_batch_size=c.batch_size,
        lr_scheduler_type="cosine",
        warmup_steps=max(1, int(c.warmup_ratio * c.max_steps)),
        max_length=cfg.slm.max_length,
        completion_only_loss=cfg.slm.name != "tiny" if c.completion_only_loss is None else c.completion_only_loss,
        packing=False,
        train_sampling_strategy="group_by_length",  # batches of like-length prompts: 26% less time on padding
    )
    dataset = Dataset.from_list([slm_example(tokenizer, e["prompt"], e["completion"]) for e in examples])
    return SFTTrainer(model=model, args=args, train_dataset=dataset, processing_class=tokenizer)


def run_rl(
    cfg: Config,
    dsl: DSL,
    model: SLM,
    tokenizer: PreTrainedTokenizerBase,
    examples: list[dict[str, Any]],
    stage_dir: Path,
    report_to: list[str],
) -> SLM:
    return _train(rl_trainer(cfg, dsl, model, tokenizer, examples, stage_dir, report_to), stage_dir, tokenizer)


def rl_trainer(
    cfg: Config,
    dsl: DSL,
    model: SLM,
    tokenizer: PreTrainedTokenizerBase,
    examples: list[dict[str, Any]],
    stage_dir: Path,
    report_to: list[str],
) -> Any:
    """TRL's GRPO or RLOO trainer for the repair examples, in the SLM's prompt format (`models.slm_example`), with
    the configured reward."""
    c = cfg.trainer.rl
    reward = RepairReward(cfg.reward, dsl, cfg.dsl.similarity, cfg.slm.answer)
    rl_config, rl_trainer_class = rl_classes(c.algorithm)
    args = rl_config(**rl_args(cfg, stage_dir, report_to))
    columns = ("draft", "reference", "context")  # what the reward reads besides the completion
    dataset = Dataset.from_list([slm_example(tokenizer, e["prompt"]) | {k: e[k] for k in columns} for e in examples])
    if cfg.slm.answer == "edit" and cfg.slm.constrain_search:
        constrain_generation(model, tokenizer, cfg.slm.constrain_names and dsl.names_in_prompt)  # as evaluation does
    return rl_trainer_class(
        model=model,
        reward_funcs=[cast(Any, reward)],
        args=args,
        train_dataset=dataset,
        processing_class=tokenizer,
    )


def rl_args(cfg: Config, stage_dir: Path, report_to: list[str]) -> dict[str, Any]:
    """The arguments of TRL's GRPOConfig or RLOOConfig."""
    c = cfg.trainer.rl
    check_rl(cfg)  # the entrypoint checked already; experiments build RL trainers whatever the stages
    args: dict[str, Any] = dict(
        **common_args(cfg, stage_dir, report_to),
        max_steps=c.max_steps,
        learning_rate=c.learning_rate,
        per_device_train_batch_size=c.batch_size,
        num_generations=c.num_generations,
        beta=c.beta,
        temperature=c.temperature,
        max_completion_length=c.max_completion_length,
        use_vllm=c.use_vllm,
        log_completions=False,
    )
    if c.use_vllm:
        args |= dict(vllm_mode=c.vllm_mode, vllm_gpu_memory_utilization=c.vllm_gpu_memory_utilization)
    return args


def rl_classes(algorithm: str) -> tuple[Any, Any]:
    """TRL's config and trainer classes of `trainer.rl.algorithm`."""
    if algorithm == "grpo":
        from trl import GRPOConfig, GRPOTrainer

        return GRPOConfig, GRPOTrainer
    if algorithm == "rloo":
        from trl import RLOOConfig, RLOOTrainer

        return RLOOConfig, RLOOTrainer
    raise ValueError(f"unknown trainer.rl.algorithm {algorithm!r}: use grpo or rloo")


def last_checkpoint(stage_dir: Path) -> str | None:
    """The newest checkpoint a kill didn't cut short. The Trainer writes a checkpoint's trainer_state.json last, so
    one whose state doesn't parse was being saved when the run died (transformers' get_last_checkpoint goes by the
    name alone, and resuming from it fails on the empty file)."""
    steps = [p for p in stage_dir.glob("checkpoint-*") if p.name.removeprefix("checkpoint-").isdigit()]
    for path in sorted(steps, key=lambda p: int(p.name.removeprefix("checkpoint-")), reverse=True):
        try:
            json.loads((path / "trainer_state.json").read_text())
            return str(path)
        except (OSError, ValueError):
            log.warning("skipping %s: the run was killed while saving it", path)
    return None


def _train(trainer: Any, stage_dir: Path, tokenizer: PreTrainedTokenizerBase) -> SLM:
    last = last_checkpoint(stage_dir)
    if last:
        log.info("resuming %s from %s", stage_dir.name, last)
    trainer.train(resume_from_checkpoint=last)
    final = stage_dir / "final"
    trainer.save_model(str(final))  # on every rank: DeepSpeed and FSDP gather the weights; rank 0 writes them
    if trainer.is_world_process_zero():
        tokenizer.save_pretrained(str(final))
        (stage_dir / "log_history.json").write_text(json.dumps(trainer.state.log_history, indent=1))
    return trainer.model


def stage_done(stage_dir: Path) -> Path | None:
    final = stage_dir / "final"
    return final if (final / "config.json").exists() or (final / "adapter_config.json").exists() else None
