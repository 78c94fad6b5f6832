"""Load a configuration: discover files, parse with positions, merge, validate every environment.

Called by `validate`, `plan`, `apply` and `check-credentials`. Returns a validated `Config` for
one environment (`load_config`), or raises `ConfigError` holding every problem of every
environment at once (`validate_paths`).
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from smsconf.bursts import Burst
from smsconf.config import rules
from smsconf.config.interpolate import FILE_HINT, anchor_file_ref, substitute
from smsconf.config.model import Config
from smsconf.config.problems import ConfigError, Path_, Position, Problem, did_you_mean
from smsconf.config.provider_rules import unknown_number_type
from smsconf.config.source import Document, discover, read_file

DEFAULT_ENVIRONMENT = "local"  # used when --env is not given, so the quick start needs no flags
LIST_KEYS = tuple(
    name for name, f in Config.model_fields.items() if typing.get_origin(f.annotation) is list
)
MAP_KEYS = tuple(name for name in Config.model_fields if name not in LIST_KEYS)
# YAML already types every scalar, so a quoted "5" where a number goes, or "yes" / 1 where a
# boolean goes, is a wrong type: pydantic's lax mode would coerce it silently, while the committed
# JSON Schema (what editors check) rejects it. Strict validation makes the two agree.
STRICT = True


@dataclass
class Source:
    """All files of one configuration merged into one tree, and where each part came from."""

    data: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    origins: dict[Path_, tuple[Document, Path_]] = field(default_factory=dict)
    """The file and path each top-level key (its first file), list item and map entry came
    from: files append their list items, so the merged `workstreams[12]` may be the second
    file's `workstreams[3]`. Positions are looked up there when a message needs one."""

    def position(self, path: Path_) -> Position | None:
        """Where `path` is written, else where its deepest written parent is."""
        if len(path) >= 2 and (origin := self.origins.get(path[:2])) is not None:
            doc, at = origin
            return doc.position((*at, *path[2:]))
        if path and (origin := self.origins.get(path[:1])) is not None:
            doc, at = origin
            return doc.position(at)
        return None

    def verbatim(self, path: Path_) -> bool:
        """Whether the list item or map entry at `path` (two parts) comes from a file without
        any `${`, so substituting variables into it would only copy it (most files)."""
        origin = self.origins.get(path)
        return origin is not None and not origin[0].placeholders

    def locate(self, problem: Problem) -> Problem:
        """Attach the position of the deepest existing prefix of the problem's path."""
        if problem.position is not None:
            return problem
        position = self.position(problem.path)
        if position is None and self.files:
            position = Position(self.files[0], 1, 1)
        return dataclasses.replace(problem, position=position)  # a warning stays a warning

    def environment_names(self) -> list[str]:
        envs = self.data.get("environments")
        return sorted(envs) if isinstance(envs, dict) else []


def read_sources(paths: Sequence[Path | str]) -> tuple[Source, list[Problem]]:
    files, problems = discover([Path(p) for p in paths])
    source = Source()
    for file in files:
        doc, file_problems = read_file(file, str(file))
        problems.extend(file_problems)
        if doc is not None:
            source.files.append(doc.file)
            problems.extend(_merge(source, doc))
    return source, problems


def _merge(source: Source, doc: Document) -> list[Problem]:
    problems: list[Problem] = []
    origins = source.origins
    for key, value in doc.data.items():
        where = doc.position((key,))
        if key not in Config.model_fields:
            problems.append(
                Problem(
                    f"unknown top-level key '{key}'",
                    (key,),
                    where,
                    did_you_mean(key, Config.model_fields),
                )
            )
            continue
        if key in LIST_KEYS:
            if not isinstance(value, list):
                problems.append(Problem(f"'{key}' must be a list", (key,), where))
                continue
            target = source.data.setdefault(key, [])
            origins.setdefault((key,), (doc, (key,)))
            for i, item in enumerate(value):
                origins[(key, len(target))] = (doc, (key, i))
                target.append(item)
        elif not isinstance(value, dict):
            problems.append(Problem(f"'{key}' must be a mapping", (key,), where))
        else:
            target = source.data.setdefault(key, {})
            origins.setdefault((key,), (doc, (key,)))
            for sub, sub_value in value.items():
                if sub in target:
                    problems.append(
                        Problem(
                            f"'{key}.{sub}' is defined in more than one file",
                            (key, sub),
                            doc.position((key, sub)),
                            hint=f"first defined at {source.position((key, sub))}",
                        )
                    )
                    continue
                target[sub] = sub_value
                origins[(key, sub)] = (doc, (key, sub))
    return problems


