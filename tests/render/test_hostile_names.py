"""Names are data, never markup or control, in all four views of a real plan.

The configuration refuses such names (tests/config/test_names.py), but an organisation's rows
bring whatever they hold, so the renderers must hold on their own: the example is planned
against an empty local organisation, then its first queue's name becomes the one that hid most
of a comment (it closed the diff block and opened an HTML comment), its workstream's a terminal
escape sequence and a right-to-left override, and the customer id CR LF followed by a forged
credential line, as names read from a hostile organisation would reach the plan. Every change
line must stay visible as GitHub renders the comment, the text plan must print exactly one line
per change and no control character, the HTML page must carry no element a name brought, and
the JSON must give every name back exactly.
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.render import github
from tests.render.conftest import plan_here
from tools.testkit.workspace import make_workspace

from smsconf.reconcile.plan import Change, Credential, Note, Plan, Unmanaged
from smsconf.render import RENDERERS
from smsconf.render.common import SYMBOL, left_alone, located_line
from smsconf.render.escape import UNSAFE, md_code, md_fence, md_html, md_text, visible

QUEUE = "Greeting queue\n```\n\n</details>\n\n<!--"
WORKSTREAM = "SMS \x1b]0;pwned\x07Support \u202eevil"
CUSTOMER = "DEMO\r\n  credentials of account 'x': ok"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def yaml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


@pytest.fixture(scope="module")
def hostile_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    with pytest.MonkeyPatch.context() as mp:
        make_workspace(tmp_path_factory.mktemp("hostile-names"), mp)
        plan = plan_here()

    def hostile(label: str) -> str:
        label = label.replace("'SMS Support Tier 1'", f"'{QUEUE}'")
        return re.sub(r"'SMS Support'", lambda _: f"'{WORKSTREAM}'", label)

    return dataclasses.replace(
        plan,
        changes=tuple(dataclasses.replace(c, label=hostile(c.label)) for c in plan.changes),
        credentials=tuple(dataclasses.replace(c, customer_id=CUSTOMER) for c in plan.credentials),
    )


def change_lines(plan: Plan) -> list[str]:
    """Each change's diff-block lines as the comment must show them."""
    lines = []
    for change in plan.changes:
        lines.append(f"{SYMBOL[change.action]} {change.action} {visible(change.label)}")
        lines += [f"{SYMBOL[change.action]}     {located_line(change, c)}" for c in change.columns]
    return lines


def test_the_hostile_names_reached_the_plan(hostile_plan: Plan) -> None:
    labels = [c.label for c in hostile_plan.changes]
    assert f"queue '{QUEUE}'" in labels
    assert any(WORKSTREAM in label for label in labels)
    assert hostile_plan.credentials[0].customer_id == CUSTOMER
    assert len(hostile_plan.changes) > 40


def test_every_change_line_stays_visible_as_github_renders_the_comment(
    hostile_plan: Plan,
) -> None:
    markdown = RENDERERS["markdown"](hostile_plan)
    seen = github.shown(markdown)
    expected = change_lines(hostile_plan)
    missing = [line for line in expected if line not in seen.code_lines]
    assert not missing, f"{len(missing)} of {len(expected)} change lines hidden: {missing[:3]}"
    assert seen.comments == [" smsconf-plan "]  # the marker only: no name opened a comment
    assert seen.details == len(re.findall("<details( open)?><summary>", markdown)) >= 10
    assert set(seen.tags) <= {"h3", "table", "thead", "tbody", "tr", "th", "td", "p", "ul"} | {
        "li", "details", "summary", "b", "pre", "code", "sub", "strong"
    }  # fmt: skip


def test_the_text_plan_prints_one_line_per_change_and_no_control_character(
    hostile_plan: Plan,
) -> None:
    for color in (False, True):
        text = RENDERERS["text"](hostile_plan) if not color else _coloured(hostile_plan)
        plain = ANSI.sub("", text)
        assert not UNSAFE.search(plain.replace("\n", "")), "a control character got through"
        steps = [line for line in plain.splitlines() if re.match(r"^[+~-] +\d+\. ", line)]
        assert len(steps) == len(hostile_plan.changes)
        assert "credentials of account 'contoso-telesign' (DEMO\\r\\n  credentials" in plain
        assert "\\x1b]0;pwned\\x07Support \\u202eevil" in plain


