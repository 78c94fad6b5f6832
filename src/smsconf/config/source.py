"""Reading YAML files into plain data while keeping where every value came from.

PyYAML's node graph carries marks; we convert nodes ourselves instead of using a constructor so
that each value's path maps to its file:line:col, duplicate keys are errors rather than silent
overwrites, and alias expansion is bounded (a "billion laughs" file gets a located error, not an
out-of-memory kill).
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
import types
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.resolver import Resolver

from smsconf.config.problems import Path_, Position, Problem

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 64
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class Document:
    """One parsed file: plain data plus where every path in it starts.

    The marks are PyYAML's own, kept as they are: a `Position` is made only for the few paths
    a message names, not for each of the ~70,000 values of 1,000 workstreams (which cost a
    fifth of reading them).
    """

    file: str
    data: Any
    positions: dict[Path_, yaml.Mark] = field(default_factory=dict)
    placeholders: bool = True
    """False when the text holds no `${`: no value of this file needs substituting."""

    def position(self, path: Path_) -> Position | None:
        """Where `path` is written, else where its deepest written parent is."""
        positions = self.positions
        while path not in positions and path:
            path = path[:-1]
        mark = positions.get(path)
        return None if mark is None else _at(self.file, mark)


class _Budget:
    def __init__(self, fast: bool = False, merges: bool = True) -> None:
        self.nodes = 0
        self.fast = fast  # read by libyaml: stop at what PyYAML would read differently
        self.flow_checked: set[int] = set()
        self.merges = merges  # False: the text has no `<<` (nor a `!!merge` tag)


class _TooLarge(Exception):
    def __init__(self, node: yaml.Node, what: str) -> None:
        self.node = node
        self.what = what


def _at(file: str, mark: yaml.Mark) -> Position:
    return Position(file, mark.line + 1, mark.column + 1)


def _mark(file: str, node: yaml.Node) -> Position:
    return _at(file, node.start_mark)


# SafeLoader's constructor alone (no reader, scanner or parser): building a whole SafeLoader per
# scalar made conversion cost ~20 µs a value. Scalars hold no state, so one instance serves all.
_SAFE = yaml.constructor.SafeConstructor()


class _Undecodable(Exception):
    """An explicitly tagged scalar whose tag's constructor refuses it (`!!binary` text that is
    not base64): read as text it would silently become some other value."""


def _scalar(node: yaml.ScalarNode) -> Any:
    """Resolve a scalar the way SafeLoader would (ints, bools, null, dates); text as written
    when its tag is unknown or does not fit (`!foo x`, `!!int abc`, `!!map x`), except a value
    its constructor refuses as undecodable (`_Undecodable`)."""
    make = _SAFE.yaml_constructors.get(node.tag)
    if make is None:
        return node.value
    try:
        value = make(_SAFE, node)
    except yaml.constructor.ConstructorError as exc:  # `!!binary` that is not base64
        raise _Undecodable(
            f"invalid {node.tag.replace('tag:yaml.org,2002:', '!!')} value: {exc.problem}"
        ) from None
    except Exception:  # PyYAML raises ValueError, KeyError, AttributeError... for `!!int abc`
        return node.value
    if isinstance(value, types.GeneratorType):  # a collection tag on a scalar
        value.close()
        return node.value
    return value


def _key(node: yaml.ScalarNode) -> Any:
    """A mapping key: the schema reports a key that is not a name, whatever its tag."""
    try:
        return _scalar(node)
    except _Undecodable:
        return node.value


_STR = "tag:yaml.org,2002:str"
# Tags SafeLoader knows, and those its resolver gives `<<` and `=`. Any other tag on a node read
# by libyaml sends the text to PyYAML: the two do not accept the same tag syntax.
_KNOWN_TAGS = frozenset(
    {tag for tag in _SAFE.yaml_constructors if tag is not None}
    | {"tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"}
)


def _convert(
    node: yaml.Node,
    file: str,
    path: Path_,
    positions: dict[Path_, yaml.Mark],
    problems: list[Problem],
    budget: _Budget,
    located: bool = False,
) -> Any:
    """Plain data of `node`, recording positions under `path` (already done when `located`:
    a mapping value is located at its key)."""
    budget.nodes += 1
    if budget.nodes > MAX_NODES:
        raise _TooLarge(node, f"more than {MAX_NODES} values (alias expansion?)")
    if len(path) > MAX_DEPTH:
        raise _TooLarge(node, f"nesting deeper than {MAX_DEPTH} levels")
    if budget.fast and node.tag not in _KNOWN_TAGS:
        raise _Diverged
    if not located:
        positions.setdefault(path, node.start_mark)
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _STR:
            return node.value
        try:
            return _scalar(node)
        except _Undecodable as exc:
            problems.append(Problem(str(exc), path, _mark(file, node)))
            return node.value
    if budget.fast and node.flow_style and id(node) not in budget.flow_checked:
        _check_flow(node, budget.flow_checked)
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            child = (*path, i)
            if (  # a text item: converted here, without a call (same checks)
                item.__class__ is yaml.ScalarNode
                and item.tag == _STR
                and budget.nodes < MAX_NODES
                and len(child) <= MAX_DEPTH
                and child not in positions
            ):
                budget.nodes += 1
                positions[child] = item.start_mark
                items.append(item.value)
            else:
                items.append(_convert(item, file, child, positions, problems, budget))
        return items
    if isinstance(node, yaml.MappingNode):
        # Keys written in this mapping, as opposed to those brought in by `<<` merge keys: only
        # a repeated written key is a duplicate; a written key overrides a merged one (YAML's
        # merge semantics), and among merged maps the one listed first wins.
        written = _written_keys(node) if budget.merges else None  # None: all written
        out: dict[Any, Any] = {}
        first_written: dict[Any, yaml.Mark] = {}
        for key_node, value_node in node.value:
            if budget.fast and key_node.tag not in _KNOWN_TAGS:
                raise _Diverged
            if isinstance(key_node, yaml.ScalarNode):
                key = key_node.value if key_node.tag == _STR else _key(key_node)
            else:
                key = None
            if key is None or isinstance(key, (list, dict)):
                problems.append(
                    Problem("mapping keys must be plain scalars", path, _mark(file, key_node))
                )
                continue
            if key.__class__ is not str:
                key = str(key)
            where = key_node.start_mark
            child = (*path, key)
            if written is None:  # no merge keys: a key seen before is a duplicate
                if key in out:
                    problems.append(
                        Problem(
                            f"duplicate key '{key}'",
                            child,
                            _at(file, where),
                            hint=f"first defined at {_at(file, positions[child])}",
                        )
                    )
                    continue
            elif id(key_node) in written:
                if key in first_written:
                    problems.append(
                        Problem(
                            f"duplicate key '{key}'",
                            child,
                            _at(file, where),
                            hint=f"first defined at {_at(file, first_written[key])}",
                        )
                    )
                    continue
                first_written[key] = where
            if written is not None and key in out:  # a written key overrides a merged one:
                for stale in _paths_in(out[key], child):  # forget where the merged value was
                    positions.pop(stale, None)
            positions[child] = where
            if (  # most values are text: converted here, without a call (same checks)
                value_node.__class__ is yaml.ScalarNode
                and value_node.tag == _STR
                and budget.nodes < MAX_NODES
                and len(child) <= MAX_DEPTH
            ):
                budget.nodes += 1
                out[key] = value_node.value
            else:
                out[key] = _convert(value_node, file, child, positions, problems, budget, True)
        return out
    raise _TooLarge(node, "unsupported YAML node")  # pragma: no cover - PyYAML has three kinds


def _paths_in(value: Any, path: Path_) -> Iterator[Path_]:
    """The paths of everything inside a converted value: what an overridden merged value
    placed, found in its own size (scanning every position per override was quadratic in a
    file where each item merges defaults and overrides some)."""
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for part, inner in items:
        child = (*path, part)
        yield child
        yield from _paths_in(inner, child)


def _check_flow(node: yaml.Node, checked: set[int]) -> None:
    """Raise _Diverged if a flow collection (`[...]`, `{...}`) holds a plain scalar with a `?`
    (PyYAML rejects `[What?]`, libyaml does not) or an empty one (`{a: }`: the two place it
    differently). Each node is looked at once, however many aliases reach it."""
    stack = [node]
    while stack:
        node = stack.pop()
        if id(node) in checked:
            continue
        checked.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if not node.style and (not node.value or "?" in node.value):
                raise _Diverged
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        else:
            for pair in node.value:
                stack.extend(pair)


def _written_keys(node: yaml.MappingNode) -> set[int]:
    """Ids of the key nodes written in `node` itself; flattens its merge keys the first time.

    Remembered on the node: an aliased mapping is converted once per alias, and after the first
    flattening its merged pairs could no longer be told apart from its written ones.
    """
    written: set[int] | None = getattr(node, "_smsconf_written", None)
    if written is None:
        written = {id(k) for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge"}
        node._smsconf_written = written  # type: ignore[attr-defined]
        _flatten_merge_keys(node)
    return written


def _flatten_merge_keys(node: yaml.MappingNode) -> None:
    """Apply YAML `<<` merge keys like SafeLoader does, so anchors can share settings."""
    _SAFE.flatten_mapping(node)


def _marked_problem(exc: yaml.MarkedYAMLError, file: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    pos = Position(file, mark.line + 1, mark.column + 1) if mark else Position(file, 1, 1)
    what = exc.problem or exc.context or "invalid YAML"
    hint = None
    if exc.context and exc.context_mark and exc.problem:
        started = Position(file, exc.context_mark.line + 1, exc.context_mark.column + 1)
        hint = f"{exc.context} started at {started}"
    return Problem(f"invalid YAML: {what}", (), pos, hint)


class _MemoResolver(Resolver):
    """SafeLoader's resolver, remembering the tag of each plain scalar text met in one file
    (most repeat: true, push, names): one dict lookup instead of a regex search per value.
    Exact while no path resolver is registered; SafeLoader registers none."""

    def __init__(self) -> None:
        Resolver.__init__(self)
        self._plain_tags: dict[str, str] = {}

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode and implicit[0] and not self.yaml_path_resolvers:
            tag = self._plain_tags.get(value)
            if tag is None:
                tag = self._plain_tags[value] = Resolver.resolve(self, kind, value, implicit)
            return tag
        return Resolver.resolve(self, kind, value, implicit)  # type: ignore[no-any-return]


def _fast_loaders() -> tuple[type, type] | None:
    """Loaders that scan and parse with libyaml (C), or None when PyYAML has no libyaml.

    Scanning and parsing are most of the cost of reading YAML; doing them in C makes reading a
    configuration several times faster. The first also composes nodes in C. That composer
    recurses in C, with no depth limit before libyaml 0.2.6, so it only gets text that cannot
    nest deeply (`_shallow`); and it resolves a scalar tagged with the bare `!` as text where
    PyYAML resolves it as if untagged (`a: !` is null), so it only gets text without a `!`.
    The second composes with PyYAML's composer (whose recursion ends in RecursionError) and
    hands a bare `!` tag over to PyYAML.
    """
    try:
        from yaml.cyaml import CParser
    except ImportError:  # PyYAML built without libyaml
        return None

    class CLoader(CParser, _MemoResolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _MemoResolver.__init__(self)

    class ComposingLoader(CParser, Composer, _MemoResolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            _MemoResolver.__init__(self)

        check_node = Composer.check_node
        get_node = Composer.get_node
        get_single_node = Composer.get_single_node
        compose_document = Composer.compose_document

        def compose_scalar_node(self, anchor: str | None) -> yaml.ScalarNode:
            if self.peek_event().tag == "!":
                raise _Diverged
            return Composer.compose_scalar_node(self, anchor)  # type: ignore[no-any-return]

    return CLoader, ComposingLoader


_FAST_LOADERS = _fast_loaders()
# Characters libyaml reads differently from PyYAML: it accepts a tab inside a plain scalar or
# after a colon (`name: a<TAB>b`), which PyYAML reports at the tab, and places the byte order
# mark and the NEL, LS and PS line breaks differently.
_READ_DIFFERENTLY = ("\t", "\x85", "\u2028", "\u2029", "\ufeff")
# A comment right after a block scalar's indicators (`text: |# note`): libyaml accepts it,
# PyYAML wants a space before the `#`.
_BLOCK_HEADER_COMMENT = re.compile("[|>][-+1-9]*#")


def _read_alike(text: str) -> bool:
    """Whether libyaml and PyYAML certainly agree on how to read `text` at the character level
    (each test is a scan at memchr speed; the regex runs only on text with a `#`)."""
    return not any(c in text for c in _READ_DIFFERENTLY) and (
        "#" not in text or not _BLOCK_HEADER_COMMENT.search(text)
    )


_SHALLOW_LIMIT = 500
_DEEP_INDENT = re.compile(f"\\n[ ?:-]{{{_SHALLOW_LIMIT}}}")


def _shallow(text: str) -> bool:
    """Whether `text` certainly nests fewer than ~2,000 levels: fewer than 500 flow brackets,
    and no line indented (by spaces and `- `, `? `, `: ` indicators) 500 columns or more."""
    return (
        text.count("[") + text.count("{") < _SHALLOW_LIMIT
        and not _DEEP_INDENT.search(text)
        and not _DEEP_INDENT.match("\n" + text[:_SHALLOW_LIMIT])
    )


class _Diverged(Exception):
    """libyaml read something PyYAML would read differently or reject; PyYAML decides."""


def parse_text(text: str, file: str) -> tuple[Document | None, list[Problem]]:
    """Parse one YAML text; problems instead of exceptions, always with a position.

    libyaml reads the text when it is available. Whenever that finds anything to report, or
    meets a construct the two libraries treat differently, the text is read again by PyYAML's
    pure-Python loader, which has the final word: every message and position is PyYAML's, as
    it was before libyaml was used (its errors name the offending character, alias or anchor and
    what was expected, libyaml's often do not), and a file is accepted exactly when PyYAML
    accepts it. Only files with problems pay for two readings.
    """
    if _FAST_LOADERS is not None and _read_alike(text):
        shallow = "!" not in text and _shallow(text)
        loader = _FAST_LOADERS[0] if shallow else _FAST_LOADERS[1]
        try:
            doc, problems = _parse(text, file, loader, fast=True)
        except _Diverged:
            pass
        else:
            if not problems:
                return doc, problems
    return _parse(text, file, yaml.SafeLoader, fast=False)


def _parse(text: str, file: str, loader: type, fast: bool) -> tuple[Document | None, list[Problem]]:
    problems: list[Problem] = []
    try:
        nodes = list(yaml.compose_all(text, Loader=loader))
    except yaml.MarkedYAMLError as exc:
        return None, [_marked_problem(exc, file)]
    except yaml.reader.ReaderError as exc:  # a control character; has an offset, not a mark
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        return None, [
            Problem(
                f"invalid YAML: control character U+{exc.character:04X} is not allowed",
                (),
                Position(file, line, column),
            )
        ]
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        reason = "nesting too deep" if isinstance(exc, RecursionError) else str(exc)
        return None, [Problem(f"invalid YAML: {reason}", (), Position(file, 1, 1))]
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        return None, [Problem("file is empty (no YAML document)", (), Position(file, 1, 1))]
    if len(nodes) > 1:
        return None, [
            Problem(
                "file holds several YAML documents; use one document per file",
                (),
                _mark(file, nodes[1]),
            )
        ]
    doc = Document(file, None, placeholders="${" in text)
    try:
        merges = not fast or "<<" in text or "!" in text
        budget = _Budget(fast, merges)
        doc.data = _convert(nodes[0], file, (), doc.positions, problems, budget)
    except _TooLarge as exc:
        return None, [Problem(f"document too large: {exc.what}", (), _mark(file, exc.node))]
    except RecursionError:
        return None, [Problem("document nesting too deep", (), _mark(file, nodes[0]))]
    except yaml.MarkedYAMLError as exc:  # a merge key (<<) whose value is not a mapping
        return None, [_marked_problem(exc, file)]
    if not isinstance(doc.data, dict):
        return None, [
            Problem(
                "top level must be a mapping (accounts:, workstreams:, ...)",
                (),
                _mark(file, nodes[0]),
            )
        ]
    return doc, problems


def read_file(path: Path, display: str) -> tuple[Document | None, list[Problem]]:
    """Read and parse one file with size and encoding checks."""
    text, problems = read_text(path, display)
    return parse_text(text, display) if text is not None else (None, problems)


def read_text(path: Path, display: str) -> tuple[str | None, list[Problem]]:
    """A configuration file's text, refused located when it is too big, not UTF-8 or binary."""
    start = Position(display, 1, 1)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO blocks forever, /dev/zero never ends
            return None, [
                Problem(
                    "cannot read file: not a regular file (a directory, pipe or device?)", (), start
                )
            ]
        size = info.st_size
        if size > MAX_FILE_BYTES:
            return None, [
                Problem(f"file is {size} bytes; the limit is {MAX_FILE_BYTES} bytes", (), start)
            ]
        with path.open("rb") as handle:  # at most the limit, even if the file grows meanwhile
            raw = handle.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            return None, [Problem(f"file grew past the limit of {MAX_FILE_BYTES} bytes", (), start)]
    except OSError as exc:
        return None, [Problem(f"cannot read file: {exc.strerror or exc}", (), start)]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            Problem(
                f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                (),
                Position(display, line, col),
            )
        ]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [
            Problem("file contains NUL bytes (binary file?)", (), Position(display, line, 1))
        ]
    return text, []


