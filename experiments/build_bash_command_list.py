"""Rebuild `src/slmfix_exp/dsl/bash/debian_commands.txt.gz`: the name of every command that exists on a Debian system.

The names are the basenames of the files Debian's packages install directly under `bin/`, `sbin/`, `usr/bin/`,
`usr/sbin/` and `usr/games/` (the distribution's Contents index, read through `apt-file`), the names Debian's packages
register with update-alternatives (`awk`, `vi`, `nc`, `which`, `java`...: set by maintainer scripts, so no Contents
index lists them), the installed bash's builtins and keywords, and a short hand-kept list of other systems' commands
(macOS's `md5`, `pbcopy`; software Debian doesn't package). The Bash validator calls any other command name
(not defined in the program, not a path, not installed) an error: `bash: rw: command not found`.

Needs apt-file and a fresh index (as root, on Debian):

    apt-get update && apt-get install -y apt-file && apt-file update
    python experiments/build_bash_command_list.py            # writes the list, prints what it holds

The header of the written file records the Debian release, the date of its index and the day it was built.
"""

from __future__ import annotations

import argparse
import datetime
import glob
import gzip
import re
import subprocess
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "slmfix_exp" / "dsl" / "bash" / "debian_commands.txt.gz"
ON_PATH = r"^/(usr/)?(s?bin|games)/[^/]+$"  # apt-file's regexp: a file straight in a directory of the default PATH

# Names Debian's packages provide through update-alternatives (the package ships `nc.openbsd`, `which.debianutils`,
# `mawk`, `vim.basic`; its postinst links the generic name). Each is the generic name of an alternative group that
# packages of the release register; the Contents index can't show them.
ALTERNATIVES = """
awk nawk vi view ex rvi rview vim vimdiff rvim gvim editor pager sensible-pager nc netcat which rename java javac
jar javadoc javap jshell keytool jarsigner rmiregistry serialver jdb jps jstack jmap jcmd jconsole jinfo jstat
emacs emacsclient etags ctags mail mailx Mail ftp pftp telnet rsh rlogin rcp rexec talk write cc c++ c89 c99 cpp
f77 f95 fakeroot lzma unlzma lzcat x-www-browser www-browser gnome-www-browser x-terminal-emulator
x-window-manager x-session-manager infobrowser ksh csh tclsh wish php lua luac yacc lex pinentry traceroute
traceroute6 iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore ebtables arptables
lpr lpq lprm lpc mt rmt open ispell desktop-file-install aclocal automake nodejs node pip gnuplot mpirun mpiexec
mpicc mpicxx mpif90 ld
"""

# Commands of other systems that shell tasks written elsewhere call (macOS and the BSDs' base systems, and widely
# installed software Debian doesn't package): they exist, so a command calling them is no `command not found`.
OTHER_SYSTEMS = """
md5 sha1 rmd160 pbcopy pbpaste open launchctl diskutil sw_vers ditto defaults say caffeinate mdfind mdls mdutil
networksetup scutil dscl dscacheutil plutil hdiutil softwareupdate pkgutil system_profiler osascript security
codesign spctl tmutil afplay sips textutil otool install_name_tool xcode-select xcrun xcodebuild brew port pmset
ioreg fs_usage dtruss mkfile jot chflags stat64 gdate gsed gawk greadlink gfind gxargs gtar gls fetch pkg sockstat
sysrc portsnap freebsd-update doas pfctl camcontrol gpart newfs ktrace kdump truss procstat swapinfo pw chpass
kldload kldstat skype google-chrome chrome code subl kubectl helm terraform aws gcloud az heroku conda ngrok
"""


def contents_names() -> set[str]:
    """The basenames of the files the Contents index lists straight under a PATH directory."""
    proc = subprocess.run(["apt-file", "search", "--regexp", ON_PATH], capture_output=True, text=True, check=True)
    names = set()
    for line in proc.stdout.splitlines():
        _, _, path = line.rstrip().partition(": ")
        name = path.rsplit("/", 1)[-1]
        if name and not name.startswith("."):
            names.add(name)
    if len(names) < 10_000:
        raise SystemExit(f"only {len(names)} names from apt-file: is its index fresh? (apt-file update)")
    return names


def shell_names() -> set[str]:
    """The installed bash's builtins and keywords (`compgen -b`, `compgen -k`)."""
    out = subprocess.run(["bash", "--norc", "-c", "compgen -b; compgen -k"], capture_output=True, text=True, check=True)
    return {w for w in out.stdout.split() if w}


def release() -> str:
    """The Debian release and the date of its index, from the InRelease file apt fetched for it."""
    for path in sorted(glob.glob("/var/lib/apt/lists/*_dists_*_InRelease")):
        text = Path(path).read_text(errors="replace")[:4000]
        fields = dict(re.findall(r"^(Codename|Version|Date): (.*)$", text, re.M))
        if fields.get("Version") and "-" not in fields.get("Codename", "-"):  # the release, not -updates / -security
            return f"Debian {fields['Version']} ({fields['Codename']}), index of {fields.get('Date', '?')}"
    return "Debian (release unknown)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    contents, shell, alternatives = contents_names(), shell_names(), set(ALTERNATIVES.split())
    others = set(OTHER_SYSTEMS.split()) - contents - alternatives
    names = sorted(contents | shell | alternatives | others)
    header = [
        "# Every command name that exists on Debian: files straight under /bin /sbin /usr/bin /usr/sbin /usr/games",
        f"# in the Contents index (main, amd64 and all) of {release()}, the names of",
        "# update-alternatives groups, bash's builtins and keywords, and a few commands of other systems",
        "# (macOS, the BSDs, software Debian doesn't package).",
        f"# Built {datetime.date.today().isoformat()} by experiments/build_bash_command_list.py; one name a line.",
    ]
    data = "\n".join([*header, *names]) + "\n"
    args.out.write_bytes(gzip.compress(data.encode(), compresslevel=9, mtime=0))
    print(
        f"{len(names):,} names ({len(contents):,} from the Contents index, {len(shell)} of bash, "
        f"{len(alternatives - contents)} alternatives not in it, {len(others)} of other systems): "
        f"{args.out} ({args.out.stat().st_size:,} bytes)"
    )
    print("\n".join(header))


if __name__ == "__main__":
    main()
