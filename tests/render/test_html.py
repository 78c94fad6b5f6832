"""The HTML report in a real headless browser (Debian's chromium driven by Playwright).

The page is opened with JavaScript disabled and every network request recorded, so the test
proves what the page promises: self-contained, readable and filterable without scripts. It keeps
a screenshot of the page with one object expanded as an artifact: in $SMSCONF_TEST_ARTIFACTS, or
build/test-artifacts/ (git-ignored), a fixed place a CI job can upload and pytest's rotation of
its tmp dirs never deletes.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from tools.testkit.workspace import make_workspace

from smsconf.reconcile.plan import Change, ColumnChange, Credential, Plan
from smsconf.render import RENDERERS
from smsconf.render.html import render

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Debian's chromium: the test installs nothing itself, and fails (never skips) without it.

    One per test: the sync API holds an event loop while it runs, which `asyncio.run` (the CLI,
    the plan fixtures) must not find.
    """
    if not Path(CHROMIUM).exists():
        found = shutil.which("chromium")
        pytest.fail(
            f"chromium is not at {CHROMIUM} (on PATH: {found or 'no'}); install Debian's package "
            "with `apt-get install -y chromium` (.ci/run does this before the tests)"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def artifacts() -> Path:
    """Where the screenshot is kept after the run (created when missing)."""
    where = Path(os.environ.get("SMSCONF_TEST_ARTIFACTS") or ROOT / "build" / "test-artifacts")
    where.mkdir(parents=True, exist_ok=True)
    return where


def open_page(browser: Browser, html: str, where: Path) -> tuple[Page, list[str]]:
    """The page from a file, scripts off; returns it and every URL it requested."""
    path = where / "plan.html"
    path.write_text(html, encoding="utf-8")
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(path.as_uri())
    return page, requested


def visible_changes(page: Page) -> int:
    return page.locator("details.change:visible").count()


def test_page_in_a_browser(
    browser: Browser,
    mixed_plan: Plan,
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    page, requested = open_page(browser, render(mixed_plan), tmp_path)
    counts = mixed_plan.counts()

    assert page.title() == f"smsconf plan: {mixed_plan.environment}"
    assert {a: int(page.inner_text(f"#count-{a}")) for a in counts} == counts
    assert visible_changes(page) == len(mixed_plan.changes)
    for risk, label in mixed_plan.risks():
        assert page.get_by_text(f"{label}: {risk}").count() == 1
    for cred in mixed_plan.credentials:
        assert page.locator("#credentials").get_by_text(cred.account, exact=True).first.is_visible()

    # CSS-only filters: by action, then by kind, then back to everything.
    page.click("label[for=f-a-delete]")
    assert visible_changes(page) == counts["delete"]
    page.click("label[for=f-a-all]")
    page.click("label[for=f-k-queue]")
    assert visible_changes(page) == sum(c.kind == "queue" for c in mixed_plan.changes)
    page.click("label[for=f-k-all]")
    assert visible_changes(page) == len(mixed_plan.changes)

    # Expand the first update: its before/after table shows the plan's values side by side.
    number, update = next(
        (i, c) for i, c in enumerate(mixed_plan.changes, start=1) if c.action == "update"
    )
    details = page.locator(f"#change-{number}")
    diff = details.locator("table.diff")
    assert not diff.is_visible()
    details.locator("summary").click()
    assert diff.is_visible()
    column = update.columns[0]  # in the configuration's words, Dataverse's column beside
    row = diff.locator("tr", has=page.locator(f"th code:text-is('{column.field}')"))
    assert row.locator("td.before").inner_text() == str(column.field_before)
    assert row.locator("td.after").inner_text() == str(column.field_after)
    assert row.locator("td.muted code").inner_text() == f"{update.table}.{column.column}"

    shot = artifacts() / "plan-report.png"
    shot.unlink(missing_ok=True)  # never pass on an earlier run's picture
    page.screenshot(path=shot, full_page=True)
    record_property("screenshot", str(shot))  # in --junitxml reports
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 10_000
    assert requested == [(tmp_path / "plan.html").as_uri()], "the page fetched something"


HOSTILE = "<script>alert('x')</script> & \"quoted\""


def test_everything_from_the_plan_is_escaped(browser: Browser, tmp_path: Path) -> None:
    plan = Plan(
        environment="prod<b>",
        target="https://contoso.crm.dynamics.com",
        org_id="org",
        config_digest="sha256:0",
        changes=(
            Change(
                "update",
                "weird kind!",
                HOSTILE,
                "queue",
                ("q",),
                "id-1",
                columns=(ColumnChange("name", HOSTILE, "</pre></td>after"),),
                risks=(HOSTILE,),
            ),
        ),
        credentials=(Credential(HOSTILE, "telesign", "C1", "invalid", HOSTILE),),
    )
    html = render(plan)
    assert "<script" not in html and "</pre></td>after" not in html
    page, _ = open_page(browser, html, tmp_path)
    page.click("#change-1 summary")
    assert page.locator("#change-1 td.after").inner_text() == "</pre></td>after"
    assert page.locator("#change-1 summary").inner_text().endswith(HOSTILE)
    page.click("label[for=f-k-weird-kind-]")
    assert visible_changes(page) == 1


def test_a_plan_without_changes_says_so(mixed_plan: Plan) -> None:
    html = render(dataclasses.replace(mixed_plan, changes=()))
    assert "No changes. The organisation matches the configuration." in html
    assert 'id="count-create">0<' in html


def test_plan_format_html_out_writes_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = make_workspace(tmp_path, monkeypatch)
    result = ws.plan("--format", "html", "--out", "plan.html", "--skip-credentials")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Plan: ") and result.stdout.endswith("Report: plan.html\n")
    page = (tmp_path / "plan.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "count-create" in page
    assert "html" in RENDERERS
