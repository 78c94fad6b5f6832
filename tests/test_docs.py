"""docs/: the generated pages are current, the field map's places name only real tables and
columns, and every link between the Markdown pages resolves."""

from __future__ import annotations

import re
from pathlib import Path

from tools.docs_reference import EXIT_ADVICE, PAGES, main, models, outdated

from smsconf.exitcodes import ExitCode
from smsconf.mapping.fields import FIELD
from smsconf.platform import TABLES
from smsconf.platform.tables import relationships_of

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
REGENERATE = "out of date: run `python -m tools.docs_reference` and commit docs/"


def test_generated_pages_are_current() -> None:
    assert outdated(DOCS) == [], REGENERATE


def test_check_mode_fails_on_an_edited_page(tmp_path: Path, capsys) -> None:
    assert main([str(tmp_path)]) == 0
    assert main(["--check", str(tmp_path)]) == 0
    page = tmp_path / "configuration-reference.md"
    page.write_text(page.read_text(encoding="utf-8").replace("`8h`", "`9h`"), encoding="utf-8")
    assert main(["--check", str(tmp_path)]) == 1
    assert "configuration-reference.md is out of date" in capsys.readouterr().out


def test_every_field_has_a_description() -> None:
    undescribed = [
        f"{name}.{field}"
        for name, model in models().items()
        for field, spec in model["properties"].items()
        if not spec.get("description") and not FIELD[f"{name}.{field}"].doc
    ]
    assert undescribed == []


def test_the_places_fields_land_name_real_tables_columns_and_relationships() -> None:
    relationships = {r.schema_name for t in TABLES for r in relationships_of(t)}
    for field, entry in FIELD.items():
        for name in re.findall(r"`([a-z_]+(?:\.[a-z_]+)?)`", entry.where):
            table, _, column = name.partition(".")
            if not column and name in relationships:
                continue
            assert table in TABLES, f"{field}: no table {table}"
            if column:
                known = {c.logical_name for c in TABLES[table].columns}
                assert column in known, f"{field}: {table} has no column {column}"


def test_every_exit_code_is_explained() -> None:
    assert set(EXIT_ADVICE) == set(ExitCode)
    page = (DOCS / "exit-codes.md").read_text(encoding="utf-8")
    for code in ExitCode:
        assert f"| {code.value} | `{code.name}` |" in page


def test_links_between_pages_resolve() -> None:
    pages = [*DOCS.glob("*.md"), ROOT / "README.md"]
    assert {p.name for p in pages} >= {*PAGES, "getting-started.md", "ci-guide.md"}
    anchors = {p.resolve(): _anchors(p) for p in pages}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            resolved = (page.parent / path).resolve() if path else page.resolve()
            assert resolved.exists(), f"{page.name}: broken link {target}"
            if anchor and resolved.suffix == ".md":
                assert anchor in anchors.get(resolved, _anchors(resolved)), (
                    f"{page.name}: no heading #{anchor} in {resolved.name}"
                )


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-") for h in headings}
