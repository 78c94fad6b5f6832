"""The one rule of the project's generated files: write them, or with `--check` say (exit 1)
that the committed file differs from what its script gives now."""

from __future__ import annotations

from pathlib import Path


def write_or_check(path: Path, text: str, argv: list[str], script: str) -> int:
    if "--check" in argv:
        if not path.exists() or path.read_text("utf-8") != text:
            print(f"{path} is out of date: run python {script}")
            return 1
        return 0
    path.write_text(text, "utf-8")
    return 0
