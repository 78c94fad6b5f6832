"""The Plan: one immutable value that every renderer, the saved plan file and apply read.

Its JSON (`to_json`) is the single source of truth, modelled on Terraform's plan JSON
(`format_version`, `resource_changes[].change.actions`, `before` / `after`, sensitive masks).
The checksum covers that JSON, so a plan file edited by hand is refused. Secrets are never in a
plan: a secured column appears as `sensitive` with its fingerprint status, and apply reads the
value from the configuration again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, Literal

from smsconf import __version__

FORMAT_VERSION = "1.0"
Action = Literal["create", "update", "delete", "associate", "disassociate"]
SENSITIVE = "(sensitive)"


class PlanFileError(ValueError):
    """A saved plan cannot be used: unreadable, another format version, or tampered with."""


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
    callback_urls: dict[str, str] = field(default_factory=dict)
    notes: tuple[Note, ...] = ()
    provider_numbers: tuple[ProviderNumber, ...] = ()
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
            "config_digest": self.config_digest,
            "git_commit": self.git_commit,
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
        }

    @cached_property
    def _json(self) -> str:
        """Built once: `plan --out FILE --format json` writes and prints the same text."""
        return encodable(json.dumps(self.to_dict(), indent=2, ensure_ascii=False)) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Plan:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PlanFileError(f"plan file is not JSON: {exc}") from None
        if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
            raise PlanFileError(f"plan file is not a smsconf plan of format {FORMAT_VERSION}")
        checksum = data.pop("checksum", None)
        if checksum != _checksum(data):
            raise PlanFileError("plan file checksum does not match: it was changed after planning")
        try:
            return cls(
                environment=data["environment"],
                target=data["target"],
                org_id=data["org_id"],
                config_digest=data["config_digest"],
                git_commit=data["git_commit"],
                changes=tuple(_change_from(c) for c in data["resource_changes"]),
                unmanaged=tuple(Unmanaged(**u) for u in data["unmanaged"]),
                credentials=tuple(Credential(**c) for c in data["credentials"]),
                number_checks=tuple(NumberResult(**n) for n in data["number_checks"]),
                read_etags=dict(data["read_etags"]),
                unsafe=tuple(data["unsafe"]),
                callback_urls=dict(data["callback_urls"]),
                notes=tuple(Note(**n) for n in data.get("notes", ())),
                provider_numbers=tuple(
                    ProviderNumber(**n) for n in data.get("provider_numbers", ())
                ),
                smsconf_version=data["smsconf_version"],
            )
        except (KeyError, TypeError) as exc:
            raise PlanFileError(f"plan file is incomplete: {exc}") from None

    @cached_property
    def checksum(self) -> str:
        """Computed once (a plan is immutable), one change at a time: a large plan's changes
        are never all held as JSON values or as one string."""
        return _checksum(self._body(_change_dict(c) for c in self.changes))


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


def _change_from(data: dict[str, Any]) -> Change:
    return Change(
        action=data["change"]["actions"][0],
        kind=data["kind"],
        label=data["label"],
        table=data["table"],
        key=tuple(data["key"]),
        id=data["id"],
        columns=tuple(
            ColumnChange(**{**c, "detail": tuple(c.get("detail", ()))}) for c in data["columns"]
        ),
        words=tuple(data.get("words", ())),  # added within format 1.0: optional when reading
        path=data.get("path", ""),
        edited_by=data.get("edited_by"),
        edited_on=data.get("edited_on"),
        body=data["body"],
        secret_columns=tuple(data["secret_columns"]),
        etag=data["etag"],
        reason=data["reason"],
        risks=tuple(data["risks"]),
        relationship=data["relationship"],
        target_table=data["target_table"],
        target_id=data["target_id"],
        source=data["source"],
        step=data["step"],
        cascade_of=data.get("cascade_of"),  # added within format 1.0: optional when reading
    )
