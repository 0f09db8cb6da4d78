"""Synthetic Ansible tasks: a request in plain words and the task list or short playbook that does it.

Every program is written by the templates below over the common ansible.builtin modules (packages, services, files,
templates, users, cron, git, downloads, commands, facts), with loops, conditions, privilege escalation, registered
results and handlers. Names, paths, packages, users and modes vary so that thousands of distinct programs come out;
programs stay short because a small model has to learn to write them.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import yaml

APT_PACKAGES = [
    "nginx", "apache2", "git", "curl", "htop", "vim", "postgresql", "redis-server", "memcached", "python3-pip",
    "ufw", "fail2ban", "chrony", "unzip", "jq", "tree", "rsync", "build-essential", "openjdk-17-jdk", "docker.io",
    "haproxy", "certbot", "mariadb-server", "nodejs", "sqlite3", "tmux", "zsh", "nfs-common", "logrotate", "acl",
]  # fmt: skip
RPM_PACKAGES = [
    "httpd", "nginx", "git", "vim-enhanced", "epel-release", "postgresql-server", "redis", "firewalld", "chrony",
    "wget", "tar", "java-17-openjdk", "mariadb-server", "haproxy", "python3-pip", "policycoreutils-python-utils",
    "bind-utils", "nfs-utils", "tmux", "rsync",
]  # fmt: skip
PIP_PACKAGES = [
    "requests", "flask", "django", "gunicorn", "boto3", "psycopg2-binary", "pyyaml", "docker", "uwsgi", "celery",
    "redis", "jinja2", "prometheus-client", "httpx", "sqlalchemy",
]  # fmt: skip
VERSIONS = ["1.2.3", "2.0.1", "3.4.0", "0.9.8", "4.1.2", "2.31.0", "1.26.5", "5.0.0", "22.0.0", "3.1.4"]
SERVICES = [
    "nginx", "apache2", "httpd", "redis-server", "postgresql", "docker", "haproxy", "chronyd", "sshd", "memcached",
    "mariadb", "fail2ban", "cron", "rsyslog", "jenkins", "grafana-server", "prometheus", "node_exporter",
]  # fmt: skip
USERS = [
    "deploy", "app", "backup", "jenkins", "git", "monitor", "alice", "bob", "carol", "dave", "svc_app", "builder",
    "ci", "grafana", "ops", "erin", "frank", "webadmin", "etl", "runner",
]  # fmt: skip
GROUPS = ["developers", "admins", "docker", "www-data", "deploy", "ops", "sre", "backup", "analysts", "wheel"]
HOST_GROUPS = [
    "webservers", "dbservers", "all", "app_servers", "loadbalancers", "monitoring", "cache", "workers", "staging",
    "production", "build_agents", "bastion",
]  # fmt: skip
APPS = [
    "myapp", "webapp", "api", "billing", "inventory", "blog", "shop", "dashboard", "worker", "portal", "metrics",
    "auth", "search", "chat", "wiki", "reports", "gateway", "scheduler",
]  # fmt: skip
MODES = ["0644", "0640", "0600", "0755", "0750", "0700"]
SHELLS = ["/bin/bash", "/bin/zsh", "/bin/sh", "/usr/sbin/nologin"]
FAMILIES = [("Debian", "Debian-based"), ("RedHat", "RedHat-based")]


def _pick(rng: random.Random, items: list[str], k: int) -> list[str]:
    return rng.sample(items, k)


def _scalar(value: Any) -> str:
    """One YAML scalar as a person writes it: plain where that reads back the same, double-quoted otherwise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if "{{" in text:
        return json.dumps(text)
    try:
        plain = yaml.safe_load(text) == text and text.strip() == text
    except yaml.YAMLError:
        plain = False
    return text if plain else json.dumps(text)


