"""`plan --base-plan FILE`: a pull request's plan knows what the base branch trusted.

The plan lists every host it contacts and every secret reference it reads; against the plan of
the base branch (what CI makes on every pull request, see action.yml) each host or reference
the base did not trust so is a risk flag, located, in every format. A pull request that
trusts nothing new says so and flags nothing. The comparison is review information only: a
plan saved with it applies as any other (`apply --plan` never needs the base).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator
from tests.dataverse.peers import served
from tools.testkit.echo import echo_server

from smsconf.cli import main
from smsconf.emulator.dataverse import create_app
from smsconf.exitcodes import ExitCode
from smsconf.hosts import ALLOW_ENV, authority

ACCOUNT = """\
      - name: {name}
        customer_id: DEMO-CUSTOMER-000{n}
        endpoint: {endpoint}
        api_key: {key}
    """


@pytest.fixture(autouse=True)
def _job(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SMSCONF_TOKEN", "static-token-of-the-job")
    monkeypatch.delenv(ALLOW_ENV, raising=False)
    monkeypatch.setenv("SMSCONF_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def configuration(path: Path, accounts: list[tuple[str, str, str]]) -> Path:
    """Environment `ci` and one Telesign account per (name, endpoint, key reference)."""
    text = "environments:\n  ci:\n    target: https://contoso.crm.dynamics.com\naccounts:\n"
    for n, (name, endpoint, key) in enumerate(accounts, 1):
        text += textwrap.indent(
            textwrap.dedent(ACCOUNT).format(name=name, n=n, endpoint=endpoint, key=key), ""
        )
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_a_new_endpoint_host_and_a_new_secret_are_flagged_where_they_are_written(
    tmp_path: Path,
) -> None:
    app = create_app(tmp_path / "org.sqlite")
    try:
        with served(app) as org, echo_server() as old, echo_server() as new:
            allowed = ["--target", org, "--allow-host", old.url, "--allow-host", new.url]
            base = configuration(tmp_path / "base.yaml", [("contoso", old.url, "${env:A:-a}")])
            run("plan", str(base), "--env", "ci", *allowed, "--out", "base.json")
            pr = configuration(
                tmp_path / "pr.yaml",
                [("contoso", old.url, "${env:A:-a}"), ("fabrikam", new.url, "${env:B:-b}")],
            )
            compare = ["--env", "ci", *allowed, "--base-plan", "base.json"]
            outputs = {
                fmt: run("plan", str(pr), *compare, "--format", fmt, "--out", f"pr.{fmt}.json")
                for fmt in ("text", "markdown", "json")
            }
            html = run(
                "plan", str(pr), "--env", "ci", *allowed, "--base-plan", "base.json",
                "--format", "html", "--out", "pr.html",
            )  # fmt: skip
    finally:
        app.close()
    host = f"telesign {authority(new.url)}"
    endpoint_at = f"{pr}:{line_of(pr, new.url)}:"
    key_at = f"{pr}:{line_of(pr, '${env:B:-b}')}:"
    text = outputs["text"].output
    assert outputs["text"].exit_code == ExitCode.CREDENTIALS  # the listeners refuse the keys
    assert f"! new host since the base branch: {host} (allowed, not documented); named by" in text
    assert endpoint_at in text and key_at in text
    assert "! new secret reference since the base branch: ${env:B:-…} (account 'fabrikam')" in text
    assert "compared with the base plan" in text and "2 new or changed" in text
    assert authority(old.url) not in "".join(x for x in text.splitlines() if "since" in x)
    markdown = outputs["markdown"].output
    assert f"⚠️ **Trust changed:** new host since the base branch: `{host}`" in markdown
    assert "new secret reference since the base branch: `${env:B:-…}`" in markdown
    saved = json.loads(Path("pr.json.json").read_text(encoding="utf-8"))
    changes = saved["trust_base"]["changes"]
    assert [(c["kind"], c["change"], c["subject"]) for c in changes] == [
        ("host", "new", host),
        ("secret", "new", "account 'fabrikam'"),
    ]
    assert changes[0]["named_by"].startswith(endpoint_at)
    assert changes[1]["named_by"].startswith(key_at)
    page = Path("pr.html").read_text(encoding="utf-8")
    assert html.exit_code == ExitCode.CREDENTIALS
    assert f'<li class="risk">⚠ new host since the base branch: {host}' in page


def test_a_secret_reference_read_from_elsewhere_is_flagged_and_an_unchanged_one_is_not(
    tmp_path: Path,
) -> None:
    """On the local organisation (no host of the YAML is contacted there), the secrets alone."""
    demo = "https://rest-api.telesign.com"
    base = configuration(tmp_path / "c.yaml", [("contoso", demo, "${env:A:-a}")])
    assert run("plan", str(base), "--env", "ci", "--target", "local", "--out", "base.json")
    same = run("plan", str(base), "--env", "ci", "--target", "local", "--base-plan", "base.json")
    assert "no new or changed host or secret reference" in same.output, same.output
    assert "since the base branch" not in same.output and "now reads" not in same.output
    configuration(base, [("contoso", demo, "${env:OTHER:-a}")])
    moved = run("plan", str(base), "--env", "ci", "--target", "local", "--base-plan", "base.json")
    at = f"{base}:{line_of(base, 'OTHER')}:"
    assert (
        f"! account 'contoso' now reads ${{env:OTHER:-…}} (was ${{env:A:-…}} in the base branch); "
        f"named by {at}"
    ) in moved.output, moved.output


def test_a_plan_saved_with_a_base_applies_like_any_other(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("queues:\n  - name: Q\n    managed: true\n", encoding="utf-8")
    run("plan", str(config), "--out", "base.json")
    config.write_text("queues:\n  - name: Q\n    managed: true\n    priority: 3\n", "utf-8")
    saved = run("plan", str(config), "--base-plan", "base.json", "--out", "pr.json")
    assert "no new or changed host" in saved.output
    applied = run("apply", "--plan", "pr.json", "--auto-approve")
    assert applied.exit_code == ExitCode.OK, applied.output
    shown = run("show", "pr.json")
    assert "trust: compared with the base plan" in shown.output


def test_a_base_plan_of_another_environment_or_no_plan_at_all_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(
        "environments:\n  a: {target: local}\n  b: {target: local}\n"
        "queues:\n  - name: Q\n    managed: true\n",
        encoding="utf-8",
    )
    run("plan", str(config), "--env", "a", "--out", "a.json")
    other = run("plan", str(config), "--env", "b", "--base-plan", "a.json")
    assert other.exit_code == ExitCode.USAGE
    assert "is a plan of environment a, not of b" in other.output
    Path("junk.json").write_text("[]", encoding="utf-8")
    junk = run("plan", str(config), "--env", "a", "--base-plan", "junk.json")
    assert junk.exit_code == ExitCode.PLAN_FILE_INVALID, junk.output


def test_the_base_configuration_is_compared_without_contacting_its_hosts(tmp_path: Path) -> None:
    """`--base-config` (what the Action passes: a checkout of the base commit): the base's hosts
    and references are found from its files alone, so a host only the base named is never
    contacted, and the pull request's new endpoint is flagged where it is written."""
    (tmp_path / "base").mkdir()
    app = create_app(tmp_path / "org.sqlite")
    try:
        with served(app) as org, echo_server() as old, echo_server() as new:
            allowed = ["--target", org, "--allow-host", old.url, "--allow-host", new.url]
            base = configuration(tmp_path / "base" / "c.yaml", [("contoso", old.url, "${env:A}")])
            pr = configuration(tmp_path / "c.yaml", [("contoso", new.url, "${env:A}")])
            result = CliRunner(env={"A": "key"}).invoke(
                main,
                ["plan", str(pr), "--env", "ci", *allowed, "--base-config", str(base.parent)],
            )
            unchanged = CliRunner(env={"A": "key"}).invoke(
                main,
                ["plan", str(pr), "--env", "ci", *allowed, "--base-config", str(pr)],
            )
            old_received = old.received
    finally:
        app.close()
    assert old_received == []  # only the base names it: never contacted
    at = f"{pr}:{line_of(pr, new.url)}:"
    assert (
        f"! new host since the base branch: telesign {authority(new.url)} (allowed, not "
        f"documented); named by {at}"
    ) in result.output, result.output
    assert "compared with the base configuration: 1 new or changed" in result.output
    assert "since the base branch" not in unchanged.output
    assert "compared with the base configuration: no new or changed" in unchanged.output