def _variables_for(source: Source, env: str | None) -> tuple[dict[str, Any], list[Problem]]:
    """Global variables overlaid with the environment's; a `${file:...}` value stays relative
    to the file that defines the variable, not to the one that uses it (nor the working dir),
    and is refused there when it leads out of the repository."""
    envs = source.data.get("environments") or {}
    overlay = envs.get(env) if env is not None else None
    blocks: list[tuple[Path_, Any]] = [(("variables",), source.data.get("variables"))]
    if isinstance(overlay, dict):
        blocks.append((("environments", str(env), "variables"), overlay.get("variables")))
    merged: dict[str, Any] = {}
    problems: list[Problem] = []
    for prefix, block in blocks:
        # A malformed block is reported by the schema; here it must only not crash.
        if isinstance(block, dict):
            for name, value in block.items():
                if not isinstance(value, str):
                    merged[name] = value
                    continue
                where = source.position((*prefix, name))
                merged[name], refused = anchor_file_ref(value, where)
                if refused:
                    problems.append(Problem(refused, (*prefix, name), where, hint=FILE_HINT))
    return merged, problems


def build(source: Source, env: str | None) -> tuple[Config | None, list[Problem]]:
    """Validate the merged tree for one environment (None: no environment selected)."""
    variables, refused = _variables_for(source, env)
    data, unresolved = substitute(source.data, variables, source.position, source.verbatim)
    unresolved = refused + unresolved
    try:
        config = Config.model_validate(data, strict=STRICT)
    except ValidationError as exc:
        structural = _from_pydantic(exc, data)
        found = structural + _rules_without_invalid(data, structural)
        return None, unresolved + _not_under(found, unresolved)
    return config, unresolved + _not_under(rules.check(config), unresolved)


def _not_under(problems: list[Problem], unresolved: list[Problem]) -> list[Problem]:
    """A value still holding an undefined `${var:...}` is reported once, as that; what the schema
    or the rules say about the placeholder text itself ("not a secret reference", "number
    ${var:x} is not listed") would only repeat it."""
    bad = [p.path for p in unresolved]
    return [p for p in problems if not any(p.path[: len(b)] == b for b in bad)]


def _rules_without_invalid(data: dict[str, Any], structural: list[Problem]) -> list[Problem]:
    """Run the domain rules on what is left after dropping the objects that failed the schema.

    Users get every problem in one run; a dropped object's name is remembered so that references
    to it are not reported as undeclared on top of its own error.
    """
    pruned, kept, dropped = _prune(data, {p.path for p in structural})
    try:
        config = Config.model_validate(pruned, strict=STRICT)
    except ValidationError:
        return []  # a top-level map itself is broken; the structural errors say enough
    bad = {p.path for p in structural}
    found = [
        Problem(p.message, _original_path(p.path, kept), hint=p.hint)
        for p in rules.check(config, ignore_names=dropped)
    ]
    # A key dropped for its default must not draw a rule error about that default as well.
    return [p for p in found if not any(p.path[: len(b)] == b for b in bad)]


def _prune(
    data: dict[str, Any], bad_paths: set[Path_]
) -> tuple[dict[str, Any], dict[Path_, list[int]], set[str]]:
    """Copy `data` without the innermost list items (or top-level keys) holding bad paths."""
    doomed: set[Path_] = set()
    for path in bad_paths:
        if _has_default(path):  # drop just the key: its default stands in
            doomed.add(path)
            continue
        cut = max((i for i, part in enumerate(path) if isinstance(part, int)), default=None)
        doomed.add(path[: cut + 1] if cut is not None else path[:1])
    kept: dict[Path_, list[int]] = {}
    dropped: set[str] = set()

    def walk(value: Any, path: Path_) -> Any:
        if isinstance(value, dict):
            return {k: walk(v, (*path, k)) for k, v in value.items() if (*path, k) not in doomed}
        if isinstance(value, list):
            survivors = []
            for i, item in enumerate(value):
                if (*path, i) in doomed:
                    dropped.update(_names_of(item))
                else:
                    survivors.append(i)
            kept[path] = survivors
            return [walk(value[i], (*path, i)) for i in survivors]
        return value

    return walk(data, ()), kept, dropped


