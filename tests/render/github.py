"""A pull-request comment as GitHub shows it: CommonMark + GFM tables and strikethrough
(markdown-it-py), then GitHub's HTML sanitising approximated (html-pipeline's allowlist:
comments dropped, disallowed tags removed, their text kept), reduced to what a reader sees.

Shared by the renderer tests and `bench/reliability.py`'s hostile-name cases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from markdown_it import MarkdownIt

_PARSER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
MENTION = re.compile(r"(?<![A-Za-z0-9_`])@([A-Za-z0-9][A-Za-z0-9-]*(?:/[A-Za-z0-9][\w.-]*)?)")
"""GitHub's mention: an @ not inside a word, then a login (and a team after a slash)."""
QUIET = ("pre", "code", "a")


@dataclass
class Shown:
    """What a reader of the rendered comment sees and what the page is made of."""

    code_lines: list[str] = field(default_factory=list)
    """Each line of each code block (`<pre><code>`), as displayed."""
    tags: list[str] = field(default_factory=list)
    """Every start tag in the rendered HTML (before sanitising)."""
    comments: list[str] = field(default_factory=list)
    details: int = 0
    text: str = ""
    """All visible text (comments dropped), code included."""
    prose: list[str] = field(default_factory=list)
    """Text outside code, code blocks and links: where GitHub turns `@name` into a mention."""

    @property
    def mentions(self) -> list[str]:
        """Who the comment would notify: `@user` and `@org/team` as GitHub links them."""
        return MENTION.findall("".join(self.prose))


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.shown = Shown()
        self.in_code = 0
        self.quiet = 0
        self.code: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.shown.tags.append(tag)
        self.quiet += tag in QUIET
        if tag == "details":
            self.shown.details += 1
        if tag == "pre":
            self.in_code += 1
            self.code = []

    def handle_endtag(self, tag: str) -> None:
        self.quiet -= tag in QUIET and self.quiet > 0
        if tag == "pre" and self.in_code:
            self.in_code -= 1
            self.shown.code_lines += "".join(self.code).rstrip("\n").split("\n")

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if not self.quiet:
            self.shown.prose.append(data)
        if self.in_code:
            self.code.append(data)

    def handle_comment(self, data: str) -> None:
        self.shown.comments.append(data)


def render(markdown: str) -> str:
    return _PARSER.render(markdown)


def shown(markdown: str) -> Shown:
    reader = _Reader()
    reader.feed(render(markdown))
    reader.close()
    reader.shown.text = "".join(reader.text)
    return reader.shown
