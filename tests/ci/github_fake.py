"""An in-process fake of GitHub's issue-comments REST API, as much of it as the sticky comment uses.

It pages like GitHub (`per_page` at most 100, a `Link: <…>; rel="next"` header while more
remain), checks the bearer token, and records every request so tests can count writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TOKEN = "ghs_test-token"


@dataclass
class FakeGitHub:
    repo: str = "contoso/sms-config"
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    next_id: int = 1000
    next_host: str | None = None
    """Point the `Link: rel="next"` header at this host instead (a hostile or broken server)."""
    next_scheme: str | None = None
    """... or at this scheme (`http`: the same host, the token in clear)."""

    def add(self, issue: int, body: str, user: str = "someone") -> int:
        """A comment written by someone else (or an earlier run), before the test starts."""
        self.next_id += 1
        self.comments[self.next_id] = {
            "id": self.next_id,
            "issue": issue,
            "body": body,
            "user": {"login": user},
            "html_url": f"https://github.test/{self.repo}/pull/{issue}#issuecomment-{self.next_id}",
        }
        return self.next_id

    def on(self, issue: int) -> list[dict[str, Any]]:
        return [c for c in self.comments.values() if c["issue"] == issue]

    def writes(self) -> list[tuple[str, str]]:
        return [r for r in self.requests if r[0] != "GET"]

    def app(self) -> Starlette:
        async def guard(request: Request) -> JSONResponse | None:
            self.requests.append((request.method, request.url.path))
            if request.headers.get("authorization") != f"Bearer {TOKEN}":
                return JSONResponse({"message": "Bad credentials"}, status_code=401)
            owner, name = request.path_params["owner"], request.path_params["name"]
            if f"{owner}/{name}" != self.repo:
                return JSONResponse({"message": "Not Found"}, status_code=404)
            return None

        async def issue_comments(request: Request) -> JSONResponse:
            if refused := await guard(request):
                return refused
            issue = int(request.path_params["issue"])
            if request.method == "POST":
                new = self.add(issue, (await request.json())["body"], user="github-actions[bot]")
                return JSONResponse(_public(self.comments[new]), status_code=201)
            per_page = min(int(request.query_params.get("per_page", 30)), 100)
            page = int(request.query_params.get("page", 1))
            listed = self.on(issue)
            chunk = listed[(page - 1) * per_page : page * per_page]
            headers = {}
            if page * per_page < len(listed):
                nxt = request.url.include_query_params(page=page + 1)
                if self.next_host:
                    nxt = nxt.replace(netloc=self.next_host)
                if self.next_scheme:
                    nxt = nxt.replace(scheme=self.next_scheme)
                headers["Link"] = f'<{nxt}>; rel="next"'
            return JSONResponse([_public(c) for c in chunk], headers=headers)

        async def one_comment(request: Request) -> JSONResponse:
            if refused := await guard(request):
                return refused
            comment = self.comments.get(int(request.path_params["comment"]))
            if comment is None:
                return JSONResponse({"message": "Not Found"}, status_code=404)
            comment["body"] = (await request.json())["body"]
            return JSONResponse(_public(comment))

        return Starlette(
            routes=[
                Route(
                    "/repos/{owner}/{name}/issues/{issue:int}/comments",
                    issue_comments,
                    methods=["GET", "POST"],
                ),
                Route(
                    "/repos/{owner}/{name}/issues/comments/{comment:int}",
                    one_comment,
                    methods=["PATCH"],
                ),
            ]
        )


def _public(comment: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in comment.items() if k != "issue"}
