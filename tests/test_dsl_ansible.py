"""The Ansible language module: validator, tree, paper similarity, mutations and the task generator."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from slmfix_exp.data.generators.ansible import generate
from slmfix_exp.dsl.ansible import (
    Ansible,
    _Mutator,
    analyse_task,
    iter_mutations,
    load_specs,
    load_yaml,
    resolve_module,
    uses_only_core_modules,
)

REAL_TASKS = Path(__file__).resolve().parents[2] / "shared" / "data" / "ansible" / "tasks.jsonl"
A = Ansible()

PLAYBOOK = """\
- name: Set up the web tier
  hosts: webservers
  become: true
  vars:
    site: example.org
  tasks:
    - name: Install nginx
      ansible.builtin.apt:
        name: nginx
        state: present
        update_cache: true
    - name: Deploy the site config
      ansible.builtin.template:
        src: templates/site.conf.j2
        dest: "/etc/nginx/sites-enabled/{{ site }}.conf"
        mode: "0644"
      notify: Reload nginx
    - name: Open the firewall
      community.general.ufw:
        rule: allow
        port: "80"
  handlers:
    - name: Reload nginx
      ansible.builtin.service:
        name: nginx
        state: reloaded
"""

TASKS = """\
- name: Create the app user
  user: name=deploy shell=/bin/bash groups=www-data append=yes
- name: Create directories
  file:
    path: "{{ item }}"
    state: directory
    owner: deploy
    mode: "0755"
  loop:
    - /opt/app/releases
    - /opt/app/shared
  when: ansible_facts['os_family'] == "Debian"
- name: Check the service
  command: systemctl is-active app
  register: app_state
  changed_when: false
  failed_when: app_state.rc not in [0, 3]
- block:
    - name: Migrate
      shell: ./manage.py migrate && touch .migrated
      args:
        chdir: /opt/app
        creates: /opt/app/.migrated
  rescue:
    - debug:
        msg: "migration failed on {{ inventory_hostname }}"
  become: true
- name: Set facts
  set_fact:
    app_port: 8080
    app_url: "http://{{ ansible_host }}:8080"
- meta: flush_handlers
- include_tasks: extra.yml
- yum: name=httpd state=latest
- package: name=git
- service:
    daemon_reload: true
