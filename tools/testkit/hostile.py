"""Hostile configuration input, and the contract every one of them must meet.

`validate` and `plan` get each input; whatever it is (a YAML bomb, 10 MB, UTF-16, binary
garbage, a symlink loop, a FIFO that never ends, a device that never stops), the command must
exit 3 with a located message (`file:line:col: error: ...`), print no traceback, finish within
`SECONDS_PER_INPUT` and grow its address space by at most `PEAK_BYTES`. Each command runs in a
forked child (cheap: everything is imported already) with that cap as its RLIMIT_AS, killed
when it outlives the time limit, so a hang or a memory bomb fails one input, not the suite.

Shared by tests/reliability/test_hostile_input.py and `bench/reliability.py`.
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import select
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import strategies as st

from smsconf.cli import main
from smsconf.exitcodes import ExitCode

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "channels.yaml"
LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): error: \S", re.MULTILINE)
SECONDS_PER_INPUT = 20.0
PEAK_BYTES = 300 * 1024 * 1024
OUTPUT_BYTES = 64 * 1024
"""An error report about a 4 MB string must not be 4 MB long."""
COMMANDS = ("validate", "plan")
TRIED: Counter[str] = Counter()
"""Inputs tried in this process, by kind (the terminal summary and the benchmark print it)."""


@dataclass
class Verdict:
    """How one command took one input; `problems` is empty when the contract held."""

    command: str
    name: str
    exit_code: int | None = None
    seconds: float = 0.0
    peak_bytes: int = 0
    problems: list[str] = field(default_factory=list)
    traceback: bool = False
    stderr: str = ""


def _status_kib(field_name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def _child(args: list[str], env: dict[str, str], out: int) -> None:
    """In the forked child: cap the address space, run the command, report as JSON."""
    limit = _status_kib("VmSize") * 1024 + PEAK_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    before = _status_kib("VmRSS")
    result = CliRunner().invoke(main, args, env=env)
    exception = result.exception
    report = {
        "exit_code": result.exit_code,
        "stdout": result.stdout[: OUTPUT_BYTES + 1],
        "stderr": result.stderr[: OUTPUT_BYTES + 1],
        "output_bytes": len((result.stdout + result.stderr).encode()),
        "exception": None
        if exception is None or isinstance(exception, SystemExit)
        else repr(exception)[:500],
        "peak_bytes": max(0, _status_kib("VmHWM") - before) * 1024,
    }
    data = json.dumps(report).encode()
    while data:
        data = data[os.write(out, data) :]


def _isolated(args: list[str], env: dict[str, str]) -> dict[str, Any] | None:
    """Run the command in a forked child (modules already imported, so it starts at once)
    with its address space capped at `PEAK_BYTES` more than now; None if it outlived
    `SECONDS_PER_INPUT` (then it is killed: a hang cannot take the suite down with it)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 0
        try:
            os.close(read)
            _child(args, env, write)
        except BaseException:
            code = 70
        finally:
            os._exit(code)
    os.close(write)
    chunks: list[bytes] = []
    deadline = time.monotonic() + SECONDS_PER_INPUT
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([read], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                return None
            chunk = os.read(read, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read)
        os.waitpid(pid, 0)
    return json.loads(b"".join(chunks)) if chunks else {"exception": "the child died silently"}


INVALID = frozenset({ExitCode.INVALID_CONFIG})
PLAN_OF_VALID = frozenset({ExitCode.OK, ExitCode.CREDENTIALS, ExitCode.UNSAFE_PLAN})
"""A generated input that happens to be valid is planned like any configuration."""


def run_command(
    command: str, target: Path, home: Path, name: str, expect: frozenset[int] = INVALID
) -> Verdict:
    """One command on one input, isolated, timed, memory-capped, its output checked."""
    verdict = Verdict(command, name)
    env = {"SMSCONF_HOME": str(home), "SMSCONF_DEBUG": ""}
    started = time.perf_counter()
    report = _isolated([command, str(target)], env)
    verdict.seconds = time.perf_counter() - started
    TRIED[f"{command} runs"] += 1
    if report is None:
        verdict.problems.append(f"still running after {SECONDS_PER_INPUT:g} s (killed)")
        return verdict
    verdict.exit_code = report.get("exit_code")
    verdict.peak_bytes = report.get("peak_bytes", 0)
    if report.get("exception"):
        verdict.traceback = True
        verdict.problems.append(f"exception {report['exception']}")
        return verdict
    stderr = verdict.stderr = report["stderr"]
    output = report["stdout"] + stderr
    if "Traceback" in output:
        verdict.traceback = True
        verdict.problems.append("traceback printed")
    if verdict.exit_code not in expect:
        verdict.problems.append(f"exit {verdict.exit_code}, not {set(expect)}: {output[:300]!r}")
    elif verdict.exit_code == ExitCode.INVALID_CONFIG and not LOCATED.search(stderr):
        verdict.problems.append(f"no located message: {stderr[:300]!r}")
    if report["output_bytes"] > OUTPUT_BYTES:
        verdict.problems.append(f"{report['output_bytes']} bytes of output")
    return verdict


def check(target: Path, home: Path, name: str) -> list[Verdict]:
    """Both commands on one input that is invalid by construction."""
    return [run_command(command, target, home, name) for command in COMMANDS]


def check_generated(target: Path, home: Path, name: str) -> list[Verdict]:
    """Both commands on a generated input: invalid ones exit 3 from both, valid ones exit 0
    from validate and plan like any configuration; none prints a traceback or runs away."""
    validated = run_command("validate", target, home, name, INVALID | {ExitCode.OK})
    valid = validated.exit_code == ExitCode.OK
    planned = run_command("plan", target, home, name, PLAN_OF_VALID if valid else INVALID)
    return [validated, planned]


# --- the fixed corpus: inputs built by hand, one per way of being hostile -------------------

Build = Callable[[Path], Path]
"""Writes an input under the given directory; returns what to pass to the command."""


def _file(name: str, content: bytes) -> Build:
    def build(directory: Path) -> Path:
        path = directory / name
        path.write_bytes(content)
        return path

    return build


def billion_laughs(levels: int = 9, width: int = 10) -> bytes:
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return ("\n".join(lines) + "\n").encode()


def merge_key_bomb(levels: int = 9, width: int = 10) -> bytes:
    lines = ["m0: &m0 {k: v}"]
    for i in range(1, levels + 1):
        refs = ", ".join([f"*m{i - 1}"] * width)
        lines.append(f"m{i}: &m{i}\n  <<: [{refs}]\n  k{i}: v")
    return ("\n".join(lines) + "\n").encode()


def deep_block(levels: int) -> bytes:
    """Block mappings nested `levels` deep by indentation alone."""
    return "".join(f"{'  ' * i}k{i}:\n" for i in range(levels)).encode() + b"  " * levels + b"v\n"


def ten_megabytes() -> bytes:
    """10 MB of plausible configuration: many queues (not a sparse file)."""
    unit = b"  - name: Queue padding padding padding padding padding padding\n    managed: true\n"
    return b"queues:\n" + unit * (10 * 2**20 // len(unit) + 1)


def huge_string() -> bytes:
    """A 2 MB queue name: under the file size limit, so it reaches validation."""
    return b"queues:\n  - name: " + b"Q" * (2 * 2**20) + b"\n    managed: maybe\n"


def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def symlink_loops(directory: Path) -> Path:
    """A directory that links to itself and to its parent, two files that link to each other,
    and one broken link; nothing else (so the directory holds no configuration)."""
    root = directory / "loops"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "again").symlink_to(root, target_is_directory=True)
    (root / "sub" / "up").symlink_to("..", target_is_directory=True)
    (root / "a.yaml").symlink_to(root / "b.yaml")
    (root / "b.yaml").symlink_to(root / "a.yaml")
    (root / "gone.yaml").symlink_to(root / "nowhere.yaml")
    return root


def symlink_loop_with_config(directory: Path) -> Path:
    """A loop around an invalid configuration file: it must be read once, errors once."""
    root = directory / "looped-config"
    root.mkdir()
    (root / "channels.yaml").write_text("queues:\n  - name: Q\n    managed: maybe\n")
    (root / "self").symlink_to(root, target_is_directory=True)
    return root


def fifo(directory: Path) -> Path:
    """A named pipe called channels.yaml: nobody ever writes to it."""
    root = directory / "fifo"
    root.mkdir()
    os.mkfifo(root / "channels.yaml")
    return root


def endless_device(directory: Path) -> Path:
    """channels.yaml is /dev/zero: its size says 0, its content never ends."""
    root = directory / "device"
    root.mkdir()
    (root / "channels.yaml").symlink_to("/dev/zero")
    return root


def many_files(directory: Path) -> Path:
    """2,000 files of one queue each, and one mistake in the last: found, and reported once."""
    root = directory / "many"
    root.mkdir()
    for i in range(2000):
        (root / f"q{i:04d}.yaml").write_text(f"queues:\n  - name: Queue {i}\n    managed: true\n")
    (root / "q9999.yaml").write_text("queues:\n  - name: Odd one\n    managed: maybe\n")
    return root


def _edited(name: str, *edits: tuple[str, str]) -> Build:
    """The example with each `old` replaced once by `new`: hostile in exactly that way."""

    def build(directory: Path) -> Path:
        text = example_text()
        for old, new in edits:
            assert old in text, f"the example no longer holds {old!r}"
            text = text.replace(old, new, 1)
        path = directory / name
        path.write_text(text, encoding="utf-8")
        return path

    return build


def _quoted(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


QUEUE = "  - name: SMS Support Tier 1\n"
NFD_CAFE = "Cafe\u0301"
NAMES: dict[str, Build] = {
    f"name: {what}": _edited("names.yaml", (QUEUE, f"  - name: {_quoted(name)}\n"))
    for what, name in {
        "closes the comment's code block": "Greeting queue\n```\n\n</details>\n\n<!--",
        "terminal escape": "SMS \x1b]0;pwned\x07Support",
        "right-to-left override": "SMS Support \u202eevil",
        "zero-width only": "\u200b\u200b",
        "blank": "   ",
    }.items()
}
# Issue 21's other hostile inputs: each was accepted (or crashed with exit 1) before.
HOSTILE_VALUES: dict[str, Build] = {
    "NFC and NFD spellings of one name": _edited(
        "nfd.yaml",
        ("queues:\n", "queues:\n  - name: " + _quoted(NFD_CAFE) + "\n  - name: Caf\u00e9\n"),
    ),
    "CR LF in customer_id": _edited(
        "crlf.yaml",
        ("customer_id: ${var:contoso_customer_id}", "customer_id: " + _quoted("C\r\n  ok")),
    ),
    "unclosed IPv6 endpoint": _edited(
        "ipv6.yaml",
        (
            "    customer_id: ${var:contoso_customer_id}\n",
            '    customer_id: ${var:contoso_customer_id}\n    endpoint: "http://[::1"\n',
        ),
    ),
    "endpoint port 99999": _edited(
        "port.yaml",
        (
            "    customer_id: ${var:contoso_customer_id}\n",
            "    customer_id: ${var:contoso_customer_id}\n"
            "    endpoint: https://rest-api.telesign.com:99999\n",
        ),
    ),
    "1 MB routing condition": _edited("routing.yaml", ("value: Gold", f'value: "{"G" * 2**20}"')),
    "!!binary that is not base64": _edited(
        "binary.yaml", ("customer_id: ${var:contoso_customer_id}", 'customer_id: !!binary "no!"')
    ),
    "unknown table under settings.ignore": _edited(
        "ignore.yaml", ("queues:\n", "settings:\n  ignore:\n    queu: [name]\nqueues:\n")
    ),
}

CORPUS: dict[str, Build] = {
    "billion laughs": _file("laughs.yaml", billion_laughs()),
    "merge-key bomb": _file("merge.yaml", merge_key_bomb()),
    "deep flow nesting": _file("deep.yaml", b"queues: " + b"[" * 20_000 + b"]" * 20_000),
    "deep block nesting": _file(
        "block.yaml",
        "".join(f"{'  ' * i}k{i}:\n" for i in range(400)).encode() + b"  " * 400 + b"v\n",
    ),
    "10 MB file": _file("ten.yaml", ten_megabytes()),
    "2 MB string": _file("string.yaml", huge_string()),
    "1 MB key": _file("key.yaml", b"k" * 2**20 + b": 1\n"),
    "binary garbage": _file("garbage.yaml", random.Random(8).randbytes(256 * 1024)),
    "NUL bytes": _file("nul.yaml", b"queues:\n  - name: Q\x00\x00\n"),
    "UTF-16 LE with BOM": _file("utf16le.yaml", example_text().encode("utf-16")),
    "UTF-16 BE without BOM": _file("utf16be.yaml", example_text().encode("utf-16-be")),
    "UTF-32": _file("utf32.yaml", example_text().encode("utf-32")),
    "Latin-1": _file("latin1.yaml", example_text().encode("latin-1", errors="replace")),
    "python tag": _file("tag.yaml", b"queues: !!python/object/apply:os.system ['true']\n"),
    "several documents": _file("docs.yaml", b"queues: []\n---\nqueues: []\n" * 1000),
    "symlink loops": symlink_loops,
    "symlink loop around config": symlink_loop_with_config,
    "FIFO": fifo,
    "endless device": endless_device,
    "2,000 files": many_files,
    **NAMES,
    **HOSTILE_VALUES,
}


# --- generated inputs (hypothesis) ----------------------------------------------------------


def _local_only(data: Any) -> Any:
    """The example without its real organisations: a mutation must never point plan at one
    (loopback only), so only the local environment is kept."""
    data["environments"] = {"local": data["environments"]["local"]}
    return data


EXAMPLE_DATA: Any = _local_only(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
KEYS = st.sampled_from(
    [
        "accounts", "workstreams", "queues", "name", "number", "numbers", "type", "sms",
        "distribution", "mode", "environments", "variables", "removed", "settings", "api_key",
        "routing", "automated_messages", "translations", "<<", "x",
    ]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.text(max_size=40),
    st.text(min_size=5_000, max_size=20_000, alphabet="abcé€\U0001f600"),
    st.sampled_from(
        ["${var:x}", "${env:NOPE}", "${file:/nonexistent/key}", "${", "push", "geo", "+1 425", "8h"]
    ),
)
STRUCTURES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(KEYS | st.text(), inner, max_size=5)
    ),
    max_leaves=40,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _paths(value, (*prefix, i))


EXAMPLE_PATHS = [p for p in _paths(EXAMPLE_DATA) if p]


def mutate(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of `data` with the node at `path` replaced by `value`."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {k: mutate(v, rest, value) if k == head else v for k, v in data.items()}
    return [mutate(v, rest, value) if i == head else v for i, v in enumerate(data)]


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


MUTATED_EXAMPLE = st.builds(
    lambda path, value: _dump(mutate(EXAMPLE_DATA, path, value)).encode(),
    st.sampled_from(EXAMPLE_PATHS),
    STRUCTURES,
)
"""The example with one node replaced by a random structure: nearly valid, so it gets past
parsing into the schema, the cross-references and the rules."""
ENCODED_TEXT = st.builds(
    lambda text, encoding: text.encode(encoding, errors="replace"),
    st.text(max_size=300),
    st.sampled_from(["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "utf-8"]),
)
INPUTS = st.one_of(
    MUTATED_EXAMPLE,
    st.dictionaries(KEYS, STRUCTURES, min_size=1, max_size=5).map(lambda d: _dump(d).encode()),
    ENCODED_TEXT,
    st.binary(max_size=2000),
)
