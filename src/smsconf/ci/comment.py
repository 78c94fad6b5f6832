"""One sticky pull-request comment per plan, found again by the Markdown renderer's marker.

Atlantis users complain about comment spam (a new comment on every push) and about comments
split in pieces (reconciler-peers.md §5). This keeps exactly one comment: it pages through the
pull request's comments (GitHub returns at most 100 a page), PATCHes the first one that carries
the hidden marker, and POSTs a new one only when none does. Other comments are never touched.

One comment per environment, not per pull request: the renderer puts the plan's heading (which
names the environment) right after the marker, and a comment is "ours" only when that heading
matches too. A workflow that plans dev and prod on the same pull request keeps two comments, each
updated in place, instead of two jobs overwriting one comment with alternating plans.

It speaks the GitHub REST API with httpx so tests can run it against an in-process fake of the
comments API through the transport hook, the same way the Dataverse client is tested.

The token goes to one origin only: `api.github.com`, or the runner's `GITHUB_API_URL` (GitHub
Enterprise Server). A `Link: rel="next"` to any other scheme, host or port is refused, redirects
are never followed, and the token is registered with the redactor, so an API error that echoes
the request cannot print it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from smsconf.redact import register
from smsconf.render.markdown import MARKER

DEFAULT_API_URL = "https://api.github.com"
PAGE_SIZE = 100
MAX_BODY = 65_536
"""GitHub refuses a comment body longer than this; the Markdown renderer stays well under it."""


class CommentError(RuntimeError):
    """The comment could not be found, created or updated (the message never holds the token)."""


@dataclass(frozen=True)
class CommentResult:
    action: Literal["created", "updated"]
    id: int
    url: str


async def upsert_comment(
    repo: str,
    pr: int,
    body: str,
    token: str,
    *,
    api_url: str | None = None,
    marker: str = MARKER,
    transport: httpx.AsyncBaseTransport | None = None,
) -> CommentResult:
    """Create the pull request's plan comment, or update it in place when it already exists."""
    if marker not in body:
        raise CommentError(
            f"the comment body lacks the marker {marker}: it could not be found again"
        )
    if len(body) > MAX_BODY:
        raise CommentError(f"the comment body has {len(body)} characters; GitHub allows {MAX_BODY}")
    if repo.count("/") != 1 or not all(repo.split("/")):
        raise CommentError(f"not a repository as OWNER/NAME: {repo!r}")
    base = (api_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
    register(token)
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": "smsconf",
    }
    identity = sticky_identity(body, marker)
    async with httpx.AsyncClient(
        base_url=base, headers=headers, transport=transport, timeout=30.0, follow_redirects=False
    ) as client:
        existing = await _find(client, repo, pr, marker, identity)
        if existing is None:
            reply = await client.post(f"/repos/{repo}/issues/{pr}/comments", json={"body": body})
            return _result("created", reply, f"create a comment on {repo}#{pr}")
        reply = await client.patch(f"/repos/{repo}/issues/comments/{existing}", json={"body": body})
        return _result("updated", reply, f"update comment {existing} on {repo}#{pr}")


def _result(
    action: Literal["created", "updated"], reply: httpx.Response, doing: str
) -> CommentResult:
    comment = _json(reply, doing)
    return CommentResult(action, int(comment["id"]), str(comment.get("html_url", "")))


def sticky_identity(body: str, marker: str = MARKER) -> str | None:
    """What makes two plan comments the same comment: the first line after the marker (the
    plan's heading, naming its environment), whitespace aside; None without the marker."""
    at = body.find(marker)
    if at < 0:
        return None
    following = body[at + len(marker) :].strip().splitlines()
    return " ".join(following[0].split()) if following else ""


async def _find(
    client: httpx.AsyncClient, repo: str, pr: int, marker: str, identity: str | None
) -> int | None:
    """Id of the first comment with the same identity, following the `Link: rel="next"` pages."""
    url: str | None = f"/repos/{repo}/issues/{pr}/comments?per_page={PAGE_SIZE}"
    while url is not None:
        reply = await client.get(url)
        for comment in _json(reply, f"list comments of {repo}#{pr}"):
            if sticky_identity(comment.get("body") or "", marker) == identity:
                return int(comment["id"])
        url = reply.links.get("next", {}).get("url")
        if url is not None and not _same_origin(client.base_url.join(url), client.base_url):
            # The token goes with every request: never to a host the API merely named.
            raise CommentError(f"the next page of comments is on another host: {url}")
    return None


def _same_origin(url: httpx.URL, base: httpx.URL) -> bool:
    """Scheme, host and port: `http://` on the same host is another origin (the token in
    clear), and so is another port."""
    return (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)


def _json(reply: httpx.Response, doing: str) -> Any:
    if reply.is_success:
        return reply.json()
    try:
        message = reply.json().get("message", "")
    except ValueError:
        message = reply.text[:200]
    raise CommentError(f"cannot {doing}: HTTP {reply.status_code} {message}".rstrip())
