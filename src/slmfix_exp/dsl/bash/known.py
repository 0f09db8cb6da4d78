"""Which command names exist at all: the names Debian's packages install on the PATH (a list shipped with the package,
rebuilt by `experiments/build_bash_command_list.py`), bash's reserved words and builtins, and what is installed on
this machine. A name none of these holds is one no system runs (`bash: rw: command not found`), unlike a utility that
exists but isn't installed here (rsync, dig), which the checker leaves unchecked with a warning.
"""

from __future__ import annotations

import difflib
import gzip
import shutil
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources

from slmfix_exp.dsl.bash.scanner import RESERVED_AND_BUILTINS

COMMAND_LIST = "debian_commands.txt.gz"


@cache
def debian_commands() -> frozenset[str]:
    """The shipped list of Debian's command names (with bash's builtins and keywords), '#' lines being its header."""
    data = gzip.decompress(resources.files(__package__).joinpath(COMMAND_LIST).read_bytes()).decode()
    return frozenset(line for line in data.splitlines() if line and not line.startswith("#")) | RESERVED_AND_BUILTINS


@lru_cache(maxsize=4096)
def installed(name: str) -> bool:
    """Whether `name` is on this machine's PATH (cached: the answer doesn't change within a run)."""
    try:
        return shutil.which(name) is not None
    except (OSError, ValueError):  # a NUL or an over-long name
        return False


def exists(name: str) -> bool:
    """Whether some system runs a command called `name`: Debian has it, bash has it, or it is installed here."""
    return name in debian_commands() or installed(name)


@cache
def _by_initial_and_length() -> dict[tuple[str, int], tuple[str, ...]]:
    out: dict[tuple[str, int], list[str]] = {}
    for name in debian_commands():
        out.setdefault((name[:1], len(name)), []).append(name)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def _candidates(name: str) -> list[str]:
    """Debian's names with `name`'s first letter and a length difflib's ratio can reach 0.8 with (2/3 to 3/2 of
    it): the few hundred a did-you-mean needs to compare, of ~50,000."""
    index, n = _by_initial_and_length(), len(name)
    return [c for length in range(-(-2 * n // 3), 3 * n // 2 + 1) for c in index.get((name[:1], length), ())]


@lru_cache(maxsize=4096)
def suggest_command(name: str, common: tuple[str, ...] = ()) -> str | None:
    """The command an unknown name most likely meant: the closest of the `common` ones (a misspelt `grpe` is far
    likelier `grep` than some package's `grpn`), else the closest of Debian's that share its first letter (the
    whole list is ~50,000 names; a misspelling rarely starts with a wrong letter)."""
    if not name or len(name) > 64:
        return None
    cutoff = 0.5 if len(name) <= 3 else 0.6  # one letter of a short name weighs much in difflib's ratio
    close = difflib.get_close_matches(name, common, n=5, cutoff=cutoff)
    if close:  # a name of the same length and first letter wins a near tie: `rw` is `rm` rather than `w` or `wc`
        return max(close, key=lambda c: _ratio(name, c) - 0.2 * abs(len(c) - len(name)) + 0.1 * (c[0] == name[0]))
    close = difflib.get_close_matches(name, _candidates(name), n=1, cutoff=0.8)
    return close[0] if close else None


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def common_commands(spec_names: Iterable[str]) -> tuple[str, ...]:
    """The names a did-you-mean prefers: the utilities with a spec (the ones scripts call most) and bash's own."""
    return tuple(sorted(set(spec_names) | RESERVED_AND_BUILTINS))
