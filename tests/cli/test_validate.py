"""`smsconf validate`: issue 3's "Show it by", through the command line users and CI run.

The examples exit 0; each broken example exits with the validation code and located errors; and
no input at all, however malformed (hypothesis: text, bytes, random structures), produces a
traceback, an exit code outside {0, 3}, or an error line without `path:line:col:`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smsconf.cli import main
from smsconf.config.source import MAX_FILE_BYTES
from smsconf.exitcodes import ExitCode

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
INVALID = sorted((EXAMPLES / "invalid").glob("*.yaml"))
LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): error: \S")
PROPERTY = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


ALIAS_BOMB = (
    "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 9))
).encode()


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["validate", *args])


def assert_located(result: Result) -> list[str]:
    """Every error line carries a position; hint lines are indented; the last line counts."""
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    errors = [ln for ln in lines if not ln.startswith("    ")]
    assert errors[-1].endswith("error(s); configuration is invalid"), result.stderr
    for line in errors[:-1]:
        assert LOCATED.match(line), f"unlocated error line: {line!r}"
    return errors[:-1]


def test_examples_directory_is_valid() -> None:
    """The complete example validates for every environment (invalid/ is .smsconfignore'd)."""
    result = run(str(EXAMPLES))
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout.startswith("configuration valid (local, prod, test): 4 account(s)")


@pytest.mark.parametrize("path", INVALID, ids=[p.name for p in INVALID])
def test_each_invalid_example_exits_3_with_located_errors(path: Path) -> None:
    """The README's broken files show the error output users will see."""
    result = run(str(path))
    assert result.exit_code == ExitCode.INVALID_CONFIG
    errors = assert_located(result)
    assert errors and all(ln.startswith(f"{path}:") for ln in errors)


def test_invalid_examples_exist() -> None:
    """Guard: an empty glob would make the parametrized test above vacuous."""
    assert len(INVALID) >= 4


def test_several_paths_at_once_report_every_problem(tmp_path: Path) -> None:
    """Files and directories mix; all problems of all files come out in one run."""
    result = run(*map(str, INVALID))
    assert result.exit_code == ExitCode.INVALID_CONFIG
    files = {LOCATED.match(ln)["file"] for ln in assert_located(result)}  # type: ignore[index]
    assert files == {str(p) for p in INVALID}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.yaml", b"", "file is empty"),
        ("binary.yaml", b"\x00\x01\x02", "NUL bytes"),
        ("latin1.yaml", b"a: caf\xe9\n", "not valid UTF-8"),
        ("docs.yaml", b"a: 1\n---\nb: 1\n", "several YAML documents"),
        ("syntax.yaml", b"a: [\n", "invalid YAML"),
        ("deep.yaml", b"a: " + b"[" * 200 + b"]" * 200 + b"\n", "deeper than"),
        ("bomb.yaml", ALIAS_BOMB, "document too large"),
    ],
)
def test_unusable_files_exit_3_located(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, content: bytes, message: str
) -> None:
    """Bad files are configuration errors (3), not crashes (1). (The node budget is lowered so
    the alias bomb trips it sooner; tests/config/test_source.py uses the real budget.)"""
    monkeypatch.setattr("smsconf.config.source.MAX_NODES", 5_000)
    (tmp_path / name).write_bytes(content)
    result = run(str(tmp_path / name))
    assert result.exit_code == ExitCode.INVALID_CONFIG and message in result.stderr
    assert_located(result)