def _block(key: str, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, list):
        return [f"{pad}{key}:"] + [f"{pad}  - {_scalar(v)}" for v in value]
    if isinstance(value, dict):
        return [f"{pad}{key}:"] + [line for k, v in value.items() for line in _block(k, v, indent + 2)]
    return [f"{pad}{key}: {_scalar(value)}"]


class Writer:
    """Writes tasks with 2-space indentation, module names short or fully qualified."""

    def __init__(self, fqcn: bool) -> None:
        self.fqcn = fqcn

    def module(self, name: str) -> str:
        return f"ansible.builtin.{name}" if self.fqcn else name

    def task(self, name: str, module: str, args: dict[str, Any] | str | None, **keywords: Any) -> list[str]:
        lines = [f"- name: {_scalar(name)}"]
        if isinstance(args, str):
            lines.append(f"  {self.module(module)}: {_scalar(args)}")
        elif not args:
            lines.append(f"  {self.module(module)}:")
        else:
            lines.append(f"  {self.module(module)}:")
            lines += [line for k, v in args.items() for line in _block(k, v, 4)]
        lines += [line for k, v in keywords.items() if v is not None for line in _block(k, v, 2)]
        return lines


def _tasks(tasks: list[list[str]]) -> str:
    return "\n".join(line for task in tasks for line in task) + "\n"


def _playbook(
    name: str, hosts: str, tasks: list[list[str]], handlers: list[list[str]] | None = None, become: bool = True
) -> str:
    lines = [f"- name: {_scalar(name)}", f"  hosts: {hosts}"]
    if become:
        lines.append("  become: true")
    for section, items in (("tasks", tasks), ("handlers", handlers or [])):
        if items:
            lines.append(f"  {section}:")
            lines += ["    " + line for task in items for line in task]
    return "\n".join(lines) + "\n"


def _words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# ---- scenarios: each returns (request, program) ---------------------------------------------------------------


def install_packages(rng: random.Random, w: Writer) -> tuple[str, str]:
    manager = rng.choice(["apt", "apt", "dnf", "yum", "package"])
    pool = APT_PACKAGES if manager in ("apt", "package") else RPM_PACKAGES
    packages = _pick(rng, pool, rng.choice([1, 1, 2, 3]))
    state = rng.choice(["present", "present", "latest"])
    args: dict[str, Any] = {"name": packages[0] if len(packages) == 1 else packages, "state": state}
    extra = ""
    if manager == "apt" and rng.random() < 0.5:
        args["update_cache"] = True
        extra = " after refreshing the apt cache"
    verb = "Upgrade to the latest version of" if state == "latest" else rng.choice(["Install", "Make sure we have"])
    how = " with the generic package module" if manager == "package" else f" with {manager}"
    nl = f"{verb} {_words(packages)}{how}{extra}"
    task = w.task(f"Install {_words(packages)}", manager, args, become=rng.choice([True, None]))
    if rng.random() < 0.3:
        hosts = rng.choice(HOST_GROUPS)
        return f"{nl} on the hosts in {hosts}", _playbook(f"Install packages on {hosts}", hosts, [task])
    return nl, _tasks([task])


def remove_package(rng: random.Random, w: Writer) -> tuple[str, str]:
    manager = rng.choice(["apt", "dnf", "package"])
    package = rng.choice(APT_PACKAGES if manager != "dnf" else RPM_PACKAGES)
    args: dict[str, Any] = {"name": package, "state": "absent"}
    if manager == "apt" and rng.random() < 0.4:
        args["purge"] = True
        return f"Remove {package} and purge its configuration files", _tasks([w.task(f"Purge {package}", "apt", args)])
    nl = rng.choice(["Uninstall {p}", "Remove the {p} package", "Make sure {p} is not installed"]).format(p=package)
    return nl, _tasks([w.task(f"Remove {package}", manager, args, become=True)])


