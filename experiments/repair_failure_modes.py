"""How a trained SLM's greedy edit answers fail, per kind of mutation: on freshly broken drafts of the test tasks
(every draft invalid, unlike the test split's mix), each answer is one of

    exact      the repaired program is the reference
    valid      the validator accepts it, though it isn't the reference
    rejected   the edit applied, but the validator still rejects the program
    no-anchor  a search text of the edit isn't in the draft (the model didn't copy it from its prompt; with
               slm.constrain_search, the default, only when it runs past the draft or the length limit)
    no-answer  no fenced edit block

    python experiments/repair_failure_modes.py dsl=ansible model=<run>/sft/final [n=200] [show=2] [config overrides]

`show` prints that many failing answers per kind next to the edit that was wanted.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict

from slmfix_exp.experiment import compose, setup
from slmfix_exp.generation import generate
from slmfix_exp.models import load_slm, load_tokenizer
from slmfix_exp.prompts import EDIT_FENCE, apply_edit, extract_program
from slmfix_exp.train import repair_examples

MODES = ("exact", "valid", "rejected", "no-anchor", "no-answer")


def outcome(completion: str, example: dict, dsl) -> str:  # type: ignore[no-untyped-def]
    script = extract_program(completion, EDIT_FENCE)
    if script is None:
        return "no-answer"
    program = apply_edit(example["draft"], script)
    if program is None:
        return "no-anchor"
    if program.strip() == example["reference"].strip():
        return "exact"
    return "valid" if dsl.validate(program, json.loads(example["context"])).ok else "rejected"


def main(argv: list[str]) -> None:
    keys = ("model", "n", "show")
    options = dict(a.split("=", 1) for a in argv if a.split("=", 1)[0] in keys)
    overrides = [a for a in argv if a.split("=", 1)[0] not in keys]
    if "model" not in options:
        sys.exit("give model=<a run's sft/final or rl/final directory>")
    _, cfg = compose([*overrides, "slm.answer=edit"])
    run = setup(cfg)
    dsl, tasks = run.dsl, run.splits["test"]
    examples = repair_examples(cfg, dsl, tasks, 1, "failure-modes")[: int(options.get("n", 200))]
    model, tokenizer = load_slm(options["model"], cfg.slm, trainable=False), load_tokenizer(options["model"])
    prompts = [e["prompt"] for e in examples]
    answers = generate(model, tokenizer, prompts, 96, cfg.eval.batch_size, constrain=cfg.slm.constrain_search)

    counts: dict[str, Counter[str]] = defaultdict(Counter)
    shown: Counter[str] = Counter()
    for example, [answer] in zip(examples, answers, strict=True):
        mode = outcome(answer, example, dsl)
        counts[example["label"]][mode] += 1
        if mode not in ("exact", "valid") and shown[example["label"]] < int(options.get("show", 0)):
            shown[example["label"]] += 1
            print(f"{example['label']} ({mode})\n  wanted: {example['completion']!r}\n  wrote:  {answer!r}")
    total: Counter[str] = sum(counts.values(), Counter())
    print(f"{'mutation':<28}{'n':>5}" + "".join(f"{m:>11}" for m in MODES))
    for label, c in [*sorted(counts.items()), ("all", total)]:
        n = sum(c.values())
        print(f"{label:<28}{n:>5}" + "".join(f"{c[m] / n:>11.1%}" for m in MODES))
    print(f"repaired (exact or valid): {(total['exact'] + total['valid']) / sum(total.values()):.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
