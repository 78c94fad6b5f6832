"""loader.py: many files merged into one configuration, validated for every environment.

Positions must survive merging (an error in the third file points into the third file), every
problem is reported in one run, and per-environment problems say which environments they hit.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from cfgtest import (
    DELETE,
    Checker,
    Writer,
    base_config,
    collect,
    dump,
    find,
    second_account,
    set_in,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from smsconf.config import load_config, validate_paths
from smsconf.config.problems import ConfigError, Position

ACCOUNT = """\
accounts:
  - name: {name}
    customer_id: C
    api_key: ${{env:KEY}}
    numbers:
      - {{number: "{number}", type: geo}}
"""


@pytest.mark.parametrize("broken", ["a", "b", "c"])
def test_lists_from_several_files_keep_their_positions(
    write: Writer, tmp_path: Path, broken: str
) -> None:
    """After merging accounts from three files, an error in any one points into that file
    (a regression: each file's own indexes used to overwrite the earlier files' positions)."""
    for index, name in enumerate("abc"):
        number = ("+" if name == broken else "") + f"1425555010{index}"
        write(f"{name}.yaml", "\n" * index + ACCOUNT.format(name=name, number=number))
    at = f"accounts[{'abc'.index(broken)}].numbers[0].number"
    problem = find(collect([tmp_path]), "no plus sign", at)
    assert problem.position == Position(
        str(tmp_path / f"{broken}.yaml"), 6 + "abc".index(broken), 10
    )


def test_cross_file_reference_error_points_at_the_using_file(write: Writer, tmp_path: Path) -> None:
    """One file per workstream is common; a typo in one names that file and the near queue."""
    write("queues.yaml", "queues:\n  - name: Support\n")
    write("ws/support.yaml", "workstreams:\n  - name: W\n    fallback_queue: Suport\n")
    problem = find(collect([tmp_path]), "queue 'Suport' is not declared")
    assert problem.position == Position(str(tmp_path / "ws/support.yaml"), 3, 5)
    assert problem.hint == "did you mean 'Support'?"


def test_map_key_defined_in_two_files(write: Writer, tmp_path: Path) -> None:
    """Mappings are not merged silently: the second definition is an error naming the first."""
    write("a.yaml", "variables:\n  org: one\n")
    write("b.yaml", "variables:\n  other: x\n  org: two\n")
    problem = find(collect([tmp_path]), "'variables.org' is defined in more than one file")
    assert problem.position == Position(str(tmp_path / "b.yaml"), 3, 3)
    assert problem.hint == f"first defined at {tmp_path / 'a.yaml'}:2:3"


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        (
            "workstream:\n  - name: x\n",
            "unknown top-level key 'workstream'",
            "did you mean 'workstreams'?",
        ),
        ("accounts: {name: x}\n", "'accounts' must be a list", None),
        ("settings: [1]\n", "'settings' must be a mapping", None),
    ],
)
def test_top_level_shape(write: Writer, text: str, message: str, hint: str | None) -> None:
    """Top-level keys are checked before merging so a typo cannot drop a whole section."""
    problem = find(collect([write("c.yaml", text)]), message)
    assert problem.hint == hint and problem.position == Position(problem.position.file, 1, 1)


SCHEMA_CASES = [
    (
        "environments",
        {"dev": {"target": "local", "varables": {}}},
        "unknown key 'varables'",
        "environments.dev.varables",
        "did you mean 'variables'?",
    ),
    (
        "workstreams/0/routing/route_to_queue/0/when/0",
        {"any": [{"attribute": "contact.x", "value": 1, "opp": "eq"}]},
        "unknown key 'opp'",
        "workstreams[0].routing.route_to_queue[0].when[0].any[0].opp",
        "did you mean 'op'?",
    ),
    (
        "accounts/0/numbers/0/typ",
        "geo",
        "unknown key 'typ'",
        "accounts[0].numbers[0].typ",
        "did you mean 'type'?",
    ),
    (
        "workstreams/0/distribution/moed",
        "push",
        "unknown key 'moed'",
        "workstreams[0].distribution.moed",
        "did you mean 'mode'?",
    ),
    (
        "workstreams/0/sms/automated_messages/0/trigger",
        "greting",
        "expected one of agent_joined",
        "workstreams[0].sms.automated_messages[0].trigger",
        "did you mean 'greeting'?",
    ),
    (
        "workstreams/0/distribution/skill_matching",
        "exactly",
        "expected one of none, exact, closest",
        "workstreams[0].distribution.skill_matching",
        "did you mean 'exact'?",
    ),
    (
        "workstreams/0/distribution/allowed_presences",
        ["avalable"],
        "expected one of available",
        "workstreams[0].distribution.allowed_presences[0]",
        "did you mean 'available'?",
    ),
    (
        "accounts/0/provider",
        "twillio",
        "expected one of telesign, twilio, acs",
        "accounts[0].provider",
        "did you mean 'twilio'?",
    ),
    (
        "accounts/0/provider",
        "acss",
        "expected one of telesign, twilio, acs",
        "accounts[0].provider",
        "did you mean 'acs'?",
    ),
    (
        "accounts/0/numbers/0/type",
        "mobile",
        "a telesign number's type is one of geo, toll_free, short_code",
        "accounts[0].numbers[0].type",
        None,
    ),
    (
        "workstreams/0/distribution/capacity/units",
        "ten",
        "valid integer",
        "workstreams[0].distribution.capacity.units",
        None,
    ),
    (
        "workstreams/0/sms/file_attachments/agents",
        "sometimes",
        "valid boolean",
        "workstreams[0].sms.file_attachments.agents",
        None,
    ),
    # Strict types, as in the JSON Schema: YAML has already typed the value, nothing is coerced.
    (
        "workstreams/0/distribution/capacity/units",
        "5",
        "valid integer",
        "workstreams[0].distribution.capacity.units",
        "remove the quotes: a quoted value is text in YAML",
    ),
    (
        "workstreams/0/distribution/capacity/units",
        True,
        "valid integer",
        "workstreams[0].distribution.capacity.units",
        None,
    ),
    ("queues/0/priority", 2.0, "valid integer", "queues[0].priority", None),
    (
        "workstreams/0/sms/file_attachments/agents",
        "yes",
        "valid boolean",
        "workstreams[0].sms.file_attachments.agents",
        "remove the quotes: a quoted value is text in YAML",
    ),
    ("queues/0/managed", 1, "valid boolean", "queues[0].managed", None),
    ("accounts/0/customer_id", None, "valid string", "accounts[0].customer_id", None),
    (
        "accounts/0/numbers/0/number",
        14255550100,
        "valid string",
        "accounts[0].numbers[0].number",
        'quote it, like "14255550100": unquoted digits are a number in YAML',
    ),
    (
        "workstreams/1/name",
        True,
        "valid string",
        "workstreams[1].name",
        "quote it: unquoted true/false/yes/no is a boolean in YAML",
    ),
    (
        "accounts/0/customer_id",
        DELETE,
        "missing required key 'customer_id'",
        "accounts[0].customer_id",
        None,
    ),
]


@pytest.mark.parametrize(("where", "value", "message", "at", "hint"), SCHEMA_CASES)
def test_schema_errors_are_located_with_suggestions(
    check: Checker, where: str, value: object, message: str, at: str, hint: str | None
) -> None:
    """pydantic's errors become one located problem each, with 'did you mean' for near words."""
    data = set_in(base_config(), where, value)
    problem = find(check(data), message, at)
    assert problem.hint == hint and problem.position is not None