"""


def errors(program: str, **kwargs: str) -> list[tuple[int, str]]:
    dsl = Ansible(**kwargs) if kwargs else A
    return [(d.line, d.rule) for d in dsl.validate(program).errors]


def test_valid_real_looking_programs() -> None:
    for program in (PLAYBOOK, TASKS):
        result = A.validate(program)
        assert result.ok, result.feedback()
    warnings = A.validate(PLAYBOOK).diagnostics
    assert [(d.line, d.rule, d.severity) for d in warnings] == [(19, "unknown-collection", "warning")]


@pytest.mark.parametrize(
    ("program", "line", "rule"),
    [
        ("- name: x\n  apt:\n    name: nginx\n   state: present\n", 4, "yaml-syntax"),
        ("- name: x\n  debug:\n    msg: 'unclosed\n", 3, "yaml-syntax"),
        ("- name: x\n  apt:\n    name: nginx\n    name: git\n", 4, "duplicate-key"),
        ("- name: x\n  aptt:\n    name: nginx\n", 2, "unknown-module"),
        ("- name: x\n  ansible.builtin.servce:\n    name: nginx\n", 2, "unknown-module"),
        ("- name: x\n  apt:\n    name: nginx\n  become_usr: root\n", 4, "unknown-keyword"),
        ("- name: x\n  apt: name=nginx\n  whn: ansible_os_family == 'Debian'\n", 3, "unknown-keyword"),
        ("- name: x\n  apt:\n    pkg_name: nginx\n", 3, "unknown-arg"),
        ("- name: x\n  template:\n    src: a.j2\n", 2, "missing-required-arg"),
        ("- name: x\n  copy:\n    src: a\n    destination: /tmp/a\n", 4, "unknown-arg"),
        ("- name: x\n  apt:\n    name: nginx\n    state: install\n", 4, "bad-choice"),
        ("- name: x\n  apt:\n    name: nginx\n    update_cache: maybe\n", 4, "bad-type"),
        ("- name: x\n  debug:\n    msg: hi\n    var: x\n", 4, "mutually-exclusive"),
        ("- name: x\n  pip:\n    state: present\n", 2, "required-one-of"),
        ("- name: x\n  debconf:\n    name: tzdata\n    question: tz\n", 2, "required-together"),
        ("- name: x\n  group:\n    name: ops\n    non_unique: true\n", 2, "required-if"),
        ("- name: x\n  systemd:\n    state: started\n", 3, "required-by"),
        ("- name: x\n  apt: nginx\n", 2, "free-form-args"),
        ("- name: x\n  apt:\n    name: nginx\n  service:\n    name: nginx\n", 4, "multiple-modules"),
        ("- name: x\n  become: true\n", 1, "missing-module"),
        ("- name: x\n  ping:\n  become: sure\n", 3, "keyword-type"),
        ("- name: x\n  ping:\n  register: my-result\n", 3, "bad-register"),
        ("- name: x\n  debug:\n    msg: '{{ foo '\n", 3, "jinja-syntax"),
        ("- name: x\n  debug: msg=hi\n  when: x ==\n", 3, "jinja-syntax"),
        ("- set_fact:\n    a: '{{ b }'\n", 2, "jinja-syntax"),
        ("- shell: '{{ cmd }}'\n  args:\n    creates: '{{ path }'\n", 3, "jinja-syntax"),
        ("- debug: msg=hi\n  loop:\n    - '{{ a'\n", 3, "jinja-syntax"),
        ("- name: x\n  debug: msg=hi\n  with_itmes: [1]\n", 3, "unknown-keyword"),
        ("- name: x\n  include_tasks: a.yml\n  become: true\n", 3, "include-keyword"),
        ("- name: x\n  meta: flush_handler\n", 2, "bad-choice"),
        ("- name: x\n  include: a.yml\n", 2, "removed-module"),
        ("- hosts: all\n  task:\n    - ping:\n", 2, "unknown-play-keyword"),
        ("- name: p\n  tasks:\n    - ping:\n", 1, "missing-hosts"),
        (
            "- hosts: all\n  tasks:\n    - template: src=a dest=b\n      notify: restart nginx\n"
            "  handlers:\n    - name: Restart nginx\n      service: name=nginx state=restarted\n",
            4,
            "unknown-handler",
        ),
        ("name: x\napt: nginx\n", 1, "not-a-list"),
    ],
)
def test_each_error_kind_is_caught_with_its_line(program: str, line: int, rule: str) -> None:
    found = errors(program)
    assert (line, rule) in found, found


def test_did_you_mean() -> None:
    messages = [d.message for d in A.validate("- aptt:\n    name: x\n  become_usr: root\n").errors]
    assert any("ansible.builtin.apt" in m for m in messages)
    messages = [d.message for d in A.validate("- apt:\n    name: x\n  become_usr: root\n").errors]
    assert any("did you mean 'become_user'" in m for m in messages)


def test_an_invented_module_is_named_by_its_arguments() -> None:
    """No near spelling of `python_pip` or `download` is a module; the modules that take all their arguments are."""
    [pip] = A.validate("- python_pip:\n    name: [jinja2]\n    virtualenv: /opt/venv\n").errors
    assert pip.message == "unknown module 'python_pip' (modules that take these arguments: 'ansible.builtin.pip')"
    [url] = A.validate("- download:\n    url: https://x/y.tgz\n    dest: /tmp/y.tgz\n").errors
    assert "'ansible.builtin.get_url'" in url.message and "'ansible.builtin.uri'" in url.message
    [many] = A.validate("- mkdir:\n    path: /opt/x\n").errors  # path alone fits too many modules to help
    assert many.message == "unknown module 'mkdir'"


def test_an_argument_level_with_its_module_is_told_to_indent() -> None:
    """`var` written under the task, not under `debug:`: the nearest keyword (`vars`) would point the wrong way."""
    [var] = A.validate("- name: Show\n  debug:\n  var: out.stdout\n").errors
    assert (var.line, var.message) == (
        3,
        "'var' is not a task keyword (an argument of ansible.builtin.debug: indent it under 'debug')",
    )
    [vras] = A.validate("- debug:\n    var: x\n  vras: {}\n").errors
    assert vras.message == "'vras' is not a task keyword (did you mean 'vars'?)"


def test_syntax_errors_say_how_to_mend_them() -> None:
    """A YAML error that one line's indentation explains names the line and the indentation that parses; a
    template left open shows it closed. Neither is offered when it wouldn't parse."""
    [yaml_error] = A.validate("- name: x\n  template:\n    src: a\n     dest: /b\n").errors
    assert yaml_error.rule == "yaml-syntax"
    assert yaml_error.message.endswith("(line 4 is indented 5 spaces: indent it 4)")
    [jinja] = A.validate('- debug:\n    msg: "{{ out }"\n').errors
    assert jinja.message.endswith("(close it: '{{ out }}')")
    [unclosable] = A.validate('- debug:\n    msg: "{{ out + }"\n').errors
    assert "close it" not in unclosable.message
    assert "indent it" not in A.validate("- name: x\n  debug: [a\n").errors[0].message