def pip_install(rng: random.Random, w: Writer) -> tuple[str, str]:
    app = rng.choice(APPS)
    roll = rng.random()
    if roll < 0.3:
        pkg, version = rng.choice(PIP_PACKAGES), rng.choice(VERSIONS)
        args: dict[str, Any] = {"name": pkg, "version": version}
        nl = f"Install version {version} of the Python package {pkg} with pip"
    elif roll < 0.6:
        pkgs = _pick(rng, PIP_PACKAGES, rng.choice([1, 2, 3]))
        venv = f"/opt/{app}/venv"
        args = {"name": pkgs if len(pkgs) > 1 else pkgs[0], "virtualenv": venv}
        nl = f"Install {_words(pkgs)} into the virtualenv at {venv}"
    elif roll < 0.8:
        req = f"/opt/{app}/requirements.txt"
        args = {"requirements": req}
        if rng.random() < 0.5:
            args["virtualenv"] = f"/opt/{app}/venv"
            nl = f"Install the Python requirements from {req} into the virtualenv /opt/{app}/venv"
        else:
            nl = f"pip install the requirements listed in {req}"
    else:
        pkg = rng.choice(PIP_PACKAGES)
        args = {"name": pkg, "state": "latest"}
        nl = f"Upgrade the pip package {pkg} to the latest release"
    return nl, _tasks([w.task(nl.split(" with ")[0], "pip", args)])


def manage_service(rng: random.Random, w: Writer) -> tuple[str, str]:
    service = rng.choice(SERVICES)
    module = rng.choice(["service", "service", "systemd"])
    roll = rng.random()
    if roll < 0.45:
        args: dict[str, Any] = {"name": service, "state": "started", "enabled": True}
        nl = rng.choice(["Start {s} and enable it at boot", "Make sure {s} is running and starts on boot"])
    elif roll < 0.65:
        args = {"name": service, "state": "restarted"}
        nl = rng.choice(["Restart the {s} service", "Restart {s}"])
    elif roll < 0.8:
        args = {"name": service, "state": "stopped", "enabled": False}
        nl = "Stop {s} and disable it so it does not start at boot"
    elif roll < 0.9:
        args = {"name": service, "state": "reloaded"}
        nl = "Reload the {s} configuration without restarting it"
    else:
        module = "systemd"
        args = {"name": service, "state": "restarted", "daemon_reload": True}
        nl = "Reload systemd unit files and restart {s}"
    how = " (systemd)" if module == "systemd" and "systemd" not in nl else ""
    return nl.format(s=service) + how, _tasks([w.task(nl.format(s=service), module, args, become=True)])


def copy_file(rng: random.Random, w: Writer) -> tuple[str, str]:
    app = rng.choice(APPS)
    if rng.random() < 0.3:
        dest = f"/etc/{app}/{rng.choice(['release', 'VERSION', 'environment'])}"
        content = rng.choice([f"{app} {rng.choice(VERSIONS)}\n", f"ENV={rng.choice(['production', 'staging'])}\n"])
        mode = rng.choice(MODES[:3])
        args: dict[str, Any] = {"content": content, "dest": dest, "mode": mode}
        nl = f"Write {content.strip()!r} to {dest} with mode {mode}"
        return nl, _tasks([w.task(f"Write {dest}", "copy", args)])
    name = rng.choice(["app.conf", "settings.ini", "logging.yml", f"{app}.env", "cert.pem", "id_rsa.pub", "motd"])
    dest = rng.choice([f"/etc/{app}/{name}", f"/opt/{app}/config/{name}", f"/srv/{app}/{name}"])
    owner, mode = rng.choice(USERS), rng.choice(MODES)
    args = {"src": f"files/{name}", "dest": dest, "owner": owner, "group": owner, "mode": mode}
    nl = f"Copy files/{name} to {dest}, owned by {owner} with mode {mode}"
    if rng.random() < 0.3:
        args["backup"] = True
        nl += ", keeping a backup of the old file"
    return nl, _tasks([w.task(f"Copy {name}", "copy", args)])