def test_union_failure_is_one_problem_at_the_real_path(check: Checker) -> None:
    """A mapping where a scalar belongs gives one 'invalid value' at the key, not one error per
    union branch at made-up paths like `value.str` (a regression fixed in the loader)."""
    data = set_in(base_config(), "workstreams/0/routing/route_to_queue/0/when/0/value", {"a": 1})
    problems = check(data)
    at = "workstreams[0].routing.route_to_queue[0].when[0].value"
    assert "invalid value: input should be a valid string" in find(problems, "", at).message


def test_union_failure_keeps_a_branch_suggestion(check: Checker) -> None:
    """`alway` fails both `always | never` and the duration branch; the merged problem still
    says what was probably meant."""
    where = "workstreams/0/distribution/block_capacity_for_wrap_up"
    problem = find(check(set_in(base_config(), where, "alway")), "invalid value: expected one of")
    assert problem.hint == "did you mean 'always'?"


def test_every_problem_at_once_without_cascades(check: Checker) -> None:
    """A schema error in one object does not hide rule errors elsewhere, and references to the
    broken object are not reported on top of its own error."""
    data = base_config()
    set_in(data, "queues/1/assignment", "random")  # schema error on queue 'Sales'
    set_in(data, "workstreams/0/sms/language", "xx-XX")  # rule error elsewhere
    problems = check(data)
    find(problems, "expected one of highest_capacity", "queues[1].assignment")
    find(problems, "unknown locale 'xx-XX'", "workstreams[0].sms.language")
    assert not [p for p in problems if "'Sales' is not declared" in p.message]
    assert len(problems) == 2


