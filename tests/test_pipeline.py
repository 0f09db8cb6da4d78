"""End to end: `python -m slmfix_exp` with tiny settings writes every result file that docs/results.md's "Reading the
outputs" lists."""

from __future__ import annotations

import contextlib
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sacrebleu

from slmfix_exp.dsl import dsl_from_config
from slmfix_exp.experiment import compose
from tests.conftest import ROOT, SHARED_DATA
from tests.helpers import slmfix, slmfix_command

METRICS = ("pass_rate", "ast_similarity", "ted_similarity", "bleu", "exact_match")
RECORD_KEYS = {
    "id",
    "nl",
    "reference",
    "draft",
    "draft_valid",
    "repaired",
    "repaired_valid",
    "diagnostics",
    "similarity",
}


def run_entrypoint(run_dir: Path, *overrides: str) -> subprocess.CompletedProcess[str]:
    logger = [] if any(o.startswith("logger=") for o in overrides) else ["logger=none"]
    return slmfix("experiment=smoke", f"hydra.run.dir={run_dir}", *logger, *overrides)


REAL_DATA = {"sql": "sql/spider/dev.jsonl", "bash": "bash/nl2bash.jsonl", "ansible": "ansible/tasks.jsonl"}


@pytest.mark.slow
@pytest.mark.parametrize("dsl", ["ansible", "bash", "sql"])
def test_entrypoint_writes_the_results_contract(tmp_path: Path, dsl: str) -> None:
    """On the real datasets of ../shared/data where they are beside the checkout (CI), else the bundled tasks."""
    run_dir = tmp_path / "run"
    real = SHARED_DATA / REAL_DATA[dsl]
    proc = run_entrypoint(run_dir, f"dsl={dsl}", *([f"data.path={real}"] if real.exists() else []))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == str(run_dir)  # the run dir is the last line

    results = json.loads((run_dir / "results.json").read_text())
    assert results["dsl"] == dsl
    assert results["config"]["dsl"]["name"] == dsl
    assert set(results["methods"]) == {"base", "rules", "sft", "rl"}
    for name, metrics in results["methods"].items():
        assert metrics["n"] == 16, name
        for key in METRICS:
            assert 0.0 <= metrics[key] <= 1.0, (name, key, metrics[key])
    assert results["methods"]["base"]["pass_rate"] < 1.0  # the mutator broke some drafts
    if dsl == "sql":
        assert 0.0 <= results["methods"]["base"]["execution_accuracy"] <= 1.0
    assert {"draft", "train sft", "train rl", "evaluate rl"} <= set(results["timings"])

    records = [json.loads(line) for line in (run_dir / "predictions.jsonl").read_text().splitlines()]
    assert len(records) == 16 and all(r["id"] for r in records)
    for r in records:
        assert set(r) >= RECORD_KEYS
        if r["draft_valid"]:  # gated as in the paper: a valid draft is kept
            assert r["repaired"] == r["draft"]
    # the validity recorded for each repair is the validator's verdict on it, checked again here
    language = dsl_from_config(compose([f"dsl={dsl}", "logger=none"])[1].dsl)
    verdicts = language.validate_batch([r["repaired"] for r in records], [r["context"] for r in records])
    assert [r["repaired_valid"] for r in records] == [v.ok for v in verdicts]
    assert results["methods"]["rl"]["pass_rate"] == pytest.approx(sum(v.ok for v in verdicts) / len(records))
    for name in ("results.md", "methods.png", "training_sft.png", "training_rl.png"):
        assert (run_dir / name).stat().st_size > 0, name
    check_results_md_against_predictions(run_dir, records)

    # the report command rebuilds the table and the plots from the saved run
    written = (run_dir / "results.md").read_text()
    for name in ("results.md", "methods.png", "training_sft.png", "training_rl.png"):
        (run_dir / name).unlink()
    report = subprocess.run(
        [sys.executable, "-m", "slmfix_exp.report", str(run_dir)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert report.returncode == 0, report.stderr[-2000:]
    assert (run_dir / "results.md").read_text() == written
    for name in ("methods.png", "training_sft.png", "training_rl.png"):
        assert (run_dir / name).stat().st_size > 0, name


def check_results_md_against_predictions(run_dir: Path, records: list[dict]) -> None:
    """Every number of the methods table in results.md, recomputed from predictions.jsonl."""
    lines = (run_dir / "results.md").read_text().splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| method |"))
    columns = [c.strip() for c in lines[header].strip("|").split("|")]
    table = {}
    for line in lines[header + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        table[cells[0]] = dict(zip(columns[1:], cells[1:], strict=True))
    assert set(table) == set(records[0]["methods"])
    for method, row in table.items():
        outs = [r["methods"][method] for r in records]
        programs, references = [o["program"] for o in outs], [r["reference"] for r in records]
        n = len(outs)
        exact = sum(p.strip() == r.strip() for p, r in zip(programs, references, strict=True))
        bleu = sacrebleu.corpus_bleu(programs, [references]).score / 100
        expected = {
            "n": str(n),
            "pass_rate": f"{sum(o['valid'] for o in outs) / n:.3f}",
            "ast_similarity": f"{sum(o['similarity'] for o in outs) / n:.3f}",
            "ted_similarity": f"{sum(o['ted_similarity'] for o in outs) / n:.3f}",
            "exact_match": f"{exact / n:.3f}",
            "bleu": f"{bleu:.3f}",
            "repair_calls": str(sum(o["repair_calls"] for o in outs)),
        }
        for key, value in expected.items():
            assert row[key] == value, (method, key, row[key], value)
    heading = "## Validator errors by rule (test split)"
    if heading in lines:  # the per-rule table: error counts of each method's final programs
        rules_at = lines.index(heading)
        methods = [c.strip() for c in lines[rules_at + 2].strip("|").split("|")][1:]
        for line in lines[rules_at + 4 :]:
            if not line.startswith("|"):
                break
            rule, *counts = (c.strip() for c in line.strip("|").split("|"))
            for method, count in zip(methods, counts, strict=True):
                diagnostics = [d for r in records for d in r["methods"][method]["diagnostics"]]
                errors = sum(d["rule"] == rule and d["severity"] == "error" for d in diagnostics)
                assert int(count) == errors, (method, rule, count, errors)


@pytest.mark.slow
def test_wandb_offline_run_and_rerun_refusal(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    proc = run_entrypoint(run_dir, "dsl=sql", "logger=wandb", "trainer=none")
    assert proc.returncode == 0, proc.stderr[-3000:]
    offline = list((run_dir / "wandb").glob("offline-run-*"))
    assert offline, "no offline W&B run was written"
    assert set(json.loads((run_dir / "results.json").read_text())["methods"]) == {"base", "rules"}
    again = run_entrypoint(run_dir, "dsl=sql", "trainer=none")  # a finished run is never overwritten
    assert again.returncode != 0 and "results.json exists" in again.stderr


def killed_after(args: list[str], stage_dir: Path, checkpoint: str) -> None:
    """Start the entrypoint with `args` and kill -9 it once the stage has saved a checkpoint matching `checkpoint`."""
    proc = subprocess.Popen(slmfix_command(*args), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not list(stage_dir.glob(f"{checkpoint}/trainer_state.json")) and time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail("the run ended before writing the checkpoint")
        time.sleep(0.2)
    time.sleep(0.5)  # let the checkpoint's files land
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (stage_dir.parent / "results.json").exists()


@pytest.mark.slow
def test_killed_run_resumes_from_its_last_checkpoint(tmp_path: Path) -> None:
    """Killed in SFT and run again: SFT resumes, then RL on the chosen prompts, then SFT for RL's time (sft_more)."""
    run_dir = tmp_path / "run"
    args = [
        "experiment=smoke",
        "dsl=sql",
        "logger=none",
        f"hydra.run.dir={run_dir}",
        "trainer.sft.max_steps=30",
        "trainer.save_steps=3",
        "trainer.stages=[sft,rl,sft_more]",
        "trainer.rl.select=spread",
        "trainer.rl.select_pool=8",
    ]
    killed_after(args, run_dir / "sft", "checkpoint-*")
    again = slmfix(*args)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "resuming sft from" in again.stdout + again.stderr  # Hydra logs to stdout
    results = json.loads((run_dir / "results.json").read_text())
    assert list(results["methods"]) == ["base", "rules", "sft", "rl", "sft_more"]
    history = json.loads((run_dir / "sft" / "log_history.json").read_text())
    assert history[-1]["step"] == 30
    log = again.stdout + again.stderr
    assert "RL prompts:" in log and "sampled get different rewards" in log
    sft, rl, more = (json.loads((run_dir / s / "seconds.json").read_text()) for s in ("sft", "rl", "sft_more"))
    assert sft["steps"] == 30  # the stage's, before the kill and after
    assert more["steps"] == max(1, round(rl["seconds"] / (sft["seconds"] / sft["steps"])))
    assert json.loads((run_dir / "sft_more" / "log_history.json").read_text())[-1]["step"] == more["steps"]
    assert (run_dir / "training_sft_more.png").stat().st_size > 0


@pytest.mark.slow
def test_rl_killed_and_resumed_keeps_its_prompts_and_its_time(tmp_path: Path) -> None:
    """kill -9 in the RL stage, then run again: the stage resumes on the prompts it chose before the kill, and its
    seconds.json counts the whole stage: the seconds saved with the checkpoint it resumed from plus the resumed
    process's, so the budget sft_more gets from it doesn't shrink with a kill. The same stage runs without a kill
    alongside it (one thread each): same prompts, same steps."""
    args = ["dsl=sql", "trainer=grpo", "trainer.rl.select=spread", "trainer.rl.max_steps=12", "trainer.save_steps=3"]
    args += ["eval.stages=[]", "trainer.threads=1", "experiment=smoke", "logger=none"]
    whole_dir, run_dir = tmp_path / "whole", tmp_path / "killed"
    with (tmp_path / "whole.log").open("w") as out:
        whole = subprocess.Popen(
            slmfix_command(*args, f"hydra.run.dir={whole_dir}"), cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
        killed_after([*args, f"hydra.run.dir={run_dir}"], run_dir / "rl", "checkpoint-6")
        saved = {}  # the clock each checkpoint holds, read before the resumed run rotates them away
        for state in (run_dir / "rl").glob("checkpoint-*/trainer_state.json"):
            with contextlib.suppress(ValueError):  # one the kill cut short
                saved[state.parent.name] = json.loads(state.read_text())["stateful_callbacks"]["StageClock"]
        again = slmfix(*args, f"hydra.run.dir={run_dir}")
        assert whole.wait(timeout=600) == 0, (tmp_path / "whole.log").read_text()[-3000:]
    assert again.returncode == 0, again.stderr[-3000:]
    (resumed_from,) = re.findall(r"resuming rl from \S+/(checkpoint-\d+)", again.stdout)

    def trained_on(log: str) -> list[str]:
        return re.findall(r"rank 0: RL on (\d+ prompts \(sha256 of the prompts \w+\))", log)

    assert trained_on(again.stdout) == trained_on((tmp_path / "whole.log").read_text())
    assert len(trained_on(again.stdout)) == 1
    assert (run_dir / "rl" / "prompts.json").read_text() == (whole_dir / "rl" / "prompts.json").read_text()
    resumed, uninterrupted = (json.loads((d / "rl" / "seconds.json").read_text()) for d in (run_dir, whole_dir))
    assert resumed["steps"] == uninterrupted["steps"] == 12
    own = float(re.findall(r"stage train rl done in ([\d.]+) s", again.stdout)[0])
    before = saved[resumed_from]["attributes"]["before"]
    assert before > 0.3 * uninterrupted["seconds"]  # the first process's time, selection and 6 steps
    assert before < resumed["seconds"] < before + own + 0.5  # the resumed process's training, not its set-up
    assert resumed["seconds"] == pytest.approx(uninterrupted["seconds"], rel=0.25)  # 5.51 / 5.55 s measured


def test_a_checkpoint_cut_short_by_the_kill_is_not_resumed_from(tmp_path: Path) -> None:
    """The Trainer writes trainer_state.json last: a kill while it saves leaves the newest checkpoint without it (or
    with it empty), and resuming from that one fails; the one before is whole."""
    from slmfix_exp.rundir import last_checkpoint

    assert last_checkpoint(tmp_path / "sft") is None
    for step, state in ((3, '{"global_step": 3}'), (6, '{"global_step": 6}'), (9, ""), (12, None)):
        (tmp_path / f"checkpoint-{step}").mkdir()
        if state is not None:
            (tmp_path / f"checkpoint-{step}" / "trainer_state.json").write_text(state)
    (tmp_path / "checkpoint-x").mkdir()
    assert last_checkpoint(tmp_path) == str(tmp_path / "checkpoint-6")


@pytest.mark.slow
def test_every_reward_trains_through_the_entrypoint(tmp_path: Path) -> None:
    """One multirun over the reward group (one process, so the imports are paid once)."""
    sweep = tmp_path / "sweep"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "slmfix_exp",
            "-m",
            "experiment=smoke",
            "logger=none",
            "dsl=sql",
            "trainer=grpo",
            "data.max_test=8",
            "reward=dual,adaptive,validator,similarity",
            f"hydra.sweep.dir={sweep}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    for reward in ("dual", "adaptive", "validator", "similarity"):
        (run_dir,) = sweep.glob(f"*_sql_{reward}")
        history = json.loads((run_dir / "rl" / "log_history.json").read_text())
        logged = [h for h in history if f"rewards/reward_{reward}/mean" in h]
        assert logged and all("reward/valid" in h and "reward/similarity" in h for h in logged)
        assert set(json.loads((run_dir / "results.json").read_text())["methods"]) == {"base", "rules", "rl"}
    table = (sweep / "sweep_results.md").read_text()
    assert len(table.splitlines()) >= 4 + 4 * 2  # 4 jobs x (base, rl)
    (sweep / "sweep_results.md").unlink()
    (sweep / "sweep.png").unlink()
    report = subprocess.run(
        [sys.executable, "-m", "slmfix_exp.report", str(sweep)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert report.returncode == 0, report.stderr[-2000:]
    assert (sweep / "sweep_results.md").read_text() == table and (sweep / "sweep.png").stat().st_size > 0


@pytest.mark.slow
def test_exported_drafts_come_back_through_the_cached_llm(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts.jsonl"
    export = subprocess.run(
        [
            sys.executable,
            "-m",
            "slmfix_exp.data.export_drafts",
            "dsl=bash",
            "split=test",
            f"output={drafts}",
            "data.max_test=16",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert export.returncode == 0, export.stderr[-2000:]
    records = [json.loads(line) for line in drafts.read_text().splitlines()]
    assert len(records) == 16 and {"id", "nl", "draft", "label"} <= set(records[0])
    records[0]["draft"] = "echo 'unclosed"  # a researcher's own LLM output
    drafts.write_text("".join(json.dumps(r) + "\n" for r in records))
    run_dir = tmp_path / "run"
    proc = run_entrypoint(run_dir, "dsl=bash", "base_llm=cached", f"base_llm.path={drafts}", "trainer=none")
    assert proc.returncode == 0, proc.stderr[-3000:]
    first = json.loads((run_dir / "predictions.jsonl").read_text().splitlines()[0])
    assert first["draft"] == "echo 'unclosed" and not first["draft_valid"]
