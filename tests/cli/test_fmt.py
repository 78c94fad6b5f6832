"""`smsconf fmt`: rewrites in place atomically, `--check` writes nothing, broken files located."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tests.config.test_fmt import CANONICAL, MESSY

from smsconf.cli import main
from smsconf.exitcodes import ExitCode

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def smsconf(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def fmt(*args: str) -> Result:
    return smsconf("fmt", *args)


def test_the_examples_are_canonical() -> None:
    result = fmt("--check", str(EXAMPLES))
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout == ""


def test_export_writes_canonical_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    assert smsconf("apply", "--auto-approve", "examples").exit_code == ExitCode.OK
    exported = smsconf("export", "--out", "exported")
    assert exported.exit_code == ExitCode.OK, exported.output
    checked = fmt("--check", "--diff", "exported")
    assert checked.exit_code == ExitCode.OK, checked.output


def test_check_names_the_file_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(MESSY, encoding="utf-8")
    result = fmt("--check", "--diff", str(tmp_path))
    assert result.exit_code == ExitCode.INVALID_CONFIG
    assert result.stdout.startswith(f"{path}\n--- {path} (as written)")
    assert "+  - name: A" in result.stdout
    assert "not in canonical layout" in result.stderr
    assert path.read_text(encoding="utf-8") == MESSY


def test_fmt_rewrites_keeping_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(MESSY, encoding="utf-8")
    path.chmod(0o640)
    result = fmt(str(path))
    assert result.exit_code == ExitCode.OK and result.stdout == f"{path}\n"
    assert path.read_text(encoding="utf-8") == CANONICAL
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind
    again = fmt(str(path))
    assert again.exit_code == ExitCode.OK and again.stdout == ""


def test_broken_files_are_located_and_nothing_is_written(tmp_path: Path) -> None:
    good = tmp_path / "a.yaml"
    good.write_text(MESSY, encoding="utf-8")
    (tmp_path / "b.yaml").write_text("queues:\n  - name: [A\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_bytes(b"queues: \xff\n")
    result = fmt(str(tmp_path))
    assert result.exit_code == ExitCode.INVALID_CONFIG
    assert f"{tmp_path / 'b.yaml'}:3:1: error: cannot format" in result.stderr
    assert f"{tmp_path / 'c.yaml'}:1:9: error: file is not valid UTF-8" in result.stderr
    assert good.read_text(encoding="utf-8") == MESSY  # all or nothing
