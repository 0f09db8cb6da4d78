"""What constrained decoding of edit answers does to a trained SLM's repairs: the same drafts and model evaluated
free, with search texts held to pieces of the draft (slm.constrain_search), and with replacements also held to the
names the prompt shows (slm.constrain_names, on a DSL whose names are all in the prompt: SQL), greedy and with the
configured best-of-n over rounds.

    python experiments/constrained_decoding.py dsl=sql model=<run>/sft/final [config overrides]
    python experiments/constrained_decoding.py dsl=sql model=<run>/sft/final greedy=false \
        eval.data.path=../shared/data/real_drafts/sql base_llm=cached base_llm.path=../shared/data/real_drafts/sql
"""

from __future__ import annotations

import sys

from slmfix_exp.data.base_llm import make_drafts
from slmfix_exp.evaluate import Evaluation
from slmfix_exp.experiment import compose, setup
from slmfix_exp.models import load_slm, load_tokenizer

DECODINGS = {"free": (False, False), "search constrained": (True, False), "search + names constrained": (True, True)}


def main(argv: list[str]) -> None:
    own = {a.split("=", 1)[0]: a.split("=", 1)[1] for a in argv if a.startswith(("model=", "greedy="))}
    if "model" not in own:
        sys.exit(__doc__)
    overrides = [a for a in argv if not a.startswith(("model=", "greedy="))]
    _, cfg = compose([*overrides, "slm.answer=edit"])
    run = setup(cfg)
    dsl, tasks = run.dsl, run.test
    evaluation = Evaluation(cfg, dsl, tasks, make_drafts(cfg.base_llm, dsl, tasks, cfg.seed, run.cache_dir))
    model, tokenizer = load_slm(own["model"], cfg.slm, trainable=False), load_tokenizer(own["model"])
    base = evaluation.base()
    print(f"{cfg.dsl.name}: {len(tasks)} tasks, {base['invalid_drafts']} invalid drafts")
    print(f"{'decoding':<48}{'repaired':>10}{'pass rate':>10}{'similarity':>12}{'pass@1':>8}{'seconds':>9}")
    configured = (cfg.eval.num_samples, cfg.eval.rounds)
    for samples, rounds in ((1, 1), configured) if own.get("greedy", "true") == "true" else (configured,):
        for decoding, (search, names) in DECODINGS.items():
            if names and not dsl.names_in_prompt:
                continue  # the same decoding as the row before
            cfg.eval.num_samples, cfg.eval.rounds = samples, rounds
            cfg.slm.constrain_search, cfg.slm.constrain_names = search, names
            how = "greedy" if samples == 1 else f"best-of-{samples}"
            name = f"{how}, {rounds} round(s), {decoding}"
            m = evaluation.slm(name, model, tokenizer)
            pass1 = f"{m['pass@1']:.3f}" if "pass@1" in m else "-"  # only sampled repairs have one
            print(
                f"{name:<48}{m['repaired_valid']:>10}{m['pass_rate']:>10.3f}{m['ast_similarity']:>12.3f}"
                f"{pass1:>8}{m['seconds']:>9.1f}"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