def render_template(rng: random.Random, w: Writer) -> tuple[str, str]:
    service = rng.choice(["nginx", "haproxy", "redis", "apache2", "prometheus", "chrony"])
    app = rng.choice(APPS)
    dest = rng.choice(
        [f"/etc/{service}/{service}.conf", f"/etc/{service}/conf.d/{app}.conf", f"/etc/{service}/{app}.cfg"]
    )
    src = f"templates/{dest.rsplit('/', 1)[1]}.j2"
    mode = rng.choice(MODES[:3])
    args: dict[str, Any] = {"src": src, "dest": dest, "owner": "root", "group": "root", "mode": mode}
    if rng.random() < 0.5:
        hosts = rng.choice(HOST_GROUPS)
        handler_name = f"Restart {service}"
        task = w.task(f"Deploy {dest}", "template", args, notify=handler_name)
        handler = w.task(handler_name, "service", {"name": service, "state": "restarted"})
        nl = f"Render {src} to {dest} (mode {mode}) on the hosts in {hosts} and restart {service} when it changes"
        return nl, _playbook(f"Configure {service}", hosts, [task], [handler])
    nl = f"Render the template {src} to {dest} owned by root with mode {mode}"
    return nl, _tasks([w.task(f"Render {dest}", "template", args)])


def manage_files(rng: random.Random, w: Writer) -> tuple[str, str]:
    app, user = rng.choice(APPS), rng.choice(USERS)
    roll = rng.random()
    if roll < 0.4:
        path = rng.choice([f"/opt/{app}", f"/srv/{app}", f"/var/log/{app}", f"/var/lib/{app}", f"/data/{app}"])
        mode = rng.choice(["0755", "0750", "0700", "0775"])
        args: dict[str, Any] = {"path": path, "state": "directory", "owner": user, "group": user, "mode": mode}
        nl = f"Create the directory {path} owned by {user} with permissions {mode}"
        if rng.random() < 0.25:
            args["recurse"] = True
            nl += ", applying the ownership recursively"
        return nl, _tasks([w.task(f"Create {path}", "file", args)])
    if roll < 0.6:
        version = rng.choice(VERSIONS)
        src, dest = f"/opt/{app}/releases/{version}", f"/opt/{app}/current"
        nl = f"Point the symlink {dest} at {src}"
        return nl, _tasks([w.task(f"Link {dest}", "file", {"src": src, "dest": dest, "state": "link"})])
    if roll < 0.8:
        path = rng.choice([f"/tmp/{app}.lock", f"/etc/{app}/old.conf", f"/var/cache/{app}", f"/opt/{app}/tmp"])
        nl = rng.choice(["Delete {p}", "Remove {p} if it exists", "Make sure {p} is gone"]).format(p=path)
        return nl, _tasks([w.task(f"Remove {path}", "file", {"path": path, "state": "absent"})])
    path = f"/var/log/{app}/{rng.choice(['access', 'error', 'audit', 'app'])}.log"
    mode = rng.choice(MODES[:3])
    nl = f"Create an empty file {path} owned by {user} with mode {mode}"
    args = {"path": path, "state": "touch", "owner": user, "mode": mode}
    return nl, _tasks([w.task(f"Touch {path}", "file", args)])


