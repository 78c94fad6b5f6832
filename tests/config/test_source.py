"""source.py: YAML → data with file:line:col, and every way a file can be unusable.

Each malformed input must become one located problem (never an exception), because `validate`
promises a clear error and no traceback whatever the user feeds it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cfgtest import Writer

from smsconf.config import source
from smsconf.config.problems import Position, Problem
from smsconf.config.source import Document, discover, parse_text, read_file


def only_problem(text: str) -> Problem:
    """Parse text expected to be unusable and return its single problem."""
    doc, problems = parse_text(text, "f.yaml")
    assert doc is None and len(problems) == 1, problems
    return problems[0]


def test_positions_of_keys_and_list_items() -> None:
    """Positions are 1-based like editors show them, for mapping keys and sequence items."""
    doc, problems = parse_text("a:\n  b: 1\n  c: [x, y]\n", "f.yaml")
    assert problems == [] and doc is not None
    assert doc.data == {"a": {"b": 1, "c": ["x", "y"]}}
    assert doc.position(("a", "b")) == Position("f.yaml", 2, 3)
    assert doc.position(("a", "c", 1)) == Position("f.yaml", 3, 10)
    assert doc.position(("a", "c", 1, "deeper")) == Position("f.yaml", 3, 10)


def test_duplicate_key_is_an_error_naming_the_first() -> None:
    """A repeated key would silently overwrite with a plain loader; here it is reported."""
    doc, problems = parse_text("q:\n  managed: true\n  managed: false\n", "f.yaml")
    assert doc is not None and doc.data == {"q": {"managed": True}}
    [problem] = problems
    assert problem.message == "duplicate key 'managed'"
    assert problem.position == Position("f.yaml", 3, 3)
    assert problem.hint == "first defined at f.yaml:2:3"


def test_merge_keys_and_aliases_are_expanded() -> None:
    """Anchors and `<<` merges are legitimate ways to share settings between workstreams."""
    doc, problems = parse_text("base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\nd: *b\n", "f.yaml")
    assert problems == [] and doc is not None
    assert doc.data["c"] == {"x": 1, "y": 2} and doc.data["d"] == {"x": 1}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("b: &b {x: 1, y: {z: 2}}\nc:\n  <<: *b\n  y: 3\n", {"x": 1, "y": 3}),
        ("b: &b {x: 1}\nc:\n  <<: [*b, {x: 2, w: 0}]\n", {"x": 1, "w": 0}),
        ("b: &b {x: 1}\nm: &m\n  <<: *b\n  x: 2\nc: *m\n", {"x": 2}),
    ],
    ids=["written-overrides-merged", "first-merged-wins", "aliased-merging-map"],
)
def test_merge_key_semantics(text: str, expected: dict[str, object]) -> None:
    """A written key overrides a merged one without being a 'duplicate' (YAML merge rules),
    also when the merging mapping is itself reached through an alias (converted twice)."""
    doc, problems = parse_text(text, "f.yaml")
    assert problems == [] and doc is not None and doc.data["c"] == expected


def test_overriding_a_merged_key_takes_the_written_position() -> None:
    """Errors about an overridden value must point at the written line, not the anchor."""
    doc, _ = parse_text("b: &b {y: {z: 2}}\nc:\n  <<: *b\n  y: 3\n", "f.yaml")
    assert doc is not None and doc.position(("c", "y")) == Position("f.yaml", 4, 3)
    assert doc.position(("c", "y", "z")) == Position("f.yaml", 4, 3)  # not the anchor's line


@pytest.mark.parametrize(
    ("text", "message", "where"),
    [
        ("", "file is empty", (1, 1)),
        ("a:\n  <<: 1\n", "expected a mapping or list of mappings for merging", (2, 7)),
        ("a:\n  <<: [1]\n", "expected a mapping for merging", (2, 8)),
        ("# only a comment\n", "file is empty", (1, 1)),
        ("a: 1\n---\nb: 2\n", "several YAML documents", (3, 1)),
        ("- a\n- b\n", "top level must be a mapping", (1, 1)),
        ("just a scalar\n", "top level must be a mapping", (1, 1)),
        ("a: [1, 2\n", "invalid YAML: expected ',' or ']'", (2, 1)),
        ("a:\n  b: 1\n c: 2\n", "invalid YAML", (3, 2)),
        ("\ta: 1\n", "invalid YAML: found character '\\t'", (1, 1)),
        ("a: *nowhere\n", "invalid YAML: found undefined alias", (1, 4)),
        ("? [a]\n: 1\n", "mapping keys must be plain scalars", (1, 3)),
        ("a: 1\nb: x\x07y\n", "invalid YAML: control character U+0007", (2, 5)),
        ("\x01", "invalid YAML: control character U+0001", (1, 1)),
    ],
)
def test_unusable_text_gives_one_located_problem(
    text: str, message: str, where: tuple[int, int]
) -> None:
    """Empty, multi-document, non-mapping and broken YAML each get a position and a reason."""
    _, problems = parse_text(text, "f.yaml")
    assert len(problems) == 1, problems
    assert message in problems[0].message
    assert problems[0].position == Position("f.yaml", *where)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("!!int abc", "abc"),
        ("!!float x", "x"),
        ("!!bool maybe", "maybe"),
        ("!!timestamp soon", "soon"),
        ("!!map x", "x"),
        ("!unknown x", "x"),
        ("!!str 12", "12"),
        ("0x1F", 31),
    ],
)
def test_tagged_scalars_never_raise(text: str, value: object) -> None:
    """A tag the value does not fit used to escape as ValueError/KeyError (a traceback from
    `validate`); the text as written is kept and the schema judges it like any other value."""
    doc, problems = parse_text(f"a: {text}\n", "f.yaml")
    assert problems == [] and doc is not None and doc.data == {"a": value}


def test_syntax_error_hint_says_where_the_construct_started() -> None:
    """An unclosed bracket is detected at end of file; the hint points back to its opening."""
    problem = only_problem("a:\n  b: [1, 2\n")
    assert problem.hint == "while parsing a flow sequence started at f.yaml:2:6"


def test_alias_bomb_is_bounded() -> None:
    """A 'billion laughs' document is cut off by the node budget, quickly and located."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    problem = only_problem("\n".join(lines) + "\n")
    assert "document too large" in problem.message and problem.position is not None


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 200 + "]" * 200 + "\n",
        "a: " + "{b: " * 200 + "1" + "}" * 200 + "\n",
        "".join(f"{'  ' * i}k{i}:\n" for i in range(200)) + "  " * 200 + "v\n",
    ],
    ids=["flow-lists", "flow-maps", "block"],
)
def test_deep_nesting_is_a_located_problem(text: str) -> None:
    """200 levels exceed MAX_DEPTH; the answer is a problem, not a RecursionError."""
    problem = only_problem(text)
    assert "deeper than" in problem.message or "too deep" in problem.message
    assert problem.position is not None