def _names_of(item: Any) -> set[str]:
    if not isinstance(item, dict):
        return set()
    names = {str(item[k]) for k in ("name", "title", "number") if k in item}
    for number in item.get("numbers") or []:
        if isinstance(number, dict) and "number" in number:
            names.add(str(number["number"]))
    return names


def _original_path(path: Path_, kept: dict[Path_, list[int]]) -> Path_:
    out: list[str | int] = []
    for part in path:
        survivors = kept.get(tuple(out))
        if isinstance(part, int) and survivors is not None and part < len(survivors):
            part = survivors[part]
        out.append(part)
    return tuple(out)


def _from_pydantic(exc: ValidationError, data: dict[str, Any]) -> list[Problem]:
    """Turn pydantic errors into located problems with 'did you mean' hints.

    Inputs are used only for enum suggestions; messages never echo a value, which could be a
    secret pasted into the wrong field.
    """
    by_path: dict[Path_, list[Problem]] = {}
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        path = _data_path(loc, data, missing=err["type"] == "missing")
        typed = err["type"] == "literal_error" and unknown_number_type(data, path, err["input"])
        by_path.setdefault(path, []).append(typed or _problem(err, loc, path))
    problems: list[Problem] = []
    for path, found in by_path.items():
        if len(found) == 1:
            problems.append(found[0])
        else:  # several branches of a union failed: one message listing what would do,
            # keeping a branch's hint (`alway` → did you mean 'always'?) rather than none
            expected = " or ".join(dict.fromkeys(p.message for p in found))
            hint = next((p.hint for p in found if p.hint), None)
            problems.append(Problem(f"invalid value: {expected}", path, hint=hint))
    return problems


def _data_path(loc: Path_, data: Any, missing: bool = False) -> Path_:
    """The part of a pydantic `loc` that names real keys and indexes (drops union tags).

    A union branch's tag (`str`, `int`, `bool`, `list[...]`) looks like a key but is not in the
    data; only a `missing` error's last part names a key that is absent, reported at that key.
    """
    path: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        if _has_child(node, part):
            node = node[part]
            path.append(part)
        elif missing and i == len(loc) - 1 and isinstance(node, dict):
            path.append(part)  # a missing required key: report at the key's parent position
    return tuple(path)


def _has_child(node: Any, part: str | int) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and part < len(node)


def _problem(err: dict[str, Any], loc: Path_, path: Path_) -> Problem:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        key = str(loc[-1])
        return Problem(
            f"unknown key '{key}'", path, hint=did_you_mean(key, _allowed_keys(loc[:-1]))
        )
    if kind == "missing":
        return Problem(f"missing required key '{loc[-1]}'", path)
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return Problem(
            f"expected one of {', '.join(options)}",
            path,
            hint=_value_hint(err, options),
        )
    message = str(err["msg"]).removeprefix("Value error, ")
    return Problem(message[:1].lower() + message[1:], path, hint=_quote_hint(err))


# The YAML tag an unquoted scalar needs to satisfy each pydantic type error.
_PLAIN_TAG = {
    "int_type": "tag:yaml.org,2002:int",
    "bool_type": "tag:yaml.org,2002:bool",
    "float_type": "tag:yaml.org,2002:float",
}
_RESOLVER = Resolver()


def _plain_tag(text: str) -> str:
    """The tag YAML would give `text` written without quotes (`5` int, `yes` bool)."""
    return str(_RESOLVER.resolve(ScalarNode, text, (True, False)))


def _quote_hint(err: dict[str, Any]) -> str | None:
    """Unquoted digits (a phone number, a Customer ID) or yes/no are not text in YAML; quoted
    ones are nothing but text."""
    value = err.get("input")
    if isinstance(value, str) and _PLAIN_TAG.get(err["type"]) == _plain_tag(value):
        return "remove the quotes: a quoted value is text in YAML"
    if err["type"] != "string_type":
        return None
    if isinstance(value, bool):
        return "quote it: unquoted true/false/yes/no is a boolean in YAML"
    if isinstance(value, (int, float)):
        return 'quote it, like "14255550100": unquoted digits are a number in YAML'
    return None


def _value_hint(err: dict[str, Any], options: list[str]) -> str | None:
    return None if not isinstance(err.get("input"), str) else did_you_mean(err["input"], options)


def _allowed_keys(loc: Path_) -> list[str]:
    """Field names of the model found at `loc`, for suggestions on unknown keys."""
    annotation: Any = Config
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    model = _model_of(annotation)
    return list(model.model_fields) if model else []