def discover(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """Expand files and directories into YAML files, in a stable order, without looping."""
    found: list[Path] = []
    problems: list[Problem] = []
    seen: set[Path] = set()
    for given in paths:
        where = Position(str(given), 1, 1)
        if not given.exists():
            problems.append(Problem("no such file or directory", (), where))
        elif given.is_dir():
            files = sorted(_walk(given, seen))
            if not files:
                problems.append(Problem("directory holds no YAML files (*.yaml, *.yml)", (), where))
            found.extend(files)
        else:
            real = _real(given)
            if real not in seen:
                seen.add(real)
                found.append(given)
    return found, problems


IGNORE_FILE = ".smsconfignore"
ROOT_FILE = "smsconf.yaml"
"""The shared file `smsconf export` writes at the top of a configuration split over files."""


def configuration_roots(files: Sequence[Path]) -> list[Path]:
    """What to read so that `files` are checked in the context of their whole configuration:
    for each file, the nearest directory above it (within its git work tree) holding
    `smsconf.yaml` or `.smsconfignore`, the marks of a configuration's top directory, else the
    file itself. A pre-commit hook passes only the files a commit touches, and one workstream's
    file refers to queues declared in another, which must be read too."""
    here = Path.cwd()
    roots: dict[Path, None] = {}
    for file in files:
        root = file
        for directory in file.absolute().parents:
            if (directory / ROOT_FILE).is_file() or (directory / IGNORE_FILE).is_file():
                root = directory.relative_to(here) if directory.is_relative_to(here) else directory
                break
            if (directory / ".git").exists():
                break
        roots[root] = None
    absolute = {r.absolute(): r for r in roots}
    return [r for a, r in absolute.items() if not any(p in absolute for p in a.parents)]


def _ignored_patterns(root: Path) -> list[str]:
    """Patterns from `<dir>/.smsconfignore`: a directory can hold YAML that is not configuration
    (CI workflows, deliberately broken examples) without tripping `validate DIR`."""
    try:
        lines = (root / IGNORE_FILE).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    return [ln.strip().rstrip("/") for ln in lines if ln.strip() and not ln.startswith("#")]


def _walk(root: Path, seen: set[Path]) -> Iterator[Path]:
    visited_dirs: set[Path] = set()
    ignored = _ignored_patterns(root)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real_dir = _real(Path(dirpath))
        if real_dir in visited_dirs:  # a symlink loop: do not descend again
            dirnames[:] = []
            continue
        visited_dirs.add(real_dir)
        rel = Path(dirpath).relative_to(root)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".") and not _matches((rel / d).as_posix(), ignored)
        )
        for name in sorted(filenames):
            if (
                name.endswith(YAML_SUFFIXES)
                and not name.startswith(".")
                and not _matches((rel / name).as_posix(), ignored)
            ):
                file = Path(dirpath) / name
                real = _real(file)
                if real not in seen:
                    seen.add(real)
                    yield file


def _real(path: Path) -> Path:
    """The path with symlinks resolved; a symlink loop (RuntimeError on Python < 3.13, OSError
    after) stays as written, and reading it then fails as a located 'cannot read file'."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):
        return path.absolute()


def _matches(relative: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(relative, pat) for pat in patterns)
