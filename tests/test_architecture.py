"""Rows flow one way (DESIGN.md, "The layout"): the architecture as imports, checked.

Every `import` in the source is read, at module level and inside functions alike (a lazy import
is still a dependency), and followed transitively within smsconf. The mapping owns both sides
of the rows and must never reach back up into the reconciler; the reconciler must never know
the emulators exist (opening the local ones is the composition layer's, smsconf.connect); the
docs generator is a tool of the repository, not of the runtime package.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "smsconf"


def module_of(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_of(p): p for p in PACKAGE.rglob("*.py")}


@functools.cache
def imports(module: str) -> frozenset[str]:
    """The smsconf modules `module` imports directly (a package import: its __init__)."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(name for name in names if name in MODULES)
    return frozenset(found)


def reachable(module: str) -> set[str]:
    seen: set[str] = set()
    todo = [module]
    while todo:
        for name in imports(todo.pop()):
            if name not in seen:
                seen.add(name)
                todo.append(name)
    return seen


def under(prefix: str) -> list[str]:
    return sorted(m for m in MODULES if m == prefix or m.startswith(prefix + "."))


def test_the_import_reader_sees_lazy_and_module_level_imports() -> None:
    """Guards the test itself: a reader that found nothing would pass everything."""
    assert "smsconf.mapping.desired" in imports("smsconf.reconcile.manager")
    assert "smsconf.emulator.dataverse" in imports("smsconf.connect")  # inside a function


def test_mapping_never_imports_the_reconciler() -> None:
    offenders = {
        module: sorted(m for m in reachable(module) if m.startswith("smsconf.reconcile"))
        for module in under("smsconf.mapping")
    }
    assert {m: found for m, found in offenders.items() if found} == {}


def test_the_reconciler_never_imports_the_emulators() -> None:
    offenders = {
        module: sorted(m for m in reachable(module) if m.startswith("smsconf.emulator"))
        for module in under("smsconf.reconcile")
    }
    assert {m: found for m, found in offenders.items() if found} == {}


def test_the_docs_generator_is_not_in_the_runtime_package() -> None:
    assert "smsconf.docs_reference" not in MODULES
    assert (SRC.parent / "tools" / "docs_reference.py").exists()


def test_the_benchmark_never_imports_the_tests() -> None:
    """bench/ shares its harness with the suite through tools/testkit, never through tests/."""
    found = []
    for path in (SRC.parent / "bench").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            found += [f"{path.name}: {n}" for n in names if n == "tests" or n.startswith("tests.")]
    assert found == []


def stdlib_imports(module: str) -> set[str]:
    """Top-level names of everything `module` imports (`gc`, `contextlib`, `smsconf`…)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            found.add((node.module or "").split(".")[0])
    return found


POLICY = {"smsconf.process", "smsconf.gcpause"}
BURSTS = ("smsconf.config.loader", "smsconf.reconcile.manager", "smsconf.render.text")


def test_the_gc_policy_lives_only_in_the_process_module() -> None:
    """`smsconf.process` (with `gcpause`, its one module) decides how allocation bursts meet
    the collector; the steps that allocate (the loader, the manager, the text renderer) are
    handed a `Burst` and know nothing of the collector or of that policy."""
    touching_gc = sorted(m for m in MODULES if "gc" in stdlib_imports(m))
    assert touching_gc == ["smsconf.gcpause"]
    importing_gcpause = sorted(m for m in MODULES if "smsconf.gcpause" in imports(m))
    assert importing_gcpause == ["smsconf.process"]
    for module in BURSTS:
        assert not reachable(module) & POLICY, module
        assert "smsconf.bursts" in imports(module), module  # it does receive a burst


def test_a_command_hands_its_bursts_the_process_policy() -> None:
    """The executable's commands pass `smsconf.process.burst`, so the pause still happens."""
    for command in ("smsconf.cli.validate", "smsconf.cli.reconcile", "smsconf.cli.show"):
        assert "smsconf.process" in imports(command), command


CLIENTS = (
    "smsconf.dataverse.client",
    "smsconf.telesign.client",
    "smsconf.twilio.client",
    "smsconf.acs.client",
)


def test_every_client_retries_through_the_one_core() -> None:
    """One retry loop (`http_client.with_retries`, on tenacity) and one policy: the clients
    only say what is final (`decide`, or `RetryingClient`'s for the providers that share it);
    none keeps a tuple or a wait of its own. (ACS's ARM client, `acs.arm`, still loops on its
    own: it is not on the core yet.)"""
    assert sorted(m for m in MODULES if "tenacity" in stdlib_imports(m)) == ["smsconf.http_client"]
    for client in CLIENTS:
        assert "smsconf.http_client" in imports(client), client
        source = MODULES[client].read_text(encoding="utf-8")
        through = "with_retries(" in source or "(RetryingClient)" in source
        assert through and ".sleep(" not in source, client  # no wait of its own
    defined = [
        (module, target.id)
        for module, path in MODULES.items()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id.lstrip("_") == "NOT_SENT"
    ]
    assert defined == [("smsconf.http_client", "NOT_SENT")]
    classes = [
        module
        for module, path in MODULES.items()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef) and node.name == "RetryPolicy"
    ]
    assert classes == ["smsconf.http_client"]
