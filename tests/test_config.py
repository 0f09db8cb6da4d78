"""Every option of every config group composes into the typed schema; typos and wrong types fail naming the key."""

from __future__ import annotations

import dataclasses
import types
import typing
from enum import Enum
from pathlib import Path

import pytest
from hydra.errors import ConfigCompositionException, MissingConfigException
from omegaconf import OmegaConf
from omegaconf.errors import ConfigKeyError, MissingMandatoryValue

from slmfix_exp.config import OPTION_SCHEMAS, Config, to_typed
from tests.conftest import CONF_DIR

GROUPS = sorted(p.name for p in CONF_DIR.iterdir() if p.is_dir())
OPTIONS = [(g, f.stem) for g in GROUPS for f in sorted((CONF_DIR / g).glob("*.yaml"))]
# options that need a value only a user can give (a file, a model): composing them without it must say so
NEEDS_VALUE = {
    ("base_llm", "cached"): "base_llm.path=drafts.jsonl",
    ("base_llm", "hf"): "base_llm.model=gpt2",
    ("base_llm", "openai"): "base_llm.model=qwen",
}


def test_the_configs_and_bundled_data_are_package_data() -> None:
    """A wheel carries what the package reads at run time: the configs, inside the package, the bundled tasks and
    Bash's list of command names (tests/test_packaging.py builds one)."""
    import tomllib

    import slmfix_exp
    from tests.conftest import ROOT

    package = Path(slmfix_exp.__file__).parent
    assert package / "conf" == CONF_DIR
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["slmfix_exp"]
    shipped = {f for pattern in patterns for f in package.glob(pattern)}
    bundled = (f for f in (package / "data" / "bundled").rglob("*") if f.is_file())
    needed = {*CONF_DIR.rglob("*.yaml"), *bundled, package / "dsl" / "bash" / "debian_commands.txt.gz"}
    assert len(needed) > 30 and not needed - shipped, sorted(needed - shipped)


def test_groups_are_the_designed_ones() -> None:
    assert set(GROUPS) >= {"dsl", "base_llm", "slm", "reward", "trainer", "eval", "logger", "experiment"}


@pytest.mark.parametrize(("group", "option"), OPTIONS)
def test_every_option_composes_into_the_schema(compose_config, group: str, option: str) -> None:
    """The typed config holds every value the option's files set, as composed: nothing dropped or changed."""
    overrides = [f"{group}={option}"] + ([NEEDS_VALUE[(group, option)]] if (group, option) in NEEDS_VALUE else [])
    cfg = compose_config(overrides)
    typed = to_typed(cfg)
    assert OmegaConf.to_container(OmegaConf.structured(typed)) == OmegaConf.to_container(cfg, resolve=True)
    if hasattr(getattr(typed, group, None), "name"):
        assert getattr(typed, group).name == option


def test_default_is_the_papers_pipeline(compose_config) -> None:
    cfg = to_typed(compose_config())
    assert (cfg.dsl.name, cfg.base_llm.name, cfg.slm.name, cfg.reward.name) == ("ansible", "mutator", "tiny", "dual")
    assert cfg.trainer.stages == ["sft", "rl"] and cfg.trainer.rl.trainer_class == "trl.GRPOTrainer"


