"""Problems as JSON and as GitHub workflow commands: nothing in a message can forge a command."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from smsconf.config.problems import Position, Problem
from smsconf.render.problems import as_dict, as_github, as_json

PROBLEM = Problem(
    "unknown key 'x'",
    ("workstreams", 0, "x"),
    Position("a,b:c.yaml", 3, 5),
    hint="did you mean y?",
)


def test_a_problem_as_data() -> None:
    assert as_dict(PROBLEM) == {
        "severity": "error",
        "message": "unknown key 'x'",
        "file": "a,b:c.yaml",
        "line": 3,
        "column": 5,
        "path": "workstreams[0].x",
        "hint": "did you mean y?",
        "environments": [],
    }
    assert json.loads(as_json([PROBLEM], {}))["valid"] is False


def test_warnings_alone_are_valid() -> None:
    warning = Problem("never matches", severity="warning")
    assert json.loads(as_json([warning], {"workstreams": 1}))["valid"] is True
    assert as_github([warning]).startswith("::warning title=smsconf validate::never matches")


def test_file_names_are_escaped_as_properties() -> None:
    line = as_github([PROBLEM])
    assert "file=a%2Cb%3Ac.yaml,line=3,col=5::" in line


@given(st.text())
def test_a_message_is_always_one_command(message: str) -> None:
    """A newline (or `%0A` typed literally) in a YAML value quoted back cannot start a second
    workflow command such as `::add-mask::` or `::set-env::`."""
    out = as_github([Problem(message, severity="error")])
    assert out.count("\n") == 1 and out.endswith("\n")
    body = out.split("::", 2)[2][:-1]
    assert "\r" not in body and "\n" not in body
    decoded = body.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")
    assert decoded == message
