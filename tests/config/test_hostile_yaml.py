"""Hostile YAML that used to be read silently (issue 21): `!!binary` that is not base64, and
`settings.ignore` naming tables or columns that do not exist, are located errors."""

from __future__ import annotations

from cfgtest import Checker, Writer, base_config, collect, find, set_in

from smsconf.config.problems import format_path


def test_binary_that_is_not_base64_is_located(write: Writer) -> None:
    path = write("c.yaml", 'variables:\n  greeting: !!binary "not base64!!"\n')
    problem = find(collect([path]), "invalid !!binary value: failed to decode base64")
    assert str(problem.position).endswith("c.yaml:2:13")
    assert format_path(problem.path) == "variables.greeting"


def test_valid_binary_is_still_refused_by_the_schema_not_read_as_text(write: Writer) -> None:
    path = write("c.yaml", 'variables:\n  greeting: !!binary "aGVsbG8="\n')
    assert format_path(find(collect([path]), "valid string").path) == "variables.greeting"


def test_an_unknown_ignored_table_gets_did_you_mean(check: Checker) -> None:
    problem = find(check(set_in(base_config(), "settings", {"ignore": {"queu": ["name"]}})), "queu")
    assert problem.message == "unknown table 'queu' (not one smsconf reads)"
    assert problem.hint == "did you mean 'queue'?"
    assert format_path(problem.path) == "settings.ignore.queu" and problem.position is not None


def test_an_unknown_ignored_column_gets_did_you_mean(check: Checker) -> None:
    data = set_in(base_config(), "settings", {"ignore": {"queue": ["name", "msdyn_priorty"]}})
    problem = find(check(data), "msdyn_priorty")
    assert problem.hint == "did you mean 'msdyn_priority'?"
    assert format_path(problem.path) == "settings.ignore.queue[1]" and problem.position is not None


def test_known_ignored_columns_pass(check: Checker) -> None:
    data = set_in(base_config(), "settings", {"ignore": {"queue": ["msdyn_priority"]}})
    assert check(data) == []
