"""Bundled task sets, loaders for the public formats, and the base LLMs that draft programs."""

from __future__ import annotations

import dataclasses
import json
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from slmfix_exp.config import DataConfig, EvalDataConfig, HFLLMConfig, OpenAILLMConfig
from slmfix_exp.data.base_llm import cached_drafts, make_drafts, mutator_drafts, sample_drafts
from slmfix_exp.data.loaders import DataError, load_eval_tasks, load_tasks, split_of
from slmfix_exp.dsl import DSL_NAMES, get_dsl
from slmfix_exp.prompts import draft_messages
from tests.conftest import SHARED_DATA, needs_shared_data
from tests.helpers import chat_server as serve_chat


class _Bundled(dict):
    """The bundled splits of each DSL, loaded on first use."""

    def __init__(self, cache: Path) -> None:
        super().__init__()
        self.cache = cache

    def __missing__(self, dsl: str) -> dict:
        self[dsl] = load_tasks(DataConfig(), dsl, self.cache)
        return self[dsl]


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return _Bundled(tmp_path_factory.mktemp("cache"))


@pytest.mark.parametrize("dsl", DSL_NAMES)
def test_bundled_splits_are_fixed_and_disjoint(bundled: dict, dsl: str) -> None:
    splits = bundled[dsl]
    assert len(splits["train"]) >= 600 and len(splits["test"]) >= 100 and len(splits["val"]) >= 50
    refs = {s: {t.reference.strip() for t in splits[s]} for s in splits}
    assert not refs["train"] & refs["test"] and not refs["train"] & refs["val"] and not refs["val"] & refs["test"]
    ids = [t.id for s in splits.values() for t in s]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("dsl", DSL_NAMES)
def test_bundled_references_pass_the_validator(bundled: dict, dsl: str) -> None:
    """Every test and val reference, and a sample of train (the slow suite checks them all)."""
    tasks = bundled[dsl]["test"] + bundled[dsl]["val"] + random.Random(0).sample(bundled[dsl]["train"], 300)
    verdicts = get_dsl(dsl).validate_batch([t.reference for t in tasks], [t.context for t in tasks])
    bad = [(t.id, v.feedback()) for t, v in zip(tasks, verdicts, strict=True) if not v.ok]
    assert not bad, bad[:5]


@pytest.mark.slow
@pytest.mark.parametrize("dsl", DSL_NAMES)
def test_every_bundled_reference_passes_the_validator(bundled: dict, dsl: str) -> None:
    tasks = [t for s in bundled[dsl].values() for t in s]
    verdicts = get_dsl(dsl).validate_batch([t.reference for t in tasks], [t.context for t in tasks])
    bad = [(t.id, v.feedback()) for t, v in zip(tasks, verdicts, strict=True) if not v.ok]
    assert not bad, bad[:5]


@pytest.mark.parametrize("dsl", DSL_NAMES)
def test_mutator_keeps_its_labels(bundled: dict, dsl: str) -> None:
    """Invalid drafts are all rejected, valid-but-off ones all accepted, the rest are the reference."""
    d = get_dsl(dsl)
    tasks = bundled[dsl]["test"]
    drafts = mutator_drafts(d, tasks, p_invalid=0.5, p_off=0.3, seed=1)
    verdicts = d.validate_batch([x.program for x in drafts], [t.context for t in tasks])
    labels = {x.label for x in drafts}
    assert len(labels) >= 4, labels  # several kinds of error, not one
    invalid = off = 0
    for task, draft, verdict in zip(tasks, drafts, verdicts, strict=True):
        if draft.label == "none":
            assert draft.program == task.reference
        elif verdict.ok:
            off += 1
            assert draft.program != task.reference
        else:
            invalid += 1
    assert invalid > 0.35 * len(tasks) and off > 0.15 * len(tasks)
    again = mutator_drafts(d, tasks, p_invalid=0.5, p_off=0.3, seed=1)
    assert [x.program for x in again] == [x.program for x in drafts]  # deterministic for a seed


def test_split_is_stable_and_checks_fractions() -> None:
    assert split_of("SELECT 1", [0.8, 0.1, 0.1]) == split_of("SELECT 1", [0.8, 0.1, 0.1])
    with pytest.raises(DataError, match="summing to 1"):
        split_of("x", [0.5, 0.1, 0.1])


