"""problems.py: how a problem reads. The `file:line:col: error:` shape is what editors, CI
annotators and the README rely on, so it is pinned here."""

from __future__ import annotations

import pytest

from smsconf.config.problems import ConfigError, Position, Problem, did_you_mean, format_path


def test_render_full_problem() -> None:
    """Position, message, dotted path, hint and environments each have their place."""
    problem = Problem(
        "queue 'Q' is not declared",
        ("workstreams", 0, "fallback_queue"),
        Position("ws.yaml", 3, 5),
        hint="did you mean 'Q1'?",
        environments=("prod",),
    )
    assert problem.render() == (
        "ws.yaml:3:5: error: queue 'Q' is not declared (at workstreams[0].fallback_queue)\n"
        "    hint: did you mean 'Q1'?\n"
        "    in environment(s): prod"
    )


def test_render_without_position_or_path() -> None:
    """A problem about the whole configuration still renders on one recognisable line."""
    assert Problem("choose an environment").render() == (
        "<configuration>: error: choose an environment"
    )


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), ""),
        (("a",), "a"),
        (("a", 0, "b"), "a[0].b"),
        ((0, 1), "[0][1]"),
        (("x", "y.z"), "x.y.z"),
    ],
)
def test_format_path(path: tuple[str | int, ...], text: str) -> None:
    """Paths read the way a user would point at a YAML value."""
    assert format_path(path) == text


@pytest.mark.parametrize(
    ("word", "choices", "hint"),
    [
        ("pushh", ["push", "pick"], "did you mean 'push'?"),
        ("EN-us", ["en-US", "en-GB"], "did you mean 'en-US'?"),
        ("zzzz", ["push", "pick"], None),
        ("x", [], None),
        ("queue", [1, None, "queues"], "did you mean 'queues'?"),
    ],
)
def test_did_you_mean(word: str, choices: list[object], hint: str | None) -> None:
    """Suggestions ignore case, keep the choice's own spelling, and stay quiet when far."""
    assert did_you_mean(word, choices) == hint  # type: ignore[arg-type]


def test_config_error_sorts_and_counts() -> None:
    """Problems come out by file, line, column; unlocated ones last; a summary line ends it."""
    late = Problem("b", position=Position("a.yaml", 9, 1))
    early = Problem("a", position=Position("a.yaml", 2, 4))
    other = Problem("c", position=Position("b.yaml", 1, 1))
    loose = Problem("d")
    error = ConfigError([loose, other, late, early])
    assert error.problems == [early, late, other, loose]
    assert error.render().splitlines()[-1] == "4 error(s); configuration is invalid"
    assert str(error) == "4 problem(s) in the configuration"


def test_environments_do_not_affect_equality() -> None:
    """The loader groups one problem across environments by equality, so names must not count."""
    assert Problem("m", environments=("a",)) == Problem("m", environments=("b",))
    assert len({Problem("m", environments=("a",)), Problem("m")}) == 1