@pytest.mark.parametrize(
    ("stages", "message"), [("[sft,sft_more,rl]", "sft_more must come last"), ("[rl,sft_more]", "it needs both")]
)
def test_stages_that_cant_run_fail_at_start_up(compose_config, stages: str, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        to_typed(compose_config([f"trainer.stages={stages}"]))


def choice_keys() -> list[tuple[list[str], str, type[Enum], bool]]:
    """Every key of the schema with a fixed set of values (an Enum): the overrides that choose the option whose
    schema has it, the key, its Enum, and whether it is a list of them."""
    found: list[tuple[list[str], str, type[Enum], bool]] = []

    def walk(schema: type, prefix: str, overrides: list[str]) -> None:
        for name, hint in typing.get_type_hints(schema).items():
            if isinstance(hint, types.UnionType):  # X | None
                (hint,) = (a for a in typing.get_args(hint) if a is not type(None))
            listed = typing.get_origin(hint) is list
            kind = typing.get_args(hint)[0] if listed else hint
            if isinstance(kind, type) and issubclass(kind, Enum):
                found.append((overrides, f"{prefix}{name}", kind, listed))
            elif dataclasses.is_dataclass(kind) and name not in OPTION_SCHEMAS:
                walk(kind, f"{prefix}{name}.", overrides)

    walk(Config, "", [])
    for group, base in OPTION_SCHEMAS.items():
        for option in base.__subclasses__():
            chosen = [
                f"{group}={option.name}",
                *([NEEDS_VALUE[(group, option.name)]] if (group, option.name) in NEEDS_VALUE else []),
            ]
            walk(option, f"{group}.", chosen)
    return found


CHOICE_KEYS = choice_keys()


def test_the_choice_keys_are_found() -> None:
    keys = {key for _, key, _, _ in CHOICE_KEYS}
    assert {"eval.gate", "trainer.stages", "trainer.rl.select", "slm.architecture", "slm.quantization"} <= keys
    assert {"dsl.backend", "dsl.severity", "logger.mode", "base_llm.dtype", "synthesis.teacher"} <= keys


@pytest.mark.parametrize(
    ("overrides", "key", "choices", "listed"), CHOICE_KEYS, ids=lambda v: v if isinstance(v, str) else ""
)
def test_a_value_outside_a_keys_choices_fails_at_composition_naming_both(  # type: ignore[no-untyped-def]
    compose_config, overrides: list[str], key: str, choices: type[Enum], listed: bool
) -> None:
    """Before any stage runs (composing is the entrypoint's first step): the error names the key and its choices."""
    with pytest.raises(ConfigCompositionException) as info:
        compose_config([*overrides, f"{key}=[bogus]" if listed else f"{key}=bogus"])
    message = str(info.value.__cause__)
    assert f"full_key: {key}{'[0]' if listed else ''}" in message
    assert f"expected one of [{', '.join(c.value for c in choices)}]" in message
    for good in choices:  # and every choice composes
        compose_config([*overrides, f"{key}=[{good.value}]" if listed else f"{key}={good.value}"])


@pytest.mark.slow
def test_a_bad_choice_fails_the_entrypoint_before_drafting(tmp_path: Path) -> None:
    """slm.architecture was checked only when the SLM was built, after drafting and the baselines."""
    from tests.helpers import slmfix

    proc = slmfix("dsl=sql", "logger=none", "slm.architecture=gpt2", f"hydra.run.dir={tmp_path / 'run'}")
    assert proc.returncode != 0
    assert "Invalid value 'gpt2', expected one of [llama, qwen2]" in proc.stderr and "slm.architecture" in proc.stderr
    assert "stage draft" not in proc.stdout and not (tmp_path / "run").exists()


def test_shared_sft_is_keyed_by_what_sft_reads(compose_config) -> None:  # type: ignore[no-untyped-def]
    from slmfix_exp.train import sft_cache_key

    key = sft_cache_key(compose_config(["dsl=sql"]))
    for other in ("reward=validator", "trainer.rl.max_steps=7", "eval.rounds=1", "logger=none", "base_llm=cached"):
        assert sft_cache_key(compose_config(["dsl=sql", other])) == key, other
    for other in ("seed=1", "trainer.sft.max_steps=7", "slm.hidden_size=32", "data.max_train=10", "dsl=bash"):
        assert sft_cache_key(compose_config(["dsl=sql", other])) != key, other


def test_misspelled_key_fails_naming_it(compose_config) -> None:
    with pytest.raises(ConfigCompositionException, match=r"reward\.w_vlaid"):
        compose_config(["reward.w_vlaid=0.3"])
    with pytest.raises(ConfigKeyError, match="w_vlaid"):  # `+` gets past Hydra; the entrypoint's merge doesn't
        to_typed(compose_config(["+reward.w_vlaid=0.3"]))


@pytest.mark.parametrize(
    ("option", "key", "schema"),
    [
        ("dsl=sql", "dsl.severity=warning", "SQLConfig"),  # Bash's
        ("slm=tiny", "slm.name_or_path=Qwen/Qwen2.5-Coder-0.5B-Instruct", "TinySLMConfig"),  # slm=hf's
        ("reward=gated", "reward.w_valid=0.3", "GatedRewardConfig"),  # dual's
        ("base_llm=mutator", "base_llm.model=gpt2", "MutatorLLMConfig"),  # hf's and openai's
        ("logger=none", "logger.project=p", "NoLoggerConfig"),  # wandb's
    ],
)
def test_a_key_of_another_option_fails_naming_it(compose_config, option: str, key: str, schema: str) -> None:  # type: ignore[no-untyped-def]
    """Each option has its own schema: a key another option of its group takes is no key of it."""
    with pytest.raises(ConfigCompositionException) as info:
        compose_config([option, key])
    assert f"Key '{key.split('=')[0].split('.')[-1]}' not in '{schema}'" in str(info.value.__cause__)
    with pytest.raises(ConfigKeyError, match=key.split("=")[0].split(".")[-1]):  # `+` is refused too
        to_typed(compose_config([option, f"+{key}"]))


def test_each_language_is_built_from_its_target(compose_config) -> None:
    from hydra.utils import get_class

    from slmfix_exp.dsl import dsl_from_config
    from slmfix_exp.dsl.sql import SQL

    for name in ("ansible", "bash", "sql"):
        cfg = to_typed(compose_config([f"dsl={name}", "dsl.similarity=ted", "dsl.timeout_s=7"]))
        dsl = dsl_from_config(cfg.dsl)
        assert type(dsl) is get_class(cfg.dsl._target_) and dsl.name == name
        assert (dsl.similarity_kind, dsl.timeout_s) == ("ted", 7) and dsl_from_config(cfg.dsl) is dsl  # built once
    wrong = to_typed(compose_config(["dsl=bash", "dsl._target_=slmfix_exp.dsl.sql.SQL", "dsl.backend=shellcheck"]))
    with pytest.raises(Exception, match="backend"):  # SQL takes no backend
        dsl_from_config(wrong.dsl)
    with pytest.raises(ValueError, match=r"dsl\.name 'bash' doesn't match SQL"):
        SQL(name="bash")


@pytest.mark.parametrize("logger", ["none", "wandb"])
def test_each_logger_is_built_with_what_the_run_gives_it(compose_config, tmp_path, monkeypatch, logger: str) -> None:  # type: ignore[no-untyped-def]
    from slmfix_exp.tracking import tracker_from_config

    monkeypatch.setenv("WANDB_MODE", "disabled")
    cfg = to_typed(compose_config([f"logger={logger}"]))
    run = {
        "run_dir": tmp_path,
        "run_config": {"reward": {"_target_": "nothing.to.Build"}},
        "run_name": "r",
        "sweep": None,
        "job_type": "sft_grpo",
    }
    tracker = tracker_from_config(cfg.logger, **run)
    assert tracker.name == logger and tracker.report_to == (["wandb"] if logger == "wandb" else ["none"])
    tracker.log({"x": 1.0})
    tracker.finish()


def test_wrong_type_fails_naming_the_key(compose_config) -> None:
    with pytest.raises(ConfigCompositionException) as info:
        compose_config(["reward.w_valid=abc"])
    assert "w_valid" in str(info.value.__cause__)


def test_unknown_option_lists_the_available_ones(compose_config) -> None:
    with pytest.raises(MissingConfigException, match="ansible"):
        compose_config(["dsl=pyhton"])


@pytest.mark.parametrize(("option", "key"), [("cached", "path"), ("hf", "model"), ("openai", "model")])
def test_a_drafter_without_its_file_or_model_fails_at_start_up(compose_config, option: str, key: str) -> None:
    with pytest.raises(MissingMandatoryValue, match=rf"base_llm\.{key}"):
        to_typed(compose_config([f"base_llm={option}"]))


def test_the_tiny_slm_trains_in_bf16_autocast_where_asked(compose_config, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """slm.bf16_autocast reaches TrainingArguments' `bf16` (mixed precision), which transformers takes on a CPU too."""
    from trl import SFTConfig

    from slmfix_exp.train import common_args

    for overrides, on in (([], True), (["slm.bf16_autocast=false"], False)):
        cfg = to_typed(compose_config(overrides))
        args = SFTConfig(**common_args(cfg, tmp_path, []), max_steps=1)
        assert args.bf16 is on, overrides


def test_gradient_checkpointing_reaches_trls_configs(compose_config, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """trainer.gradient_checkpointing reaches SFTConfig and GRPOConfig; null is off for the tiny SLM, and on for a
    pretrained one on a GPU only."""
    import torch
    from trl import GRPOConfig, SFTConfig

    from slmfix_exp.train import common_args, rl_args

    gpu = torch.cuda.is_available()
    for overrides, on in (
        ([], False),
        (["trainer.gradient_checkpointing=true"], True),
        (["slm=hf"], gpu),
        (["slm=smollm2"], gpu),
        (["slm=hf", "trainer.gradient_checkpointing=false"], False),
        (["slm=smollm2", "trainer.gradient_checkpointing=true"], True),
    ):
        cfg = to_typed(compose_config(overrides))
        assert SFTConfig(**common_args(cfg, tmp_path, []), max_steps=1).gradient_checkpointing is on, overrides
        assert GRPOConfig(**rl_args(cfg, tmp_path, [])).gradient_checkpointing is on, overrides


def test_vllm_options_reach_grpo_and_rloo_configs(compose_config, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from trl import GRPOConfig, RLOOConfig

    from slmfix_exp.train import rl_args

    vllm = ["trainer.rl.use_vllm=true", "trainer.rl.vllm_mode=server", "trainer.rl.vllm_gpu_memory_utilization=0.6"]
    cfg = to_typed(compose_config(["slm=hf", *vllm]))
    for config_class in (GRPOConfig, RLOOConfig):
        args = config_class(**rl_args(cfg, tmp_path, []))
        assert (args.use_vllm, args.vllm_mode, args.vllm_gpu_memory_utilization) == (True, "server", 0.6)


def test_trls_other_rl_options_pass_through_and_are_checked_at_start_up(compose_config, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`trainer.rl.args` reaches GRPOConfig / RLOOConfig as it is; a key the config class lacks, or one the run sets
    from a key of its own, fails at start-up naming itself."""
    from trl import GRPOConfig, RLOOConfig

    from slmfix_exp.config import RL_ARGS_SET_BY_THE_RUN
    from slmfix_exp.train import rl_args

    cfg = to_typed(compose_config(["+trainer.rl.args.loss_type=dr_grpo", "+trainer.rl.args.scale_rewards=none"]))
    args = GRPOConfig(**rl_args(cfg, tmp_path, []))
    assert (args.loss_type, args.scale_rewards) == ("dr_grpo", "none")
    assert set(rl_args(to_typed(compose_config(["slm=hf", "trainer.rl.use_vllm=true"])), tmp_path, [])) <= set(
        RL_ARGS_SET_BY_THE_RUN
    ), "every option rl_args sets is refused in trainer.rl.args"
    with pytest.raises(ValueError, match=r"trainer\.rl\.args\.los_type: trl\.GRPOConfig has no .*loss_type"):
        to_typed(compose_config(["+trainer.rl.args.los_type=dr_grpo"]))
    with pytest.raises(ValueError, match=r"trainer\.rl\.args\.temperature: set trainer\.rl\.temperature instead"):
        to_typed(compose_config(["+trainer.rl.args.temperature=1.0"]))
    rloo = ["trainer=rloo", "+trainer.rl.args.normalize_advantages=true"]
    assert RLOOConfig(**rl_args(to_typed(compose_config(rloo)), tmp_path, [])).normalize_advantages


def test_vllm_rollouts_with_constrained_edits_are_refused_at_start_up(compose_config) -> None:  # type: ignore[no-untyped-def]
    """vLLM bypasses model.generate, where the constraint on search texts sits: the rollouts would go unconstrained."""
    with pytest.raises(ValueError, match=r"trainer\.rl\.use_vllm=true .* slm\.constrain_search=true"):
        to_typed(compose_config(["trainer.rl.use_vllm=true"]))  # slm=tiny: edit answers, constrained
    for allowed in (["slm.constrain_search=false"], ["slm.answer=program"], ["slm=hf"], ["trainer=sft"]):
        assert to_typed(compose_config(["trainer.rl.use_vllm=true", *allowed])).trainer.rl.use_vllm, allowed
