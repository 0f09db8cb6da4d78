"""Score a JSONL file of programs with a DSL's validator (and similarity, where references are given).

    python -m slmfix_exp.score dsl=sql input=preds.jsonl [output=scores.jsonl] [similarity=paper|ted]

Input lines: {"program", "reference"?, "db_path"? | "schema"?}; db_path is relative to the input file. The last line
printed is one JSON summary: {"dsl", "n", "valid_rate", "mean_similarity"?, "programs_per_s", "errors_by_rule"}.
With output=, one line per input record, in order: {"valid", "diagnostics", "similarity"?}.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import MISSING, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from slmfix_exp.data.loaders import DataError, read_jsonl
from slmfix_exp.dsl import get_dsl
from slmfix_exp.report import write_atomic


@dataclass
class ScoreConfig:
    dsl: str = MISSING
    input: str = MISSING
    output: str | None = None
    similarity: str = "paper"  # paper | ted


def load_records(path: Path) -> tuple[list[str], list[str | None], list[dict[str, Any]]]:
    programs, references, contexts = [], [], []
    for lineno, r in read_jsonl(path):
        if not isinstance(r.get("program"), str):
            raise DataError(f"{path}:{lineno}: each record needs a string 'program'")
        context: dict[str, Any] = {}
        if "db_path" in r:
            db_path = (path.parent / r["db_path"]).resolve()
            if not db_path.is_file():
                raise DataError(f"{path}:{lineno}: database not found: {db_path}")
            context["db_path"] = str(db_path)
        if "schema" in r:
            context["schema"] = r["schema"]
        programs.append(r["program"])
        references.append(r.get("reference"))
        contexts.append(context)
    return programs, references, contexts


def score(cfg: ScoreConfig) -> dict[str, Any]:
    dsl = get_dsl(cfg.dsl)
    programs, references, contexts = load_records(Path(cfg.input))
    start = time.perf_counter()
    verdicts = dsl.validate_batch(programs, contexts)
    seconds = time.perf_counter() - start
    sims = [
        dsl.similarity(p, r, c, kind=cfg.similarity) if r is not None else None
        for p, r, c in zip(programs, references, contexts, strict=True)
    ]
    n = len(programs)
    summary: dict[str, Any] = {"dsl": cfg.dsl, "n": n, "valid_rate": sum(v.ok for v in verdicts) / n if n else 0.0}
    scored = [s for s in sims if s is not None]
    if scored:
        summary["mean_similarity"] = sum(scored) / len(scored)
    summary["programs_per_s"] = round(n / seconds, 1) if seconds > 0 else None
    summary["errors_by_rule"] = dict(Counter(d.rule for v in verdicts for d in v.errors).most_common())
    if cfg.output:
        lines = []
        for v, s in zip(verdicts, sims, strict=True):
            record: dict[str, Any] = {"valid": v.ok, "diagnostics": [d.to_dict() for d in v.diagnostics]}
            if s is not None:
                record["similarity"] = s
            lines.append(json.dumps(record) + "\n")
        write_atomic(Path(cfg.output), "".join(lines))
    return summary


def main(argv: list[str] | None = None) -> None:
    try:
        cfg = OmegaConf.to_object(
            OmegaConf.merge(
                OmegaConf.structured(ScoreConfig), OmegaConf.from_dotlist(sys.argv[1:] if argv is None else argv)
            )
        )
    except OmegaConfBaseException as exc:
        sys.exit(
            f"usage: python -m slmfix_exp.score dsl=<ansible|bash|sql> input=<file.jsonl> [output=<file.jsonl>]"
            f"\nerror: {exc}"
        )
    try:
        summary = score(cfg)  # type: ignore[arg-type]
    except (DataError, ValueError) as exc:
        sys.exit(f"error: {exc}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