def manage_users(rng: random.Random, w: Writer) -> tuple[str, str]:
    user = rng.choice(USERS)
    roll = rng.random()
    if roll < 0.45:
        shell, groups = rng.choice(SHELLS[:3]), _pick(rng, GROUPS, rng.choice([1, 2]))
        args: dict[str, Any] = {"name": user, "shell": shell, "groups": groups if len(groups) > 1 else groups[0]}
        args["append"] = True
        plural = "groups" if len(groups) > 1 else "group"
        nl = f"Create the user {user} with shell {shell} and add it to the {_words(groups)} {plural}"
        return nl, _tasks([w.task(f"Create user {user}", "user", args, become=True)])
    if roll < 0.6:
        nl = f"Delete the user account {user} together with its home directory"
        args = {"name": user, "state": "absent", "remove": True}
        return nl, _tasks([w.task(f"Remove user {user}", "user", args)])
    if roll < 0.75:
        app = rng.choice(APPS)
        args = {"name": app, "system": True, "shell": "/usr/sbin/nologin", "home": f"/var/lib/{app}"}
        nl = f"Create a system user {app} with no login shell and home /var/lib/{app}"
        return nl, _tasks([w.task(f"Create service account {app}", "user", args)])
    if roll < 0.9:
        group = rng.choice(GROUPS)
        args = {"name": group, "state": "present"}
        if rng.random() < 0.5:
            gid = rng.randrange(1001, 3000)
            args["gid"] = gid
            nl = f"Create the group {group} with gid {gid}"
        else:
            nl = f"Make sure the group {group} exists"
        return nl, _tasks([w.task(f"Create group {group}", "group", args)])
    users = _pick(rng, USERS, rng.choice([2, 3]))
    group = rng.choice(GROUPS)
    nl = f"Create the users {_words(users)} and put them in the {group} group"
    task = w.task("Create users", "user", {"name": "{{ item }}", "groups": group, "append": True}, loop=users)
    return nl, _tasks([task])


def edit_lines(rng: random.Random, w: Writer) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.4:
        setting, value = rng.choice(
            [
                ("PermitRootLogin", "no"),
                ("PasswordAuthentication", "no"),
                ("X11Forwarding", "no"),
                ("MaxAuthTries", "3"),
                ("ClientAliveInterval", "300"),
            ]
        )
        args: dict[str, Any] = {"path": "/etc/ssh/sshd_config", "regexp": f"^#?{setting}", "line": f"{setting} {value}"}
        task = w.task(f"Set {setting} to {value}", "lineinfile", args, notify="Restart sshd")
        handler = w.task("Restart sshd", "service", {"name": "sshd", "state": "restarted"})
        nl = f"Set {setting} to {value} in the SSH daemon config and restart sshd if it changed"
        return nl, _playbook("Harden SSH", rng.choice(HOST_GROUPS), [task], [handler])
    if roll < 0.7:
        key, value = rng.choice([("vm.swappiness", "10"), ("net.ipv4.ip_forward", "1"), ("fs.file-max", "100000")])
        path = "/etc/sysctl.conf"
        args = {"path": path, "regexp": f"^{key}", "line": f"{key} = {value}"}
        return f"Make sure {path} sets {key} to {value}", _tasks([w.task(f"Set {key}", "lineinfile", args)])
    if roll < 0.85:
        app = rng.choice(APPS)
        ip = f"10.0.{rng.randrange(0, 255)}.{rng.randrange(1, 255)}"
        line = f"{ip} {app}.internal"
        args = {"path": "/etc/hosts", "line": line, "state": "present"}
        return f"Add the line '{line}' to /etc/hosts", _tasks([w.task(f"Add {app} to /etc/hosts", "lineinfile", args)])
    app = rng.choice(APPS)
    pattern = rng.choice(["^DEBUG=", "^# legacy", "^LogLevel", f"^{app.upper()}_OLD"])
    path = f"/etc/default/{app}"
    args = {"path": path, "regexp": pattern, "state": "absent"}
    return f"Remove the lines matching {pattern} from {path}", _tasks([w.task("Drop old setting", "lineinfile", args)])


