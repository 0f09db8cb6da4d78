"""Task sets: the bundled ones, and loaders for the public formats (JSONL, NL2Bash, Spider).

Every loader returns `{"train": [...], "val": [...], "test": [...]}` of `Task`. Data without its own splits is split
by a hash of the reference, so no reference ever lands in two splits and the split of a task never changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from slmfix_exp.config import DataConfig, EvalDataConfig
from slmfix_exp.dsl import dsl_class
from slmfix_exp.dsl.base import Task

BUNDLED_DIR = Path(__file__).parent / "bundled"
SPLITS = ("train", "val", "test")


class DataError(ValueError):
    """A data file is missing or malformed; the message names the file (and line)."""


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) for each non-blank line; a malformed line raises DataError naming file and line."""
    if not path.is_file():
        raise DataError(f"data file not found: {path}")
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
            if not isinstance(record, dict):
                raise DataError(f"{path}:{lineno}: expected a JSON object, got {type(record).__name__}")
            yield lineno, record


def split_of(reference: str, fractions: list[float]) -> str:
    """A stable split for a reference: the same program always lands in the same split."""
    if len(fractions) != 3 or abs(sum(fractions) - 1.0) > 1e-6:
        raise DataError(f"data.split_fractions must be three numbers summing to 1, got {fractions}")
    h = int(hashlib.sha256(reference.strip().encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    if h < fractions[0]:
        return "train"
    return "val" if h < fractions[0] + fractions[1] else "test"


def load_tasks(cfg: DataConfig, dsl: str, cache_dir: Path) -> dict[str, list[Task]]:
    """The train/val/test tasks named by the data config, with SQL databases made ready to open."""
    if cfg.path is None:
        tasks = _load_bundled(dsl, cache_dir)
    else:
        path = Path(cfg.path).expanduser()
        if not path.exists():
            raise DataError(f"data.path does not exist: {path}")
        fmt = cfg.format if cfg.format != "auto" else _guess_format(path)
        if fmt == "jsonl":
            tasks = list(_load_jsonl(path, dsl))
        elif fmt == "nl2bash":
            tasks = list(_load_nl2bash(path))
        else:
            tasks = list(_load_spider(path))
        for task in tasks:
            task.split = task.split if task.split in SPLITS else split_of(task.reference or "", cfg.split_fractions)
    tasks = holdout_part(tasks, dsl_class(dsl).holdout_group, cfg.part, cfg.held_out_share)
    if not tasks:
        raise DataError(f"no tasks found in {cfg.path or BUNDLED_DIR / f'{dsl}.jsonl'}")
    splits: dict[str, list[Task]] = {s: [t for t in tasks if t.split == s] for s in SPLITS}
    if cfg.max_train is not None:
        splits["train"] = splits["train"][: cfg.max_train]
    if cfg.max_test is not None:
        splits["test"] = splits["test"][: cfg.max_test]
        splits["val"] = splits["val"][: cfg.max_test]
    return splits


def load_eval_tasks(cfg: EvalDataConfig, dsl: str) -> list[Task]:
    """The tasks of `eval.data.path`, all of them test tasks: a JSONL file, or a directory whose every `*.jsonl` is
    one source (the drafts of one system). Ids are `<file stem>/<id>` for a directory, since systems share the
    ids of the questions they answer; `base_llm=cached` with the same path reads each draft by the same id."""
    path = Path(str(cfg.path)).expanduser()
    tasks = []
    for file in jsonl_files(path, "eval.data.path"):
        for task in _load_jsonl(file, dsl, reference_required=False):
            task.split, task.source = "test", file.stem
            if path.is_dir():
                task.id = f"{file.stem}/{task.id}"
            tasks.append(task)
    if not tasks:
        raise DataError(f"no tasks found in eval.data.path {path}")
    tasks = holdout_part(tasks, dsl_class(dsl).holdout_group, cfg.part, cfg.held_out_share)
    return tasks[: cfg.max_test] if cfg.max_test is not None else tasks


def holdout_part(tasks: list[Task], group_of: Callable[[Task], str], part: str, share: float) -> list[Task]:
    """The tasks of one part of `eval.data`: the groups (`DSL.holdout_group`) ordered by a hash of their names, the
    first `share` of them held out, the rest to tune on."""
    if part == "all":
        return tasks
    groups = sorted({group_of(t) for t in tasks}, key=lambda g: hashlib.sha256(g.encode()).hexdigest())
    held_out = set(groups[: round(share * len(groups))])
    return [t for t in tasks if (group_of(t) in held_out) == (part == "held_out")]


def jsonl_files(path: Path, key: str) -> list[Path]:
    """`path` itself, or the `*.jsonl` files of a directory in name order."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DataError(f"{key} does not exist: {path}")
    files = sorted(path.glob("*.jsonl"))
    if not files:
        raise DataError(f"{key} is a directory without *.jsonl files: {path}")
    return files


def _guess_format(path: Path) -> str:
    if path.is_file():
        return "jsonl"
    if (path / "all.nl").exists() and (path / "all.cm").exists():
        return "nl2bash"
    if (path / "tables.json").exists():
        return "spider"
    raise DataError(f"can't tell the format of {path}: expected a .jsonl file, an NL2Bash dir or a Spider dir")


def _load_bundled(dsl: str, cache_dir: Path) -> list[Task]:
    path = BUNDLED_DIR / f"{dsl}.jsonl"
    tasks = []
    for lineno, r in read_jsonl(path):
        try:
            task = Task(
                id=r["id"], nl=r["nl"], reference=r["reference"], context=r.get("context", {}), split=r["split"]
            )
        except KeyError as exc:
            raise DataError(f"{path}:{lineno}: missing key {exc}") from None
        if "db_id" in task.context:
            task.context["db_path"] = str(bundled_database(task.context["db_id"], cache_dir))
        tasks.append(task)
    return tasks


def bundled_database(db_id: str, cache_dir: Path) -> Path:
    """The SQLite file of a bundled schema, built once from its SQL script into the cache."""
    script_path = BUNDLED_DIR / "sql_db" / f"{db_id}.sql"
    if not script_path.is_file():
        raise DataError(f"no bundled database {db_id!r} (expected {script_path})")
    script = script_path.read_text()
    digest = hashlib.sha256(script.encode()).hexdigest()[:12]
    target = cache_dir.expanduser() / "sqlite" / f"{db_id}-{digest}.sqlite"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")  # this process's own: jobs starting together
        tmp.unlink(missing_ok=True)  # (a sweep's) each build one, and the last rename wins
        with sqlite3.connect(tmp) as conn:
            conn.executescript(script)
        conn.close()
        tmp.replace(target)  # atomic: a concurrent job never opens a half-built database
    return target


def _load_jsonl(path: Path, dsl: str, reference_required: bool = True) -> Iterator[Task]:
    """JSONL of {"nl", "program" | "reference", "id"?, "split"?, "db_path"?, "schema"?, "context"?}.

    `db_path` is relative to the file's directory (as in ../shared/data/sql/spider/dev.jsonl). For evaluation
    (`reference_required` False) the reference and the request may be null: real drafts come without them."""
    context_problem = dsl_class(dsl).context_problem
    for lineno, r in read_jsonl(path):
        program = r["program"] if isinstance(r.get("program"), str) else r.get("reference")
        nl = r.get("nl")
        if reference_required and (not isinstance(program, str) or not isinstance(nl, str)):
            raise DataError(f"{path}:{lineno}: each record needs string fields 'nl' and 'program' (or 'reference')")
        if (program is not None and not isinstance(program, str)) or (nl is not None and not isinstance(nl, str)):
            raise DataError(f"{path}:{lineno}: 'nl' and 'program' (or 'reference') must be strings or null")
        context = dict(r.get("context") or {})
        if "db_path" in r:
            db_path = (path.parent / r["db_path"]).resolve()
            if not db_path.is_file():
                raise DataError(f"{path}:{lineno}: database not found: {db_path}")
            context["db_path"] = str(db_path)
        for key in ("schema", "db_id"):
            if key in r:
                context[key] = r[key]
        problem = context_problem(context)
        if problem:
            raise DataError(f"{path}:{lineno}: {problem}")
        yield Task(
            id=str(r.get("id", f"{path.stem}-{lineno}")),
            nl=nl or "",
            reference=program,
            context=context,
            split=r.get("split", ""),
        )


def _load_nl2bash(path: Path) -> Iterator[Task]:
    """The NL2Bash release: `all.nl` and `all.cm`, one description and one command per line."""
    nls = (path / "all.nl").read_text(encoding="utf-8").splitlines()
    cms = (path / "all.cm").read_text(encoding="utf-8").splitlines()
    if len(nls) != len(cms):
        raise DataError(f"{path}: all.nl has {len(nls)} lines but all.cm has {len(cms)}")
    for i, (nl, cm) in enumerate(zip(nls, cms, strict=True)):
        if nl.strip() and cm.strip():
            yield Task(id=f"nl2bash-{i}", nl=nl.strip(), reference=cm.strip(), split="")


def _load_spider(path: Path) -> Iterator[Task]:
    """A Spider release dir: dev.json (or train_spider.json), tables.json and database/<db>/<db>.sqlite."""
    questions = next((path / n for n in ("dev.json", "train_spider.json") if (path / n).exists()), None)
    if questions is None:
        raise DataError(f"{path}: no dev.json or train_spider.json in the Spider dir")
    try:
        records = json.loads(questions.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"{questions}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    for i, r in enumerate(records):
        db_path = path / "database" / r["db_id"] / f"{r['db_id']}.sqlite"
        if not db_path.is_file():
            raise DataError(f"{questions}: record {i} names database {r['db_id']!r}, but {db_path} is missing")
        yield Task(
            id=f"spider-{i}",
            nl=r["question"],
            reference=r["query"],
            context={"db_id": r["db_id"], "db_path": str(db_path.resolve())},
            split="",
        )
