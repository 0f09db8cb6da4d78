"""Bash tasks from our own templates: a user request in plain English and the one-liner (or short script) that does it.

Each template pairs an NL pattern with a program pattern over shared slots (directories, extensions, patterns,
numbers, users, URLs ...), so a few hundred templates-times-slots give tens of thousands of distinct programs.
Programs stay short (a tiny model has to copy them) and all pass ShellCheck at error severity.
"""

from __future__ import annotations

import random
from typing import Any

_DIRS = (
    "src", "logs", "/var/log", "/tmp", "~/Downloads", "./build", "/etc", "docs", "data/raw", "/opt/app",
    "backups", "/srv/www", "tests", "assets/img", "~/projects", "/var/www/html", "lib", "reports", "/home/alice",
    "scripts", "config", "/usr/local/bin", "dist", "notebooks", "~/Documents", "/mnt/data", "static", "tmp/cache",
)  # fmt: skip
_DESTS = ("/backup", "archive", "/mnt/usb", "~/old", "/tmp/out", "copy", "staging", "/srv/backup", "export")
_EXTS = (
    "py", "txt", "log", "sh", "md", "json", "csv", "js", "c", "h", "conf", "html", "yaml", "xml", "jpg", "png",
    "tmp", "bak", "go", "rs", "java", "sql", "ini", "css",
)  # fmt: skip
_FILES = (
    "access.log", "error.log", "app.log", "notes.txt", "data.csv", "report.csv", "config.yaml", "users.txt",
    "results.json", "input.txt", "words.txt", "server.conf", "todo.md", "syslog", "list.txt", "scores.csv",
    "hosts.txt", "measurements.tsv", "names.txt", "urls.txt", "output.log", "inventory.csv", "build.log",
)  # fmt: skip
_OUTS = ("out.txt", "result.txt", "filtered.txt", "summary.txt", "clean.csv", "matches.txt", "sorted.txt", "uniq.txt")
_PATTERNS = (
    "TODO", "ERROR", "error", "warning", "FIXME", "localhost", "password", "timeout", "failed", "404", "DEBUG",
    "import os", "def main", "Exception", "deprecated", "root", "refused", "segfault", "WARN", "admin", "GET /api",
)  # fmt: skip
_WORDS = ("foo", "bar", "http", "https", "dev", "prod", "alpha", "beta", "old", "new", "v1", "v2", "tmp", "test")
_USERS = ("alice", "bob", "www-data", "deploy", "postgres", "nginx", "carol", "dave", "jenkins")
_GROUPS = ("staff", "www-data", "users", "developers", "admin", "docker")
_MODES = ("644", "755", "600", "700", "775", "640", "750", "444")
_SYMBOLIC = ("u+x", "g-w", "o-r", "a+r", "go-rwx", "u+rw", "+x", "g+s")
_SIZES = ("1M", "10M", "100M", "500k", "1G", "50M", "200k", "2G")
_HOSTS = ("example.com", "github.com", "10.0.0.1", "192.168.1.10", "db.internal", "api.example.org", "8.8.8.8")
_URLS = (
    "https://example.com/data.csv", "https://example.org/release.tar.gz", "http://files.example.net/image.iso",
    "https://raw.example.com/install.sh", "https://downloads.example.com/app-1.2.zip", "https://example.com/api/v1/items",
)  # fmt: skip
_PROCS = ("nginx", "python", "node", "java", "sleep", "firefox", "postgres", "redis-server", "httpd", "ruby")
_NAMES = ("backup", "project", "logs", "site", "release", "archive", "snapshot", "docs", "data")
_DELIMS = (":", ",", ";", "|")
_SUBDIRS = ("2024", "old", "cache", "images", "tmp", "archive", "v2", "build")

