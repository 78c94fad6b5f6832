"""The Plan: one immutable value that every renderer, the saved plan file and apply read.

Its JSON (`to_json`) is the single source of truth, modelled on Terraform's plan JSON
(`format_version`, `resource_changes[].change.actions`, `before` / `after`, sensitive masks).
The checksum covers that JSON, so a plan file damaged in transit is refused. Anyone can
recompute it, so a saved plan is an assertion, never an instruction: apply plans again and
writes only when the fresh plan equals the saved one (`differences`). Secrets are never in a
plan: a secured column appears as `sensitive` with its fingerprint status, and apply reads the
value from the configuration again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from smsconf import __version__

if TYPE_CHECKING:
    from smsconf.routing.graph import Graph

FORMAT_VERSION = "1.0"
PROVIDER_TABLES = (
    "twilio.IncomingPhoneNumber",
    "twilio.ShortCode",
    "eventgrid.SystemTopic",
    "eventgrid.EventSubscription",
)
"""The provider resources a plan writes besides Dataverse rows (`reconcile.twilio`,
`reconcile.eventgrid`)."""
Action = Literal["create", "update", "delete", "associate", "disassociate"]
SENSITIVE = "(sensitive)"


class UnknownAddress(ValueError):
    """An address given on the command line names nothing in the plan (a usage error)."""


class PlanFileError(ValueError):
    """A saved plan cannot be read: not a smsconf plan, another format version, or damaged."""


@dataclass(frozen=True)
class DeleteAllowance:
    """The deletes a plan was allowed beyond `settings.max_deletes` (`--allow-deletes`:
    `all`; `--allow-delete ADDRESS`: `addresses`). Saved with the plan so that `apply --plan`
    needs no flags, and compared like every other member: a file cannot widen it."""

    all: bool = False
    addresses: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.all or bool(self.addresses)

    def describe(self) -> str:
        if self.all:
            return "all (--allow-deletes)"
        return ", ".join(self.addresses) if self.addresses else "none"


@dataclass(frozen=True)
class ColumnChange:
    column: str
    before: Any
    after: Any
    sensitive: bool = False
    detail: tuple[str, ...] = ()
    """For structured values (routing XML): what differs inside, rule by rule."""
    field: str = ""
    """The configuration field written there, as a YAML path (`workstreams[S].distribution.mode`);
    empty for a column smsconf sets on its own (a row's type, its parent's id)."""
    field_before: Any = None
    field_after: Any = None
    """`before` and `after` in the configuration's words (`pick`, `8h`, a queue's name)."""


@dataclass(frozen=True)
class Change:
    """One write: what, where, why, and the exact request body apply will send."""

    action: Action
    kind: str
    label: str
    table: str
    key: tuple[str, ...]
    id: str
    columns: tuple[ColumnChange, ...] = ()
    body: dict[str, Any] = field(default_factory=dict)
    secret_columns: tuple[str, ...] = ()
    etag: str | None = None
    reason: str = ""
    risks: tuple[str, ...] = ()
    relationship: str | None = None
    target_table: str | None = None
    target_id: str | None = None
    source: str | None = None
    step: int = 0
    cascade_of: str | None = None
    """For a delete that follows from another (a removed workstream's channel): that address."""
    words: tuple[str, ...] = ()
    """The key in the configuration's words (a trigger, not its option value; for a link, the
    workstream and the linked object's name)."""
    path: str = ""
    """Where the object is written in the configuration (`workstreams[SMS Sales].sms`)."""
    edited_by: str | None = None
    edited_on: str | None = None
    """For an update: who other than smsconf last modified the row, and when (an edit made in
    the organisation); None when smsconf wrote it last (the configuration moved instead)."""

    @property
    def address(self) -> str:
        """A stable, human name for the change (Terraform's resource address), in the
        configuration's words: what the plan prints and `--allow-delete` takes."""
        if self.words:
            return f"{self.kind}[{'/'.join(self.words)}]"
        suffix = f"->{self.target_table}({self.target_id})" if self.relationship else ""
        return f"{self.kind}[{'/'.join(self.key)}]{suffix}"


@dataclass(frozen=True)
class Unmanaged:
    kind: str
    label: str
    table: str
    id: str
    owner: str | None = None
    """"admin_center": the organisation's ACS connection or one of its numbers, which only the
    admin center writes (`reconcile.admin_center`); None: nobody smsconf knows of."""
    connection: str | None = None
    """The ACS connection the row is or belongs to (owner "admin_center")."""
    configured: bool = False
    """The configuration declares it: smsconf reads and checks it, never writes it."""


@dataclass(frozen=True)
class Credential:
    account: str
    provider: str
    customer_id: str
    status: str
    detail: str

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class NumberResult:
    """An opt-in PhoneID verdict on a sender number (billed, so only with --check-numbers)."""

    account: str
    number: str
    type: str
    verdict: str
    detail: str


@dataclass(frozen=True)
class Note:
    """Something the reviewer must know that is no write: a warning (a Trial account, a
    Messaging Service overriding a number, Telesign still configured), a fact (who answers
    STOP for a number) or a step only a person can take (`todo`: porting, registration)."""

    level: Literal["warning", "fact", "todo"]
    subject: str
    text: str


@dataclass
class ProviderFindings:
    """What checking a provider's accounts found that the plan shows alike for every provider:
    the credentials' and numbers' verdicts and the notes for the reviewer."""

    credentials: list[Credential] = field(default_factory=list)
    numbers: list[NumberResult] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


@dataclass(frozen=True)
class ProviderNumber:
    """A configured Twilio number as Twilio holds it: the inbound URL in effect and its layer."""

    account: str
    number: str
    sid: str | None
    layer: str
    url_in_effect: str
    expected: str | None
    right: bool
    consent: str


@dataclass(frozen=True)
class EventGridWiring:
    """An ACS account's Event Grid wiring as ARM holds it (`reconcile.eventgrid`): the
    subscriptions in effect for the organisation, where they deliver, where they must, and
    whether all is as D-EG has it (`checked` false: ARM was not asked, `detail` says why)."""

    account: str
    checked: bool
    right: bool
    topic: str
    subscriptions: str
    delivers_to: str
    expected: str | None
    detail: str


@dataclass(frozen=True)
class TrustedHost:
    """A host the run contacted or would contact, and why it may (`reconcile.trust`)."""

    service: str
    host: str
    verdict: str
    """documented (a provider's or Microsoft's documented host), allowed (by the workflow's
    SMSCONF_ALLOW_HOSTS or --allow-host: a risk, shown first) or in_process (the local
    organisation's emulators)."""
    named_by: str

    @property
    def risky(self) -> bool:
        return self.verdict == "allowed"


@dataclass(frozen=True)
class SecretUse:
    """A secret reference the run resolved, by name (never its value), where it is written."""

    used_for: str
    """`account 'contoso-telesign'`, or the organisation's bearer token."""
    reference: str
    named_by: str


@dataclass(frozen=True)
class Trust:
    """What the run trusted: a reviewer sees a new endpoint or a new secret at once."""

    hosts: tuple[TrustedHost, ...] = ()
    secrets: tuple[SecretUse, ...] = ()

    def risky_hosts(self) -> list[TrustedHost]:
        return [h for h in self.hosts if h.risky]

    def to_dict(self) -> dict[str, Any]:
        return {
            "hosts": [asdict(h) for h in self.hosts],
            "secrets": [asdict(s) for s in self.secrets],
        }


@dataclass(frozen=True)
class TrustChange:
    """A host or secret reference this plan trusts that its base plan did not trust so
    (`reconcile.trust.compared`): a risk line for the reviewer."""

    kind: str
    """`host` or `secret`."""
    change: str
    """`new` (the base had no such host, or no such reference for that use) or `changed` (the
    same host under another verdict, or the same use reading another reference)."""
    subject: str
    """`telesign rest-ww.telesign.com:443`, or what the secret is for (`account 'contoso'`)."""
    now: str
    """The host's verdict, or the secret reference, in this plan."""
    was: str | None
    """The same in the base plan; None for a new one."""
    named_by: str
    """Where this plan's configuration (or flag, or variable) names it."""


@dataclass(frozen=True)
class TrustBase:
    """The trust list a plan was compared with (the pull request's base branch: its saved plan,
    `plan --base-plan FILE`, or its configuration, `plan --base-config PATH`), and what is new
    or changed since it."""

    git_commit: str | None
    checksum: str | None
    """The base plan's checksum; None for a base configuration."""
    changes: tuple[TrustChange, ...] = ()


@dataclass(frozen=True)
class Plan:
    environment: str | None
    target: str
    org_id: str
    config_digest: str
    changes: tuple[Change, ...] = ()
    unmanaged: tuple[Unmanaged, ...] = ()
    credentials: tuple[Credential, ...] = ()
    number_checks: tuple[NumberResult, ...] = ()
    read_etags: dict[str, str] = field(default_factory=dict)
    unsafe: tuple[str, ...] = ()
    git_commit: str | None = None
    git_dirty: bool | None = None
    """The working tree differed from `git_commit` (uncommitted or untracked files); None
    outside a repository."""
    callback_urls: dict[str, str] = field(default_factory=dict)
    notes: tuple[Note, ...] = ()
    provider_numbers: tuple[ProviderNumber, ...] = ()
    allowed_deletes: DeleteAllowance = DeleteAllowance()
    paths: tuple[str, ...] = ()
    """The configuration's paths as given to `plan`: what `apply --plan FILE` plans again."""
    trust: Trust = field(default_factory=Trust)
    trust_base: TrustBase | None = None
    """What `trust` was compared with, and each new or changed host or secret reference
    (None: no base plan was given, nothing was compared)."""
    local_org: str | None = None
    only: tuple[str, ...] = ()
    """The `--only` addresses the plan was cut down to (empty: the whole configuration)."""
    """The local organisation's database, as its path was found (`target.state_dir`); None for
    a real organisation. Shown so nobody wonders which state a plan read."""
    routing: tuple[Graph, ...] = ()
    """A picture of each changed workstream's routing, before and after (`routing.graph`)."""
    event_grid: tuple[EventGridWiring, ...] = ()
    """Each ACS account's Event Grid wiring (`reconcile.eventgrid`)."""
    smsconf_version: str = __version__
    format_version: str = FORMAT_VERSION

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def counts(self) -> dict[str, int]:
        counted = Counter(c.action for c in self.changes)
        return {
            a: counted.get(a, 0)
            for a in ("create", "update", "delete", "associate", "disassociate")
        }

    def risks(self) -> list[tuple[str, str]]:
        """(risk, change label) for every flagged change, in plan order."""
        return [(risk, c.label) for c in self.changes for risk in c.risks]

    def failed_credentials(self) -> list[Credential]:
        return [c for c in self.credentials if not c.ok]

    # --- JSON --------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        body = self._body([_change_dict(c) for c in self.changes])
        if "checksum" not in self.__dict__:  # not computed yet: hash what is built anyway
            self.__dict__["checksum"] = _checksum(body)
        return {**body, "checksum": self.checksum}

    def to_json(self) -> str:
        return self._json

    def _body(self, resource_changes: Any) -> dict[str, Any]:
        """Everything the checksum covers, in the file's order, with the changes given."""
        return {
            "format_version": self.format_version,
            "smsconf_version": self.smsconf_version,
            "environment": self.environment,
            "target": self.target,
            "org_id": self.org_id,
            "local_org": self.local_org,
            "config_digest": self.config_digest,
            "git_commit": self.git_commit,
            "git_dirty": self.git_dirty,
            "trust": self.trust.to_dict(),
            "trust_base": _trust_base_dict(self.trust_base),
            "summary": self.counts(),
            "unsafe": list(self.unsafe),
            "credentials": [asdict(c) for c in self.credentials],
            "number_checks": [asdict(n) for n in self.number_checks],
            "resource_changes": resource_changes,
            "unmanaged": [asdict(u) for u in self.unmanaged],
            "read_etags": dict(sorted(self.read_etags.items())),
            "callback_urls": dict(sorted(self.callback_urls.items())),
            "notes": [asdict(n) for n in self.notes],
            "provider_numbers": [asdict(n) for n in self.provider_numbers],
            "allowed_deletes": {
                "all": self.allowed_deletes.all,
                "addresses": list(self.allowed_deletes.addresses),
            },
            "paths": list(self.paths),
            "only": list(self.only),
            "routing": [g.to_dict() for g in self.routing],
            "event_grid": [asdict(w) for w in self.event_grid],
        }

    @cached_property
    def _json(self) -> str:
        """Built once: `plan --out FILE --format json` writes and prints the same text."""
        return encodable(json.dumps(self.to_dict(), indent=2, ensure_ascii=False)) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> Plan:
        """The plan a file holds, refused with one line saying why when it is not exactly what
        `to_json` writes (types, actions, tables, derived members, checksum)."""
        try:
            data = _document(text)
            checksum = data.pop("checksum", None)
            if checksum is None:
                raise PlanFileError("has no checksum: it is not a plan smsconf wrote")
            if checksum != _checksum(data):
                raise PlanFileError("checksum does not match: it was changed after planning")
            plan = _plan_from(_with_optional(data))
            if plan._body([_change_dict(c) for c in plan.changes]) != data:
                raise PlanFileError("does not agree with itself: " + _first_mismatch(plan, data))
        except RecursionError:
            raise PlanFileError("nests too deeply to be a plan") from None
        return plan

    @cached_property
    def checksum(self) -> str:
        """Computed once (a plan is immutable), one change at a time: a large plan's changes
        are never all held as JSON values or as one string."""
        return _checksum(self._body(_change_dict(c) for c in self.changes))


def _trust_base_dict(base: TrustBase | None) -> dict[str, Any] | None:
    if base is None:
        return None
    return {
        "git_commit": base.git_commit,
        "checksum": base.checksum,
        "changes": [asdict(c) for c in base.changes],
    }


@dataclass(frozen=True)
class Difference:
    """One way a saved plan is not what planning again makes: which object (its address, or
    `plan` for the plan's own members) and which field, with both values."""

    where: str
    field: str
    saved: Any
    fresh: Any
    rows: frozenset[str] = frozenset()
    """The `table(id)` rows involved, so that a row known to have moved can explain it."""

    def __str__(self) -> str:
        if self.field == "":
            if self.fresh is _ABSENT:
                return f"{self.where}: {self.saved} is in the saved plan, not in a fresh plan"
            return f"{self.where}: a fresh plan has {self.fresh}, the saved plan has not"
        return (
            f"{self.where}: {self.field} is {_shown(self.saved)} in the saved plan, "
            f"{_shown(self.fresh)} in a fresh plan"
        )


COMPARED = (
    "environment",
    "target",
    "org_id",
    "config_digest",
    "unsafe",
    "allowed_deletes",
    "only",
    "read_etags",
    "callback_urls",
    "trust",
)
"""The plan's own members a saved plan must share with a fresh one: what is written, where,
under which verdicts and allowances, to which hosts and with which secrets. Not compared: what
is no write and may legitimately move between the plan and its merge (the commit, credential
statuses, notes, unmanaged rows, the paths as spelt on the command line)."""


def differences(saved: Plan, fresh: Plan) -> list[Difference]:
    """Every difference between a saved plan and a fresh plan of the same configuration and
    organisation: the changes (matched by address and action, field by field), their order,
    and the `COMPARED` members. Empty when the saved plan is exactly what would be written."""
    found: list[Difference] = []
    mine, theirs = saved._body([]), fresh._body([])
    for member in COMPARED:
        for path, a, b in _walk(member, mine[member], theirs[member]):
            rows = (
                frozenset([path[len("read_etags.") :]]) if member == "read_etags" else frozenset()
            )
            found.append(Difference("plan", path, a, b, rows))
    before = _by_action(saved)
    after = _by_action(fresh)
    for key in [*before, *(k for k in after if k not in before)]:
        address, action = key
        old, new = before.get(key), after.get(key)
        rows = frozenset(_row(c) for c in (old, new) if c is not None)
        if old is None or new is None:
            was = action if old is not None else _ABSENT
            found.append(Difference(address, "", was, action if new is not None else _ABSENT, rows))
            continue
        for path, a, b in _walk("", _comparable(old), _comparable(new)):
            found.append(Difference(address, path, a, b, rows))
    repeated = Counter((c.address, c.action) for c in saved.changes)
    for (address, action), n in sorted(repeated.items()):
        if n > 1:
            found.append(Difference(address, f"{action} count", n, 1))
    mine_order = [k for k in before if k in after]
    their_order = [k for k in after if k in before]
    if not found and mine_order != their_order:
        i = next(i for i, (a, b) in enumerate(zip(mine_order, their_order, strict=True)) if a != b)
        found.append(
            Difference("plan", f"change {i + 1} in order", mine_order[i][0], their_order[i][0])
        )
    return found


class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


_ABSENT: Any = _Absent()


def _by_action(plan: Plan) -> dict[tuple[str, str], Change]:
    ordered = sorted(plan.changes, key=lambda c: c.step)
    return {(c.address, c.action): c for c in ordered}


def _row(change: Change) -> str:
    return f"{change.table}({change.id})"


def _comparable(change: Change) -> dict[str, Any]:
    """A change as the file holds it, its columns by name and without its step number (the
    order is compared once, not as every later step's number)."""
    data = _change_dict(change)
    del data["step"]
    data["columns"] = {c.pop("column"): c for c in data["columns"]}
    return data


def _walk(path: str, a: Any, b: Any) -> Iterator[tuple[str, Any, Any]]:
    """(path, saved, fresh) for each leaf where two JSON values differ (`true` is not `1`)."""
    if type(a) is dict and type(b) is dict:
        for key in sorted(set(a) | set(b), key=str):
            yield from _walk(
                f"{path}.{key}" if path else str(key), a.get(key, _ABSENT), b.get(key, _ABSENT)
            )
    elif type(a) is list and type(b) is list and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from _walk(f"{path}[{i}]", x, y)
    elif type(a) is not type(b) or a != b:
        yield path, a, b


def _shown(value: Any, limit: int = 160) -> str:
    if value is _ABSENT:
        return "absent"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_SURROGATE = re.compile("[\ud800-\udfff]")


def encodable(text: str) -> str:
    """JSON text (`ensure_ascii=False`) that a UTF-8 encoder accepts: a lone surrogate, which
    live data may hold and can only be inside a string literal, becomes the `\\u` escape that
    decodes back to it; everything else stays as written."""
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _checksum(body: dict[str, Any]) -> str:
    """SHA-256 of the body's canonical JSON (sorted keys, no spaces), hashed piece by piece:
    the same bytes as one `json.dumps` of the whole body, without holding them all at once.
    A value may be an iterator, hashed as the list of its items."""
    digest = hashlib.sha256(b"{")
    encode = _CANONICAL.encode
    for i, key in enumerate(sorted(body)):
        value = body[key]
        digest.update(f"{',' if i else ''}{encode(key)}:".encode(errors="surrogatepass"))
        if isinstance(value, list | Iterator):
            digest.update(b"[")
            for j, item in enumerate(value):
                digest.update(f"{',' if j else ''}{encode(item)}".encode(errors="surrogatepass"))
            digest.update(b"]")
        else:
            digest.update(encode(value).encode(errors="surrogatepass"))
    digest.update(b"}")
    return "sha256:" + digest.hexdigest()


def _change_dict(change: Change) -> dict[str, Any]:
    """A change as the plan file holds it (built field by field: `asdict` deep-copies)."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    masked: dict[str, bool] = {}
    columns = []
    for c in change.columns:
        if c.sensitive:
            before[c.column] = after[c.column] = SENSITIVE
            masked[c.column] = True
        else:
            before[c.column] = c.before
            after[c.column] = c.after
        columns.append(
            {
                "column": c.column,
                "before": c.before,
                "after": c.after,
                "sensitive": c.sensitive,
                "detail": list(c.detail),
                "field": c.field,
                "field_before": None if c.sensitive else c.field_before,
                "field_after": None if c.sensitive else c.field_after,
            }
        )
    return {
        "address": change.address,
        "path": change.path,
        "words": list(change.words),
        "kind": change.kind,
        "label": change.label,
        "table": change.table,
        "key": list(change.key),
        "id": change.id,
        "step": change.step,
        "change": {
            "actions": [change.action],
            "before": None if change.action in ("create", "associate") else before,
            "after": None if change.action in ("delete", "disassociate") else after,
            "before_sensitive": masked,
            "after_sensitive": dict(masked),
        },
        "columns": columns,
        "body": change.body,
        "secret_columns": list(change.secret_columns),
        "etag": change.etag,
        "reason": change.reason,
        "risks": list(change.risks),
        "relationship": change.relationship,
        "target_table": change.target_table,
        "target_id": change.target_id,
        "source": change.source,
        "cascade_of": change.cascade_of,
        "edited_by": change.edited_by,
        "edited_on": change.edited_on,
    }


ACTIONS: tuple[Action, ...] = ("create", "update", "delete", "associate", "disassociate")
NONE = type(None)
_JSON_NAMES = {
    str: "a string",
    int: "an integer",
    bool: "true or false",
    list: "a list",
    dict: "an object",
    NONE: "null",
}


def read_plan_file(path: Path) -> Plan:
    """The saved plan at `path`, or `PlanFileError` naming the file and the one thing wrong
    (a device or a pipe that never ends is refused before it is read)."""
    if not path.is_file():
        raise PlanFileError(f"{path}: is not a regular file")
    try:
        return Plan.from_json(path.read_bytes())
    except OSError as exc:
        raise PlanFileError(f"{path}: cannot be read ({exc.strerror})") from None
    except PlanFileError as exc:
        raise PlanFileError(f"{path}: {exc}") from None


def _document(text: str | bytes) -> dict[str, Any]:
    """The file's JSON object: UTF-8 text, JSON, an object of this format version."""
    if isinstance(text, bytes):
        if text.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise PlanFileError("is UTF-16 text; a plan file is UTF-8 JSON as `plan --out` writes")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PlanFileError(
                f"is not UTF-8 text (byte {exc.start} is not): a binary file, not a plan"
            ) from None
    if "\x00" in text:
        raise PlanFileError("holds NUL characters: a binary or UTF-16 file, not a plan")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        rest = text[exc.pos :].rstrip()  # a file cut inside null, true or false stops at it
        cut = bool(rest) and any(
            w.startswith(rest) and w != rest for w in ("null", "true", "false")
        )
        if exc.pos >= len(text.rstrip()) or cut or exc.msg.startswith("Unterminated string"):
            # an unterminated string runs to the end of the text: the file stops inside it
            raise PlanFileError(f"is truncated: its JSON stops at line {exc.lineno}") from None
        raise PlanFileError(
            f"is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    if not isinstance(data, dict):
        raise PlanFileError(f"is {_kind(data)} in JSON, not a smsconf plan (an object)")
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise PlanFileError(
            "is not a smsconf plan (no format_version)"
            if version is None
            else f"is a plan of format {version!r}; this smsconf reads format {FORMAT_VERSION}: "
            "plan again"
        )
    return data


_OPTIONAL: dict[str, Any] = {
    "notes": [],
    "provider_numbers": [],
    "allowed_deletes": {"all": False, "addresses": []},
    "paths": [],
    "local_org": None,
    "git_dirty": None,
    "only": [],
    "routing": [],
    "trust_base": None,
    "event_grid": [],
}
"""Members added within format 1.0, as a plan saved before them reads."""
_OPTIONAL_CHANGE: dict[str, Any] = {
    "cascade_of": None,
    "path": "",
    "words": [],
    "edited_by": None,
    "edited_on": None,
}
_OPTIONAL_COLUMN: dict[str, Any] = {"field": "", "field_before": None, "field_after": None}


def _with_optional(data: dict[str, Any]) -> dict[str, Any]:
    for name, empty in _OPTIONAL.items():
        data.setdefault(name, json.loads(json.dumps(empty)))
    changes = data.get("resource_changes")
    for change in changes if type(changes) is list else ():
        if type(change) is dict:
            for name, empty in _OPTIONAL_CHANGE.items():
                change.setdefault(name, json.loads(json.dumps(empty)))
            columns = change.get("columns")
            for column in columns if type(columns) is list else ():
                if type(column) is dict:
                    for name, empty in _OPTIONAL_COLUMN.items():
                        column.setdefault(name, empty)
    return data


def _kind(value: Any) -> str:
    return _JSON_NAMES.get(type(value), type(value).__name__)


def _take(data: dict[str, Any], name: str, where: str, *kinds: type) -> Any:
    """`data[name]`, which must be of one of `kinds` (JSON's types: a bool is no integer)."""
    if name not in data:
        raise PlanFileError(f"is incomplete: {where}{name} is missing")
    value = data[name]
    if type(value) not in kinds:
        expected = " or ".join(_JSON_NAMES[k] for k in kinds)
        raise PlanFileError(f"{where}{name} is {_kind(value)}, expected {expected}")
    return value


def _strings(data: dict[str, Any], name: str, where: str) -> tuple[str, ...]:
    values = _take(data, name, where, list)
    for i, value in enumerate(values):
        if type(value) is not str:
            raise PlanFileError(f"{where}{name}[{i}] is {_kind(value)}, expected a string")
    return tuple(values)


def _only(data: dict[str, Any], names: Any, where: str) -> None:
    unknown = sorted(set(data) - set(names))
    if unknown:
        raise PlanFileError(f"{where or 'the plan'} has an unknown member {unknown[0]!r}")


def _record(cls: Any, value: Any, where: str) -> Any:
    """A flat record (Credential, Note, ...) whose members are strings, but for the few named
    in `_RECORD_KINDS`."""
    if type(value) is not dict:
        raise PlanFileError(f"{where} is {_kind(value)}, expected an object")
    names = [f.name for f in fields(cls)]
    _only(value, names, where)
    kinds = _RECORD_KINDS.get(cls, {})
    return cls(**{n: _take(value, n, f"{where}.", *kinds.get(n, (str,))) for n in names})


def _records(cls: Any, data: dict[str, Any], name: str, at: str = "") -> tuple[Any, ...]:
    values = _take(data, name, at, list)
    return tuple(_record(cls, v, f"{at}{name}[{i}]") for i, v in enumerate(values))


def _string_map(data: dict[str, Any], name: str) -> dict[str, str]:
    values = _take(data, name, "", dict)
    for key, value in values.items():
        if type(value) is not str:
            raise PlanFileError(f"{name}[{key!r}] is {_kind(value)}, expected a string")
    return dict(values)


def _plan_from(data: dict[str, Any]) -> Plan:
    _only(data, _PLAN_MEMBERS, "")
    allowance = _take(data, "allowed_deletes", "", dict)
    _only(allowance, ("all", "addresses"), "allowed_deletes")
    changes = _take(data, "resource_changes", "", list)
    trust = _take(data, "trust", "", dict)
    _only(trust, ("hosts", "secrets"), "trust")
    return Plan(
        environment=_take(data, "environment", "", str, NONE),
        target=_take(data, "target", "", str),
        org_id=_take(data, "org_id", "", str),
        local_org=_take(data, "local_org", "", str, NONE),
        config_digest=_take(data, "config_digest", "", str),
        git_commit=_take(data, "git_commit", "", str, NONE),
        git_dirty=_take(data, "git_dirty", "", bool, NONE),
        changes=tuple(_change_from(c, f"resource_changes[{i}]") for i, c in enumerate(changes)),
        unmanaged=_records(Unmanaged, data, "unmanaged"),
        credentials=_records(Credential, data, "credentials"),
        number_checks=_records(NumberResult, data, "number_checks"),
        read_etags=_string_map(data, "read_etags"),
        unsafe=_strings(data, "unsafe", ""),
        callback_urls=_string_map(data, "callback_urls"),
        notes=_records(Note, data, "notes"),
        provider_numbers=_records(ProviderNumber, data, "provider_numbers"),
        allowed_deletes=DeleteAllowance(
            all=_take(allowance, "all", "allowed_deletes.", bool),
            addresses=_strings(allowance, "addresses", "allowed_deletes."),
        ),
        paths=_strings(data, "paths", ""),
        only=_strings(data, "only", ""),
        routing=_routing(_take(data, "routing", "", list)),
        event_grid=_records(EventGridWiring, data, "event_grid"),
        trust=Trust(
            _records(TrustedHost, trust, "hosts", "trust."),
            _records(SecretUse, trust, "secrets", "trust."),
        ),
        trust_base=_trust_base_from(_take(data, "trust_base", "", dict, NONE)),
        smsconf_version=_take(data, "smsconf_version", "", str),
    )


def _trust_base_from(data: dict[str, Any] | None) -> TrustBase | None:
    if data is None:
        return None
    _only(data, ("git_commit", "checksum", "changes"), "trust_base")
    return TrustBase(
        git_commit=_take(data, "git_commit", "trust_base.", str, NONE),
        checksum=_take(data, "checksum", "trust_base.", str, NONE),
        changes=_records(TrustChange, data, "changes", "trust_base."),
    )


def _routing(pictures: list[Any]) -> tuple[Graph, ...]:
    from smsconf.routing.graph import GraphError, from_dict  # lazy, as in `_change_from`

    try:
        return tuple(from_dict(p, f"routing[{i}]") for i, p in enumerate(pictures))
    except GraphError as exc:
        raise PlanFileError(str(exc)) from None


def _change_from(data: Any, where: str) -> Change:
    # Here, not at the top: every command's error handling imports this module (for
    # PlanFileError), and `validate` never needs the platform's tables.
    from smsconf.mapping.keys import KEYS
    from smsconf.platform import TABLES

    if type(data) is not dict:
        raise PlanFileError(f"{where} is {_kind(data)}, expected an object")
    _only(data, _CHANGE_MEMBERS, where)
    at = where + "."
    block = _take(data, "change", at, dict)
    actions = _strings(block, "actions", at + "change.")
    if len(actions) != 1 or actions[0] not in ACTIONS:
        raise PlanFileError(f"{at}change.actions is {list(actions)}: not one of {list(ACTIONS)}")
    table = _take(data, "table", at, str)
    target_table = _take(data, "target_table", at, str, NONE)
    if table not in KEYS and table not in PROVIDER_TABLES:
        raise PlanFileError(f"{at}table {table!r} is not a table smsconf writes")
    if target_table is not None and target_table not in TABLES:
        raise PlanFileError(f"{at}target_table {target_table!r} is not a table smsconf links")
    link = actions[0] in ("associate", "disassociate")
    relationship = _take(data, "relationship", at, str, NONE)
    target_id = _take(data, "target_id", at, str, NONE)
    if (
        link != (relationship is not None)
        or link != (target_table is not None)
        or (link != (target_id is not None))
    ):
        raise PlanFileError(f"{at}relationship, target_table and target_id: only links have them")
    key = _strings(data, "key", at)
    if not key:
        raise PlanFileError(f"{at}key is empty")
    columns = _take(data, "columns", at, list)
    return Change(
        action=actions[0],
        kind=_take(data, "kind", at, str),
        label=_take(data, "label", at, str),
        table=table,
        key=key,
        id=_take(data, "id", at, str),
        columns=tuple(_column_from(c, f"{at}columns[{i}]") for i, c in enumerate(columns)),
        body=_take(data, "body", at, dict),
        secret_columns=_strings(data, "secret_columns", at),
        etag=_take(data, "etag", at, str, NONE),
        reason=_take(data, "reason", at, str),
        risks=_strings(data, "risks", at),
        relationship=relationship,
        target_table=target_table,
        target_id=target_id,
        source=_take(data, "source", at, str, NONE),
        step=_take(data, "step", at, int),
        cascade_of=_take(data, "cascade_of", at, str, NONE),
        words=_strings(data, "words", at),
        path=_take(data, "path", at, str),
        edited_by=_take(data, "edited_by", at, str, NONE),
        edited_on=_take(data, "edited_on", at, str, NONE),
    )


COLUMN_MEMBERS = (
    "column",
    "before",
    "after",
    "sensitive",
    "detail",
    "field",
    "field_before",
    "field_after",
)


def _column_from(data: Any, where: str) -> ColumnChange:
    if type(data) is not dict:
        raise PlanFileError(f"{where} is {_kind(data)}, expected an object")
    _only(data, COLUMN_MEMBERS, where)
    at = where + "."
    for side in ("before", "after", "field_before", "field_after"):
        if side not in data:
            raise PlanFileError(f"is incomplete: {at}{side} is missing")
    return ColumnChange(
        column=_take(data, "column", at, str),
        before=data["before"],
        after=data["after"],
        sensitive=_take(data, "sensitive", at, bool),
        detail=_strings(data, "detail", at),
        field=_take(data, "field", at, str),
        field_before=data["field_before"],
        field_after=data["field_after"],
    )


def _first_mismatch(plan: Plan, data: dict[str, Any]) -> str:
    """Which derived member of the file (summary, an address, before/after) is not what its
    own changes make."""
    written = plan._body([_change_dict(c) for c in plan.changes])
    for name, value in written.items():
        if data.get(name) == value:
            continue
        if name == "resource_changes":
            for i, (mine, theirs) in enumerate(zip(value, data[name], strict=True)):
                for member in mine:
                    if mine[member] != theirs.get(member):
                        return f"resource_changes[{i}].{member} is not what its columns make"
        return f"{name} is not what its changes make"
    return "it holds members smsconf does not write"


_RECORD_KINDS: dict[Any, dict[str, tuple[type, ...]]] = {
    ProviderNumber: {"sid": (str, NONE), "expected": (str, NONE), "right": (bool,)},
    EventGridWiring: {"checked": (bool,), "right": (bool,), "expected": (str, NONE)},
    TrustChange: {"was": (str, NONE)},
    Unmanaged: {"owner": (str, NONE), "connection": (str, NONE), "configured": (bool,)},
}
_PLAN_MEMBERS = (
    "format_version",
    *Plan(None, "-", "-", "-")._body([]),
)
_CHANGE_MEMBERS = tuple(_change_dict(Change("create", "-", "-", "queue", ("-",), "-")))