def test_fqcn_and_short_names_resolve_alike() -> None:
    short = "- name: x\n  apt:\n    name: nginx\n    state: present\n"
    for prefix in ("", "ansible.builtin.", "ansible.legacy."):
        assert A.validate(short.replace("apt:", f"{prefix}apt:")).ok
        assert errors(short.replace("apt:", f"{prefix}apt:").replace("present", "installed"))[0][1] == "bad-choice"
    assert resolve_module("apt").fqcn == resolve_module("ansible.builtin.apt").fqcn == "ansible.builtin.apt"
    assert resolve_module("yum").spec_key == "dnf"  # ansible-core routes yum to dnf
    assert resolve_module("ec2").status == "collection"  # and ec2 to amazon.aws
    assert A.similarity(short, short.replace("apt:", "ansible.builtin.apt:")) == 1.0
    assert A.similarity(short, short.replace("apt:", "ansible.builtin.apt:"), kind="ted") == 1.0


def test_aliases_and_action_plugin_modules() -> None:
    assert A.validate("- apt: pkg=nginx\n- file: dest=/tmp/x state=touch\n- copy: content=hi dest=/tmp/y\n").ok
    # template and copy are backed by action plugins: their arguments are still checked
    assert errors("- template:\n    src: a.j2\n    dest: /b\n    bogus: 1\n") == [(4, "unknown-arg")]
    assert errors("- copy:\n    src: a\n    dest: /b\n    decrypt: true\n    bogus: 1\n") == [(5, "unknown-arg")]
    # package and service dispatch to a backend: valid if one of ansible-core's backends takes the arguments
    assert A.validate("- package:\n    name: git\n").ok
    assert A.validate("- service:\n    name: network\n    args: eth0\n").ok  # systemd ignores args
    assert errors("- package:\n    name: git\n    state: install\n")[0][1] == "bad-choice"


def test_jinja_values_are_not_errors() -> None:
    program = (
        "- name: '{{ pkg_name }} install'\n"
        "  apt:\n"
        "    name: '{{ packages }}'\n"
        "    state: '{{ pkg_state | default(\"present\") }}'\n"
        "    update_cache: '{{ refresh }}'\n"
        "    cache_valid_time: '{{ undefined_var }}'\n"
        "  when: some_undefined_flag | bool\n"
        "- pip:\n    name: flask\n    virtualenv: '{{ venv | default(omit) }}'\n"
        "    executable: '{{ pip | default(omit) }}'\n"
        "- apt: '{{ apt_args }}'\n"
    )
    result = A.validate(program)
    assert result.ok, result.feedback()


def test_a_broken_template_in_a_name_is_only_a_warning() -> None:
    # ansible-core templates a task name for display and falls back to the raw text
    result = A.validate("- name: 'Install {{ pkg '\n  apt: name=git\n")
    assert result.ok and [d.rule for d in result.diagnostics] == ["jinja-syntax"]


def test_unknown_collection_is_a_warning_unless_asked() -> None:
    program = "- community.general.ufw:\n    rule: allow\n    port: '22'\n"
    result = A.validate(program)
    assert result.ok and result.diagnostics[0].rule == "unknown-collection"
    assert result.diagnostics[0].severity == "warning"
    assert not Ansible(unknown_collection="error").validate(program).ok


