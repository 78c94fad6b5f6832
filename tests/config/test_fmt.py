"""`config/fmt.py`: layout changes, nothing else; a result that would lose anything is refused."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from smsconf.config import ConfigError
from smsconf.config import fmt as fmt_module
from smsconf.config.fmt import format_text

MESSY = """\
# head comment
---
queues:
    - name: A   # the first
      priority: 10
    -   name: "B"
        priority:   5
workstreams:
- name: W
  sms: {number: '14255550100', language: en-US}
  messages:
      greeting: |
        Hello,   there
---
settings:
  max_deletes: 3   \n"""

CANONICAL = """\
# head comment
---
queues:
  - name: A     # the first
    priority: 10
  - name: "B"
    priority: 5
workstreams:
  - name: W
    sms: {number: '14255550100', language: en-US}
    messages:
      greeting: |
        Hello,   there
---
settings:
  max_deletes: 3
"""


def refusal(text: str) -> str:
    with pytest.raises(ConfigError) as raised:
        format_text(text, "m.yaml")
    (problem,) = raised.value.problems
    return problem.message


def test_layout_becomes_canonical_and_the_rest_stays() -> None:
    assert format_text(MESSY, "m.yaml") == CANONICAL


def test_canonical_text_is_left_alone() -> None:
    assert format_text(CANONICAL, "c.yaml") == CANONICAL


def test_a_file_of_comments_only_keeps_them() -> None:
    assert format_text("# nothing yet   \n\n# more\n", "c.yaml") == "# nothing yet\n\n# more\n"


def test_a_syntax_error_is_located() -> None:
    with pytest.raises(ConfigError) as raised:
        format_text("queues:\n  - name: [A\n", "bad.yaml")
    (problem,) = raised.value.problems
    assert problem.position is not None and problem.position.file == "bad.yaml"
    assert problem.position.line == 3


def test_a_crash_of_the_round_trip_is_a_refusal() -> None:
    """ruamel.yaml 0.19 raises IndexError reading the plain scalar `-_` (an int to YAML 1.2's
    resolver with underscores): found by the property test below."""
    assert "could not read it (IndexError)" in refusal("a: -_\n")


def test_a_result_that_loses_a_comment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    dump = fmt_module.Document.dump
    monkeypatch.setattr(
        fmt_module.Document, "dump", lambda doc: dump(doc).replace("# the first", "")
    )
    assert "losing a comment" in refusal(MESSY)


def test_a_result_that_reads_differently_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    dump = fmt_module.Document.dump
    monkeypatch.setattr(fmt_module.Document, "dump", lambda doc: dump(doc).replace("10", "11"))
    assert "read differently" in refusal(MESSY)


SCALARS = st.one_of(
    st.integers(-1000, 10**6),
    st.booleans(),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20),
)
KEYS = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
TREES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=4),
        st.dictionaries(KEYS, inner, min_size=1, max_size=4),
    ),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    data=st.dictionaries(KEYS, TREES, min_size=1, max_size=5),
    indent=st.sampled_from([2, 4]),
    flow=st.booleans(),
    comment_every=st.integers(2, 5),
)
def test_any_document_keeps_its_data_and_comments(
    data: dict, indent: int, flow: bool, comment_every: int
) -> None:
    """Block style, as configurations are written, always formats; where flow collections hold
    comments after them (ruamel.yaml drops a comment after a top-level flow mapping), the file
    may be refused as it is, as where ruamel.yaml itself crashes (`_: -_`), but is never
    silently changed."""
    text = yaml.safe_dump(
        data, indent=indent, default_flow_style=None if flow else False, allow_unicode=True
    )
    lines = text.splitlines()
    commented = "".join(
        f"{line}\n# note {n}\n" if n % comment_every == 0 and line[-1:] != ":" else f"{line}\n"
        for n, line in enumerate(lines)
    )
    try:
        once = format_text(commented, "g.yaml")
    except ConfigError as exc:  # refused as it is (nothing lost), and only for a known reason
        (problem,) = exc.problems
        assert flow or "ruamel.yaml could not read it" in problem.message, problem.message
        return
    assert list(yaml.safe_load_all(once)) == list(yaml.safe_load_all(commented))
    assert format_text(once, "g.yaml") == once