def schedule_cron(rng: random.Random, w: Writer) -> tuple[str, str]:
    app, user = rng.choice(APPS), rng.choice(USERS)
    job = rng.choice(
        [
            f"/opt/{app}/bin/backup.sh",
            f"/usr/local/bin/{app}-cleanup",
            f"find /var/log/{app} -name '*.gz' -mtime +14 -delete",
            f"/opt/{app}/venv/bin/python /opt/{app}/manage.py clearsessions",
        ]
    )
    if rng.random() < 0.2:
        name = f"{app} nightly job"
        nl = f"Remove the cron job named '{name}'"
        return nl, _tasks([w.task(f"Remove cron job {name}", "cron", {"name": name, "state": "absent"})])
    hour, minute = rng.randrange(0, 24), rng.choice([0, 5, 15, 30, 45])
    args: dict[str, Any] = {"name": f"{app} nightly job", "minute": str(minute), "hour": str(hour), "job": job}
    when = f"every day at {hour:02d}:{minute:02d}"
    if rng.random() < 0.5:
        args["user"] = user
        when += f" as {user}"
    return f"Run `{job}` {when}", _tasks([w.task(f"Schedule {app} job", "cron", args)])


def clone_repo(rng: random.Random, w: Writer) -> tuple[str, str]:
    app = rng.choice(APPS)
    repo = rng.choice([f"https://github.com/example/{app}.git", f"git@github.com:acme/{app}.git"])
    dest = rng.choice([f"/opt/{app}", f"/srv/{app}", f"/var/www/{app}", f"/home/deploy/{app}"])
    version = rng.choice(["main", "master", "develop", f"v{rng.choice(VERSIONS)}", "stable"])
    args: dict[str, Any] = {"repo": repo, "dest": dest, "version": version}
    nl = f"Check out {version} of {repo} into {dest}"
    if repo.startswith("git@"):
        args["accept_hostkey"] = True
    if rng.random() < 0.3:
        args["force"] = True
        nl += ", discarding local changes"
    task = w.task(f"Clone {app}", "git", args, become=True if rng.random() < 0.3 else None)
    return nl, _tasks([task])


def download(rng: random.Random, w: Writer) -> tuple[str, str]:
    app, version = rng.choice(APPS), rng.choice(VERSIONS)
    url = f"https://downloads.example.org/{app}/{app}-{version}.tar.gz"
    archive = f"/tmp/{app}-{version}.tar.gz"
    if rng.random() < 0.5:
        mode = rng.choice(MODES[:3])
        args: dict[str, Any] = {"url": url, "dest": archive, "mode": mode}
        nl = f"Download {url} to {archive} with mode {mode}"
        return nl, _tasks([w.task(f"Download {app}", "get_url", args)])
    dest = rng.choice([f"/opt/{app}", f"/srv/{app}", "/usr/local/lib"])
    fetch = w.task(f"Download {app} {version}", "get_url", {"url": url, "dest": archive})
    unpack = w.task(
        f"Unpack {app}",
        "unarchive",
        {"src": archive, "dest": dest, "remote_src": True, "creates": f"{dest}/{app}-{version}"},
    )
    nl = f"Download {app} {version} from {url} and unpack it into {dest} unless it is already there"
    return nl, _tasks([fetch, unpack])


def run_command(rng: random.Random, w: Writer) -> tuple[str, str]:
    app = rng.choice(APPS)
    roll = rng.random()
    if roll < 0.35:
        cmd = rng.choice([f"/opt/{app}/bin/migrate --yes", "make install", "./configure --prefix=/usr/local"])
        creates = f"/opt/{app}/.installed"
        args: dict[str, Any] = {"cmd": cmd, "chdir": f"/opt/{app}", "creates": creates}
        nl = f"Run `{cmd}` in /opt/{app}, only if {creates} does not exist yet"
        return nl, _tasks([w.task(f"Run {cmd.split()[0]}", "command", args)])
    if roll < 0.7:
        cmd, var = rng.choice(
            [
                ("uptime", "uptime_out"),
                ("df -h /", "disk_usage"),
                (f"systemctl is-active {rng.choice(SERVICES)}", "svc_state"),
                ("hostname -f", "fqdn"),
                (f"cat /etc/{app}/VERSION", "app_version"),
            ]
        )
        run = w.task(f"Run {cmd}", "command", cmd, register=var, changed_when=False)
        show = w.task(f"Show {var}", "debug", {"var": f"{var}.stdout"})
        return f"Run `{cmd}`, save the output as {var} and print it", _tasks([run, show])
    cmd = rng.choice(
        [
            f"cat /var/log/{app}/*.log | grep -c ERROR",
            f"ls /opt/{app}/releases | sort -V | tail -n 1",
            "ps aux | grep -v grep | grep -c python",
            f"tar czf /backup/{app}.tgz /srv/{app}",
        ]
    )
    var = "result"
    task = w.task(f"Shell: {cmd.split()[0]}", "shell", cmd, register=var)
    return f"Run the shell pipeline `{cmd}` and register the result", _tasks([task])


