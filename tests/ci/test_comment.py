"""The sticky plan comment against a fake of GitHub's comments API: one comment, ever."""

from __future__ import annotations

import base64
import re

import httpx
import pytest
from click.testing import CliRunner
from tests.ci.github_fake import TOKEN, FakeGitHub
from tests.dataverse.peers import served
from tools.testkit.echo import echo_server

from smsconf.ci.comment import CommentError, sticky_identity, upsert_comment
from smsconf.cli import main
from smsconf.exitcodes import ExitCode
from smsconf.render.markdown import MARKER

PR = 42
API = "https://api.github.test"


def plan_body(text: str) -> str:
    return f"{MARKER}\n### smsconf plan: `test`\n\n{text}\n"


async def upsert(fake: FakeGitHub, body: str, **kw: object) -> object:
    transport = httpx.ASGITransport(app=fake.app())
    return await upsert_comment(
        fake.repo, PR, body, kw.pop("token", TOKEN), api_url=API, transport=transport, **kw
    )


async def test_first_run_creates_second_run_updates_the_same_comment() -> None:
    fake = FakeGitHub()
    other = fake.add(PR, "LGTM, but check the queue names")
    elsewhere = fake.add(PR + 1, plan_body("another pull request's plan"))

    first = await upsert(fake, plan_body("1 to create"))
    second = await upsert(fake, plan_body("1 to update"))

    assert (first.action, second.action) == ("created", "updated")
    assert first.id == second.id
    ours = [c for c in fake.on(PR) if MARKER in c["body"]]
    assert [c["id"] for c in ours] == [first.id]
    assert ours[0]["body"] == plan_body("1 to update")
    assert fake.comments[other]["body"] == "LGTM, but check the queue names"
    assert fake.comments[elsewhere]["body"] == plan_body("another pull request's plan")
    assert fake.writes() == [
        ("POST", f"/repos/{fake.repo}/issues/{PR}/comments"),
        ("PATCH", f"/repos/{fake.repo}/issues/comments/{first.id}"),
    ]


async def test_the_marked_comment_is_found_past_the_first_page() -> None:
    fake = FakeGitHub()
    for i in range(230):  # GitHub pages at 100: the plan comment sits on page 3
        fake.add(PR, f"review comment {i}")
    old = fake.add(PR, plan_body("old plan"))

    result = await upsert(fake, plan_body("new plan"))

    assert (result.action, result.id) == ("updated", old)
    assert fake.comments[old]["body"] == plan_body("new plan")
    assert len(fake.on(PR)) == 231
    listed = [r for r in fake.requests if r[0] == "GET"]
    assert len(listed) == 3


@pytest.mark.parametrize(
    ("host", "scheme", "shown"),
    [
        ("evil.example", None, "https://evil.example/"),
        ("api.github.test:4443", None, "https://api.github.test:4443/"),
        (None, "http", "http://api.github.test/"),  # the same host, the token in clear
    ],
)
async def test_a_next_page_on_another_origin_is_not_followed(
    host: str | None, scheme: str | None, shown: str
) -> None:
    fake = FakeGitHub(next_host=host, next_scheme=scheme)
    for i in range(101):
        fake.add(PR, f"review comment {i}")
    with pytest.raises(CommentError, match=f"another host: {re.escape(shown)}"):
        await upsert(fake, plan_body("x"))
    assert fake.writes() == [] and len(fake.requests) == 1


async def test_a_body_without_the_marker_is_refused_before_any_request() -> None:
    fake = FakeGitHub()
    with pytest.raises(CommentError, match="marker"):
        await upsert(fake, "### a plan without its marker\n")
    assert fake.requests == []


async def test_an_api_refusal_is_reported_without_the_token() -> None:
    fake = FakeGitHub()
    with pytest.raises(CommentError, match="HTTP 401 Bad credentials") as caught:
        await upsert(fake, plan_body("x"), token="ghs_wrong-secret-token")
    assert "ghs_wrong" not in str(caught.value)
    assert fake.writes() == []


def test_cli_posts_then_updates_over_a_real_socket(tmp_path, monkeypatch) -> None:
    fake = FakeGitHub()
    plan_md = tmp_path / "plan.md"
    with served(fake.app()) as url:
        monkeypatch.setenv("GITHUB_API_URL", url)
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        args = ["ci", "comment", "--repo", fake.repo, "--pr", str(PR), "--file", str(plan_md)]
        plan_md.write_text(plan_body("first"), encoding="utf-8")
        first = CliRunner().invoke(main, args)
        plan_md.write_text(plan_body("second"), encoding="utf-8")
        second = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert first.output.startswith("created comment ")
    assert second.output.startswith("updated comment ")
    assert [c["body"] for c in fake.on(PR)] == [plan_body("second")]


def test_an_api_that_echoes_the_token_gets_it_printed_nowhere(tmp_path, monkeypatch) -> None:
    """A GitHub (or a proxy) answering with the request in its error: the CLI says what failed
    and the token is redacted, in every encoding."""
    token = "ghs_the-job-token-0123456789abcdef"
    plan_md = tmp_path / "plan.md"
    plan_md.write_text(plan_body("x"), encoding="utf-8")
    with echo_server() as echo:
        monkeypatch.setenv("GITHUB_API_URL", echo.url)
        monkeypatch.setenv("GITHUB_TOKEN", token)
        args = ["ci", "comment", "--repo", "o/r", "--pr", "1", "--file", str(plan_md)]
        result = CliRunner().invoke(main, args)
    assert f"Bearer {token}" in echo.raw.decode()
    assert result.exit_code == 1 and "you sent" in result.output
    encoded = base64.b64encode(token.encode()).decode()
    assert token not in result.output and encoded not in result.output


def test_cli_without_a_token_is_a_usage_error(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    plan_md = tmp_path / "plan.md"
    plan_md.write_text(plan_body("x"), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["ci", "comment", "--repo", "o/r", "--pr", "1", "--file", str(plan_md)]
    )
    assert result.exit_code == ExitCode.USAGE
    assert "GITHUB_TOKEN" in result.output


def env_body(environment: str, text: str) -> str:
    return f"{MARKER}\n### smsconf plan: `{environment}`\n\n{text}\n"


async def test_each_environment_keeps_its_own_comment() -> None:
    """Two plan jobs (dev and prod) on one pull request: two comments, each updated in place."""
    fake = FakeGitHub()

    dev = await upsert(fake, env_body("dev", "1 to create"))
    prod = await upsert(fake, env_body("prod", "2 to update"))
    prod_again = await upsert(fake, env_body("prod", "no changes"))

    assert (dev.action, prod.action, prod_again.action) == ("created", "created", "updated")
    assert prod_again.id == prod.id != dev.id
    assert fake.comments[dev.id]["body"] == env_body("dev", "1 to create")
    assert fake.comments[prod.id]["body"] == env_body("prod", "no changes")


def test_the_identity_is_the_heading_after_the_marker() -> None:
    assert sticky_identity(env_body("prod", "x")) == "### smsconf plan: `prod`"
    assert sticky_identity("a reply\r\n" + env_body("prod", "y").replace("\n", "\r\n")) == (
        "### smsconf plan: `prod`"
    )
    assert sticky_identity("### smsconf plan: `prod`\n") is None