def test_free_form_modules() -> None:
    program = (
        "- command: /usr/bin/make install chdir=/src creates=/usr/bin/tool\n"
        "- shell: echo hi | tee /tmp/x\n"
        "- raw: uptime\n"
        "- script: files/setup.sh --fast\n"
        "- import_tasks: other.yml\n"
        "- include_role:\n    name: common\n"
        "- debug: var=result\n"
        "- set_fact: a=1 b=2\n"
        "- command:\n    argv: [ls, -l]\n"
        "- local_action: command echo hi\n"
        "- action: apt name=git\n"
    )
    assert A.validate(program).ok, A.validate(program).feedback()
    assert errors("- command:\n    chdir: /tmp\n")[0][1] == "required-one-of"
    assert errors("- set_fact:\n    bad-name: 1\n")[0][1] == "bad-variable-name"


def test_generated_references_are_valid_distinct_and_short() -> None:
    tasks = generate(300, seed=7)  # valid, distinct, reproducible: tests/test_dsl_protocol.py
    for task in tasks:
        result = A.validate(task["reference"])
        assert not result.diagnostics, (task["reference"], result.feedback())  # not even a warning
        assert task["nl"] and task["context"] == {}
        assert "\t" not in task["reference"] and task["reference"].endswith("\n")
    lengths = sorted(t["reference"].count("\n") for t in tasks)
    assert lengths[len(lengths) * 3 // 4] <= 15
    modules = {m for t in tasks for m in _modules(t["reference"])}
    assert {"apt", "service", "copy", "template", "file", "user", "lineinfile", "cron", "git"} <= modules
    assert any("hosts:" in t["reference"] for t in tasks) and any("handlers:" in t["reference"] for t in tasks)
    assert any("loop:" in t["reference"] for t in tasks) and any("when:" in t["reference"] for t in tasks)


def _modules(program: str) -> set[str]:
    data, _ = load_yaml(program)
    specs, out = load_specs(), set()
    stack = list(data)
    while stack:
        item = stack.pop()
        if not isinstance(item, dict):
            continue
        for key in ("tasks", "handlers", "block", "rescue", "always"):
            stack.extend(item.get(key) or [])
        view = analyse_task(item, specs)
        if view.ref is not None:
            out.add(view.ref.fqcn.rsplit(".", 1)[-1])
    return out


def _edited_region(before: str, after: str) -> int:
    prefix = 0
    while prefix < min(len(before), len(after)) and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(before), len(after)) - prefix and before[-1 - suffix] == after[-1 - suffix]:
        suffix += 1
    return max(len(before), len(after)) - prefix - suffix


def test_mutations_are_local_edits_of_every_kind() -> None:
    """Each kind applies to generated tasks and edits one stretch of the program (the verdicts each kind promises:
    tests/test_dsl_protocol.py)."""
    rng = random.Random(11)
    references = [t["reference"] for t in generate(160, seed=3)]
    for invalid in (True, False):
        labels, made = set(), 0
        for program in references:
            mutation = A.mutate(program, {}, rng, invalid)
            if mutation is None:
                continue
            made += 1
            assert _edited_region(program, mutation.program) < 200, (mutation.label, mutation.program)
            labels.add(mutation.label)
        assert made >= 0.9 * len(references)
        assert labels == set(A.mutations.labels(invalid))
    assert A.mutate("not: [valid", {}, rng, False) is None


def test_new_mutations_are_rejected_for_what_they_say() -> None:
    """A borrowed argument (another module's name) is an unknown argument; a choice in another case a bad choice."""
    rng = random.Random(2)
    made = {"borrowed-arg": 0, "wrong-case-choice": 0}
    for task in generate(60, seed=4):
        mutator = _Mutator(task["reference"], rng, A.validate)
        for kind, rule in (("borrowed-arg", "unknown-arg"), ("wrong-case-choice", "bad-choice")):
            program = mutator.run(kind)
            if program is None:
                continue
            made[kind] += 1
            verdict = A.validate(program)
            assert not verdict.ok and rule in {d.rule for d in verdict.errors}, (kind, program)
    assert min(made.values()) >= 10, made
    borrowed = dict(iter_mutations("- service:\n    name: nginx\n    state: started\n", random.Random(0)))
    assert {"borrowed-arg", "wrong-case-choice"} <= set(borrowed)


