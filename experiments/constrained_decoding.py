"""What constraining the search texts of edit answers to pieces of the draft (slm.constrain_search) does to a trained
SLM's repairs: the test split of a default run, the same drafts and model, evaluated without and with it, greedy and
with the configured best-of-n over rounds.

    python experiments/constrained_decoding.py dsl=sql model=<run>/rl/final [config overrides]
"""

from __future__ import annotations

import sys
from pathlib import Path

from hydra import compose, initialize_config_dir

from slmfix_exp import CONF_DIR
from slmfix_exp.config import to_typed
from slmfix_exp.data.base_llm import make_drafts
from slmfix_exp.data.loaders import load_tasks
from slmfix_exp.dsl import dsl_from_config
from slmfix_exp.evaluate import evaluate_method
from slmfix_exp.models import load_slm, load_tokenizer


def main(argv: list[str]) -> None:
    model_path = next((a.split("=", 1)[1] for a in argv if a.startswith("model=")), None)
    if model_path is None:
        sys.exit("give model=<a run's sft/final or rl/final directory>")
    overrides = [a for a in argv if not a.startswith("model=")]
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = to_typed(compose(config_name="config", overrides=[*overrides, "slm.answer=edit"]))
    cache_dir = Path(cfg.paths.cache_dir).expanduser()
    dsl = dsl_from_config(cfg.dsl)
    tasks = load_tasks(cfg.data, cfg.dsl.name, cache_dir)[cfg.eval.split]
    drafts = [d.program for d in make_drafts(cfg.base_llm, dsl, tasks, cfg.seed, cache_dir)]
    validations = dsl.validate_batch(drafts, [t.context for t in tasks])
    model, tokenizer = load_slm(model_path, cfg.slm, trainable=False), load_tokenizer(model_path)

    print(f"{cfg.dsl.name}: {len(tasks)} test tasks, draft pass rate {sum(v.ok for v in validations) / len(tasks):.3f}")
    print(f"{'decoding':<34}{'pass rate':>10}{'exact':>8}{'similarity':>12}{'pass@1':>8}{'seconds':>9}")
    configured = (cfg.eval.num_samples, cfg.eval.rounds)
    for samples, rounds in ((1, 1), configured):
        for constrain in (False, True):
            cfg.eval.num_samples, cfg.eval.rounds, cfg.slm.constrain_search = samples, rounds, constrain
            m, _, _ = evaluate_method(cfg, dsl, tasks, drafts, validations, model, tokenizer, "slm")
            how = "greedy" if samples == 1 else f"best-of-{samples}"
            name = f"{how}, {rounds} round(s), {'constrained' if constrain else 'free'}"
            pass1 = f"{m['pass@1']:.3f}" if "pass@1" in m else "-"  # only sampled repairs have one
            print(
                f"{name:<34}{m['pass_rate']:>10.3f}{m['exact_match']:>8.3f}{m['ast_similarity']:>12.3f}"
                f"{pass1:>8}{m['seconds']:>9.1f}"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