# (nl, program): `{slot}` fields; literal braces are doubled
_TEMPLATES: tuple[tuple[str, str], ...] = (
    # find
    ("Count the lines in all .{ext} files under {dir}", "find {dir} -name '*.{ext}' -type f -exec cat {{}} + | wc -l"),
    ("Show the line count of each .{ext} file under {dir}", "find {dir} -type f -name '*.{ext}' -exec wc -l {{}} +"),
    (
        "List all .{ext} files under {dir} modified in the last {days} days",
        "find {dir} -type f -name '*.{ext}' -mtime -{days}",
    ),
    (
        "Delete .{ext} files in {dir} that are older than {days} days",
        "find {dir} -name '*.{ext}' -mtime +{days} -delete",
    ),
    ("Find files bigger than {size} in {dir}", "find {dir} -type f -size +{size}"),
    (
        "Find files under {dir} larger than {size} and list them with their sizes",
        "find {dir} -type f -size +{size} -exec ls -lh {{}} \\;",
    ),
    ("Remove all empty directories below {dir}", "find {dir} -type d -empty -delete"),
    ("Make every shell script under {dir} executable", "find {dir} -name '*.sh' -exec chmod +x {{}} \\;"),
    ("Which .{ext} files under {dir} mention '{pat}'?", "find {dir} -name '*.{ext}' -exec grep -l '{pat}' {{}} \\;"),
    ("How many .{ext} files are there in {dir}?", "find {dir} -type f -name '*.{ext}' | wc -l"),
    ("Find the files under {dir} owned by {user}", "find {dir} -user {user} -type f"),
    ("List the directories in {dir} at most {n} levels deep", "find {dir} -maxdepth {n} -type d"),
    ("Copy every .{ext} file found under {dir} into {dest}", "find {dir} -name '*.{ext}' -exec cp {{}} {dest} \\;"),
    ("Find files in {dir} with permission {mode}", "find {dir} -type f -perm {mode}"),
    ("Gzip each .{ext} file under {dir}", "find {dir} -name '*.{ext}' -exec gzip {{}} \\;"),
    (
        "Delete all .{ext} files under {dir}, even ones with spaces in their names",
        "find {dir} -name '*.{ext}' -print0 | xargs -0 rm -f",
    ),
    ("Count '{pat}' in each .{ext} file under {dir}", "find {dir} -type f -name '*.{ext}' | xargs grep -c '{pat}'"),
    ("Find files under {dir} whose name contains '{word}', ignoring case", "find {dir} -iname '*{word}*'"),
    ("List .{ext} files in {dir} changed less than {n} minutes ago", "find {dir} -name '*.{ext}' -mmin -{n}"),
    ("Find symbolic links in {dir}", "find {dir} -type l"),
    (
        "Show the {n} most recently modified .{ext} files under {dir}",
        "find {dir} -name '*.{ext}' -printf '%T@ %p\\n' | sort -rn | head -n {n}",
    ),
    (
        "Move .{ext} files older than {days} days from {dir} to {dest}",
        "find {dir} -name '*.{ext}' -mtime +{days} -exec mv {{}} {dest} \\;",
    ),
    # grep
    ("Show lines containing '{pat}' in {file}", "grep '{pat}' {file}"),
    ("Search {dir} recursively for '{pat}', ignoring case", "grep -ri '{pat}' {dir}"),
    ("Count the lines in {file} that contain '{pat}'", "grep -c '{pat}' {file}"),
    ("Which files under {dir} contain '{pat}'?", "grep -rl '{pat}' {dir}"),
    ("Show the lines of {file} that do not contain '{pat}'", "grep -v '{pat}' {file}"),
    ("Print line numbers of the lines with '{pat}' in {file}", "grep -n '{pat}' {file}"),
    ("Show {n} lines of context around every '{pat}' in {file}", "grep -C {n} '{pat}' {file}"),
    ("Search only .{ext} files under {dir} for the whole word '{word}'", "grep -rw --include='*.{ext}' '{word}' {dir}"),
    ("Save the lines with '{pat}' from {file} into {out}", "grep '{pat}' {file} > {out}"),
    ("How many times does '{word}' occur in {file}?", "grep -o '{word}' {file} | wc -l"),
    ("Show lines of {file} matching '{word}' or '{word2}'", "grep -E '{word}|{word2}' {file}"),
    ("Print the last {n} lines of {file} that mention '{pat}'", "grep '{pat}' {file} | tail -n {n}"),
    ("List the files in {dir} that do not contain '{pat}'", "grep -L '{pat}' {dir}/*.{ext}"),
    ("Show the lines that start with '{word}' in {file}", "grep '^{word}' {file}"),
    ("Find empty lines in {file} and print their numbers", "grep -n '^$' {file}"),
    ("Append the lines with '{pat}' from {file} to {out}", "grep '{pat}' {file} >> {out}"),
    # sed
    ("Replace every '{word}' with '{word2}' in {file}, editing it in place", "sed -i 's/{word}/{word2}/g' {file}"),
    ("Delete the lines containing '{word}' from {file} in place", "sed -i '/{word}/d' {file}"),
    ("Print lines {a} to {b} of {file}", "sed -n '{a},{b}p' {file}"),
    ("Strip trailing whitespace from every line of {file}", "sed -i 's/[[:space:]]*$//' {file}"),
    ("Show {file} without its first line", "sed '1d' {file}"),
    (
        "Replace '{word}' with '{word2}' in {file} and write the result to {out}",
        "sed 's/{word}/{word2}/g' {file} > {out}",
    ),
    ("Print line {a} of {file}", "sed -n '{a}p' {file}"),
    ("Remove comment lines starting with # from {file}", "sed '/^#/d' {file}"),
    ("Insert the line '{word}' at the top of {file}", "sed -i '1i {word}' {file}"),
    # awk
    ("Print column {k} of {file}", "awk '{{print ${k}}}' {file}"),
    ("Add up the numbers in column {k} of {file}", "awk '{{s += ${k}}} END {{print s}}' {file}"),
    ("Print field {k} of {file} where fields are separated by '{delim}'", "awk -F'{delim}' '{{print ${k}}}' {file}"),
    ("Print the lines of {file} longer than {n} characters", "awk 'length > {n}' {file}"),
    ("Show the rows of {file} whose column {k} is above {n}", "awk '${k} > {n}' {file}"),
    ("Print the last field of each line in {file}", "awk '{{print $NF}}' {file}"),
    ("Print the average of column {k} in {file}", "awk '{{s += ${k}; c++}} END {{print s / c}}' {file}"),
    ("Print columns {k} and {k2} of {file} separated by a comma", "awk '{{print ${k} \",\" ${k2}}}' {file}"),
    ("Print the line count of {file} using awk", "awk 'END {{print NR}}' {file}"),
    (
        "Show the client IPs in {file} with how many requests each made",
        "awk '{{print $1}}' {file} | sort | uniq -c | sort -rn",
    ),
    # sort / uniq / cut / head / tail / wc / tr
    ("Show the {n} most frequent lines in {file}", "sort {file} | uniq -c | sort -rn | head -n {n}"),
    ("Sort {file} numerically, largest first", "sort -rn {file}"),
    ("Remove duplicate lines from {file} and save the result as {out}", "sort -u {file} > {out}"),
    ("How many distinct lines does {file} have?", "sort {file} | uniq | wc -l"),
    ("Print the first {n} lines of {file}", "head -n {n} {file}"),
    ("Print the last {n} lines of {file}", "tail -n {n} {file}"),
    ("Follow {file} as new lines are written to it", "tail -f {file}"),
    ("Watch {file} and show only new lines containing '{pat}'", "tail -f {file} | grep --line-buffered '{pat}'"),
    ("Count the words in {file}", "wc -w {file}"),
    ("Count the lines in {file}", "wc -l < {file}"),
    ("Get field {k} of {file}, using '{delim}' as the delimiter", "cut -d'{delim}' -f{k} {file}"),
    ("Sort {file} on column {k} as numbers, columns separated by '{delim}'", "sort -t'{delim}' -k{k} -n {file}"),
    ("Show lines {a} to {b} of {file}", "head -n {b} {file} | tail -n +{a}"),
    ("Print the first {n} characters of each line of {file}", "cut -c1-{n} {file}"),
    ("Convert {file} to upper case", "tr '[:lower:]' '[:upper:]' < {file}"),
    ("Delete all digits from {file} and save it to {out}", "tr -d '0-9' < {file} > {out}"),
    ("Show the lines that appear more than once in {file}", "sort {file} | uniq -d"),
    ("List the login names from /etc/passwd sorted alphabetically", "cut -d: -f1 /etc/passwd | sort"),
    ("Print the {n} longest lines of {file}", "awk '{{print length, $0}}' {file} | sort -rn | head -n {n}"),
    ("Count the characters in {file}", "wc -c {file}"),
    ("Show the {n} largest entries in {dir}", "du -ah {dir} | sort -rh | head -n {n}"),
    ("Number the lines of {file}", "nl {file}"),
    ("Show {file} in reverse line order", "tac {file}"),
    ("Split {file} into pieces of {nn} lines each", "split -l {nn} {file} part_"),
    # du / df
    ("How much space does {dir} take?", "du -sh {dir}"),
    ("Show the size of every directory directly inside {dir}", "du -h --max-depth=1 {dir}"),
    ("Show free disk space on the filesystem holding {dir}", "df -h {dir}"),
    ("Show inode usage for the filesystem of {dir}", "df -i {dir}"),
    ("List the subdirectories of {dir} sorted by size", "du -s {dir}/* | sort -n"),
    # tar / gzip
    ("Make a gzipped tarball {name}.tar.gz of {dir}", "tar -czf {name}.tar.gz {dir}"),
    ("Unpack {name}.tar.gz into {dir}", "tar -xzf {name}.tar.gz -C {dir}"),
    ("List what is inside {name}.tar.gz", "tar -tzf {name}.tar.gz"),
    ("Create a bzip2-compressed archive {name}.tar.bz2 from {dir}", "tar -cjf {name}.tar.bz2 {dir}"),
    ("Archive {dir} into {name}.tar.gz but leave out .{ext} files", "tar --exclude='*.{ext}' -czf {name}.tar.gz {dir}"),
    ("Compress {file} with gzip and keep the original", "gzip -k {file}"),
    ("Decompress {file}.gz", "gunzip {file}.gz"),
    ("Compress {file} using the best gzip compression", "gzip -9 {file}"),
    ("Show the contents of the compressed file {file}.gz", "zcat {file}.gz"),
    ("Search the gzipped log {file}.gz for '{pat}'", "zcat {file}.gz | grep '{pat}'"),
    ("Extract only {file} from {name}.tar.gz", "tar -xzf {name}.tar.gz {file}"),
    ("Archive every .{ext} file under {dir} into {name}.tar", "find {dir} -name '*.{ext}' | tar -cf {name}.tar -T -"),
    # chmod / chown / cp / mv / rm / mkdir / ln / touch
    ("Let the owner execute {file}", "chmod u+x {file}"),
    ("Set the permissions of {file} to {mode}", "chmod {mode} {file}"),
    ("Recursively set the permissions of {dir} to {mode}", "chmod -R {mode} {dir}"),
    ("Apply {sym} to every file in {dir}, recursively", "chmod -R {sym} {dir}"),
    ("Make {user} the owner of {dir} and everything in it, group {group}", "chown -R {user}:{group} {dir}"),
    ("Give {user} ownership of {file}", "chown {user} {file}"),
    ("Copy {dir} to {dest}, preserving permissions and timestamps", "cp -a {dir} {dest}"),
    ("Copy {file} into {dest}", "cp {file} {dest}"),
    ("Copy {dir} to {dest} recursively", "cp -r {dir} {dest}"),
    ("Rename {file} to {file2}", "mv {file} {file2}"),
    ("Move the .{ext} files from {dir} to {dest}", "mv {dir}/*.{ext} {dest}/"),
    ("Delete {dir} and everything inside it", "rm -rf {dir}"),
    ("Delete the .{ext} files in {dir}, asking before each one", "rm -i {dir}/*.{ext}"),
    ("Create the directory {dir}/{sub}, including any missing parents", "mkdir -p {dir}/{sub}"),
    ("Create the folders {sub} and {sub2} inside {dir}", "mkdir -p {dir}/{{{sub},{sub2}}}"),
    ("Make a symbolic link named {name} that points to {dir}", "ln -s {dir} {name}"),
    ("Point the existing link {name} at {dest} instead", "ln -sfn {dest} {name}"),
    ("Update the modification time of {file}", "touch {file}"),
    ("Copy {file} to {dest} only if it is newer", "cp -u {file} {dest}"),
    ("Sync {dir} to {dest}, deleting files that no longer exist in {dir}", "rsync -av --delete {dir}/ {dest}/"),
    ("Copy {dir} to {user}@{host}:{dest}", "scp -r {dir} {user}@{host}:{dest}"),
    # network
    ("Download {url} and save it as {file}", "curl -o {file} {url}"),
    ("Download {url}, following redirects, under its remote name", "curl -L -O {url}"),
    ("Show only the HTTP response headers of {url}", "curl -I {url}"),
    ("Fetch {url} silently and count its lines", "curl -s {url} | wc -l"),
    ("Download {url} with wget into {dir}", "wget -P {dir} {url}"),
    ("Resume the partial download of {url}", "wget -c {url}"),
    ("Download {url} quietly and save it as {file}", "wget -q -O {file} {url}"),
    (
        "POST the JSON name={word} to {url}",
        "curl -X POST -H 'Content-Type: application/json' -d '{{\"name\": \"{word}\"}}' {url}",
    ),
    ("Print only the HTTP status code returned by {url}", "curl -s -o /dev/null -w '%{{http_code}}' {url}"),
    ("Ping {host} {n} times", "ping -c {n} {host}"),
    ("Show which process listens on port {port}", "lsof -i :{port}"),
    ("Check whether port {port} is open on {host}", "nc -zv {host} {port}"),
    # processes
    ("Kill every process named {proc}", "pkill {proc}"),
    ("Show the running {proc} processes", "ps aux | grep '[{proc0}]{procrest}'"),
    ("Forcefully kill the process with PID {pid}", "kill -9 {pid}"),
    ("Show the {n} processes using the most memory", "ps aux --sort=-%mem | head -n {n1}"),
    ("Show the {n} processes using the most CPU", "ps aux --sort=-%cpu | head -n {n1}"),
    ("List the PIDs of all {proc} processes", "pgrep {proc}"),
    ("Tell {proc} to reload its configuration", 'kill -HUP "$(pgrep -o {proc})"'),
    ("Kill all processes belonging to {user}", "pkill -u {user}"),
    ("Count how many {proc} processes are running", "pgrep -c {proc}"),
    ("Kill every {proc} process by PID", "ps aux | grep '[{proc0}]{procrest}' | awk '{{print $2}}' | xargs kill"),
    # substitutions and small compositions
    ("Make a copy of {file} with today's date appended to its name", "cp {file} {file}.$(date +%Y%m%d)"),
    ("Create a directory named after today's date inside {dir}", 'mkdir -p {dir}/"$(date +%F)"'),
    ("Say how many .{ext} files {dir} has", "echo \"Found $(find {dir} -name '*.{ext}' | wc -l) files\""),
    ("Print the full path of the {proc} binary and list it", 'ls -l "$(command -v {proc})"'),
    ("Back up {dir} into a dated archive", "tar -czf {name}-$(date +%F).tar.gz {dir}"),
    ("Write the current date and the disk usage of {dir} to {out}", "{{ date; du -sh {dir}; }} > {out}"),
    ("List the {n} newest files in {dir}", "ls -t {dir} | head -n {n}"),
    ("Show a long listing of {dir} including hidden files", "ls -la {dir}"),
    ("Show the differences between {file} and {file2}", "diff {file} {file2}"),
    ("Print the SHA-256 checksum of {file}", "sha256sum {file}"),
    ("Save the lines of {file} that mention errors, in any letter case, to {out}", "grep -i error {file} > {out} 2>&1"),
    ("Delete the files in {dir} listed in {file}", "xargs -I{{}} rm {dir}/{{}} < {file}"),
    ("Print the number of lines in each .{ext} file in {dir}, smallest first", "wc -l {dir}/*.{ext} | sort -n"),
    ("Go to {dir} and list its contents, in a subshell", "(cd {dir} && ls -l)"),
    ("Show the environment variables whose names contain '{WORD}'", "env | grep '{WORD}'"),
    ("Print line number {n} of {file}", "head -n {n} {file} | tail -n 1"),
    # short scripts
    ("Compress every .{ext} file in {dir} one at a time", 'for f in {dir}/*.{ext}; do\n  gzip "$f"\ndone'),
    (
        "Rename every .{ext} file in {dir} to .{ext2}",
        'for f in {dir}/*.{ext}; do\n  mv "$f" "${{f%.{ext}}}.{ext2}"\ndone',
    ),
    ("Create {dir} unless it already exists", "if [ ! -d {dir} ]; then\n  mkdir -p {dir}\nfi"),
    (
        "If {file} exists print how many lines it has, otherwise say it is missing",
        'if [ -f {file} ]; then\n  wc -l {file}\nelse\n  echo "{file} not found"\nfi',
    ),
    (
        "Warn when the disk holding {dir} is more than {pct}% full",
        "usage=$(df {dir} | awk 'NR==2 {{print $5}}' | tr -d '%')\nif [[ $usage -gt {pct} ]]; then\n"
        '  echo "Disk usage above {pct}%"\nfi',
    ),
    (
        "Print the total number of lines in {file} and {file2}",
        "a=$(wc -l < {file})\nb=$(wc -l < {file2})\necho $((a + b))",
    ),
    (
        "Print every line of {file} prefixed with its line number",
        'n=0\nwhile read -r line; do\n  n=$((n + 1))\n  echo "$n: $line"\ndone < {file}',
    ),
    (
        "Create {n} empty files file1.txt to file{n}.txt in {dir}",
        "for i in $(seq 1 {n}); do\n  touch {dir}/file$i.txt\ndone",
    ),
    ("Print the numbers from 1 to {n}", 'for ((i = 1; i <= {n}; i++)); do\n  echo "$i"\ndone'),
    (
        "Say whether {file} is a gzip archive, a zip file or something else",
        'f={file}\ncase "$f" in\n  *.gz) echo "gzip archive" ;;\n  *.zip) echo "zip file" ;;\n'
        '  *) echo "other" ;;\nesac',
    ),
    (
        "Ping {host} and report whether it is up",
        'if ping -c 1 {host} > /dev/null 2>&1; then\n  echo "{host} is up"\nelse\n  echo "{host} is down"\nfi',
    ),
    ("Print the size of each .{ext} file in {dir}", 'for f in {dir}/*.{ext}; do\n  du -h "$f"\ndone'),
    (
        "Delete {file} if it is bigger than {nn} kilobytes",
        'if [ "$(du -k {file} | cut -f1)" -gt {nn} ]; then\n  rm {file}\nfi',
    ),
    (
        "Wait until {file} appears, checking every {n} seconds",
        "while [ ! -f {file} ]; do\n  sleep {n}\ndone",
    ),
    ("Back up each .{ext} file in {dir} with a .bak copy", 'for f in {dir}/*.{ext}; do\n  cp "$f" "$f.bak"\ndone'),
    (
        "Print the name of every user listed in {file} that has a home directory under /home",
        'while read -r u; do\n  [ -d "/home/$u" ] && echo "$u"\ndone < {file}',
    ),
    (
        "Count down from {n} to 1, one number per second",
        'for ((i = {n}; i > 0; i--)); do\n  echo "$i"\n  sleep 1\ndone',
    ),
)


