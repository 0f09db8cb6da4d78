"""Training through TRL: SFT on (broken draft -> reference) pairs, then GRPO or RLOO with the reward group.

Each stage writes into `<run_dir>/<stage>/`: checkpoints every `trainer.save_steps`, the final model in `final/`,
the trainer's log history in `log_history.json` and the stage's wall-clock and steps in `seconds.json` (over all the
processes it took: `StageClock`). A stage whose `final/` exists is skipped and a stage with checkpoints resumes from
the last one, so rerunning a killed run into the same run dir finishes it. Stage `sft_more` continues SFT from
`sft/final` for the seconds the RL stage took: RL's baseline at equal compute.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import torch
from datasets import Dataset
from hydra.utils import get_class
from omegaconf import DictConfig, OmegaConf
from transformers import PreTrainedTokenizerBase, TrainerCallback
from transformers.trainer_callback import ExportableState

from slmfix_exp.config import Config, check_rl
from slmfix_exp.constrained import constrain_generation
from slmfix_exp.data.base_llm import mutator_drafts
from slmfix_exp.distributed import from_rank0, rank
from slmfix_exp.dsl.base import DSL, Task
from slmfix_exp.generation import generate, generate_as_evaluation, seeded
from slmfix_exp.models import SLM, load_slm, slm_example, slm_from_config
from slmfix_exp.prompts import RepairFormat, explain
from slmfix_exp.report import write_atomic
from slmfix_exp.reward import reward_from_config
from slmfix_exp.rundir import last_checkpoint

log = logging.getLogger(__name__)


def repair_examples(cfg: Config, dsl: DSL, originals: Sequence[Task], copies: int, salt: str) -> list[dict[str, Any]]:
    """Prompt/completion records for repairing invalid drafts of the tasks: `copies` differently broken drafts each,
    a share of them (`trainer.sft.vary_names`) over the task in other names (`DSL.vary`), each kind of mutation kept
    as many times as `trainer.sft.kind_weights` says.

    The drafts come from the mutator whatever `base_llm` is: training needs many broken programs with known fixes."""
    weights = dict(cfg.trainer.sft.kind_weights)
    unknown = sorted(set(weights) - set(dsl.mutations.labels(invalid=True)))
    if any(w < 0 for w in weights.values()):
        raise ValueError(f"trainer.sft.kind_weights: a weight is a number of copies, >= 0; got {weights}")
    if unknown:
        raise ValueError(
            f"trainer.sft.kind_weights: {unknown} not mutation kinds of {dsl.name} that break a program; "
            f"they are {list(dsl.mutations.labels(invalid=True))}"
        )
    records: dict[str, dict[str, Any]] = {}
    form = RepairFormat.of(cfg, dsl)
    for k in range(copies):
        rng = random.Random(f"{cfg.seed}/{salt}{k}/vary")
        tasks = [dsl.vary(t, rng) if rng.random() < cfg.trainer.sft.vary_names else t for t in originals]
        drafts = mutator_drafts(dsl, tasks, p_invalid=1.0, p_off=0.0, seed=cfg.seed, salt=f"{salt}{k}")
        broken = [(t, d) for t, d in zip(tasks, drafts, strict=True) if d.label != "none"]
        verdicts = dsl.validate_batch([d.program for _, d in broken], [t.context for t, _ in broken])
        for (task, draft), verdict in zip(broken, verdicts, strict=True):
            prompt = form.prompt(task, draft.program, verdict)
            why = explain(verdict) if form.explains else None
            records[prompt] = {
                "prompt": prompt,
                "completion": form.completion(task.reference or "", draft.program, why),
                "draft": draft.program,
                "reference": task.reference,
                "context": json.dumps(task.context),
                "label": draft.label,
            }
    rng = random.Random(f"{cfg.seed}/{salt}/kind-weights")
    return [r for r in records.values() for _ in range(_copies(weights.get(r["label"], 1.0), rng))]


def _copies(weight: float, rng: random.Random) -> int:
    """floor(weight) copies, and one more with chance weight - floor(weight)."""
    whole = int(weight)
    return whole + (rng.random() < weight - whole)


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
    """`trainer.gradient_checkpointing`; null: on for a pretrained SLM on a GPU (TRL's own default, for its memory),
    off on a CPU, where memory is plentiful and the recomputed forward pass is what costs (experiments/
    bench_smollm2.py), and off for the tiny SLM, whose activations are small."""
    if cfg.trainer.gradient_checkpointing is not None:
        return cfg.trainer.gradient_checkpointing
    return slm_from_config(cfg.slm).pretrained and torch.cuda.is_available()


def run_sft(
    cfg: Config,
    dsl: DSL,
    model: SLM,
    tokenizer: PreTrainedTokenizerBase,
    examples: list[dict[str, Any]],
    stage_dir: Path,
    report_to: list[str],
) -> SLM:
    start = time.perf_counter()
    return _train(sft_trainer(cfg, model, tokenizer, examples, stage_dir, report_to), stage_dir, tokenizer, start)


def run_sft_more(
    cfg: Config,
    dsl: DSL,
    model: SLM,
    tokenizer: PreTrainedTokenizerBase,
    examples: list[dict[str, Any]],
    stage_dir: Path,
    report_to: list[str],
) -> SLM:
    """SFT continued from the SFT model (the sft stage's final one, not `model`, the RL stage's) on the same examples
    for the RL stage's wall-clock: as many steps as the SFT stage made in that time, at RL's learning rate and
    schedule, so that the two differ in the objective."""
    start = time.perf_counter()
    model = load_slm(str(stage_dir.parent / "sft" / "final"), cfg.slm)
    sft, rl = (json.loads((stage_dir.parent / s / "seconds.json").read_text()) for s in ("sft", "rl"))
    per_step = sft["seconds"] / max(1, sft["steps"])
    steps = max(1, round(rl["seconds"] / per_step))
    log.info(
        "sft_more: %d SFT steps, the RL stage's %.0f s at the SFT stage's %.2f s a step", steps, rl["seconds"], per_step
    )
    trainer = sft_trainer(
        cfg, model, tokenizer, examples, stage_dir, report_to, steps, cfg.trainer.sft_more.learning_rate, "linear"
    )
    return _train(trainer, stage_dir, tokenizer, start)


def sft_trainer(
    cfg: Config,
    model: SLM,
    tokenizer: PreTrainedTokenizerBase,
    examples: list[dict[str, Any]],
    stage_dir: Path,
    report_to: list[str],
    max_steps: int | None = None,
    learning_rate: float | None = None,
    schedule: str = "cosine",
) -> Any:
    """TRL's SFT trainer on the repair examples, in the SLM's prompt format (`models.slm_example`); by default the
    SFT stage's steps and learning rate, with warm-up."""
    from trl import SFTConfig, SFTTrainer

    c = cfg.trainer.sft
    max_steps = max_steps or c.max_steps
    args = SFTConfig(
        **common_args(cfg, stage_dir, report_to),
        max_steps=max_steps,
        learning_rate=learning_rate or c.learning_rate,
        per_device_train_batch_size=c.batch_size,
        lr_scheduler_type=schedule,
        warmup_steps=max(1, int(c.warmup_ratio * max_steps)) if schedule == "cosine" else 0,
        max_length=cfg.slm.max_length,
        completion_only_loss=slm_from_config(cfg.slm).pretrained
        if c.completion_only_loss is None
        else c.completion_only_loss,
        packing=False,
        train_sampling_strategy="group_by_length",  # batches of like-length prompts: less time on padding
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
    start = time.perf_counter()  # the stage's time, prompt selection included, is what sft_more is given
    if cfg.trainer.rl.select == "spread":
        examples = chosen_examples(cfg, dsl, model, tokenizer, examples, stage_dir)
    digest = hashlib.sha256("\n".join(e["prompt"] for e in examples).encode()).hexdigest()[:16]
    log.info("rank %d: RL on %d prompts (sha256 of the prompts %s)", rank(), len(examples), digest)
    trainer = rl_trainer(cfg, dsl, model, tokenizer, examples, stage_dir, report_to)
    return _train(trainer, stage_dir, tokenizer, start)


def chosen_examples(
    cfg: Config,
    dsl: DSL,
    model: SLM,
    tokenizer: PreTrainedTokenizerBase,
    examples: list[dict[str, Any]],
    stage_dir: Path,
) -> list[dict[str, Any]]:
    """The RL stage's examples under `trainer.rl.select=spread`, the same on every rank and across resumptions: rank 0
    chooses them (`informative_examples`) and records their prompts in `<stage_dir>/prompts.json`, or reads that
    file when the stage resumes; every rank takes rank 0's list (GRPO's groups span ranks: they must hold one
    prompt)."""
    path = stage_dir / "prompts.json"
    chosen: list[str] | None = None
    if rank() == 0:
        if path.exists():
            chosen = json.loads(path.read_text())
            log.info("RL prompts: the %d chosen before the stage was interrupted (%s)", len(chosen or []), path)
        else:
            chosen = [e["prompt"] for e in informative_examples(cfg, dsl, model, tokenizer, examples)]
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, json.dumps(chosen, indent=0))
    chosen = from_rank0(chosen)
    by_prompt = {e["prompt"]: e for e in examples}
    missing = [p for p in chosen or [] if p not in by_prompt]
    if missing:
        raise ValueError(
            f"{path}: {len(missing)} of its {len(chosen or [])} prompts are not among this run's repair examples (the "
            "data or the settings changed since it was written); remove the RL stage's directory to start it again"
        )
    return [by_prompt[p] for p in chosen or []]


def informative_examples(
    cfg: Config, dsl: DSL, model: SLM, tokenizer: PreTrainedTokenizerBase, examples: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The repair examples worth RL's steps: of a random pool of them (`trainer.rl.select_pool` times the prompts the
    steps draw), those on which the model's `num_generations` samples at RL's temperature get different rewards.
    Where every sample of a prompt scores the same, GRPO's and RLOO's advantages are all zero and the group teaches
    nothing; TRL filters no groups (DAPO's dynamic sampling), so the prompts are chosen up front. The pool and the
    samples are drawn from the seed alone: the choice doesn't depend on what the process ran before."""
    c = cfg.trainer.rl
    rng = random.Random(f"{cfg.seed}/rl-pool")
    wanted = max(1, c.max_steps * c.batch_size // c.num_generations)
    pool = rng.sample(examples, min(len(examples), wanted * c.select_pool))
    with seeded(cfg.seed):
        samples = generate(
            model,
            tokenizer,
            [e["prompt"] for e in pool],
            c.max_completion_length,
            cfg.eval.batch_size,
            num_samples=c.num_generations,
            temperature=c.temperature,
            desc="choosing RL prompts",
            constrain=cfg.slm.constrained_search,
            sample=True,
            names=cfg.slm.constrain_names and dsl.names_in_prompt,
            autocast=cfg.slm.bf16_autocast,
        )
    rows = [(e, s) for e, outs in zip(pool, samples, strict=True) for s in outs]
    reward = reward_from_config(cfg.reward, dsl, cfg.slm.answer)
    scores = reward(
        [e["prompt"] for e, _ in rows],
        [s for _, s in rows],
        reference=[e["reference"] or "" for e, _ in rows],
        context=[e["context"] for e, _ in rows],
        draft=[e["draft"] for e, _ in rows],
    )
    n = c.num_generations
    groups = [scores[k * n : (k + 1) * n] for k in range(len(pool))]
    kept = [e for e, group in zip(pool, groups, strict=True) if max(group) - min(group) > 1e-6]
    log.info(
        "RL prompts: %d of %d sampled get different rewards across their %d samples (%.0f%% had zero spread)",
        len(kept),
        len(pool),
        n,
        100 * (1 - len(kept) / max(1, len(pool))),
    )
    return kept or pool


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
    reward = reward_from_config(cfg.reward, dsl, cfg.slm.answer)
    rl_config, rl_trainer_class = get_class(c.args_class), get_class(c.trainer_class)
    args = rl_config(**rl_args(cfg, stage_dir, report_to))
    columns = ("draft", "reference", "context")  # what the reward reads besides the completion
    dataset = Dataset.from_list([slm_example(tokenizer, e["prompt"]) | {k: e[k] for k in columns} for e in examples])
    generate_as_evaluation(model, cfg.slm.bf16_autocast)
    if cfg.slm.constrained_search:
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
    return args | dict(c.args)  # TRL's other options; check_rl refused any of the above among them


# the stages of `trainer.stages`, each trained from the model before it into its own directory
STAGES = {"sft": run_sft, "rl": run_rl, "sft_more": run_sft_more}


class StageClock(TrainerCallback, ExportableState):
    """The wall-clock of a stage over all its processes: this one's since `start` (a resumed one's since its training
    began again), plus what the stage had spent when the checkpoint it resumes from was saved. The Trainer saves the
    clock's reading into every checkpoint's trainer_state.json (`ExportableState`), so the time a kill threw away (the
    steps after the last checkpoint, trained again) is not counted twice."""

    def __init__(self, start: float, before: float = 0.0) -> None:
        self.start, self.before = start, before

    @classmethod
    def resuming(cls, start: float, checkpoint: str | None) -> StageClock:
        """The clock of a stage that starts (at `start`) from `checkpoint`, with the seconds saved there."""
        if checkpoint is None:
            return cls(start)
        state = json.loads((Path(checkpoint) / "trainer_state.json").read_text())
        saved = state.get("stateful_callbacks", {}).get(cls.__name__)
        if saved is None:
            log.warning("%s holds no stage time: seconds.json counts from the resumption", checkpoint)
            return cls(start)
        return cls(start, saved["attributes"]["before"])

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        """A resumed stage counts from here: its process's set-up (the model and the checkpoint loaded again) is the
        kill's cost, not the stage's work, and would shrink `sft_more`'s budget by a restart's length."""
        if self.before:
            self.start = time.perf_counter()

    def seconds(self) -> float:
        return self.before + time.perf_counter() - self.start

    def state(self) -> dict[str, Any]:
        return {"args": {"start": 0.0}, "attributes": {"before": self.seconds()}}


def _train(trainer: Any, stage_dir: Path, tokenizer: PreTrainedTokenizerBase, start: float) -> SLM:
    """Train (from the last checkpoint, if any) and save; `start` is when the stage began in this process, for
    `seconds.json`: the stage's wall-clock and steps, over every process it took (`StageClock`)."""
    last = last_checkpoint(stage_dir)
    if last:
        log.info("resuming %s from %s", stage_dir.name, last)
    clock = StageClock.resuming(start, last)
    trainer.add_callback(clock)
    trainer.train(resume_from_checkpoint=last)
    final = stage_dir / "final"
    trainer.save_model(str(final))  # on every rank: DeepSpeed and FSDP gather the weights; rank 0 writes them
    if trainer.is_world_process_zero():
        tokenizer.save_pretrained(str(final))
        (stage_dir / "log_history.json").write_text(json.dumps(trainer.state.log_history, indent=1))
        seconds = {"seconds": round(clock.seconds(), 2), "steps": trainer.state.global_step}
        (stage_dir / "seconds.json").write_text(json.dumps(seconds))
    return trainer.model


def sft_cache_key(raw: DictConfig) -> str:
    """What the SFT stage's model depends on: the config less the keys it doesn't read (the reward, RL, evaluation,
    the drafting LLM, logging, paths). Listed as exclusions, so a key added later splits the cache rather than
    sharing a model trained otherwise."""
    plain: dict[str, Any] = OmegaConf.to_container(raw, resolve=True)  # type: ignore[assignment]
    for key in ("reward", "eval", "base_llm", "logger", "paths", "hydra"):
        plain.pop(key, None)
    for key in ("name", "stages", "rl", "sft_more", "threads", "logging_steps", "save_steps"):
        plain["trainer"].pop(key, None)
    return hashlib.sha256(json.dumps(plain, sort_keys=True).encode()).hexdigest()[:16]


@contextmanager
def stage_dir(cfg: Config, raw: DictConfig, run_dir: Path, stage: str, cache_dir: Path) -> Iterator[Path]:
    """`<run_dir>/<stage>`. With `trainer.sft.share`, the SFT stage's is a link to `<cache>/sft/<sft_cache_key>`,
    held under a lock while this run trains or loads it: a parallel job with the same SFT settings waits, then finds
    it finished."""
    own = run_dir / stage
    if stage != "sft" or not cfg.trainer.sft.share:
        yield own
        return
    shared = cache_dir / "sft" / sft_cache_key(raw)
    shared.mkdir(parents=True, exist_ok=True)
    if not own.is_symlink():
        own.symlink_to(shared.resolve(), target_is_directory=True)
    with (shared.parent / f"{shared.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield own
