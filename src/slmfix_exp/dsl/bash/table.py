"""Building the spec table from the installed tools, and caching it keyed by what it is built from."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

from slmfix_exp.dsl.bash.listings import (
    _find_spec,
    _spec_from_entries,
    man_synopsis,
    parse_builtin_help,
    parse_help,
    parse_man,
    parse_synopsis,
    parse_usage,
    usage_text,
)
from slmfix_exp.dsl.bash.spec import (
    _FIND_NAMES,
    ARG_NONE,
    BUILTINS,
    EXTRA_OPTIONS,
    HELP_ARGS,
    SPEC_SCHEMA,
    UTILITIES,
    Option,
    Spec,
)

# ---------------------------------------------------------------------------------------------------------------


def _cache_dir() -> Path:
    return Path(os.environ.get("SLMFIX_CACHE") or Path.home() / ".cache" / "slmfix_exp")


def _clean_env(home: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "LANG": "C", "HOME": home,
            "COLUMNS": "200", "TERM": "dumb", "PAGER": "cat", "MANPAGER": "cat"}  # fmt: skip


def _man_path(utility: str, env: dict[str, str]) -> str | None:
    """The man page `man -w` finds for section 1 or 8, read by us rather than rendered by man."""
    root = Path("/usr/share/man")
    for section in ("1", "8"):
        for suffix in ("", ".gz"):
            for sub in (f"man{section}/{utility}.{section}{suffix}",):
                p = root / sub
                if p.is_file():
                    return str(p)
    if shutil.which("man") is None:
        return None
    try:
        proc = subprocess.run(
            ["man", "-w", "-s", "1,8", utility],
            capture_output=True,
            timeout=5,
            env=env,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    path = proc.stdout.decode(errors="replace").strip().splitlines()
    return path[0] if proc.returncode == 0 and path and Path(path[0]).is_file() else None


def _read_man(path: str | None) -> str:
    if not path:
        return ""
    try:
        data = Path(path).read_bytes()
        if path.endswith(".gz"):
            data = gzip.decompress(data)
        text = data.decode("utf-8", errors="replace")
    except (OSError, EOFError, gzip.BadGzipFile):
        return ""
    m = re.match(r"\.so\s+(\S+)", text)  # a page that includes another: `.so man1/gzip.1`
    if m:
        target = Path(path).parents[1] / m.group(1)
        for candidate in (target, target.with_name(target.name + ".gz")):
            if candidate.is_file():
                return _read_man(str(candidate))
    return text


def _run_help(utility: str, binary: str, env: dict[str, str], cwd: str) -> tuple[int, str]:
    args = HELP_ARGS.get(utility, ("--help",))
    try:
        proc = subprocess.run(
            [binary, *args], capture_output=True, timeout=5, env=env, cwd=cwd, stdin=subprocess.DEVNULL, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return -1, ""
    return proc.returncode, (proc.stdout + proc.stderr).decode("utf-8", errors="replace")[:200_000]


def _bash_help(names: Sequence[str], env: dict[str, str], cwd: str) -> dict[str, str]:
    bash = shutil.which("bash")
    if bash is None:
        return {}
    script = "".join(f"printf '\\n@@@ %s\\n' {json.dumps(n)}; help -- {_sh_quote(n)} 2>/dev/null;" for n in names)
    try:
        proc = subprocess.run(
            [bash, "--norc", "--noprofile", "-c", script],
            capture_output=True,
            timeout=10,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}
    out: dict[str, str] = {}
    for chunk in proc.stdout.decode(errors="replace").split("\n@@@ ")[1:]:
        name, _, text = chunk.partition("\n")
        if text.strip():
            out[name] = text
    return out


def _sh_quote(s: str) -> str:
    return "'" + s.replace("'", "'\\''") + "'"


_GNU_HELP_LINE = re.compile(r"^\s*(?:-\S,\s+)?--help\b", re.M)


def _is_gnu_help(code: int, text: str) -> bool:
    """Whether a --help text is a GNU-style listing: it lists --help itself, or (psmisc's tools, which refuse
    --help but print their listing) several `-x, --long` lines; such a tool reads its words with getopt_long."""
    if code == 0 and re.search(r"^\s*(?:-\S,\s+)?--help\b", text, re.M):
        return True
    return len(re.findall(r"^\s{0,8}-\w(?: \w+)?, --\w", text, re.M)) >= 3


def _exclusions(utility: str, text: str, spec: Spec) -> None:
    """What a listing says about options that exclude one another: "Use one, and only one of -b, -c or -f"."""
    m = re.search(r"only one of ((?:-\w(?:,\s*|\s+or\s+|\s+and\s+)?)+)", text)
    if m:
        group = [spec.options[n].canon for n in re.findall(r"-\w", m.group(1)) if n in spec.options]
        if len(group) > 1:
            spec.exclusive.append(group)
            if "Use one" in text[max(0, m.start() - 20) : m.end()]:
                spec.required.append(group)
    if utility == "tar":  # tar's listing groups the operations: "Main operation mode", one of which it requires
        section = re.search(r"Main operation mode:\n(.*?)\n\s*\n", text, re.S)
        if section:
            names = {o.canon for o in (spec.options.get(n) for n in _entry_names(section.group(1))) if o}
            group = sorted(names)
            spec.exclusive.append(group)
            spec.required.append(
                group
                + [
                    spec.options[n].canon
                    for n in ("--help", "--version", "--usage", "--show-defaults")
                    if n in spec.options
                ]
            )


def _entry_names(text: str) -> list[str]:
    return [n for e in parse_help(text) for n in e.names]


def fingerprint(utilities: Iterable[str] = UTILITIES) -> tuple[str, dict[str, str]]:
    """A digest of what the table is built from (each tool's path, size and mtime, bash's and man's), and the
    paths of the installed utilities."""
    paths: dict[str, str] = {}
    h = hashlib.sha256(f"{SPEC_SCHEMA}".encode())
    for extractor in ("spec.py", "listings.py", "table.py"):  # a change to the extractor rebuilds the table
        h.update((Path(__file__).parent / extractor).read_bytes())
    for u in sorted(set(utilities) | {"bash", "man"}):
        p = shutil.which(u)
        if p is None:
            continue
        paths[u] = p
        try:
            st = os.stat(p)
            h.update(f"{u}:{os.path.realpath(p)}:{st.st_size}:{st.st_mtime_ns};".encode())
        except OSError:
            continue
    return h.hexdigest()[:16], paths


def build_specs(utilities: Sequence[str] = UTILITIES, builtins: Sequence[str] = BUILTINS) -> dict[str, Any]:
    """Build the table from the installed tools (their --help texts, man pages and bash's `help`)."""
    digest, paths = fingerprint(utilities)
    specs: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="slmfix-specs-") as tmp:
        env = _clean_env(tmp)
        names = [u for u in dict.fromkeys(utilities) if u in paths]

        def one(u: str) -> tuple[str, Spec | None, str]:
            code, text = _run_help(u, paths[u], env, tmp)
            man = _read_man(_man_path(u, env))
            gnu = _is_gnu_help(code, text)
            if u in _FIND_NAMES:
                spec = _find_spec(text if gnu else "", man)
                spec.complete = bool(man)
                return u, spec, text
            # a listing's entries first (they win); then, but for a GNU program (whose --help lists all), the
            # synopses, which name options no entry may (netstat's -t)
            entries = parse_help(text) + parse_man(man)
            if not _GNU_HELP_LINE.search(text):
                entries += parse_synopsis(usage_text(text) + " " + man_synopsis(man))
            if not entries:
                return u, None, text
            source = "+".join(s for s, ok in (("help", gnu), ("man", bool(man))) if ok)
            spec = _spec_from_entries(u, entries, "gnu" if gnu else "posix", source)
            spec.complete = bool(man) or (gnu and "GNU coreutils" in text)
            if gnu:
                if _is_gnu_help(0, text) and re.search(r"^\s*(?:-\S,\s+)?--help\b", text, re.M):
                    for extra in ("--help", "--version"):
                        spec.options.setdefault(extra, Option(extra, ARG_NONE, "", None, extra))
                _exclusions(u, text, spec)
                parse_usage(u, text, spec)
            for name in EXTRA_OPTIONS.get(u, ()):
                spec.options.setdefault(name, Option(name, ARG_NONE, "", None, name))
            return u, spec, text

        with ThreadPoolExecutor(max_workers=4) as pool:
            for u, spec, _ in pool.map(one, names):
                if spec is not None:
                    specs[u] = spec.to_json()
        for name, text in _bash_help(builtins, env, tmp).items():
            entries = parse_builtin_help(text)
            spec = _spec_from_entries(name, entries, "posix", "builtin")
            specs[name] = spec.to_json()
    return {"schema": SPEC_SCHEMA, "fingerprint": digest, "specs": specs}


_LOCK = threading.Lock()


@cache
def load_specs() -> dict[str, Spec]:
    """The spec table: read from the on-disk cache for the installed tools, built (~1-3 s) when missing."""
    digest, _ = fingerprint()
    path = _cache_dir() / f"bash-specs-{digest}-v{SPEC_SCHEMA}.json"
    with _LOCK:
        table: dict[str, Any] | None = None
        with contextlib.suppress(OSError, ValueError):
            loaded = json.loads(path.read_text(encoding="utf-8"))
            if loaded.get("schema") == SPEC_SCHEMA and loaded.get("fingerprint") == digest:
                table = loaded
        if table is None:
            table = build_specs()
            with contextlib.suppress(OSError):  # write-then-rename: concurrent processes never read half a file
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(table, fh)
                os.replace(tmp, path)
    return {u: Spec.from_json(u, data) for u, data in table["specs"].items()}


# ---------------------------------------------------------------------------------------------------------------
# The checker
