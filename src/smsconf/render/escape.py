"""Names are data, never markup or control: the one place each medium's escaping lives.

Every name, message and value shown in a plan comes from a YAML file or from the organisation,
and anyone who can create a queue writes into the next reviewer's terminal and pull request.
So each renderer passes such text through the function for its medium:

- `visible`: control characters (C0, DEL, C1), line and paragraph separators, format
  characters (bidi embeddings, overrides and isolates, zero-width characters, the BOM) and lone
  surrogates become backslash escapes (`\\x1b`, `\\n`, `\\u202e`, `\\udc80`). A terminal then never
  receives an escape sequence, a name can never start a line of its own, text never reads
  right-to-left behind the reviewer's back, and an unencodable lone surrogate never reaches
  an encoder (a live queue holding one stopped every plan).
- Markdown: `md_code` builds a code span, `md_fence` a fenced block, each delimited by a
  backtick run longer than any inside, so no content can close it; `md_text` is inline text
  (ASCII punctuation backslash-escaped, so `<!--`, `</details>`, `*`, `[` are shown, not
  obeyed, and `@` followed by a zero-width space, so `@org/team` pings nobody); `md_html` is
  text inside the raw HTML of a `<summary>`.
- HTML: `html_text` escapes everything, quotes included, so it is safe in attributes too.
- Mermaid (the plan's routing flowchart): `mermaid_text` codes every character but letters,
  digits, spaces and plain punctuation as Mermaid's `#NN;` entities.
"""

from __future__ import annotations

import html
import re

_UNSAFE_ABOVE_C0 = (
    "\x7f-\x9f"  # DEL, C1 (Cc)
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"  # Cf
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"  # Cf, Zl, Zp
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"  # tag characters
    "\ud800-\udfff"  # lone surrogates (a valid pair is one code point in a str)
)
UNSAFE = re.compile(f"[\x00-\x1f{_UNSAFE_ABOVE_C0}]")
"""Every code point of Unicode categories Cc, Cf, Cs, Zl and Zp (tests check it is all)."""
UNSAFE_BUT_NEWLINE = re.compile(f"[\x00-\x09\x0b-\x1f{_UNSAFE_ABOVE_C0}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_BACKTICKS = re.compile("`+")
_MD_ACTIVE = re.compile(r"([\\`*_\[\]<>&~|!])")
"""What can start inline markup mid-line: code, emphasis, links and images, HTML and comments,
entities, strikethrough, table cells. Backslash-escapable (ASCII punctuation), and only these,
so the raw comment stays readable; a line's start is never a name's."""
MENTION_BREAK = "@&#8203;"
"""GitHub makes `@user` and `@org/team` in a comment's text a mention, which notifies them, and a
backslash does not stop it: a queue named `@contoso/support` would ping the team on every plan.
A zero-width space after the `@` keeps the name as it reads and breaks the mention; written as a
character reference, so the raw comment holds no invisible character. Code spans and blocks
never mention, so `md_code` and `md_fence` need none."""


def _escape(match: re.Match[str]) -> str:
    char = match[0]
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def visible(text: str, *, newlines: bool = False) -> str:
    """`text` with every invisible or controlling character spelled out; `newlines=True`
    keeps line feeds (a multi-line message shown in a block of its own)."""
    pattern = UNSAFE_BUT_NEWLINE if newlines else UNSAFE
    return pattern.sub(_escape, text) if pattern.search(text) else text


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in _BACKTICKS.findall(text)), default=0)


def md_code(text: str) -> str:
    """An inline code span no content can close: its delimiter is longer than any backtick run
    inside; padded with spaces when the content starts or ends with a backtick."""
    content = visible(text)
    ticks = "`" * (_longest_backtick_run(content) + 1)
    pad = " " if content.startswith("`") or content.endswith("`") or not content.strip() else ""
    return f"{ticks}{pad}{content}{pad}{ticks}"


def md_fence(lines: list[str], info: str = "") -> list[str]:
    """A fenced code block around `lines` (already `visible`: one line each), its fence longer
    than any backtick run in them, so no line can close it early."""
    run = max((_longest_backtick_run(line) for line in lines), default=0)
    fence = "`" * max(3, run + 1)
    return [fence + info, *lines, fence]


_BLOCK_START = re.compile(r"^(\s*)([-+#=>]|\d+(?=[.)]))")
"""What makes a line a list item, heading, quote or setext underline when it starts one."""


def md_text(text: str) -> str:
    """Inline Markdown text shown as written: each character that could start markup is
    backslash-escaped, so no emphasis, link, code span, HTML tag or comment can start, and a
    name at a line's start (a list item's text) cannot open a block of its own."""
    escaped = _MD_ACTIVE.sub(r"\\\1", visible(text).strip()).replace("@", MENTION_BREAK)
    return _BLOCK_START.sub(
        lambda m: m[1] + ("\\" + m[2] if not m[2][0].isdigit() else m[2] + "\\"), escaped
    )


def md_html(text: str) -> str:
    """Text inside the raw HTML of a comment (a `<summary>`): one line, HTML-escaped. GitHub
    passes an HTML block's line through as HTML, so no Markdown inside it is read (a mention
    still would be: see `MENTION_BREAK`)."""
    return html.escape(visible(text), quote=True).replace("@", MENTION_BREAK)


def html_text(text: str, *, newlines: bool = False) -> str:
    """Text for an HTML page, in an element or an attribute value."""
    return html.escape(visible(text, newlines=newlines), quote=True)


MERMAID_BACKSLASH = "\u29f5"
_MERMAID_PLAIN = re.compile(r"[\w .,\-/'()+=?!]")
"""What a Mermaid label may hold as written: letters and digits of any script, a space and
punctuation that is no Mermaid, Markdown or HTML syntax."""


def mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label (`["..."]`, `|"..."|`): every other character is a
    numeric entity code (`#35;` for `#`, `#34;` for a quote, `#60;` for `<`), which Mermaid
    decodes to the character as text, so no name closes the label, starts a comment (`%%`),
    a Markdown string (a backtick), HTML, or a line of its own (control characters are
    spelled out first). A colon is coded too: Mermaid drops the `;` of a line holding
    `style`, a colon and `#` before parsing it. A backslash is shown as `⧵` (U+29F5): in a
    label of several lines Mermaid breaks the line at a decoded `\\n`, so a name's spelt-out
    line feed would forge a line of the node."""
    return "".join(
        char
        if _MERMAID_PLAIN.fullmatch(char)
        else f"#{ord(MERMAID_BACKSLASH if char == chr(92) else char)};"
        for char in visible(text)
    )