def test_problems_are_sorted_by_position(write: Writer, tmp_path: Path) -> None:
    """Output reads top to bottom, file by file, like a compiler's."""
    write("b.yaml", "queues:\n  - name: Q\n    bogus: 1\n")
    write("a.yaml", "bots:\n  - name: B\n    x: 1\n    y: 2\n")
    with pytest.raises(ConfigError) as caught:
        validate_paths([tmp_path])
    positions = [p.position for p in caught.value.problems]
    assert positions == sorted(positions) and len(positions) == 3


ENVS = """\
environments:
  dev: {target: local, variables: {bot: Dev bot}}
  test: {target: "https://t.crm.dynamics.com", variables: {}}
  prod: {target: "https://p.crm.dynamics.com", variables: {bot: Prod bot}}
bots:
  - name: ${var:bot}
"""


def test_variable_missing_in_one_environment_names_only_it(write: Writer) -> None:
    """Every environment is validated in one run; the problem says which one lacks the value."""
    problem = find(collect([write("c.yaml", ENVS)]), "variable 'bot' is not defined")
    assert problem.environments == ("test",)
    assert problem.position is not None and problem.position.line == 6
    assert "in environment(s): test" in problem.render()


@pytest.mark.parametrize("where", ["accounts/0/api_key", "workstreams/0/sms/number"])
def test_undefined_variable_is_reported_once(check: Checker, where: str) -> None:
    """The placeholder left in place is not also 'not a secret reference' or 'not listed under
    any account': one cause, one message."""
    problems = check(set_in(base_config(), where, "${var:missing}"))
    assert [p.message for p in problems] == ["variable 'missing' is not defined"]


def test_problem_in_every_environment_names_none(write: Writer) -> None:
    """Listing all environments would be noise: a problem everywhere carries no names."""
    text = ENVS + "workstreams:\n  - {name: W, fallback_queue: nope}\n"
    problem = find(collect([write("c.yaml", text)]), "queue 'nope' is not declared")
    assert problem.environments == ()


def test_global_variables_are_overridden_per_environment(write: Writer) -> None:
    """`variables:` gives defaults; an environment's own variables win."""
    text = ENVS.replace("variables: {}", "variables: {bot: Test bot}")
    text += "variables: {bot: Global bot}\n"
    configs = validate_paths([write("c.yaml", text)])
    assert {env: c.bots[0].name for env, c in configs.items()} == {
        "dev": "Dev bot",
        "test": "Test bot",
        "prod": "Prod bot",
    }