def test_read_file_accepts_a_byte_order_mark(tmp_path: Path) -> None:
    """Editors on Windows save UTF-8 with a BOM; that is still valid UTF-8 YAML."""
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    doc, problems = read_file(path, "bom.yaml")
    assert problems == [] and doc is not None and doc.data == {"a": 1}


@pytest.mark.parametrize(
    ("content", "message", "where"),
    [
        (b"a: 1\nb: caf\xe9\n", "not valid UTF-8 (byte 0xe9)", (2, 7)),
        (b"a: 1\nb: \x00\x01\n", "NUL bytes", (2, 1)),
        (b"\xff\xfe\x00\x00", "not valid UTF-8", (1, 1)),
    ],
    ids=["latin1", "nul", "utf32-bom"],
)
def test_bad_bytes_are_located(
    tmp_path: Path, content: bytes, message: str, where: tuple[int, int]
) -> None:
    """Encoding problems point at the line and column of the first bad byte."""
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    doc, problems = read_file(path, "bad.yaml")
    assert doc is None and len(problems) == 1
    assert message in problems[0].message
    assert problems[0].position == Position("bad.yaml", *where)


def test_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    """A huge file is refused by its size before being read (a sparse file keeps this fast)."""
    path = tmp_path / "huge.yaml"
    with path.open("wb") as fh:
        fh.truncate(source.MAX_FILE_BYTES + 1)
    _, problems = read_file(path, "huge.yaml")
    assert [p.message for p in problems] == [
        f"file is {source.MAX_FILE_BYTES + 1} bytes; the limit is {source.MAX_FILE_BYTES} bytes"
    ]


