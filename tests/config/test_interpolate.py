"""interpolate.py: `${var:NAME}` per environment, and `${file:}` anchored to its YAML file.

Variables are how dev/test/prod differ (issue 3 §2 "Environments"); a wrong substitution would
send prod credentials to a test org, so the edges (types, partial text, missing names) matter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cfgtest import Writer, base_config, dump

from smsconf.config import load_config
from smsconf.config.interpolate import anchor_file_ref, substitute
from smsconf.config.problems import Position


def test_whole_placeholder_keeps_the_variable_type() -> None:
    """`priority: ${var:p}` with p: 3 must stay an int so the schema sees a number."""
    out, problems = substitute({"q": {"priority": "${var:p}"}}, {"p": 3}, {}.get)
    assert problems == [] and out == {"q": {"priority": 3}}


def test_placeholders_inside_text_are_replaced() -> None:
    """Placeholders may sit inside longer text, several to a value, inside lists too."""
    out, _ = substitute({"w": ["${var:a}-${var:b} x"]}, {"a": "dev", "b": 2}, {}.get)
    assert out == {"w": ["dev-2 x"]}


def test_missing_variable_is_a_problem_with_suggestion() -> None:
    """A misspelt variable names the near one; the placeholder text is left for the schema."""
    out, problems = substitute({"a": {"b": "${var:org_ulr}"}}, {"org_url": "x"}, {}.get)
    [problem] = problems
    assert problem.message == "variable 'org_ulr' is not defined"
    assert problem.path == ("a", "b") and problem.hint == "did you mean 'org_url'?"
    assert out == {"a": {"b": "${var:org_ulr}"}}


def test_missing_variable_without_near_name_says_where_to_define() -> None:
    """With nothing close, the hint says where variables live."""
    _, [problem] = substitute({"a": "${var:zzz}"}, {}, {}.get)
    assert problem.hint == "define it under variables: or the environment"


def test_environments_and_variables_blocks_are_not_interpolated() -> None:
    """Variable values may hold secret references of their own; they are taken literally."""
    data: dict[str, Any] = {
        "variables": {"a": "${var:b}"},
        "environments": {"dev": {"variables": {"x": "${var:y}"}}},
    }
    out, problems = substitute(data, {}, {}.get)
    assert problems == [] and out == data


@pytest.mark.parametrize(
    ("text", "expected", "refused"),
    [
        ("${file:key.txt}", "${file:/cfg/key.txt}", None),
        ("${file:sub/key.txt:-demo}", "${file:/cfg/sub/key.txt:-demo}", None),
        ("${file:/abs/key.txt}", "${file:/abs/key.txt}", "is an absolute path"),
        ("${file:~/key.txt}", "${file:~/key.txt}", "is an absolute path"),
        ("${file:../key.txt}", "${file:/key.txt}", "is outside the configuration's repository"),
        ("${env:KEY}", "${env:KEY}", None),
        ("plain", "plain", None),
    ],
)
def test_file_references_are_anchored_to_their_yaml(
    text: str, expected: str, refused: str | None
) -> None:
    """A relative file secret is relative to the YAML that names it, not the working dir;
    one that is absolute or leads out of the directory (no git work tree here) is refused."""
    anchored, why = anchor_file_ref(text, Position("/cfg/accounts.yaml", 1, 1))
    assert anchored == expected
    assert (why is None) if refused is None else (refused in (why or ""))


def test_file_secret_through_a_variable_is_relative_to_the_variable(
    write: Writer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Environments in one directory, accounts in another, run from a third: the key file is
    found next to the file that defines the variable."""
    write("envs/keys/dev.txt", "dev-key\n")
    write(
        "envs/environments.yaml",
        """\
        environments:
          dev:
            target: local
            variables: {key: "${file:keys/dev.txt}"}
        """,
    )
    write(
        "accounts/acme.yaml",
        """\
        accounts:
          - name: acme
            customer_id: C
            api_key: ${var:key}
        """,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = load_config([tmp_path / "envs", tmp_path / "accounts"], env="dev")
    assert config.accounts[0].api_key.resolve() == "dev-key"


def test_an_item_vouched_free_of_placeholders_is_shared_not_walked() -> None:
    """Files without `${` (most) cost nothing to substitute: their items are passed through."""
    plain = {"name": "${var:p} is not looked at"}  # as if vouched for wrongly: kept verbatim
    data = {"workstreams": [plain, {"name": "${var:p}"}]}
    out, problems = substitute(data, {"p": "x"}, {}.get, lambda path: path == ("workstreams", 0))
    assert problems == []
    assert out["workstreams"][0] is plain and out["workstreams"][1] == {"name": "x"}


def test_only_files_without_placeholders_are_passed_through(write: Writer, tmp_path: Path) -> None:
    """Of two workstream files, the one naming its workstream by a variable is substituted."""
    data = base_config()
    workstreams = data.pop("workstreams")
    *plain, picker = workstreams
    data["variables"] = {"picker": picker["name"]}
    write("shared.yaml", dump(data))
    write("plain.yaml", dump({"workstreams": plain}))
    write("picker.yaml", dump({"workstreams": [{**picker, "name": "${var:picker}"}]}))
    config = load_config([tmp_path])
    assert [w.name for w in config.workstreams] == [w["name"] for w in [picker, *plain]]