def test_base_plan_and_base_config_exclude_each_other(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("queues:\n  - name: Q\n    managed: true\n", encoding="utf-8")
    run("plan", str(config), "--out", "base.json")
    both = run("plan", str(config), "--base-plan", "base.json", "--base-config", str(config))
    assert both.exit_code == ExitCode.USAGE and "not both" in both.output


def test_a_file_reference_of_the_base_checkout_is_the_same_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The base commit is checked out elsewhere (the runner's temporary directory): its
    `${file:}` references are compared as written in its repository, not by runner path."""
    for root in (tmp_path / "repo", tmp_path / "runner" / "base"):
        (root / ".git").mkdir(parents=True)
        (root / "secrets").mkdir()
        (root / "secrets" / "key").write_text("a-key\n", encoding="utf-8")
        configuration(
            root / "c.yaml",
            [("contoso", "https://rest-api.telesign.com", "${file:secrets/key}")],
        )
    monkeypatch.chdir(tmp_path / "repo")
    base = str(tmp_path / "runner" / "base" / "c.yaml")
    result = run("plan", "c.yaml", "--env", "ci", "--target", "local", "--base-config", base)
    assert "${file:secrets/key}" in result.output, result.output
    assert "compared with the base configuration: no new or changed" in result.output


def test_a_plan_compared_with_a_base_configuration_validates_against_the_plan_schema(
    tmp_path: Path,
) -> None:
    schema = json.loads(
        (Path(__file__).resolve().parents[2] / "schemas" / "plan.schema.json").read_text("utf-8")
    )
    config = configuration(
        tmp_path / "c.yaml", [("contoso", "https://rest-api.telesign.com", "${env:A:-a}")]
    )
    base = configuration(
        tmp_path / "base.yaml", [("contoso", "https://rest-api.telesign.com", "${env:B:-b}")]
    )
    run(
        "plan",
        str(config),
        "--env",
        "ci",
        "--target",
        "local",
        "--base-config",
        str(base),
        "--out",
        "p.json",
    )
    document = json.loads(Path("p.json").read_text(encoding="utf-8"))
    assert document["trust_base"]["checksum"] is None and document["trust_base"]["changes"]
    assert list(Draft202012Validator(schema).iter_errors(document)) == []
