"""What the training drafts look like next to the real ones: the share of each kind of error (the rule of a draft's
first error, and the shape of its message) among the real drafts the validator rejects, on the tune part of the
split (`eval.data.part=tune`: the part a recipe may be chosen on), against the share among the repair examples the
SLM trains on (the mutator's drafts of the bundled tasks, `train.repair_examples`).

    python experiments/real_error_kinds.py dsl=sql [part=tune] [show=1] [config overrides]

A kind that real drafts have and the training drafts lack is an error the SLM never learned to act on. The message
shape is the message with every name, number and quoted text written X (`no such column: X (did you mean X?)`).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict

from slmfix_exp.data.base_llm import make_drafts
from slmfix_exp.experiment import compose, setup
from slmfix_exp.train import repair_examples

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`")
_WORD = re.compile(r"[A-Za-z_][\w.-]*|\d+")


def shapes(real: list[str], train: list[str]) -> list[str]:
    """Each message's shape: quoted texts, and every word found in fewer than 1% of the real messages or of the
    training ones (a name of one world or the other, a number), written X; the validator's own phrasing stays."""
    real, train = ([_QUOTED.sub("X", m) for m in ms] for ms in (real, train))
    common = None
    for messages in (real, train):
        counts = Counter(w for m in messages for w in set(_WORD.findall(m)))
        words = {w for w, n in counts.items() if n >= 0.01 * len(messages)}
        common = words if common is None else common & words

    def shape(message: str) -> str:
        message = _WORD.sub(lambda w: w.group() if w.group() in common else "X", message)
        return re.sub(r"X(?:[ ,/:]*X)+", "X", message)[:110]

    return [shape(m) for m in real + train]


def main(argv: list[str]) -> None:
    own = dict(a.split("=", 1) for a in argv if a.split("=", 1)[0] in ("part", "show"))
    overrides = [a for a in argv if a.split("=", 1)[0] not in own]
    _, cfg = compose(["logger=none", *overrides])
    # the real drafts of the DSL as experiment=real_drafts reads them, on the part asked for
    _, real_cfg = compose(
        ["experiment=real_drafts", "logger=none", *overrides, f"eval.data.part={own.get('part', 'tune')}"]
    )
    data = real_cfg.eval.data.path
    real = setup(real_cfg)
    drafts = make_drafts(real_cfg.base_llm, real.dsl, real.test, real_cfg.seed, real.cache_dir)
    verdicts = real.dsl.validate_batch([d.program for d in drafts], [t.context for t in real.test])
    real_bad = [(v.errors[0], d.program) for d, v in zip(drafts, verdicts, strict=True) if not v.ok]

    run = setup(cfg)
    examples = repair_examples(cfg, run.dsl, run.splits["train"], cfg.trainer.sft.drafts_per_task, "train")
    checks = run.dsl.validate_batch([e["draft"] for e in examples], [json.loads(e["context"]) for e in examples])
    train_bad = [(v.errors[0], e["label"]) for e, v in zip(examples, checks, strict=True) if not v.ok]
    errors = [e for e, _ in real_bad + train_bad]
    messages = shapes([e.message for e, _ in real_bad], [e.message for e, _ in train_bad])
    kinds = [f"[{e.rule}] {s}" for e, s in zip(errors, messages, strict=True)]
    real_kinds = [(k, program) for k, (_, program) in zip(kinds[: len(real_bad)], real_bad, strict=True)]
    train_kinds = [(k, label) for k, (_, label) in zip(kinds[len(real_bad) :], train_bad, strict=True)]

    real_count, train_count = Counter(k for k, _ in real_kinds), Counter(k for k, _ in train_kinds)
    labels: dict[str, Counter] = defaultdict(Counter)
    for k, label in train_kinds:
        labels[k][label] += 1
    print(f"{len(real_kinds)} invalid real drafts ({data}, part {own.get('part', 'tune')}); ", end="")
    print(f"{len(train_kinds)} invalid training drafts (the mutator's, of the bundled tasks)")
    print(f"{'real':>6}{'train':>7}  kind (first error)  <- the mutation kinds that make it")
    for k in sorted(set(real_count) | set(train_count), key=lambda k: (-real_count[k], -train_count[k])):
        mutations = ", ".join(label for label, _ in labels[k].most_common(3))
        print(f"{real_count[k] / len(real_kinds):>6.1%}{train_count[k] / max(1, len(train_kinds)):>7.1%}  {k}", end="")
        print(f"  <- {mutations}" if mutations else "")
        for _, program in [r for r in real_kinds if r[0] == k][: int(own.get("show", 0))]:
            print(f"{'':>15}e.g. {program[:110]}")


if __name__ == "__main__":
    main(sys.argv[1:])
