"""The project's own task generators, one module per DSL, and the command that writes the bundled task sets.

    python -m slmfix_exp.data.generators            # all DSLs
    python -m slmfix_exp.data.generators sql bash   # some

Each generator returns distinct references, so the fixed splits written here share no reference. The output is
deterministic for a seed: regenerating gives the same files. Each generator module has the same two entry points:
`generate(n, seed)` (task dicts with distinct references) and `extra_files()` (what its tasks need beside them, by
path under the bundled dir: SQL's database scripts).
"""

from __future__ import annotations

import importlib
import json
import random

from slmfix_exp.data.loaders import BUNDLED_DIR
from slmfix_exp.dsl import DSL_NAMES

SPLIT_SIZES = {"train": 5000, "val": 100, "test": 200}
SEED = 20251122


def build(dsl: str, seed: int = SEED) -> list[dict]:
    generator = importlib.import_module(f"slmfix_exp.data.generators.{dsl}")
    n = sum(SPLIT_SIZES.values())
    tasks = generator.generate(n, seed)
    references = [t["reference"].strip() for t in tasks]
    if len(set(references)) != n:
        raise ValueError(f"the {dsl} generator returned {n - len(set(references))} duplicate references")
    random.Random(seed).shuffle(tasks)
    records, start = [], 0
    for split, size in SPLIT_SIZES.items():
        for i, t in enumerate(tasks[start : start + size]):
            records.append(
                {
                    "id": f"{dsl}-{split}-{i:04d}",
                    "nl": t["nl"],
                    "reference": t["reference"],
                    "context": t.get("context", {}),
                    "split": split,
                }
            )
        start += size
    return records


def main(argv: list[str]) -> None:
    BUNDLED_DIR.mkdir(parents=True, exist_ok=True)
    for dsl in argv or DSL_NAMES:
        records = build(dsl)
        (BUNDLED_DIR / f"{dsl}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
        print(f"wrote {len(records)} {dsl} tasks to {BUNDLED_DIR / f'{dsl}.jsonl'}")
        for name, text in importlib.import_module(f"slmfix_exp.data.generators.{dsl}").extra_files().items():
            (BUNDLED_DIR / name).parent.mkdir(exist_ok=True)
            (BUNDLED_DIR / name).write_text(text)
            print(f"wrote {BUNDLED_DIR / name}")