def _coloured(plan: Plan) -> str:
    from smsconf.render.text import render

    return render(plan, color=True)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.attribute_values: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attribute_values += [value or "" for _, value in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_html_page_holds_no_element_a_name_brought(hostile_plan: Plan) -> None:
    page = RENDERERS["html"](hostile_plan)
    page.encode("utf-8")
    parser = _Elements()
    parser.feed(page)
    text = "".join(parser.text)
    assert visible(f"queue '{QUEUE}'") in text
    assert not UNSAFE.search(text.replace("\n", ""))
    groups = len(left_alone(hostile_plan))  # the admin center's, the unmanaged
    assert parser.tags.count("details") == len(hostile_plan.changes) + groups


def test_the_json_plan_gives_every_name_back_exactly(hostile_plan: Plan) -> None:
    data = json.loads(RENDERERS["json"](hostile_plan))
    labels = [c["label"] for c in data["resource_changes"]]
    assert labels == [c.label for c in hostile_plan.changes]
    assert Plan.from_json(hostile_plan.to_json()).checksum == hostile_plan.checksum


# --- the escaping functions -----------------------------------------------------------------


def test_unsafe_is_every_control_format_separator_and_surrogate_code_point() -> None:
    wanted = {"Cc", "Cf", "Cs", "Zl", "Zp"}
    for code in range(0x110000):
        char = chr(code)
        category = unicodedata.category(char)
        if category != "Cn":  # unassigned in this Python's Unicode version: either is right
            assert bool(UNSAFE.fullmatch(char)) == (category in wanted), hex(code)


@given(st.text())
def test_a_code_span_holds_any_text(text: str) -> None:
    rendered = github.render(f"x {md_code(text)} y")
    assert rendered.count("<code>") == 1
    inside = rendered.split("<code>")[1].split("</code>")[0]
    assert github.shown(f"x {md_code(text)} y").text.count(visible(text).strip()) >= 1
    assert "\n" not in inside


@given(st.lists(st.text().map(lambda text: "+ " + text), max_size=5))
def test_a_fence_holds_any_lines(lines: list[str]) -> None:
    """Lines as the diff block has them: a symbol, then anything."""
    content = [visible(line) for line in lines]
    seen = github.shown("\n".join(["before", *md_fence(content, "diff"), "after"]))
    if content:
        assert seen.code_lines == content
    assert seen.text.rstrip().endswith("after")


@given(st.text())
def test_inline_text_is_shown_as_written(text: str) -> None:
    """As written, but for the zero-width space after each `@` that keeps it from mentioning."""
    seen = github.shown(f"- {md_text(text)}")
    assert seen.tags == ["ul", "li"] and not seen.comments and not seen.mentions
    assert seen.text.replace("\u200b", "").strip() == visible(text).strip()


@given(st.text())
def test_summary_html_text_mentions_nobody(text: str) -> None:
    seen = github.shown(f"<details><summary>{md_html(text)}</summary>\n\nx\n\n</details>")
    assert not seen.mentions and seen.tags == ["details", "summary", "p"]


# --- active content and mentions brought by names -------------------------------------------

MENTION = "@contoso/support-team"
ACTIVE = [
    "<script>alert(document.cookie)</script>",
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<img src=x onerror=alert(1)>",
    f"{MENTION} and @octocat",
]


@pytest.fixture(scope="module")
def active_plan() -> Plan:
    """Every place a name or a server's text shows, holding markup, links and mentions."""
    names = [f"queue '{name}'" for name in ACTIVE]
    return Plan(
        None,
        "local",
        "org",
        "sha256:" + "0" * 64,
        changes=tuple(
            Change("update", "queue", n, "queue", (n,), f"id{i}", risks=(n,), reason=n)
            for i, n in enumerate(names)
        ),
        unmanaged=tuple(Unmanaged("queue", n, "queue", f"u{i}") for i, n in enumerate(names)),
        credentials=tuple(Credential(n, "telesign", n, "unexpected", n) for n in ACTIVE),
        notes=tuple(Note("warning", n, n) for n in ACTIVE),
    )


def test_the_comment_carries_no_markup_link_or_mention_from_a_name(active_plan: Plan) -> None:
    markdown = RENDERERS["markdown"](active_plan)
    seen = github.shown(markdown)
    assert not seen.mentions, seen.mentions
    assert not {"script", "a", "img"} & set(seen.tags)
    assert "javascript:" not in github.render(markdown).split('href="')[-1][:11]
    assert MENTION in seen.text.replace("\u200b", "")  # shown, not obeyed


def test_the_html_report_carries_no_active_content_from_a_name(active_plan: Plan) -> None:
    page = RENDERERS["html"](active_plan)
    parser = _Elements()
    parser.feed(page)
    assert not {"script", "a", "img", "iframe", "object"} & set(parser.tags)
    assert not [v for v in parser.attribute_values if "javascript:" in v.lower()]
    assert "default-src 'none'" in page  # and the page forbids scripts besides
    assert "<script>alert(document.cookie)</script>" in "".join(parser.text)


def test_a_lone_surrogate_renders_in_every_view() -> None:
    name = "queue '\udc80 broken'"
    plan = Plan(
        None,
        "local",
        "org",
        "sha256:" + "0" * 64,
        changes=(Change("create", "queue", name, "queue", ("\udc80",), "id"),),
        unmanaged=(Unmanaged("queue", name, "queue", "id2"),),
    )
    for fmt, render in RENDERERS.items():
        out = render(plan)
        out.encode("utf-8")
        assert (
            ("\\udc80" in out)
            if fmt != "json"
            else (json.loads(out)["unmanaged"][0]["label"] == name)
        )