@pytest.mark.parametrize(
    ("envs", "chosen", "expected"),
    [
        ({"local": "L", "prod": "P"}, None, "L"),
        ({"only": "O"}, None, "O"),
        ({"local": "L", "prod": "P"}, "prod", "P"),
        ({}, None, "G"),
    ],
)
def test_load_config_environment_choice(
    write: Writer, envs: dict[str, str], chosen: str | None, expected: str
) -> None:
    """No --env picks `local` (or the only environment, or the plain configuration)."""
    environments = {
        name: {"target": "local", "variables": {"bot": bot}} for name, bot in envs.items()
    }
    data = {"variables": {"bot": "G"}, "bots": [{"name": "${var:bot}"}]}
    if environments:
        data["environments"] = environments
    config = load_config([write("c.yaml", dump(data))], env=chosen)
    assert config.bots[0].name == expected


def test_unknown_environment_suggests(write: Writer) -> None:
    """`--env prd` is a typo of a declared environment, said so, with the declared ones listed."""
    with pytest.raises(ConfigError) as caught:
        load_config([write("c.yaml", ENVS.replace("variables: {}", "variables: {bot: T}"))], "prd")
    [problem] = caught.value.problems
    assert problem.message == "environment 'prd' is not declared (declared: dev, prod, test)"
    assert problem.hint == "did you mean 'prod'?"


def test_ambiguous_environment_without_local_is_an_error(write: Writer) -> None:
    """With several environments and no `local`, guessing could hit production: refuse."""
    text = ENVS.replace("variables: {}", "variables: {bot: T}").replace("dev:", "stage:")
    with pytest.raises(ConfigError) as caught:
        load_config([write("c.yaml", text)])
    [problem] = caught.value.problems
    assert problem.message == "choose an environment with --env (prod, stage, test)"


def test_no_files_at_all_is_an_error(tmp_path: Path) -> None:
    """A directory without YAML must not validate as an empty, valid configuration."""
    with pytest.raises(ConfigError) as caught:
        validate_paths([tmp_path])
    assert "holds no YAML files" in caught.value.problems[0].message


def test_example_configuration_loads_for_every_environment() -> None:
    """The shipped example is the living reference; it must stay valid in all environments."""
    root = Path(__file__).resolve().parents[2] / "examples"
    configs = validate_paths([root])
    assert sorted(configs) == ["local", "prod", "test"]
    assert configs["prod"].bots[0].name == "Contoso SMS bot"