def test_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    """An OS error (here: a directory where a file was expected) is reported, not raised."""
    (tmp_path / "dir.yaml").mkdir()
    _, problems = read_file(tmp_path / "dir.yaml", "dir.yaml")
    assert problems[0].message.startswith("cannot read file:")
    assert problems[0].position == Position("dir.yaml", 1, 1)


def test_permission_denied_is_a_problem(write: Writer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file the OS refuses to read is reported with the OS reason. CI runs as root, which
    reads files whatever their mode, so the refusal comes from the OS call itself."""
    path = write("secret.yaml", "a: 1\n")
    real = Path.open

    def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    _, problems = read_file(path, "secret.yaml")
    assert problems[0].message == "cannot read file: Permission denied"


def test_discover_orders_filters_and_deduplicates(write: Writer, tmp_path: Path) -> None:
    """Directories expand to *.yaml/*.yml in sorted order; hidden entries and other files are
    skipped; a file reached twice is read once (otherwise every name would be a duplicate)."""
    write("b.yaml", "a: 1\n")
    write("a/z.yml", "a: 1\n")
    write("notes.txt", "x")
    write(".hidden.yaml", "a: 1\n")
    write(".git/ci.yaml", "a: 1\n")
    files, problems = discover([tmp_path, tmp_path / "b.yaml"])
    assert problems == []
    assert [f.relative_to(tmp_path).as_posix() for f in files] == ["a/z.yml", "b.yaml"]


def test_smsconfignore_excludes_files_and_directories(write: Writer, tmp_path: Path) -> None:
    """A directory can keep broken examples and CI YAML beside the configuration."""
    write(".smsconfignore", "# comment\ninvalid/\nci.yaml\n*.draft.yaml\n")
    write("invalid/broken.yaml", "a: [\n")
    write("ci.yaml", "on: push\n")
    write("next.draft.yaml", "a: 1\n")
    write("keep.yaml", "a: 1\n")
    files, _ = discover([tmp_path])
    assert [f.name for f in files] == ["keep.yaml"]


def test_symlink_loop_does_not_hang(write: Writer, tmp_path: Path) -> None:
    """A directory symlink back to an ancestor is followed once, then not again."""
    write("sub/a.yaml", "a: 1\n")
    (tmp_path / "sub" / "loop").symlink_to(tmp_path, target_is_directory=True)
    files, problems = discover([tmp_path])
    assert problems == [] and [f.name for f in files] == ["a.yaml"]


def test_dangling_symlink_inside_a_directory_is_a_located_problem(
    write: Writer, tmp_path: Path
) -> None:
    """A broken link is listed by the walk and then fails to read: a problem, not a crash."""
    write("ok.yaml", "a: 1\n")
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "missing.yaml")
    files, _ = discover([tmp_path])
    problems = [p for f in files for p in read_file(f, f.name)[1]]
    assert [p.message for p in problems] == ["cannot read file: No such file or directory"]


@pytest.mark.parametrize(
    ("setup", "message"),
    [("empty-dir", "directory holds no YAML files"), ("missing", "no such file or directory")],
)
def test_discover_reports_nothing_to_read(tmp_path: Path, setup: str, message: str) -> None:
    """A path with nothing to validate is an error; silently validating nothing would pass CI."""
    target = tmp_path / setup
    if setup == "empty-dir":
        target.mkdir()
        (target / "readme.md").write_text("no yaml here")
    _, problems = discover([target])
    assert len(problems) == 1 and problems[0].message.startswith(message)
    assert problems[0].position == Position(str(target), 1, 1)


def _with_python_only(monkeypatch: pytest.MonkeyPatch, text: str) -> Any:
    monkeypatch.setattr(source, "_FAST_LOADERS", None)
    found = parse_text(text, "f.yaml")
    monkeypatch.undo()
    return found


def _outcome(found: tuple[Document | None, list[Problem]]) -> str:
    """What a parse gave, as text that tells `1` from `True` and `'1'`; marks as positions."""
    doc, problems = found
    if doc is None:
        return repr((None, problems))
    return repr((doc.file, doc.data, {p: doc.position(p) for p in doc.positions}, problems))


@pytest.mark.skipif(source._FAST_LOADERS is None, reason="PyYAML built without libyaml")
@pytest.mark.parametrize(
    "text",
    [
        "a:\n  b: [1, {c: d}]\n  e: &x {f: 1}\n  g:\n    <<: *x\n    h: é\n",
        "a: b\tc\n",  # libyaml takes the tab; PyYAML reports it
        "a: [What?]\n",  # libyaml takes `?` in a flow scalar; PyYAML rejects it
        "a: {b: }\n",  # an empty flow value: placed one column apart
        "a: !\nb: 1\n",  # the bare `!` tag: null for PyYAML, text for libyaml's parser
        "? !\n: 1\n",
        "a: !foo x\n",
        "a: 1\n\u2028b: 2\n",
        "a: x\ufeffy\n",
        "---\n# only a comment\n",
        "a: [1, 2\n",
        "a: *nowhere\n",
        "a: &x 1\nb: &x 2\n",
        "a: 1\nb: x\x07y\n",
        "é: 1\nb: é\x07y\n",
        "a: " + "[" * 2000 + "]" * 2000 + "\n",
        "".join(f"{'  ' * i}k{i}:\n" for i in range(400)) + "  " * 400 + "v\n",
        "a: |# note\n  x\n",
        "a: >-#\n  x\n",
        'a: "\\ud800"\n',
        "a: {b: c:d}\n",
    ],
)
def test_libyaml_reads_like_pyyaml(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """libyaml (C) reads files several times faster; what it reads, and every problem and
    position, must be exactly what PyYAML's pure-Python loader gives, including where the two
    libraries disagree (tabs, `?` in flow scalars, the bare `!` tag, line breaks, errors)."""
    fast = parse_text(text, "f.yaml")
    slow = _with_python_only(monkeypatch, text)
    assert _outcome(fast) == _outcome(slow)


def _loaders_used(monkeypatch: pytest.MonkeyPatch, text: str) -> list[type]:
    loaders: list[type] = []
    compose_all = source.yaml.compose_all

    def spy(text: str, Loader: type) -> Any:
        loaders.append(Loader)
        return compose_all(text, Loader=Loader)

    monkeypatch.setattr(source.yaml, "compose_all", spy)
    parse_text(text, "f.yaml")
    monkeypatch.undo()
    return loaders


@pytest.mark.skipif(source._FAST_LOADERS is None, reason="PyYAML built without libyaml")
@pytest.mark.parametrize(
    ("text", "composer"),
    [
        ("a:\n  b: [1, {c: d}]\n  e: How can we help?\n", 0),
        ("a: Hello!\n", 1),  # a `!`: PyYAML's composer (it sees bare `!` tags)
        ("a: [" + ", ".join(["[1]"] * 600) + "]\n", 1),  # could nest deeply: not in C
        ("a:\n" + " " * 600 + "b: 1\n", 1),
    ],
)
def test_valid_text_is_read_by_libyaml_once(
    monkeypatch: pytest.MonkeyPatch, text: str, composer: int
) -> None:
    """A clean file is read once, by libyaml; composed in C only when it cannot nest deeply
    (libyaml's composer recurses in C, unbounded before libyaml 0.2.6), else by PyYAML's."""
    assert source._FAST_LOADERS is not None
    assert _loaders_used(monkeypatch, text) == [source._FAST_LOADERS[composer]]


def test_configuration_roots_reads_each_file_with_its_whole_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smsconf.config.source import configuration_roots

    monkeypatch.chdir(tmp_path)
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    config = tmp_path / "repo" / "config"
    (config / "workstreams" / "deep").mkdir(parents=True)
    (config / "smsconf.yaml").write_text("queues: []\n")
    loose = tmp_path / "repo" / "loose.yaml"
    (tmp_path / ".smsconfignore").write_text("")  # above the work tree: never a root
    files = [
        config / "workstreams" / "a.yaml",
        config / "workstreams" / "deep" / "b.yaml",
        config / "smsconf.yaml",
        loose,
    ]
    relative = [f.relative_to(tmp_path) for f in files]
    assert configuration_roots(relative) == [Path("repo/config"), Path("repo/loose.yaml")]
