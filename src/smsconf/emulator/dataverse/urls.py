"""Parsing of Web API resource paths: entity sets, keys, navigations, `$ref` and actions.

One parser serves request URLs, `@odata.bind` values, `@odata.id` references and `$batch`
inner URLs, so every place that names a row accepts the same forms the real service does:
`/set(guid)`, `set(col='v',col2=2)`, and absolute URLs under any `/api/data/v9.x/` root.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from smsconf.emulator.dataverse.errors import bad_query
from smsconf.emulator.limits import loads

API_ROOT = re.compile(r"^/?api/data/v9\.[0-2]/?", re.IGNORECASE)
_SEGMENT = re.compile(r"^(?P<name>[^()]+)(?:\((?P<key>.*)\))?$", re.DOTALL)
_KEY_PAIR = re.compile(
    r"\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>'(?:[^']|'')*'|[^,]+)\s*"
)

KeyValue = str | int


@dataclass(frozen=True)
class Segment:
    """One path segment: a name, and the key in parentheses if any."""

    name: str
    key: str | dict[str, KeyValue] | None = None


def parse_guid(text: str) -> str:
    """A canonical lower-case GUID, or the service's 400 for a malformed one."""
    try:
        return str(uuid.UUID(text.strip().strip("{}")))
    except ValueError:
        raise bad_query(f"Unrecognized 'Edm.Guid' literal '{text}'.") from None


def is_guid(text: str) -> bool:
    """Whether the text is a GUID literal."""
    try:
        uuid.UUID(text.strip().strip("{}"))
    except ValueError:
        return False
    return True


def _split_path(path: str) -> list[str]:
    """Split on '/' outside quoted key values (text between an odd and an even quote)."""
    parts = [""]
    for i, chunk in enumerate(path.split("'")):
        if i:
            parts[-1] += "'"
        if i % 2:
            parts[-1] += chunk
        else:
            first, *rest = chunk.split("/")
            parts[-1] += first
            parts.extend(rest)
    return [p for p in parts if p]


def _parse_key(text: str) -> str | dict[str, KeyValue]:
    if "=" not in text:
        return parse_guid(text)
    pairs: dict[str, KeyValue] = {}
    pos = 0
    while pos < len(text):
        match = _KEY_PAIR.match(text, pos)
        if not match:
            raise bad_query(f"Bad Request - Error in query syntax: key '({text})'.")
        raw = match["value"].strip()
        if raw.startswith("'"):
            pairs[match["name"]] = raw[1:-1].replace("''", "'")
        elif raw.lstrip("-").isdigit():
            pairs[match["name"]] = int(raw)
        else:
            pairs[match["name"]] = raw
        pos = match.end()
        if pos < len(text):
            if text[pos] != ",":
                raise bad_query(f"Bad Request - Error in query syntax: key '({text})'.")
            pos += 1
    return pairs


def parse_segment(text: str) -> Segment:
    """One segment such as `msdyn_ocphonenumbers(<guid>)` or `queues(name='x')`."""
    match = _SEGMENT.match(text)
    if not match:
        raise bad_query(f"Bad Request - Error in query syntax: '{text}'.")
    key = match["key"]
    return Segment(match["name"], None if key is None else _parse_key(key))


def relative_path(url: str) -> str:
    """The path below the service root, from an absolute URL, a rooted or a relative path."""
    path = urlsplit(url).path if "://" in url else url.split("?", 1)[0]
    path = unquote(path)
    match = API_ROOT.match(path)
    return path[match.end() :] if match else path.lstrip("/")


def parse_path(path: str) -> list[Segment]:
    """All segments of a path below the service root."""
    return [parse_segment(part) for part in _split_path(path)]


def split_path(path: str) -> list[str]:
    """The raw segments of a path below the service root."""
    return _split_path(path)


_CALL = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_.]*)(?:\((?P<args>.*)\))?$", re.DOTALL)


def split_top_level(text: str, sep: str, opening: str = "(", closing: str = ")") -> list[str]:
    """Split on `sep` outside brackets and quoted strings; query options nest only in
    parentheses, function arguments in brackets as well (`['a','b']`)."""
    parts, depth, quoted, current = [], 0, False, []
    for char in text:
        quoted = quoted != (char == "'")
        if not quoted:
            depth += (char in opening) - (char in closing)
        if char == sep and depth == 0 and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _split_arguments(text: str) -> list[str]:
    return split_top_level(text, ",", "([", ")]")


def literal(text: str) -> object:
    """A function parameter value: JSON (what parameter aliases carry, `["queue"]`) or an OData
    literal (`'text'` with `''` for a quote, numbers, true/false/null, GUIDs, `['a','b']`)."""
    text = text.strip()
    try:
        return loads(text)
    except ValueError:
        pass
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    if text.startswith("[") and text.endswith("]"):
        return [literal(item) for item in _split_arguments(text[1:-1])]
    if is_guid(text):
        return parse_guid(text)
    raise bad_query(f"Bad Request - Error in query syntax: the literal '{text}' is not valid.")


def function_call(text: str, query: dict[str, str]) -> tuple[str, dict[str, object]]:
    """(name, parameters) of a function segment: `WhoAmI`, `WhoAmI()`, or
    `RetrieveTotalRecordCount(EntityNames=@p1)` with `@p1` taken from the query string
    ("Use Web API functions": parameter aliases); an undefined alias is a 400."""
    match = _CALL.match(text)
    if not match:
        raise bad_query(f"Bad Request - Error in query syntax: '{text}'.")
    parameters: dict[str, object] = {}
    for argument in _split_arguments(match["args"] or ""):
        name, sep, value = argument.partition("=")
        if not sep or not name.strip():
            raise bad_query(f"Bad Request - Error in query syntax: parameter '{argument}'.")
        value = value.strip()
        if value.startswith("@"):
            if value not in query:
                raise bad_query(f"The parameter alias '{value}' is not defined in the request.")
            value = query[value]
        parameters[name.strip()] = literal(value)
    return match["name"], parameters
