"""Write the drafts of one split to JSONL, in the format `base_llm=cached` reads back.

    python -m slmfix_exp.data.export_drafts dsl=sql split=test output=drafts.jsonl [any other config override]

Researchers use it to get the tasks (`id`, `nl`, `context`) to run their own LLM on: replace each `draft` with the
LLM's program and rerun with `base_llm=cached base_llm.path=drafts.jsonl`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from slmfix_exp.data.base_llm import make_drafts
from slmfix_exp.experiment import compose, setup
from slmfix_exp.report import write_atomic


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    options = dict(a.split("=", 1) for a in argv if a.split("=", 1)[0] in ("split", "output"))
    overrides = [a for a in argv if a.split("=", 1)[0] not in ("split", "output")]
    if "output" not in options:
        sys.exit(
            "usage: python -m slmfix_exp.data.export_drafts dsl=<dsl> [split=test] output=<file.jsonl> [overrides]"
        )
    _, cfg = compose(overrides)
    run = setup(cfg)
    tasks = run.splits[options.get("split", "test")]
    drafts = make_drafts(cfg.base_llm, run.dsl, tasks, cfg.seed, run.cache_dir)
    lines = [
        json.dumps({"id": t.id, "nl": t.nl, "context": t.context, "draft": d.program, "label": d.label}) + "\n"
        for t, d in zip(tasks, drafts, strict=True)
    ]
    write_atomic(Path(options["output"]), "".join(lines))
    print(f"wrote {len(lines)} drafts to {options['output']}")


if __name__ == "__main__":
    main()