def facts_and_debug(rng: random.Random, w: Writer) -> tuple[str, str]:
    app = rng.choice(APPS)
    roll = rng.random()
    if roll < 0.4:
        port, env = rng.choice([8000, 8080, 8443, 9000, 5000, 3000]), rng.choice(["production", "staging", "dev"])
        args: dict[str, Any] = {"app_name": app, "app_port": port, "app_env": env}
        nl = f"Set the facts app_name={app}, app_port={port} and app_env={env}"
        return nl, _tasks([w.task("Set application facts", "set_fact", args)])
    if roll < 0.7:
        msg = rng.choice(
            [
                "Deploying {{ app_name }} to {{ inventory_hostname }}",
                "Free memory: {{ ansible_facts['memfree_mb'] }} MB",
                "Running on {{ ansible_facts['distribution'] }} {{ ansible_facts['distribution_version'] }}",
                f"{app} is at version {{{{ app_version }}}}",
            ]
        )
        return f'Print the message "{msg}"', _tasks([w.task("Show message", "debug", {"msg": msg})])
    var = rng.choice(["ansible_facts['default_ipv4']", "ansible_facts['hostname']", "groups['all']", "hostvars"])
    return f"Show the value of {var}", _tasks([w.task("Show variable", "debug", {"var": var})])


def conditional_install(rng: random.Random, w: Writer) -> tuple[str, str]:
    family, words = rng.choice(FAMILIES)
    if family == "Debian":
        module, package = "apt", rng.choice(APT_PACKAGES)
    else:
        module, package = rng.choice(["dnf", "yum"]), rng.choice(RPM_PACKAGES)
    when = f"ansible_facts['os_family'] == \"{family}\""
    task = w.task(f"Install {package}", module, {"name": package, "state": "present"}, when=when)
    return f"Install {package} with {module}, but only on {words} hosts", _tasks([task])


def install_and_start(rng: random.Random, w: Writer) -> tuple[str, str]:
    service = rng.choice(["nginx", "apache2", "redis-server", "haproxy", "memcached", "fail2ban", "postgresql"])
    hosts = rng.choice(HOST_GROUPS)
    install = w.task(f"Install {service}", "apt", {"name": service, "state": "present", "update_cache": True})
    start = w.task(f"Start {service}", "service", {"name": service, "state": "started", "enabled": True})
    if rng.random() < 0.5:
        nl = rng.choice(
            [
                "Install {s} and make sure it is running on the hosts in {h}",
                "On {h}, install {s} and start it at boot",
                "Set up {s} on the {h} group: install it and keep it running",
            ]
        )
        return nl.format(s=service, h=hosts), _playbook(f"Set up {service}", hosts, [install, start])
    nl = rng.choice(["Install {s} and make sure it is running", "Install {s}, then start it and enable it at boot"])
    return nl.format(s=service), _tasks([install, start])