def test_malformed_jsonl_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "tasks.jsonl"
    path.write_text('{"nl": "a", "program": "ls"}\n{"nl": "b", "program": \n')
    with pytest.raises(DataError, match=r"tasks\.jsonl:2"):
        load_tasks(DataConfig(path=str(path)), "bash", tmp_path)
    path.write_text('{"nl": "a", "command": "ls"}\n')
    with pytest.raises(DataError, match=r"tasks\.jsonl:1.*'program'"):
        load_tasks(DataConfig(path=str(path)), "bash", tmp_path)
    with pytest.raises(DataError, match="does not exist"):
        load_tasks(DataConfig(path=str(tmp_path / "missing.jsonl")), "bash", tmp_path)


def test_sql_task_without_a_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"nl": "count", "program": "SELECT count(*) FROM t"}\n')
    with pytest.raises(DataError, match="needs a schema"):
        load_tasks(DataConfig(path=str(path)), "sql", tmp_path)


@needs_shared_data
def test_shared_jsonl_files_load(tmp_path: Path) -> None:
    spider = load_tasks(DataConfig(path=str(SHARED_DATA / "sql/spider/dev.jsonl")), "sql", tmp_path)
    assert sum(len(s) for s in spider.values()) == 499
    task = spider["test"][0]
    assert Path(task.context["db_path"]).is_file() and task.context["db_id"]
    bash = load_tasks(DataConfig(path=str(SHARED_DATA / "bash/nl2bash.jsonl")), "bash", tmp_path)
    assert sum(len(s) for s in bash.values()) == 8259
    ansible = load_tasks(DataConfig(path=str(SHARED_DATA / "ansible/tasks.jsonl")), "ansible", tmp_path)
    assert sum(len(s) for s in ansible.values()) == 3271
    assert 0.7 < len(ansible["train"]) / 3271 < 0.9


@needs_shared_data
def test_nl2bash_release_and_spider_dir_formats(tmp_path: Path) -> None:
    records = [json.loads(line) for line in (SHARED_DATA / "bash/nl2bash.jsonl").read_text().splitlines()[:50]]
    nl2bash = tmp_path / "nl2bash"
    nl2bash.mkdir()
    (nl2bash / "all.nl").write_text("".join(r["nl"] + "\n" for r in records))
    (nl2bash / "all.cm").write_text("".join(r["program"] + "\n" for r in records))
    tasks = load_tasks(DataConfig(path=str(nl2bash)), "bash", tmp_path)
    assert sum(len(s) for s in tasks.values()) == 50

    spider = tmp_path / "spider"
    (spider / "database").mkdir(parents=True)
    (spider / "database" / "concert_singer").symlink_to(SHARED_DATA / "sql/spider/database/concert_singer")
    (spider / "tables.json").symlink_to(SHARED_DATA / "sql/spider/tables.json")
    dev = [{"db_id": "concert_singer", "question": "How many singers?", "query": "SELECT count(*) FROM singer"}]
    (spider / "dev.json").write_text(json.dumps(dev))
    tasks = load_tasks(DataConfig(path=str(spider)), "sql", tmp_path)
    task = next(t for s in tasks.values() for t in s)
    assert get_dsl("sql").validate(task.reference, task.context).ok
    dev.append({"db_id": "no_such_db", "question": "?", "query": "SELECT 1"})
    (spider / "dev.json").write_text(json.dumps(dev))
    with pytest.raises(DataError, match="no_such_db"):
        load_tasks(DataConfig(path=str(spider)), "sql", tmp_path)


def test_cached_drafts_round_trip(bundled: dict, tmp_path: Path) -> None:
    tasks = bundled["sql"]["test"][:5]
    path = tmp_path / "drafts.jsonl"
    path.write_text("".join(json.dumps({"id": t.id, "draft": t.reference.lower()}) + "\n" for t in tasks))
    drafts = cached_drafts(path, tasks)
    assert [d.program for d in drafts] == [t.reference.lower() for t in tasks]
    with pytest.raises(DataError, match="no draft for 1 task"):
        cached_drafts(path, [*tasks, bundled["sql"]["test"][9]])