def test_repair_context_lists_the_arguments_of_the_module_in_error() -> None:
    program = "- name: x\n  copy:\n    src: a\n    destination: /tmp/a\n"
    context = A.repair_context(program, A.validate(program), {})
    assert context.startswith("ansible.builtin.copy arguments: dest*, ")  # required first, starred
    assert ", mode, owner," in context and context.count("\n") == 0  # one line for the module's two errors
    program = "- file:\n    path: /x\n    state: Directory\n"
    lines = A.repair_context(program, A.validate(program), {}).splitlines()
    assert lines[0].startswith("ansible.builtin.file arguments: path* (dest, name), ")
    assert lines[1] == "state choices: absent, directory, file, hard, link, touch"
    long = A.repair_context("- apt:\n    bogus: 1\n", A.validate("- apt:\n    bogus: 1\n"), {})
    assert "package (pkg, name)" in long and len(long) <= 450
    assert A.repair_context(PLAYBOOK, A.validate(PLAYBOOK), {}) == ""
    unknown = "- aptt:\n    name: x\n"  # the message already names the candidates
    assert A.repair_context(unknown, A.validate(unknown), {}) == ""


@pytest.mark.parametrize(
    ("program", "fixed"),
    [  # a misspelt argument renamed; an invented one deleted with its block; a choice in the wrong case
        ("- apt:\n    name: nginx\n    update_cahce: true\n", "- apt:\n    name: nginx\n    update_cache: true\n"),
        (
            "- user:\n    name: bob\n    frobnicate:\n      - a\n    shell: /bin/sh\n",
            "- user:\n    name: bob\n    shell: /bin/sh\n",
        ),
        ("- apt: name=nginx frobnicate=yes\n", "- apt: name=nginx\n"),
        ("- apt: {name: nginx, frobnicate: yes}\n", "- apt: {name: nginx}\n"),
        ("- service:\n    name: x\n    state: STARTED\n", "- service:\n    name: x\n    state: started\n"),
        ("- service: name=x state=Restart\n", "- service: name=x state=restarted\n"),
        ("- aptt:\n    name: x\n", "- apt:\n    name: x\n"),
        ("- name: Show\n  debug:\n  var: out\n", "- name: Show\n  debug:\n    var: out\n"),
        ("- apt:\n    name: x\n  become_usr: root\n", "- apt:\n    name: x\n  become_user: root\n"),
        # an invented name standing in for the one required argument missing
        ("- copy:\n    src: a\n    destination: /b\n", "- copy:\n    src: a\n    dest: /b\n"),
        ("- copy: src=a destination=/b\n", "- copy: src=a dest=/b\n"),
        # a line indented off its siblings (a list item's keys sit two past its dash); a template left open
        ("- name: x\n  template:\n    src: a\n     dest: /b\n", "- name: x\n  template:\n    src: a\n    dest: /b\n"),
        ("- name: x\nservice: name=x state=started\n", "- name: x\n  service: name=x state=started\n"),
        ('- debug:\n    msg: "{{ out }"\n', '- debug:\n    msg: "{{ out }}"\n'),
        ('- debug:\n    msg: "{{ out "\n', '- debug:\n    msg: "{{ out }}"\n'),
    ],
)
def test_rule_fix_applies_the_message_s_suggestion(program: str, fixed: str) -> None:
    verdict = A.validate(program)
    assert not verdict.ok
    assert A.rule_fix(program, verdict, {}) == fixed
    assert A.validate(fixed).ok, A.validate(fixed).feedback()


def test_rule_fix_leaves_what_no_message_answers() -> None:
    for program in ("- apt:\n    name: x\n    state: installed\n", "- debug:\n    msg: a\n    var: b\n"):
        assert A.rule_fix(program, A.validate(program), {}) is None
    assert A.rule_fix(PLAYBOOK, A.validate(PLAYBOOK), {}) is None
    # each fix keeps the rest byte for byte, and one error at a time is fixed
    program = "# keep\n- file:\n    path: /x   # here\n    state: Directory\n    bogus: 1\n"
    once = A.rule_fix(program, A.validate(program), {})
    assert once == "# keep\n- file:\n    path: /x   # here\n    state: directory\n    bogus: 1\n"
    assert once is not None
    assert A.rule_fix(once, A.validate(once), {}) == "# keep\n- file:\n    path: /x   # here\n    state: directory\n"


