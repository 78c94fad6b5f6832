"""secrets.py: references are kept, resolved only on demand, and values never leak.

The promise of issue 3 §3: a secret value is never printed, logged or echoed in an error. These
tests put a recognisable value everywhere a leak could happen and search the output for it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cfgtest import Writer, base_config, collect, dump, set_in

from smsconf.config import load_config
from smsconf.config.problems import ConfigError
from smsconf.config.secrets import SecretError, SecretRef, fingerprint

LEAK = "sk_live_DO_NOT_PRINT_4f9a"


@pytest.mark.parametrize(
    ("text", "kind", "name", "default"),
    [
        ("${env:API_KEY}", "env", "API_KEY", None),
        ("${env:API_KEY:-demo}", "env", "API_KEY", "demo"),
        ("${env:API_KEY:-}", "env", "API_KEY", ""),
        ("${file:keys/telesign.txt}", "file", "keys/telesign.txt", None),
        ("  ${env:A}  ", "env", "A", None),
    ],
)
def test_parse_references(text: str, kind: str, name: str, default: str | None) -> None:
    """The three documented forms parse into kind, name and optional default."""
    assert SecretRef.parse(text) == SecretRef(kind, name, default)


@pytest.mark.parametrize(
    "text", ["literal", "${env:}", "${env:A", "$env:A", "${vault:A}", "${env:A}x", "x${env:A}"]
)
def test_anything_else_is_not_a_reference(text: str) -> None:
    """A near-miss is not silently taken as a reference (nor as a literal key)."""
    assert SecretRef.parse(text) is None


def test_repr_and_str_hide_the_default_value() -> None:
    """A demo default is itself a key: repr, str and .reference show only that one exists."""
    ref = SecretRef.parse("${env:API_KEY:-" + LEAK + "}")
    assert ref is not None
    for shown in (repr(ref), str(ref), ref.reference, f"{ref}", repr([ref])):
        assert LEAK not in shown
    assert ref.reference == "${env:API_KEY:-…}"


def test_resolve_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """An environment variable wins over the default; the default stands in when unset."""
    ref = SecretRef("env", "SMSCONF_TEST_KEY", "fallback")
    monkeypatch.setenv("SMSCONF_TEST_KEY", "from-env")
    assert ref.resolve() == "from-env"
    monkeypatch.delenv("SMSCONF_TEST_KEY")
    assert ref.resolve() == "fallback"


def test_empty_env_is_treated_like_the_shell_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """`${X:-d}` in a shell uses d when X is unset *or empty*; an empty key is never valid
    (CI often exports an unset secret as an empty string)."""
    monkeypatch.setenv("SMSCONF_TEST_KEY", "")
    assert SecretRef("env", "SMSCONF_TEST_KEY", "fallback").resolve() == "fallback"
    with pytest.raises(SecretError, match="SMSCONF_TEST_KEY is set but empty"):
        SecretRef("env", "SMSCONF_TEST_KEY").resolve()


def test_unset_env_without_default_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The error says which variable to set, so CI logs are actionable."""
    monkeypatch.delenv("SMSCONF_TEST_KEY", raising=False)
    with pytest.raises(SecretError, match="environment variable SMSCONF_TEST_KEY is not set"):
        SecretRef("env", "SMSCONF_TEST_KEY").resolve()


def test_resolve_file_relative_to_base_dir(tmp_path: Path) -> None:
    """File secrets are read as UTF-8 and stripped of the trailing newline editors add."""
    (tmp_path / "key.txt").write_text(f"  {LEAK}\n", encoding="utf-8")
    assert SecretRef("file", "key.txt", base_dir=tmp_path).resolve() == LEAK
    assert SecretRef("file", str(tmp_path / "key.txt")).resolve() == LEAK


def test_missing_file_error_names_the_path_not_a_value(tmp_path: Path) -> None:
    """The message names the reference; with a default present it must not show the default."""
    ref = SecretRef("file", "absent.txt", default=LEAK, base_dir=tmp_path)
    with pytest.raises(SecretError) as caught:
        ref.resolve()
    assert str(tmp_path / "absent.txt") in str(caught.value) and LEAK not in str(caught.value)


def test_fingerprint_compares_without_revealing() -> None:
    """Equal values give equal fingerprints, different values differ, the value is not in it."""
    assert fingerprint(LEAK) == fingerprint(LEAK) != fingerprint(LEAK + "x")
    assert LEAK not in fingerprint(LEAK) and len(fingerprint(LEAK)) == len("scrypt1:") + 64
    assert SecretRef("env", "X", LEAK).fingerprint() == fingerprint(LEAK)


@pytest.mark.parametrize(
    "place",
    ["inline", "variable", "environment-variable"],
)
def test_literal_api_key_is_rejected_without_echo(write: Writer, place: str) -> None:
    """A pasted key is an error wherever it comes from, and the value appears nowhere."""
    data = base_config()
    if place == "inline":
        set_in(data, "accounts/0/api_key", LEAK)
    elif place == "variable":
        data["variables"] = {"key": LEAK}
        set_in(data, "accounts/0/api_key", "${var:key}")
    else:
        data["environments"] = {"local": {"target": "local", "variables": {"key": LEAK}}}
        set_in(data, "accounts/0/api_key", "${var:key}")
    path = write("c.yaml", dump(data))
    problems = collect([path])
    [problem] = [p for p in problems if p.path == ("accounts", 0, "api_key")]
    assert "must be a secret reference" in problem.message
    assert problem.position is not None and problem.position.line > 1
    assert LEAK not in ConfigError(problems).render()
    assert all(LEAK not in repr(p) for p in problems)


def test_secret_default_survives_loading_but_not_printing(write: Writer) -> None:
    """The loader keeps a default for local demos, yet the loaded config's repr hides it."""
    data = set_in(base_config(), "accounts/0/api_key", "${env:SMSCONF_UNSET_KEY:-" + LEAK + "}")
    config = load_config([write("c.yaml", dump(data))])
    assert config.accounts[0].api_key.resolve() == LEAK
    assert LEAK not in repr(config) and LEAK not in config.model_dump_json()
