"""The routing pictures drawn by real renderers: every Mermaid block of real plans' comments
rendered by Mermaid itself (mermaid-cli under Debian's chromium, pinned by
tests/render/node/package-lock.json), hostile names included, and the HTML report's SVG looked
at in the browser with scripts off, within its Content-Security-Policy.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from tests.render.test_html import CHROMIUM, CHROMIUM_ARGS, artifacts, open_page
from tests.render.test_html import browser as browser  # the fixture, one definition

from smsconf.reconcile.plan import Plan
from smsconf.render import RENDERERS
from smsconf.render.escape import MERMAID_BACKSLASH, visible
from smsconf.render.markdown import MAX_CHARS
from smsconf.render.routing_graph import markdown_section, mermaid
from smsconf.routing.graph import Graph, build
from smsconf.routing.model import Rule, WorkstreamRouting

NODE = Path(__file__).parent / "node"
MMDC = NODE / "node_modules" / ".bin" / "mmdc"
HOSTILE = {
    "workstream": 'Sales"] --> x["pwned',
    "rule": "end\n%% comment `code` <img src=x onerror=alert(1)>",
    "queue": "Q #35; style x:#f00; <b>bold</b> & @contoso/support ]) [[",
    "fallback": "Fallback\u202e) --> y{{",
}
FENCED = re.compile(r"^(`{3,})mermaid\n(.*?)^\1$", re.S | re.M)


def hostile_graph() -> Graph:
    return build(
        None,
        WorkstreamRouting(
            name=HOSTILE["workstream"],
            number="14255550100",
            fallback=HOSTILE["fallback"],
            route_to_queue=(
                Rule(HOSTILE["rule"], queue=HOSTILE["queue"]),
                Rule("Split", split=((HOSTILE["queue"], 70), (HOSTILE["fallback"], 30))),
            ),
        ),
    )


def render_with_mermaid(markdown: str, where: Path) -> list[str]:
    """Each Mermaid block of `markdown` as the SVG Mermaid draws of it (mmdc fails on any
    block it cannot parse)."""
    if not MMDC.exists():
        pytest.fail(
            f"{MMDC} is missing: run `npm ci` in {NODE} (.ci/run does this before the tests)"
        )
    config = where / "puppeteer.json"
    config.write_text(json.dumps({"executablePath": CHROMIUM, "args": CHROMIUM_ARGS}))
    source, out = where / "plan.md", where / "out.md"
    source.write_text(markdown, encoding="utf-8")
    done = subprocess.run(
        [str(MMDC), "-i", str(source), "-o", str(out), "-p", str(config), "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PUPPETEER_EXECUTABLE_PATH": CHROMIUM, "PATH": "/usr/bin:/bin", "HOME": str(where)},
    )
    assert done.returncode == 0, done.stderr + done.stdout
    blocks = len(FENCED.findall(markdown))
    svgs = [where / f"out-{i}.svg" for i in range(1, blocks + 1)]
    return [svg.read_text(encoding="utf-8") for svg in svgs]


class _Labels(HTMLParser):
    """The text of an SVG Mermaid drew, label by label (its HTML labels' text joined)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.labels: list[str] = []
        self.text: list[str] = []
        self.tags: set[str] = set()
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "p":
            self.depth += 1
            self.labels.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.depth:
            self.labels[-1] += data


def labels(svg: str) -> _Labels:
    parser = _Labels()
    parser.feed(svg)
    return parser


def test_mermaid_draws_every_picture_of_real_plans(
    edited_plan: Plan, empty_plan: Plan, tmp_path: Path
) -> None:
    for i, plan in enumerate((edited_plan, empty_plan)):
        markdown = RENDERERS["markdown"](plan)
        where = tmp_path / str(i)
        where.mkdir()
        svgs = render_with_mermaid(markdown, where)
        assert len(svgs) == len(plan.routing) >= 2
        for graph, svg in zip(plan.routing, svgs, strict=True):
            drawn = labels(svg).labels
            for node in graph.nodes:
                if node.kind != "more":
                    assert any(node.label in text for text in drawn), (node.label, drawn)
            assert "Syntax error" not in svg


def test_hostile_names_are_text_in_the_mermaid_source_and_in_what_mermaid_draws(
    tmp_path: Path,
) -> None:
    graph = hostile_graph()
    source = mermaid(graph)
    for line in source:
        assert "`" not in line and "<" not in line.replace("<br>", "")
        for label in re.findall(r'\["(.*?)"\]|\|"(.*?)"\|', line):
            assert '"' not in "".join(label)
    section = markdown_section(graph)
    assert len(FENCED.findall(section)) == 1  # no name closed the fence or opened another
    (svg,) = render_with_mermaid(section, tmp_path)
    drawn = labels(svg)
    for name in HOSTILE.values():
        shown = visible(name).replace("\\", MERMAID_BACKSLASH)
        assert any(shown in text for text in drawn.labels), (name, drawn.labels)
    assert not drawn.tags & {"script", "img", "b", "a", "foreignobject-script"}


def test_the_reports_svg_in_a_browser(browser: Browser, edited_plan: Plan, tmp_path: Path) -> None:
    """Scripts off and every request recorded: the pictures are drawn, inside the page's CSP
    (a violation is a console error), and a screenshot is kept as an artifact."""
    page, requested = open_page(browser, RENDERERS["html"](edited_plan), tmp_path)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.reload()
    pictures = page.locator("#routing svg")
    assert pictures.count() == len(edited_plan.routing) == 2
    for i in range(pictures.count()):
        box = pictures.nth(i).bounding_box()
        assert box is not None and box["width"] > 400 and box["height"] > 60
    support = page.locator("#routing-0")
    assert support.get_by_text("~ VIP accounts").count() == 1
    assert support.get_by_text("+ SMS Support Priority").count() == 1
    assert support.get_by_text("80%").count() == 1
    assert [u for u in requested if not u.startswith("file:")] == []
    assert not [m for m in console if "Content Security Policy" in m]
    shot = artifacts() / "routing-report.png"
    shot.unlink(missing_ok=True)
    page.locator("#routing").screenshot(path=shot)
    assert shot.read_bytes().startswith(b"\x89PNG")


def test_a_hostile_name_brings_no_element_into_the_reports_svg() -> None:
    plan = Plan(None, "local", "org", "sha256:0", routing=(hostile_graph(),))
    page = RENDERERS["html"](plan)
    start = page.index('<section id="routing">')
    section = page[start : page.index("</section>", start)]
    parser = _Labels()
    parser.feed(section)
    allowed = {"section", "h2", "p", "figure", "figcaption", "div", "svg", "defs", "marker"}
    allowed |= {"path", "rect", "text", "g", "title"}
    assert parser.tags <= allowed
    shown = "".join(parser.text)
    for name in HOSTILE.values():
        assert visible(name)[:30] in shown, name  # as text (a long name is cut, never lost)


def test_pictures_never_crowd_the_changes_out_of_the_comment(edited_plan: Plan) -> None:
    """Eighty changed workstreams' pictures take at most a third of the comment; the rest
    are counted, and every object's changes are still shown."""
    crowded = dataclasses.replace(edited_plan, routing=edited_plan.routing * 40)
    markdown = RENDERERS["markdown"](crowded)
    shown = len(FENCED.findall(markdown))
    assert 0 < shown < len(crowded.routing)
    assert f"_{len(crowded.routing) - shown} routing picture(s) not shown" in markdown
    assert "object(s) not shown" not in markdown
    objects = RENDERERS["markdown"](dataclasses.replace(edited_plan, routing=()))
    assert markdown.count("change(s) (") == objects.count("change(s) (") >= 4
    assert len(markdown) <= MAX_CHARS
