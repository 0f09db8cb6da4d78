"""Several processes per job: `accelerate launch` (torchrun) or several submitit tasks per sweep job.

Every rank runs the entrypoint; all ranks train (TRL's trainers do the DDP), rank 0 alone drafts, evaluates, writes
the results and logs to W&B while the others wait.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TypeVar

import torch

# How long a rank waits for the others: rank 0 evaluates alone while they wait, which can take long with a real SLM.
# A rank that fails doesn't leave the others waiting this long under torchrun (it stops them) nor over gloo (its
# peers see its process go); over NCCL under submitit they wait until this timeout.
RANK_TIMEOUT = timedelta(hours=1)

T = TypeVar("T")


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def rank() -> int:
    return int(os.environ.get("RANK", "0"))


def join_ranks() -> None:
    """Join the process group that torchrun (`accelerate launch`) describes in the environment. Accelerate picks the
    device and the backend (gloo on CPUs, NCCL on GPUs); TRL's trainers then reuse the group."""
    from accelerate.state import PartialState

    PartialState(cpu=not torch.cuda.is_available(), timeout=RANK_TIMEOUT)


def barrier() -> None:
    if world_size() > 1:
        torch.distributed.barrier()


@contextmanager
def rank0_first() -> Iterator[None]:
    """Rank 0 runs the block before the others: it fills the caches (SQLite builds, tokenizer, tiny model) they read."""
    if rank() != 0:
        barrier()
    yield
    if rank() == 0:
        barrier()


def follow_rank0(argv: list[str]) -> list[str]:
    """`argv` with the overrides that put a rank other than 0 into rank 0's run dir, which rank 0 sends from `main`
    once Hydra has made it: `${now:...}` in the run dir can read a second apart on two ranks."""
    received: list[str | None] = [None]
    torch.distributed.broadcast_object_list(received, src=0)
    return [*argv, *run_dir_overrides(str(received[0]))]


def run_dir_overrides(run_dir: str) -> list[str]:
    quoted = run_dir.replace("'", "\\'")  # a quoted override value: any path, spaces and `=` included
    return [f"hydra.run.dir='{quoted}'", "hydra.output_subdir=null"]  # rank 0 writes .hydra/ there


def join_submitit_tasks() -> None:
    """Several submitit tasks per job (`hydra.launcher.tasks_per_node`, one GPU each): torch.distributed's variables
    from SLURM's (or submitit_local's), then the process group. The sweep dir is fixed before the job starts, so the
    ranks agree on the run dir."""
    from submitit.helpers import TorchDistributedEnvironment

    TorchDistributedEnvironment().export(set_cuda_visible_devices=False)  # accelerate maps LOCAL_RANK to a GPU
    join_ranks()


def submitit_tasks() -> int:
    if "SUBMITIT_EXECUTOR" not in os.environ:
        return 1
    import submitit

    return int(submitit.JobEnvironment().num_tasks)


def from_rank0(value: T) -> T:
    """Rank 0's `value`, on every rank (what the other ranks pass is ignored)."""
    if world_size() == 1:
        return value
    box = [value]
    torch.distributed.broadcast_object_list(box, src=0)
    return box[0]