def test_oversized_file_exits_3(tmp_path: Path) -> None:
    """A file over the size limit is refused unread (sparse, so the test stays fast)."""
    path = tmp_path / "huge.yaml"
    with path.open("wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    result = run(str(path))
    assert result.exit_code == ExitCode.INVALID_CONFIG and "the limit is" in result.stderr
    assert_located(result)


def test_nothing_to_validate_exits_3(tmp_path: Path) -> None:
    """A directory with no YAML is an error, never a silent success (a missing path is a usage
    error: tests/cli/test_usage.py)."""
    target = tmp_path / "empty-dir"
    target.mkdir()
    result = run(str(target))
    assert result.exit_code == ExitCode.INVALID_CONFIG
    assert_located(result)


def test_literal_api_key_is_never_echoed(tmp_path: Path) -> None:
    """A pasted key is rejected and appears in neither stdout nor stderr."""
    secret = "sk_live_9b1e_NEVER_SHOW"
    text = (EXAMPLES / "invalid" / "rules.yaml").read_text(encoding="utf-8")
    path = tmp_path / "c.yaml"
    path.write_text(text.replace("not-a-reference-but-a-pasted-key", secret), encoding="utf-8")
    assert secret in path.read_text(encoding="utf-8")  # else the test below proves nothing
    result = run(str(path))
    assert result.exit_code == ExitCode.INVALID_CONFIG
    assert "must be a secret reference" in result.stderr
    assert secret not in result.output


def test_unexpected_error_is_one_line_exit_1(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in smsconf gives exit 1 and one line, not a traceback (unless SMSCONF_DEBUG)."""

    def boom(paths: Any, **_: Any) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr("smsconf.cli.validate.validate_storable", boom)
    monkeypatch.delenv("SMSCONF_DEBUG", raising=False)
    result = run(str(EXAMPLES))
    assert result.exit_code == ExitCode.ERROR
    assert result.stderr == "error: RuntimeError: kaboom\n"


def test_help_documents_the_exit_codes() -> None:
    """The exit codes are a contract; `smsconf --help` lists every one."""
    result = CliRunner().invoke(main, ["--help"])
    for code in ExitCode:
        assert re.search(rf"^\s+{int(code)}\s+\S", result.output, re.M), code


def _executable() -> list[str]:
    script = Path(sys.executable).parent / "smsconf"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from smsconf.cli import main; main()"]


@pytest.mark.parametrize(
    ("target", "code"),
    [(EXAMPLES, ExitCode.OK), (EXAMPLES / "invalid" / "typos.yaml", ExitCode.INVALID_CONFIG)],
)
def test_real_process_exit_codes(target: Path, code: ExitCode) -> None:
    """The installed console script, in its own process, honours the same contract."""
    env = {k: v for k, v in os.environ.items() if k != "SMSCONF_DEBUG"}
    done = subprocess.run(
        [*_executable(), "validate", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    if code == ExitCode.INVALID_CONFIG:
        assert LOCATED.match(done.stderr.splitlines()[0])


# --- properties: whatever the input, a located message and a documented exit code ----------


def _validate_bytes(content: bytes) -> Result:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.yaml"
        path.write_bytes(content)
        return run(str(path))


def _assert_contract(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code in (ExitCode.OK, ExitCode.INVALID_CONFIG), result.output
    if result.exit_code == ExitCode.INVALID_CONFIG:
        assert_located(result)


TOKENS = [
    "a", "b", "name", "accounts", ":", ": ", " ", "  ", "\n", "- ", "[", "]", "{", "}", ", ",
    "&x ", "*x", "<<: ", "? ", "!!str ", "!!map ", "!!binary ", "!tag ", "!!int ", "!!bool ",
    "!!float ", "!!timestamp ", "!!set ", "!!omap ", "!!pairs ", "'", '"', "#", "|",
    ">", "\t", "1", "0x1F", "~", "null", "é", "---\n", "...\n", "%YAML 1.1\n", "\\", "@",
]  # fmt: skip
YAMLISH = st.one_of(
    st.lists(st.sampled_from(TOKENS), max_size=40).map("".join),
    st.text(st.sampled_from([*":-[]{},&*!|>'\"#%@`?<\n\t ", "a", "1", "é"]), max_size=200),
)
KEYS = st.sampled_from(
    [
        "accounts",
        "workstreams",
        "queues",
        "name",
        "number",
        "type",
        "sms",
        "distribution",
        "mode",
        "environments",
        "variables",
        "removed",
        "settings",
        "<<",
        "x",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**12),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["${var:x}", "${env:K}", "push", "geo", "8h", "+1 425"]),
)
STRUCTURES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=30,
)


@PROPERTY
@given(YAMLISH)
def test_random_yamlish_text(text: str) -> None:
    """YAML tokens and punctuation in random order hit the scanner, parser, composer (anchors,
    merge keys, tags) and converter error paths."""
    _assert_contract(_validate_bytes(text.encode("utf-8")))


@PROPERTY
@given(st.binary(max_size=200))
def test_random_bytes(content: bytes) -> None:
    """Arbitrary bytes: encoding, NUL and syntax problems, all located."""
    _assert_contract(_validate_bytes(content))


@PROPERTY
@given(st.dictionaries(KEYS, STRUCTURES, max_size=5))
def test_random_structures(data: dict[str, Any]) -> None:
    """Well-formed YAML of the wrong shape exercises the schema and rule paths."""
    _assert_contract(_validate_bytes(yaml.safe_dump(data).encode("utf-8")))


@pytest.mark.parametrize("broken", INVALID, ids=lambda p: p.name)
def test_json_lists_the_same_problems_as_the_text(broken: Path) -> None:
    """`--format json`: the text's problems, one object each, at the same file:line:col."""
    import json

    text = run(str(broken))
    data = CliRunner().invoke(main, ["validate", "--format", "json", str(broken)])
    assert data.exit_code == text.exit_code == ExitCode.INVALID_CONFIG
    document = json.loads(data.stdout)
    assert document["valid"] is False
    located = [m.groups()[:3] for m in map(LOCATED.match, text.stderr.splitlines()) if m]
    assert [(p["file"], str(p["line"]), str(p["column"])) for p in document["problems"]] == located


def test_json_of_a_valid_configuration_counts_it() -> None:
    import json

    result = CliRunner().invoke(main, ["validate", "--format", "json", str(EXAMPLES)])
    assert result.exit_code == ExitCode.OK
    document = json.loads(result.stdout)
    assert document["valid"] is True and document["workstreams"] >= 1
    assert "local" in document["environments"]


def test_github_annotates_each_line() -> None:
    broken = EXAMPLES / "invalid" / "typos.yaml"
    result = CliRunner().invoke(main, ["validate", "--format", "github", str(broken)])
    assert result.exit_code == ExitCode.INVALID_CONFIG
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("::error title=smsconf validate,file=") for line in lines)
    assert f"file={broken},line=" in lines[0]