def _leaf_paths(node: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every path into the base configuration, for the mutation property below."""
    out = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _leaf_paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _leaf_paths(value, (*path, i))
    return out


BASE_PATHS = _leaf_paths(base_config())
JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 10**16)
    | st.text(max_size=12)
    | st.sampled_from(["${var:nope}", "${env:K}", "", "pick", "0m", "+1", "context.x"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["name", "queue", "x", "all", "any"]), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(BASE_PATHS), JUNK), min_size=1, max_size=3))
def test_any_mutation_of_a_valid_config_gives_located_problems(
    edits: list[tuple[tuple[str | int, ...], Any]],
) -> None:
    """Near-valid configurations reach deep into the schema translation, pruning and rules;
    whatever is replaced with whatever, the answer is located problems, never an exception."""
    data = base_config()
    for path, value in edits:
        node: Any = data
        try:
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed this path
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "c.yaml"
        file.write_text(dump(data), encoding="utf-8")
        for problem in collect([file]):
            assert problem.position is not None and problem.position.file == str(file)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.data())
def test_splitting_a_config_across_files_keeps_every_position(data: st.DataObject) -> None:
    """Deal the base configuration's list items into 1-4 files at random and break one phone
    number: the configuration stays otherwise clean and the problem names the file the broken
    account landed in, at its line."""
    config = base_config()
    config["accounts"].append(second_account("spare", "14255550111"))
    config["accounts"][0]["numbers"].append({"number": "14255550112", "type": "geo"})
    victim = data.draw(st.sampled_from([0, 1]), label="account")
    config["accounts"][victim]["numbers"][-1]["number"] = "+1 425"
    count = data.draw(st.integers(1, 4), label="files")
    files: list[dict[str, Any]] = [{} for _ in range(count)]
    home = -1
    for key, items in config.items():
        for i, item in enumerate(items):
            slot = data.draw(st.integers(0, count - 1), label=f"{key}[{i}]")
            files[slot].setdefault(key, []).append(item)
            if key == "accounts" and i == victim:
                home = slot
    with tempfile.TemporaryDirectory() as tmp:
        for n, content in enumerate(files):
            Path(tmp, f"part{n}.yaml").write_text(dump(content or {"queues": []}), "utf-8")
        [problem] = collect([tmp])
        text = Path(tmp, f"part{home}.yaml").read_text("utf-8").splitlines()
    assert "no plus sign" in problem.message and problem.position is not None
    assert problem.position.file == str(Path(tmp, f"part{home}.yaml"))
    assert "number: +1 425" in text[problem.position.line - 1]


def test_load_reads_each_file_once(
    write: Writer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`load` (plan, apply) validates and keeps the sources of that same reading: each file is
    parsed once (it used to be parsed twice, the largest part of a plan's CPU time)."""
    from smsconf.config import loader

    write("config.yaml", dump(base_config()))
    write("more.yaml", "queues:\n  - name: Extra\n")
    reads: list[str] = []
    read_file = loader.read_file

    def counting(path: Path, display: str) -> Any:
        reads.append(display)
        return read_file(path, display)

    monkeypatch.setattr(loader, "read_file", counting)
    loaded = loader.load([tmp_path])
    assert sorted(reads) == sorted({*reads}) and len(reads) == 2
    assert loaded.locate(("queues",)) is not None


@pytest.mark.parametrize("valid", [True, False])
def test_loading_leaves_the_garbage_collector_as_it_was(
    write: Writer, tmp_path: Path, valid: bool
) -> None:
    """The cyclic collector is paused while loading (it found nothing to collect and cost ~40%
    of validate at 1,000 workstreams), and running again afterwards, also after an error."""
    import gc

    write("config.yaml", dump(base_config()) + ("" if valid else "bogus: 1\n"))
    assert gc.isenabled()
    try:
        validate_paths([tmp_path])
    except ConfigError:
        assert not valid
    assert gc.isenabled()


@pytest.mark.parametrize(
    ("provider", "typed", "message", "hint"),
    [
        (
            "telesign",
            "tollfree",
            "a telesign number's type is one of geo, toll_free, short_code",
            "did you mean 'toll_free'?",
        ),
        (
            "twilio",
            "longcode",
            "a twilio number's type is one of long_code, toll_free, short_code",
            "did you mean 'long_code'?",
        ),
        (
            "twilio",
            "geo",
            "a twilio number's type is one of long_code, toll_free, short_code",
            "twilio calls a local number long_code",
        ),
    ],
)
def test_an_unknown_number_type_lists_only_the_providers_types(
    tmp_path: Path, provider: str, typed: str, message: str, hint: str
) -> None:
    """The schema accepts every provider's types; the message names only the account's."""
    fields = (
        "customer_id: C-1\n    api_key: ${env:K:-a2V5}"
        if provider == "telesign"
        else "account_sid: AC" + "0" * 32 + "\n    auth_token: ${env:T:-t}"
    )
    path = tmp_path / "c.yaml"
    path.write_text(
        f"accounts:\n  - name: a\n    provider: {provider}\n    {fields}\n    numbers:\n"
        f'      - number: "14255550100"\n        type: {typed}\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        validate_paths([path])
    (problem,) = [p for p in caught.value.problems if p.path[-1:] == ("type",)]
    assert (problem.message, problem.hint) == (message, hint)
    assert problem.position is not None and problem.position.line == 8
    other = "long_code" if provider == "telesign" else "geo"
    assert other not in problem.message