def test_eval_tasks_from_a_dir_of_systems_read_drafts_by_the_same_ids(tmp_path: Path) -> None:
    """eval.data.path names a dir of real drafts, one file per system: all records are test tasks, references may be
    null, ids carry the system, and base_llm=cached over the same dir finds each task's draft."""
    ddl = "CREATE TABLE t (a INTEGER);"
    for system, draft in (("sys_a", "SELECT b FROM t"), ("sys_b", "SELECT a FROM t")):
        records = [
            {"id": "q1", "nl": "all a", "reference": "SELECT a FROM t", "draft": draft, "schema": ddl},
            {"id": "q2", "nl": None, "reference": None, "draft": draft, "schema": ddl},
        ]
        (tmp_path / f"{system}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    tasks = load_eval_tasks(EvalDataConfig(path=str(tmp_path)), "sql")
    assert [t.id for t in tasks] == ["sys_a/q1", "sys_a/q2", "sys_b/q1", "sys_b/q2"]
    assert {t.split for t in tasks} == {"test"} and [t.source for t in tasks][::2] == ["sys_a", "sys_b"]
    assert tasks[1].reference is None and tasks[1].nl == ""
    drafts = cached_drafts(tmp_path, tasks)
    assert [d.program for d in drafts] == ["SELECT b FROM t"] * 2 + ["SELECT a FROM t"] * 2
    one = load_eval_tasks(EvalDataConfig(path=str(tmp_path / "sys_b.jsonl"), max_test=1), "sql")
    assert [t.id for t in one] == ["q1"]
    with pytest.raises(DataError, match=r"eval\.data\.path does not exist"):
        load_eval_tasks(EvalDataConfig(path=str(tmp_path / "nope")), "sql")
    with pytest.raises(DataError, match="breaks references"):
        mutator_drafts(get_dsl("sql"), tasks, 1.0, 0.0, 0)


class _FakeLLM:
    """What `chat_server` answers with: fails once with 503 when `fail_first`, then answers each request with its `n`
    choices (one only when `ignore_n`, as some servers do), choice k a fenced program naming the question's length
    and the request's seed + k, after `delay` seconds. It records the bodies and the most requests in flight."""

    def __init__(self) -> None:
        self.calls, self.fail_first, self.ignore_n, self.delay = 0, True, False, 0.0
        self.bodies: list[dict] = []
        self.in_flight = self.most_in_flight = 0
        self.lock = threading.Lock()

    def __call__(self, body: dict) -> list[str] | None:
        with self.lock:
            self.calls += 1
            first = self.calls == 1
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self.bodies.append(body)
        time.sleep(self.delay)
        with self.lock:
            self.in_flight -= 1
        if first and self.fail_first:
            return None
        question, seed = body["messages"][-1]["content"], body.get("seed", 0)
        n = 1 if self.ignore_n else body.get("n", 1)
        return [f"Here you go:\n```sql\nSELECT '{len(question)}/{seed + k}'\n```" for k in range(n)]


@pytest.fixture
def chat_server() -> Iterator[tuple[_FakeLLM, str]]:
    """A fresh `_FakeLLM` served on 127.0.0.1, and the server's base URL."""
    llm = _FakeLLM()
    with serve_chat(llm) as url:
        yield llm, url


def test_openai_drafts_retry_and_cache(
    bundled: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chat_server
) -> None:  # type: ignore[no-untyped-def]
    server, url = chat_server
    monkeypatch.setattr("time.sleep", lambda s: None)  # the SDK's retry backoff
    cfg = OpenAILLMConfig(model="m", base_url=url, concurrency=1)
    tasks = bundled["sql"]["test"][:3]
    drafts = make_drafts(cfg, get_dsl("sql"), tasks, 0, tmp_path)
    assert all(d.program.startswith("SELECT '") for d in drafts)
    assert server.calls == 4  # the 503 was retried
    assert all("n" not in b and "seed" not in b for b in server.bodies)  # n = 1: the request of the old client
    again = make_drafts(cfg, get_dsl("sql"), tasks, 0, tmp_path)  # a rerun costs nothing
    assert server.calls == 4 and [d.program for d in again] == [d.program for d in drafts]
    server.calls = 0  # the next request fails with 503 again
    with pytest.raises(RuntimeError, match="503"):  # past max_retries: an error naming the status
        make_drafts(dataclasses.replace(cfg, max_retries=0, model="other"), get_dsl("sql"), tasks[:1], 0, tmp_path)


def test_openai_samples_are_one_request_each(bundled: dict, tmp_path: Path, chat_server) -> None:  # type: ignore[no-untyped-def]
    server, url = chat_server
    server.fail_first = False
    cfg = OpenAILLMConfig(model="m", base_url=url, temperature=1.0)
    tasks = bundled["sql"]["test"][:3]
    samples = sample_drafts(cfg, get_dsl("sql"), tasks, 7, tmp_path, n=4)
    assert len(server.bodies) == 3 and all(b["n"] == 4 and b["seed"] == 7 for b in server.bodies)
    assert [[d.program.split("/")[1] for d in s] for s in samples] == [["7'", "8'", "9'", "10'"]] * 3
    assert sample_drafts(cfg, get_dsl("sql"), tasks, 7, tmp_path, n=4) == samples and len(server.bodies) == 3
    # a server that ignores `n` is asked again for the rest, with the next seed: the same samples
    server.ignore_n, cfg = True, dataclasses.replace(cfg, base_url=url + "/")  # another cache key
    assert sample_drafts(cfg, get_dsl("sql"), tasks[:1], 7, tmp_path, n=4) == samples[:1]
    assert [(b["n"], b["seed"]) for b in server.bodies[3:]] == [(4, 7), (3, 8), (2, 9), (1, 10)]


def test_openai_requests_are_concurrent_up_to_the_bound(bundled: dict, tmp_path: Path, chat_server) -> None:  # type: ignore[no-untyped-def]
    server, url = chat_server
    server.fail_first, server.delay = False, 0.1
    tasks = bundled["sql"]["test"][:12]
    cfg = OpenAILLMConfig(model="m", base_url=url, concurrency=3)
    drafts = make_drafts(cfg, get_dsl("sql"), tasks, 0, tmp_path)
    assert server.most_in_flight == 3 and len(server.bodies) == 12
    # the answers come back in the order of the tasks, whatever order the requests finished in
    questions = [draft_messages(t, get_dsl("sql"))[-1]["content"] for t in tasks]
    assert [d.program for d in drafts] == [f"SELECT '{len(q)}/0'" for q in questions]
    assert len(set(questions)) == 12 and len({len(q) for q in questions}) > 6  # the order check can tell them apart


def test_openai_request_timeout(bundled: dict, tmp_path: Path, chat_server) -> None:  # type: ignore[no-untyped-def]
    server, url = chat_server
    server.fail_first, server.delay = False, 1.0
    cfg = OpenAILLMConfig(model="m", base_url=url, request_timeout=0.2, max_retries=0)
    start = time.perf_counter()
    with pytest.raises(RuntimeError, match="1 attempts"):
        make_drafts(cfg, get_dsl("sql"), bundled["sql"]["test"][:1], 0, tmp_path)
    assert time.perf_counter() - start < 0.9


def test_hf_drafts_from_a_local_model(bundled: dict, tmp_path: Path) -> None:
    from slmfix_exp.config import TinySLMConfig
    from slmfix_exp.models import build_tiny_model, train_tokenizer

    tasks = bundled["bash"]["test"][:3]
    tokenizer = train_tokenizer([t.nl + t.reference for t in bundled["bash"]["train"][:200]], 400)
    model = build_tiny_model(
        TinySLMConfig(hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64), tokenizer, 0
    )
    model.save_pretrained(tmp_path / "llm")
    tokenizer.save_pretrained(tmp_path / "llm")
    cfg = HFLLMConfig(model=str(tmp_path / "llm"), max_new_tokens=8, batch_size=2)
    drafts = make_drafts(cfg, get_dsl("bash"), tasks, 0, tmp_path)
    assert len(drafts) == 3 and all(d.label == "llm" and isinstance(d.program, str) for d in drafts)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        make_drafts(HFLLMConfig(model=str(tmp_path / "nope")), get_dsl("bash"), tasks, 0, tmp_path)


@pytest.mark.parametrize("keep", [False, True])
def test_a_training_task_with_a_test_reference_is_dropped_unless_kept_loudly(
    tmp_path: Path, keep: bool, caplog: pytest.LogCaptureFixture
) -> None:
    from slmfix_exp.experiment import compose, setup

    records = [
        {"id": "a", "nl": "list files", "program": "ls -a", "split": "train"},
        {"id": "b", "nl": "list all files", "program": "ls -l", "split": "train"},  # the test task's reference
        {"id": "c", "nl": "show the date", "program": "date", "split": "train"},
        {"id": "d", "nl": "list the files", "program": "ls -l", "split": "test"},
        {"id": "e", "nl": "print the directory", "program": "pwd", "split": "test"},
    ]
    path = tmp_path / "tasks.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    _, cfg = compose(["dsl=bash", "logger=none", f"data.path={path}", f"data.keep_test_overlap={keep}"])
    with caplog.at_level("INFO", logger="slmfix_exp.experiment"):
        run = setup(cfg)
    assert [t.id for t in run.test] == ["d", "e"]
    assert [t.id for t in run.splits["train"]] == (["a", "b", "c"] if keep else ["a", "c"])
    warned = [r for r in caplog.records if r.levelname == "WARNING" and "not generalisation" in r.getMessage()]
    assert len(warned) == keep