def _step(annotation: Any, part: str | int) -> Any:
    model = _model_of(annotation)
    if model is not None:
        return model.model_fields[part].annotation if part in model.model_fields else None
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list:
        return args[0] if isinstance(part, int) else None
    if origin is dict:
        return args[1]
    for arg in args:  # X | None
        found = _step(arg, part)
        if found is not None:
            return found
    return None


def _has_default(path: Path_) -> bool:
    if not path or not isinstance(path[-1], str):
        return False
    annotation: Any = Config
    for part in path[:-1]:
        annotation = _step(annotation, part)
    model = _model_of(annotation)
    field = model.model_fields.get(path[-1]) if model else None
    return field is not None and not field.is_required()


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        for arg in typing.get_args(annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                return arg
    return None


def validate_paths(
    paths: Sequence[Path | str], *, burst: Burst = nullcontext
) -> dict[str | None, Config]:
    """Validate a configuration for every environment it declares; raise with all problems."""
    return validate_with_sources(paths, burst=burst)[0]


def validate_with_sources(
    paths: Sequence[Path | str], *, burst: Burst = nullcontext
) -> tuple[dict[str | None, Config], Source]:
    """`validate_paths`, also returning the merged sources (for located messages later).

    Reading and validating is one allocation burst, run inside `burst()`: the caller's
    policy for such bursts (the executable's is `smsconf.process.burst`), nothing by default."""
    with burst():
        return _validate_all(paths)


def _validate_all(paths: Sequence[Path | str]) -> tuple[dict[str | None, Config], Source]:
    source, problems = read_sources(paths)
    configs: dict[str | None, Config] = {}
    if source.files:
        envs: list[str | None] = list(source.environment_names()) or [None]
        per_env: dict[Problem, list[str]] = {}
        for env in envs:
            config, env_problems = build(source, env)
            if config is not None:
                configs[env] = config
            for problem in env_problems:
                per_env.setdefault(source.locate(problem), []).append(env or "")
        for problem, names in per_env.items():
            only_some = env_names_if_partial(names, envs)
            problems.append(
                Problem(problem.message, problem.path, problem.position, problem.hint, only_some)
            )
    if problems:
        raise ConfigError([source.locate(p) for p in problems])
    return configs, source


def env_names_if_partial(names: list[str], envs: list[str | None]) -> tuple[str, ...]:
    """Name the environments only when a problem does not occur in all of them."""
    return () if len(set(names)) == len(envs) else tuple(sorted(set(names)))


@dataclass
class Loaded:
    """A validated configuration for one environment, with its sources for located messages."""

    config: Config
    environment: str | None
    source: Source

    def locate(self, path: Path_) -> str | None:
        """`file:line:col` of a path in the configuration, for plan and apply messages."""
        position = self.source.locate(Problem("", path)).position
        return str(position) if position else None

    def problems(self, problems: Sequence[Problem]) -> ConfigError:
        """Found later (e.g. a name missing in the organisation), reported like any other."""
        return ConfigError([self.source.locate(p) for p in problems])


def load(
    paths: Sequence[Path | str], env: str | None = None, *, burst: Burst = nullcontext
) -> Loaded:
    """Validate every environment, then return the one asked for (see `load_config`)."""
    configs, source = validate_with_sources(paths, burst=burst)  # the files are read once
    try:
        chosen = choose_environment(configs, env)
    except ConfigError as exc:  # point at the environments: block
        raise ConfigError([source.locate(p) for p in exc.problems]) from None
    return Loaded(configs[chosen], chosen, source)


def choose_environment(configs: dict[str | None, Config], env: str | None) -> str | None:
    if env is None and None not in configs:
        if len(configs) == 1:
            return next(iter(configs))
        if DEFAULT_ENVIRONMENT in configs:
            return DEFAULT_ENVIRONMENT
        raise ConfigError(
            [Problem(f"choose an environment with --env ({', '.join(map(str, configs))})")]
        )
    if env not in configs:
        declared = sorted(k for k in configs if k)
        listed = f"declared: {', '.join(declared)}" if declared else "none is declared"
        close = did_you_mean(str(env), declared)
        raise ConfigError(
            [
                Problem(
                    f"environment '{env}' is not declared ({listed})",
                    ("environments",),
                    hint=close,
                )
            ]
        )
    return env


def load_config(paths: Sequence[Path | str], env: str | None = None) -> Config:
    """The configuration for one environment; all environments must be valid to use any."""
    configs = validate_paths(paths)
    return configs[choose_environment(configs, env)]
