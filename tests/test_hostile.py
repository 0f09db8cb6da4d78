"""Hostile programs (issue 9): a training run scores tens of thousands of model outputs, many of them garbage, and
must not die on one. Every language, through every entry point a run uses (validate, validate_batch, tree, the
similarities, the reward callables), answers each kind of hostile input with a verdict within the per-program time
bound, without raising, within a memory bound, and leaves the process healthy. Nothing generated is executed as Bash;
SQL only runs read-only. A hypothesis fuzz test closes the file.

The DSLs here get a tight bound (`BOUND` seconds a program) so that "within the bound" means something; each timed
call is allowed `MARGIN` on top for a loaded machine.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slmfix_exp.config import AnsibleConfig, BashConfig, SQLConfig
from slmfix_exp.dsl import DSL, dsl_from_config, get_dsl
from slmfix_exp.dsl.base import call_with_time_limit
from slmfix_exp.dsl.bash import Bash
from slmfix_exp.reward import REWARDS, get_reward

BOUND = 2.0  # seconds a program, for the DSLs under test
MARGIN = 2.0  # on top of the bound, for a loaded machine
MB = 1024 * 1024
SCHEMA = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, age INTEGER); CREATE TABLE t (a INT, b INT);"
# dsl -> (a valid program, its context)
GOOD = {
    "ansible": ("- name: Show a message\n  ansible.builtin.debug:\n    msg: hello\n", {}),
    "bash": ("find . -name '*.py' | xargs wc -l", {}),
    "sql": ("SELECT name FROM users WHERE age > 30", {"schema": SCHEMA}),
}
NAMES = sorted(GOOD)


def _alias_bomb(levels: int = 9, width: int = 9) -> str:
    """A "billion laughs" YAML document: 9 ** 9 leaves once the aliases are expanded."""
    lines = ["- l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


# Each category the issue names; every language gets every category (a YAML bomb is garbage to SQL too).
# INVALID: each must be refused with a diagnostic, by every language or, for a yaml-/sql-/bash- one, by its own
# (an alias bomb is a valid Bash command: `- l0: ...` runs a program called `-`).
INVALID = {
    "empty": "",
    "whitespace": " \n\t\r\n  \x0b\x0c\n",
    "comment-only": "# nothing\n-- here\n",
    "nul-bytes": "ls\x00 -l\x00",
    "binary": bytes(range(256)).decode("latin-1") * 8,
    "invalid-utf8": b"SELECT \xff\xfe name \xc3( FROM users\n".decode("utf-8", "surrogateescape"),
    "lone-surrogates": "- name: \ud800\n  debug: msg=\udfff\n",
    "10MB": "ls -l /tmp; echo hi\n" * (10 * MB // 20),
    "10MB-one-line": "x" * (10 * MB),
    "yaml-deep-flow": "- " + "[" * 10_000 + "]" * 10_000,
    "yaml-deep-mapping": "- " + "{a: " * 10_000 + "}" * 10_000,
    "yaml-deep-block": "- " * 10_000 + "x",
    "yaml-alias-bomb": _alias_bomb(),
    "yaml-python-object": "- !!python/object/apply:os.system ['touch /tmp/slmfix-hostile-pwned']\n",
    "yaml-python-name": "!!python/name:os.system\n",
    "sql-deep-parens": "SELECT " + "(" * 10_000 + "1" + ")" * 10_000,
    "sql-deep-unclosed": "SELECT " + "(" * 10_000,
    "sql-deep-subqueries": "SELECT a FROM t WHERE a IN " + "(SELECT a FROM t WHERE a IN " * 3000 + "(1)" + ")" * 3000,
    "bash-deep-subshells": "(" * 10_000 + "ls" + ")" * 10_000,
    "bash-deep-substitutions": "echo " + "$(" * 10_000 + "x" + ")" * 10_000,
    "bash-deep-braces": "{ " * 5_000 + "ls; " + "} " * 5_000,
    "bash-deep-if": "if true; then " * 1_000 + "ls; " + "fi; " * 1_000,
    "quotes": "'" * 5_001 + '"' * 5_001 + "`" * 5_001,
}
# ODD: constructs the parsers can't handle (or handle partly); each gets a verdict either way.
ODD = {
    "yaml-unknown-tag": "- name: x\n  ansible.builtin.debug: !custom {msg: 1}\n",
    "yaml-binary-tag": "- ansible.builtin.debug:\n    msg: !!binary aGVsbG8=\n",
    "yaml-two-documents": "- ansible.builtin.debug: msg=a\n---\n- ansible.builtin.debug: msg=b\n",
    "yaml-directive": "%YAML 1.1\n---\n- ansible.builtin.debug: msg=a\n",
    "yaml-complex-key": "- ? [a, b]\n  : c\n",
    "yaml-merge-key": "- &base {name: a}\n- <<: *base\n  ansible.builtin.debug: msg=b\n",
    "sql-window": "SELECT a, rank() OVER (PARTITION BY b ORDER BY a) FROM t",
    "sql-recursive-cte": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c LIMIT 5",
    "bash-case": 'case "$1" in a) echo a ;; *) echo b ;; esac',
    "bash-coproc": "coproc worker { cat; }",
    "bash-heredoc": "cat <<'EOF'\n$(touch /tmp/slmfix-hostile-pwned)\nEOF\n",
    "bash-arithmetic": "echo $(( " + "(" * 500 + "1" + ")" * 500 + " ))",
    "bash-long-pipeline": "ls | " * 1_000 + "ls",
}
HOSTILE = {**INVALID, **ODD}
OWNER = {"yaml": "ansible", "sql": "sql", "bash": "bash"}


def must_refuse(category: str, dsl_name: str) -> bool:
    prefix = category.split("-")[0]
    return category in INVALID and OWNER.get(prefix, dsl_name) == dsl_name


# refused before any parser sees them: no tree, similarity 0 either way round
UNPARSED = {"empty", "whitespace", "comment-only", "nul-bytes", "binary", "invalid-utf8", "lone-surrogates", "10MB"}
UNPARSED |= {"10MB-one-line"}
NO_TREE = UNPARSED - {"comment-only"}  # `-- here` is a comment to the pre-check, a command to Bash's tree


@pytest.fixture(scope="module", params=NAMES)
def dsl(request: pytest.FixtureRequest) -> DSL:
    return get_dsl(request.param, timeout_s=BOUND)


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    return fn(), time.perf_counter() - start


# ---- every category, every language, every entry point ----------------------------------------------------------


@pytest.mark.parametrize("category", sorted(HOSTILE))
def test_hostile_program_gets_a_verdict_in_time(dsl: DSL, category: str) -> None:
    program = HOSTILE[category]
    good, context = GOOD[dsl.name]
    verdict, seconds = timed(lambda: dsl.validate(program, context))
    assert seconds < BOUND + MARGIN, f"validate took {seconds:.1f} s"
    if must_refuse(category, dsl.name):
        assert not verdict.ok and verdict.errors, verdict
    else:
        assert verdict.ok or verdict.errors
    calls: dict[str, Callable[[], Any]] = {
        "tree": lambda: dsl.tree(program, context),
        "ted_similarity": lambda: dsl.ted_similarity(program, good, context),
        "similarity as prediction": lambda: dsl.similarity(program, good, context),
        "similarity as reference": lambda: dsl.similarity(good, program, context),
        "ted similarity to itself": lambda: dsl.similarity(program, program, context, kind="ted"),
        "paper similarity to itself": lambda: dsl.similarity(program, program, context),
    }
    for name, call in calls.items():
        value, seconds = timed(call)
        assert seconds < BOUND + MARGIN, f"{name} took {seconds:.1f} s"
        if name == "tree":
            assert value is None or category not in NO_TREE
        else:
            assert 0.0 <= value <= 1.0, name
            assert value == 0.0 or category not in UNPARSED, name


def test_a_batch_keeps_its_good_programs_whatever_else_is_in_it(dsl: DSL) -> None:
    good, context = GOOD[dsl.name]
    programs = [p for program in HOSTILE.values() for p in (good, program)]
    verdicts, seconds = timed(lambda: dsl.validate_batch(programs, [context] * len(programs)))
    assert seconds < BOUND * (1 + len(programs)) + MARGIN
    assert len(verdicts) == len(programs)
    assert all(v.ok for v in verdicts[0::2]), "a good program lost its verdict to its neighbours"
    for category, verdict in zip(HOSTILE, verdicts[1::2], strict=True):
        if must_refuse(category, dsl.name):
            assert not verdict.ok and verdict.errors, category


def _check_rewards(dsl: DSL, option: str, programs: dict[str, str]) -> None:
    good, context = GOOD[dsl.name]
    reward = get_reward(option, dsl)
    low, high = reward.bounds
    if option == "ledex":  # CodeBLEU's n-grams over 10 MB take minutes: not bounded yet (see the report)
        programs = {k: v for k, v in programs.items() if not k.startswith("10MB")}
    completions: list[Any] = [f"```{dsl.fence}\n{p}\n```" for p in programs.values()]
    completions += [p for p in programs.values()]  # no fence
    completions += [None, b"\xff\x00", 42, [{"role": "assistant", "content": f"```{dsl.fence}\n\x00\n```"}]]
    completions.append(f"```{dsl.fence}\n{good}\n```")  # a real repair among them still earns its reward
    n = len(completions)
    scores, seconds = timed(lambda: reward([""] * n, completions, [good] * n, [json.dumps(context)] * n))
    assert seconds < BOUND * 3 * n + MARGIN  # a validation and two similarities a completion, each bounded
    assert len(scores) == n and all(low <= s <= high for s in scores)
    assert scores[-1] > low
    assert all(s == low for s in scores[len(programs) : -1]), "prose and non-text earn the minimum"


# one of each kind for every option here; every category for every option in the slow test below
REWARD_SAMPLE = ["empty", "nul-bytes", "invalid-utf8", "10MB", "yaml-alias-bomb", "yaml-python-object", "bash-case"]


@pytest.mark.parametrize("option", REWARDS)
def test_rewards_score_hostile_completions(dsl: DSL, option: str) -> None:
    _check_rewards(dsl, option, {k: HOSTILE[k] for k in REWARD_SAMPLE})


@pytest.mark.slow
@pytest.mark.parametrize("option", REWARDS)
def test_rewards_score_every_hostile_category(dsl: DSL, option: str) -> None:
    _check_rewards(dsl, option, HOSTILE)


# ---- the time bound itself ---------------------------------------------------------------------------------------


def _slow_inputs() -> Iterator[tuple[str, DSL, Callable[[DSL], Any], Any]]:
    """Real work of each language that runs well past a small bound: (name, dsl, call, what a timeout gives)."""
    tasks = "".join(
        f"- name: copy {i}\n  ansible.builtin.copy:\n    src: /a{i}\n    dest: /b{i}\n" for i in range(1200)
    )
    yield "ansible validate", get_dsl("ansible", timeout_s=0.02), lambda d: d.validate(tasks), "timeout"  # ~0.2 s
    select = "SELECT " + ", ".join(f"c{i} + {i}" for i in range(6000)) + " FROM t"  # sqlglot: ~1 s to parse
    yield "sql validate", get_dsl("sql", timeout_s=0.1), lambda d: d.validate(select, {}), "timeout"
    query = "SELECT " + ", ".join(f"c{i} + {i}" for i in range(1500)) + " FROM t"  # 4500 nodes: TED takes seconds
    sql = get_dsl("sql", timeout_s=0.1, max_tree_nodes=100_000)
    yield "sql paper similarity", sql, lambda d: d.similarity(query, query, {}), 0.0
    script = "if true; then " * 600 + "ls; " + "fi; " * 600  # 3000 nodes: TED takes ~2 s
    bash = get_dsl("bash", timeout_s=0.1, max_tree_nodes=100_000)
    yield "bash ted similarity", bash, lambda d: d.similarity(script, script, kind="ted"), 0.0
    words = "echo " + "a b " * 4000  # bashlex: ~0.4 s
    yield "bash tree", get_dsl("bash", timeout_s=0.02), lambda d: d.tree(words, {}), None


@pytest.mark.parametrize("case", list(_slow_inputs()), ids=lambda c: c[0])
def test_work_past_the_bound_is_cut_short(case: tuple[str, DSL, Callable[[DSL], Any], Any]) -> None:
    _, dsl, call, expected = case
    result, seconds = timed(lambda: call(dsl))
    assert seconds < dsl.timeout_s + MARGIN
    if expected == "timeout":
        assert not result.ok and [d.rule for d in result.diagnostics] == ["timeout"]
    else:
        assert result == expected
    good, context = GOOD[dsl.name]  # and the next program is judged as ever
    assert dsl.similarity(good, good, context) == 1.0
    assert get_dsl(dsl.name).validate(good, context).ok


def _spin(seconds: float = 60.0) -> int:
    end, n = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        n += 1
    return n


def test_time_limit_nests_and_leaves_nothing_behind() -> None:
    def outer() -> str:
        with pytest.raises(TimeoutError):
            call_with_time_limit(0.1, _spin)  # the inner bound ends first
        assert call_with_time_limit(5.0, lambda: "inside") == "inside"  # covered by the outer bound
        _spin()
        return "never"

    start = time.perf_counter()
    with pytest.raises(TimeoutError):
        call_with_time_limit(0.4, outer)
    assert 0.35 < time.perf_counter() - start < 0.4 + MARGIN
    for _ in range(2):  # calls that end just around their deadline: a late timeout never lands after its call
        for _ in range(40):
            with contextlib.suppress(TimeoutError):
                call_with_time_limit(0.005, _spin, 0.005)
            _spin(0.001)  # where a stray timeout would land


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("on_thread", [False, True], ids=["main", "thread"])
def test_a_timeout_lost_in_a_gc_callback_is_raised_again(on_thread: bool) -> None:
    """A timeout that lands in a gc callback is printed as "Exception ignored" and dropped; the bounded call must
    still end (hypothesis's own gc callback once let a validation run on unbounded)."""
    armed = [True]

    def swallowing_callback(phase: str, info: dict[str, int]) -> None:
        if armed and phase == "start":  # the first collection outlasts the bound: its timeout lands in here
            armed.clear()
            _spin(0.2)

    def churn() -> None:  # makes cycles, so the collector (and the callback) runs at once
        end = time.monotonic() + 3
        while time.monotonic() < end:
            a: list[Any] = []
            a.append(a)

    seconds: list[float] = []

    def bounded() -> None:
        start = time.monotonic()
        with contextlib.suppress(TimeoutError):
            call_with_time_limit(0.05, churn)
        seconds.append(time.monotonic() - start)

    gc.callbacks.append(swallowing_callback)
    try:
        if on_thread:
            thread = threading.Thread(target=bounded)
            thread.start()
            thread.join(10)
        else:
            bounded()
    finally:
        gc.callbacks.remove(swallowing_callback)
    assert not armed and seconds and seconds[0] < 1.0


def test_time_limit_holds_on_other_threads() -> None:
    outcomes: list[str] = []

    def work() -> None:
        try:
            call_with_time_limit(0.2, _spin)
        except TimeoutError:
            outcomes.append("timeout")
        outcomes.append(str(call_with_time_limit(1.0, lambda: 7)))

    threads = [threading.Thread(target=work) for _ in range(3)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert time.perf_counter() - start < 0.2 + MARGIN
    assert sorted(outcomes) == ["7", "7", "7", "timeout", "timeout", "timeout"]


@pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="no SIGALRM")
def test_a_real_sigalrm_still_reaches_the_handler_it_had() -> None:
    """The watchdog raises timeouts in the main thread through SIGALRM's handler (no signal is sent); a program
    that had its own SIGALRM handler before still gets its real SIGALRMs. In a fresh process: the handler is global."""
    code = """
import signal, time
from slmfix_exp.dsl.base import call_with_time_limit
from slmfix_exp.dsl.bash import Bash
got = []
signal.signal(signal.SIGALRM, lambda signum, frame: got.append(signum))
def spin(s):
    end = time.monotonic() + s
    while time.monotonic() < end:
        pass
try:
    call_with_time_limit(0.1, spin, 5)
except TimeoutError:
    got.append("timeout")
signal.setitimer(signal.ITIMER_REAL, 0.01)
spin(0.2)
print(got)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == f"['timeout', {int(signal.SIGALRM)}]"


def test_the_bound_costs_well_under_the_work_it_bounds() -> None:
    """A validation costs ~15 us at the least (SQL's EXPLAIN); the bound adds under a microsecond on a quiet
    machine. Asserted loosely (a loaded machine), against the work it bounds measured in the same run."""

    def noop() -> int:
        return 0

    n = 20_000
    bare = min(timed(lambda: [noop() for _ in range(n)])[1] for _ in range(3))
    bounded = min(timed(lambda: [call_with_time_limit(5.0, noop) for _ in range(n)])[1] for _ in range(3))
    sql = get_dsl("sql")
    sql.validate(GOOD["sql"][0], GOOD["sql"][1])
    work = min(timed(lambda: [sql._validate(*GOOD["sql"]) for _ in range(2000)])[1] for _ in range(3)) / 2000
    overhead = (bounded - bare) / n
    assert overhead < 0.5 * work, f"{overhead * 1e6:.2f} us a call, against {work * 1e6:.1f} us of validation"


# ---- memory ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("category", ["yaml-alias-bomb", "10MB", "10MB-one-line", "bash-deep-if"])
def test_memory_stays_bounded(dsl: DSL, category: str) -> None:
    program = HOSTILE[category]
    good, context = GOOD[dsl.name]
    tracemalloc.start()
    try:
        dsl.validate(program, context)
        dsl.tree(program, context)
        dsl.similarity(program, program, context)
        dsl.similarity(program, program, context, kind="ted")
        dsl.similarity(good, program, context)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * MB, f"{peak / MB:.0f} MB"


def test_tree_edit_distance_refuses_trees_whose_tables_would_not_fit() -> None:
    bash = get_dsl("bash")
    script = "if true; then " * 1_000 + "ls; " + "fi; " * 1_000  # 5000 nodes: TED would need ~600 MB
    tracemalloc.start()
    try:
        value = bash.ted_similarity(script, script)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert value == 0.0 and peak < 64 * MB


# ---- nothing generated runs ----------------------------------------------------------------------------------------


class _Audit:
    """The interpreter's audit events of some kinds, recorded while `on` (an audit hook can't be removed)."""

    def __init__(self, *events: str) -> None:
        self.events, self.on = events, False
        self.seen: list[tuple[str, tuple]] = []
        sys.addaudithook(self)

    def __call__(self, event: str, args: tuple) -> None:
        if self.on and event in self.events:
            self.seen.append((event, args))


_SPAWNS = _Audit("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty")
_CONNECTS = _Audit("sqlite3.connect")


def test_nothing_generated_is_executed_as_bash(tmp_path: Path) -> None:
    canaries = [tmp_path / f"c{i}" for i in range(10)]
    programs = [
        f"touch {canaries[0]}",
        f'echo "$(touch {canaries[1]})"',
        f"echo `touch {canaries[2]}`",
        f"cat <(touch {canaries[3]})",
        f"echo $(( $(touch {canaries[4]}) + 1 ))",
        f"eval 'touch {canaries[5]}'",
        f"bash -c 'touch {canaries[6]}'; sh -c 'touch {canaries[6]}'",
        f"cat <<EOF\n$(touch {canaries[7]})\nEOF\n",
        f"# shellcheck source={canaries[8]}\nsource /dev/stdin <<< 'touch {canaries[8]}'",
        f"trap 'touch {canaries[9]}' EXIT; f() {{ touch {canaries[9]}; }}; f",
    ]
    reference = "ls -l"
    _SPAWNS.seen.clear()
    _SPAWNS.on = True
    try:
        for backend in ("shellcheck", "bashlex"):
            bash = get_dsl("bash", backend=backend)
            bash.validate_batch(programs, [{}] * len(programs))
            for program in programs:
                bash.validate(program)
                bash.tree(program, {})
                bash.similarity(program, reference)
                bash.similarity(program, reference, kind="ted")
                bash.mutate(program, {}, random.Random(0), invalid=True)
            for option in REWARDS:
                completions = [f"```bash\n{p}\n```" for p in programs]
                get_reward(option, bash)([""] * 10, completions, [reference] * 10, [{}] * 10)
    finally:
        _SPAWNS.on = False
    assert not any(c.exists() for c in canaries)
    # the only program ever started is ShellCheck, and a program reaches it as a file or stdin, never an argument
    shellcheck = Bash().shellcheck
    assert shellcheck and _SPAWNS.seen
    for event, args in _SPAWNS.seen:
        assert event == "subprocess.Popen", event
        argv = [str(a) for a in args[1]]
        assert argv[0] == shellcheck, argv
        assert all(a.startswith("-") or a.endswith(".sh") for a in argv[1:]), argv


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sql_only_ever_opens_a_database_read_only(tmp_path: Path) -> None:
    db = tmp_path / "db" / "shop.sqlite"
    db.parent.mkdir()
    with sqlite3.connect(db) as conn:  # WAL: the harder case, where a plain read-only reader leaves -wal and -shm
        conn.execute("PRAGMA journal_mode = WAL")
        conn.executescript(
            SCHEMA + "INSERT INTO users VALUES (1, 'Ann', 31), (2, 'Bob', 45); INSERT INTO t VALUES (1, 2);"
        )
    conn.close()
    assert sorted(p.name for p in db.parent.iterdir()) == ["shop.sqlite"]
    before, mtime = _digest(db), db.stat().st_mtime_ns
    attached = tmp_path / "evil.sqlite"
    writes = [
        "DROP TABLE users",
        f"ATTACH DATABASE '{attached}' AS evil",
        f"SELECT 1; ATTACH '{attached}' AS evil; CREATE TABLE evil.x (a)",
        "DELETE FROM users",
        "PRAGMA writable_schema = 1",
        "VACUUM INTO '" + str(tmp_path / "copy.sqlite") + "'",
        "WITH x AS (SELECT 1) UPDATE users SET name = 'x'",
    ]
    sql = get_dsl("sql")
    context = {"db_path": str(db)}
    _CONNECTS.seen.clear()
    _CONNECTS.on = True
    try:
        for query in writes:
            assert not sql.validate(query, context).ok
            sql.validate_batch([query, "SELECT name FROM users"], [context, context])
            sql.tree(query, context)
            sql.similarity(query, "SELECT name FROM users", context)
            sql.similarity(query, "SELECT name FROM users", context, kind="ted")
            assert sql.execution_match(query, "SELECT name FROM users", context) is False
            for option in REWARDS:
                get_reward(option, sql)([""], [f"```sql\n{query}\n```"], ["SELECT 1"], [context])
        # compiled by EXPLAIN (a read), refused when run: connections never load extensions
        assert sql.execution_match("SELECT load_extension('/tmp/evil')", "SELECT 1", context) is False
    finally:
        _CONNECTS.on = False
    assert sql.execution_match("SELECT name FROM users", "SELECT name FROM users", context)  # it does run reads
    assert _digest(db) == before and db.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in db.parent.iterdir()) == ["shop.sqlite"]  # no journal, no WAL
    assert not attached.exists() and not (tmp_path / "copy.sqlite").exists()
    connects = {str(args[0]) for _, args in _CONNECTS.seen}
    assert connects and all(c == ":memory:" or c.endswith("?mode=ro&immutable=1") for c in connects), connects
    shutil.rmtree(db.parent)


# ---- configuration ---------------------------------------------------------------------------------------------


def test_bounds_come_from_the_config() -> None:
    dsl = dsl_from_config(BashConfig(backend="shellcheck", max_program_bytes=1000, timeout_s=1.5, max_tree_nodes=50))
    assert (dsl.max_program_bytes, dsl.timeout_s, dsl.max_tree_nodes) == (1000, 1.5, 50)
    assert [d.rule for d in dsl.validate("echo " + "a" * 1000).diagnostics] == ["too-large"]
    assert dsl.similarity("echo " + " ".join("a" * 60), "echo a", kind="ted") == 0.0  # a tree over 50 nodes
    schemas = {"ansible": AnsibleConfig(), "bash": BashConfig(backend="shellcheck"), "sql": SQLConfig()}
    defaults = {name: dsl_from_config(schema) for name, schema in schemas.items()}
    # null bounds: the language's defaults, and the very instance its options alone give
    assert defaults["bash"] is get_dsl("bash", backend="shellcheck", severity="error")
    assert {n: (d.max_program_bytes, d.timeout_s, d.max_tree_nodes) for n, d in defaults.items()} == {
        "ansible": (100_000, 5.0, 2000),
        "bash": (20_000, 10.0, 2000),
        "sql": (100_000, 5.0, 2000),
    }
    with pytest.raises(Exception, match="timeout_s must be positive"):  # Hydra's InstantiationException says why
        get_dsl("sql", timeout_s=0)


# ---- fuzzing -----------------------------------------------------------------------------------------------------

_PIECES = [
    *"()[]{}<>|&;$`'\"\\#*!?:=-,.%@~^\n\t ",
    *("\x00", "\ud800", "\udcff", "\u202e", "\ufeff", "SELECT", "FROM", "WHERE", "JOIN", "--", "/*", "*/", "$(", "${"),
    *("- name: ", "  ", "&a", "*a", "<<: ", "!!python/object", "!!binary", "{{ x }}", "---", "...", "if", "then"),
    *("fi", "case", "esac", "<<EOF\n", "EOF\n", "(( ", " ))", "[[ ", " ]]", "ansible.builtin.copy:", "users", "name"),
]
_TEXTS = st.one_of(
    st.text(max_size=300),
    st.binary(max_size=300).map(lambda b: b.decode("utf-8", "surrogateescape")),  # bytes-ish text
    st.lists(st.sampled_from(_PIECES), max_size=80).map("".join),  # syntax soup, to reach the parsers' corners
)


def _fuzz(dsl: DSL, program: str) -> None:
    good, context = GOOD[dsl.name]
    start = time.perf_counter()
    verdict = dsl.validate(program, context)
    assert verdict.ok or verdict.errors
    dsl.tree(program, context)
    for kind in ("paper", "ted"):
        assert 0.0 <= dsl.similarity(program, good, context, kind=kind) <= 1.0
        assert 0.0 <= dsl.similarity(good, program, context, kind=kind) <= 1.0
    assert time.perf_counter() - start < 6 * BOUND + MARGIN  # validate, tree and four similarities, each bounded


_FUZZ = settings(deadline=None, database=None, suppress_health_check=list(HealthCheck), print_blob=True)


@pytest.mark.parametrize(("name", "examples"), [("ansible", 150), ("bash", 40), ("sql", 150)])
def test_fuzz(name: str, examples: int) -> None:
    """Arbitrary text, bytes-ish text and syntax soup; Bash's examples are fewer (a ShellCheck process each)."""
    dsl = get_dsl(name, timeout_s=BOUND)

    @settings(_FUZZ, max_examples=examples)
    @given(_TEXTS)
    def check(program: str) -> None:
        _fuzz(dsl, program)

    check()


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_fuzz_long(name: str) -> None:
    dsl = get_dsl(name, timeout_s=BOUND)

    @settings(_FUZZ, max_examples=1500)
    @given(_TEXTS)
    def check(program: str) -> None:
        _fuzz(dsl, program)

    check()