def test_tree_and_paper_similarity() -> None:
    a = "- name: Install\n  apt:\n    name: nginx\n    state: present\n  become: yes\n"
    b = "- name: Other name\n  ansible.builtin.apt: name=nginx state=present\n  become: true\n"
    c = "- name: Install\n  apt:\n    name: nginx\n    state: absent\n"
    d = "- debug:\n    msg: hello\n- user:\n    name: bob\n"
    assert A.similarity(a, a) == 1.0 and A.similarity(a, a, kind="ted") == 1.0
    assert A.similarity(b, a) == 1.0  # name dropped, free-form == mapping, yes == true, FQCN == short
    assert A.similarity(b, a, kind="ted") == 1.0
    assert 0.4 <= A.similarity(c, a) < 1.0
    assert A.similarity(d, a) < 0.2 and A.similarity(d, a, kind="ted") < 0.5
    assert A.similarity("not: [valid", a) == 0.0
    assert A.similarity(a + d, a) == pytest.approx(1 / 3)  # extra tasks cost
    tree = A.tree(a, {})
    assert tree is not None and tree.label == "tasks"
    assert [n.label for n in tree.children[0].children] == ["module=ansible.builtin.apt", "kw=become"]
    assert A.tree("key: [unclosed", {}) is None
    shell = A.tree("- shell: echo hi > /tmp/x\n", {})
    assert [n.label for n in shell.children[0].children[0].children[0].children] == ["echo", "hi", ">", "/tmp/x"]


@pytest.mark.parametrize(
    "program",
    [
        "",
        "   \n# only a comment\n",
        "\x00\x01binary\xff",
        "- name: x\n  debug: !!python/object/apply:os.system ['echo hi']\n",
        "!!python/object:builtins.object {}\n",
        "- !!python/name:os.system ''\n",
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
        "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n",
        "- " + "[" * 10000 + "]" * 10000,
        "- " + "{a: " * 5000 + "}" * 5000,
        "".join("  " * i + "- a:\n" for i in range(120)),
        "- ? [a]\n  : b\n",
        "- name: x\n  <<: 3\n",
        "- *undefined\n",
        "x" * 200_000,
        "- name: \x07\n",
    ],
)
def test_hostile_input_is_invalid_without_raising(program: str) -> None:
    start = time.perf_counter()
    result = A.validate(program)
    assert not result.ok
    assert time.perf_counter() - start < 2.0
    A.tree(program, {})
    A.similarity(program, program)
    A.similarity(program, program, kind="ted")
    A.mutate(program, {}, random.Random(0), True)


def test_alias_bomb_inside_a_valid_task_is_bounded() -> None:
    bomb = "".join(f"    l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else 'x'}]\n" for i in range(8))
    program = "- set_fact:\n" + bomb
    start = time.perf_counter()
    assert not A.validate(program).ok
    A.similarity(program, program, kind="ted")
    assert time.perf_counter() - start < 2.0


@pytest.mark.slow
@pytest.mark.skipif(not REAL_TASKS.exists(), reason="needs ../shared/data/ansible/tasks.jsonl")
def test_real_tasks_of_ansible_core_modules_are_accepted() -> None:
    specs = load_specs()
    records = [json.loads(line) for line in REAL_TASKS.read_text(encoding="utf-8").splitlines()]
    core, accepted = 0, 0
    for record in records:
        if not uses_only_core_modules(record["program"], specs):
            continue
        core += 1
        accepted += A.validate(record["program"]).ok
    assert core > 2500
    assert accepted / core >= 0.97


@pytest.mark.slow
def test_ansible_lint_backend_runs_one_batch() -> None:
    programs = [
        "- name: Install nginx\n  ansible.builtin.apt:\n    name: nginx\n    state: install\n",
        "- name: Say hi\n  ansible.builtin.debug:\n    msg: hi\n",
    ]
    results = Ansible(backend="ansible-lint").validate_batch(programs, [{}, {}])
    assert len(results) == 2
    assert not results[0].ok and any(d.rule.startswith("args") for d in results[0].errors)
    assert results[1].ok


def test_ansible_and_torch_compiler_share_a_process() -> None:
    """ansible-core patches sys.intern on import; torch's compiler (used by generation) must still load after it."""
    import subprocess
    import sys

    code = "import slmfix_exp.dsl.ansible, torch._dynamo, sys; assert sys.intern('a') == 'a'"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