def loop_directories(rng: random.Random, w: Writer) -> tuple[str, str]:
    app, user = rng.choice(APPS), rng.choice(USERS)
    base = rng.choice([f"/opt/{app}", f"/srv/{app}", f"/var/lib/{app}"])
    subdirs = _pick(
        rng, ["logs", "data", "config", "releases", "shared", "tmp", "cache", "uploads"], rng.choice([2, 3])
    )
    paths = [f"{base}/{d}" for d in subdirs]
    mode = rng.choice(["0755", "0750"])
    args: dict[str, Any] = {"path": "{{ item }}", "state": "directory", "owner": user, "mode": mode}
    nl = f"Create the directories {_words(paths)} owned by {user} with mode {mode}"
    return nl, _tasks([w.task("Create application directories", "file", args, loop=paths)])


def deploy_app(rng: random.Random, w: Writer) -> tuple[str, str]:
    app, user = rng.choice(APPS), rng.choice(USERS)
    hosts = rng.choice(HOST_GROUPS)
    dest = f"/opt/{app}"
    version = rng.choice(["main", f"v{rng.choice(VERSIONS)}"])
    clone = w.task(
        f"Check out {app}",
        "git",
        {"repo": f"https://github.com/example/{app}.git", "dest": dest, "version": version},
        notify=f"Restart {app}",
    )
    config = w.task(
        f"Configure {app}",
        "template",
        {"src": "templates/app.env.j2", "dest": f"{dest}/.env", "owner": user, "mode": "0640"},
        notify=f"Restart {app}",
    )
    handler = w.task(f"Restart {app}", "systemd", {"name": app, "state": "restarted", "daemon_reload": True})
    nl = (
        f"Deploy {app} ({version}) from GitHub to {dest} on {hosts}, write its .env from templates/app.env.j2 "
        f"owned by {user}, and restart the {app} service after any change"
    )
    return nl, _playbook(f"Deploy {app}", hosts, [clone, config], [handler], become=True)


def block_with_rescue(rng: random.Random, w: Writer) -> tuple[str, str]:
    app = rng.choice(APPS)
    script = f"/opt/{app}/bin/upgrade.sh"
    lines = [
        f"- name: Upgrade {app} safely",
        "  block:",
        *("    " + line for line in w.task(f"Run {app} upgrade", "command", script)),
        "  rescue:",
        *("    " + line for line in w.task("Report the failure", "debug", {"msg": f"Upgrade of {app} failed"})),
        "  become: true",
    ]
    nl = f"Run {script} as root and print 'Upgrade of {app} failed' if it fails"
    return nl, "\n".join(lines) + "\n"


SCENARIOS: list[tuple[Callable[[random.Random, Writer], tuple[str, str]], float]] = [
    (install_packages, 3.0),
    (remove_package, 1.0),
    (pip_install, 1.5),
    (manage_service, 2.0),
    (copy_file, 1.5),
    (render_template, 1.5),
    (manage_files, 2.5),
    (manage_users, 2.0),
    (edit_lines, 1.5),
    (schedule_cron, 1.0),
    (clone_repo, 1.0),
    (download, 1.0),
    (run_command, 1.5),
    (facts_and_debug, 1.0),
    (conditional_install, 1.0),
    (install_and_start, 1.5),
    (loop_directories, 1.0),
    (deploy_app, 0.7),
    (block_with_rescue, 0.4),
]


def generate(n: int, seed: int) -> list[dict[str, Any]]:
    """`n` tasks {"nl", "reference", "context"} with distinct references, reproducible from `seed`."""
    rng = random.Random(seed)
    functions, weights = zip(*SCENARIOS, strict=True)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    attempts = 0
    while len(out) < n:
        attempts += 1
        if attempts > 50 * n + 1000:
            raise ValueError(f"could only make {len(out)} distinct Ansible tasks, not {n}")
        scenario = rng.choices(functions, weights)[0]
        nl, program = scenario(rng, Writer(fqcn=rng.random() < 0.4))
        if program in seen:
            continue
        seen.add(program)
        out.append({"nl": nl, "reference": program, "context": {}})
    return out


def extra_files() -> dict[str, str]:
    """Nothing beside the tasks: they carry all they need."""
    return {}
