"""Views of one Plan: terminal text, Markdown for a pull-request comment, JSON.

Each renderer is a function `render(plan) -> str` registered by format name; the JSON one is the
Plan's own `to_json`, so there is one source for the data every view shows.
"""

from collections.abc import Callable

from smsconf.reconcile.plan import Plan
from smsconf.render import html, markdown, text

RENDERERS: dict[str, Callable[[Plan], str]] = {
    "text": text.render,
    "markdown": markdown.render,
    "json": Plan.to_json,
    "html": html.render,
}