def _slots(rng: random.Random) -> dict[str, Any]:
    """One coherent draw of every slot: pairs that must differ (file / file2, ext / ext2 ...) do."""
    file, file2 = rng.sample(_FILES, 2)
    ext, ext2 = rng.sample(_EXTS, 2)
    word, word2 = rng.sample(_WORDS, 2)
    sub, sub2 = rng.sample(_SUBDIRS, 2)
    k, k2 = sorted(rng.sample(range(1, 8), 2))
    a = rng.randint(1, 50)
    n = rng.choice((2, 3, 5, 10, 15, 20, 25, 50, 100))
    proc = rng.choice(_PROCS)
    return {
        "dir": rng.choice(_DIRS),
        "dest": rng.choice(_DESTS),
        "ext": ext,
        "ext2": ext2,
        "file": file,
        "file2": file2,
        "out": rng.choice(_OUTS),
        "pat": rng.choice(_PATTERNS),
        "word": word,
        "word2": word2,
        "WORD": word.upper(),
        "user": rng.choice(_USERS),
        "group": rng.choice(_GROUPS),
        "mode": rng.choice(_MODES),
        "sym": rng.choice(_SYMBOLIC),
        "size": rng.choice(_SIZES),
        "days": rng.choice((1, 2, 3, 7, 14, 30, 60, 90, 180, 365)),
        "n": n,
        "n1": n + 1,
        "nn": rng.choice((100, 250, 500, 1000, 2000, 5000, 10000)),
        "a": a,
        "b": a + rng.randint(1, 100),
        "k": k,
        "k2": k2,
        "pct": rng.choice((70, 75, 80, 85, 90, 95)),
        "delim": rng.choice(_DELIMS),
        "host": rng.choice(_HOSTS),
        "url": rng.choice(_URLS),
        "port": rng.choice((22, 80, 443, 3000, 5432, 6379, 8000, 8080, 9200)),
        "proc": proc,
        "proc0": proc[0],
        "procrest": proc[1:],
        "pid": rng.randint(300, 65000),
        "name": rng.choice(_NAMES),
        "sub": sub,
        "sub2": sub2,
    }


def generate(n: int, seed: int) -> list[dict]:
    """`n` tasks `{"nl", "reference", "context": {}}` with distinct references, reproducible from `seed`."""
    rng = random.Random(seed)
    tasks: list[dict] = []
    seen: set[str] = set()
    attempts = 0
    while len(tasks) < n:
        attempts += 1
        if attempts > 50 * n + 1000:
            raise ValueError(f"could only make {len(tasks)} distinct Bash tasks of the {n} asked for")
        nl, program = rng.choice(_TEMPLATES)
        slots = _slots(rng)
        reference = program.format(**slots)
        if reference in seen:
            continue
        seen.add(reference)
        tasks.append({"nl": nl.format(**slots), "reference": reference, "context": {}})
    return tasks


def extra_files() -> dict[str, str]:
    """Nothing beside the tasks: they carry all they need."""
    return {}
