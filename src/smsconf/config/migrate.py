"""`smsconf migrate telesign --to TWILIO_ACCOUNT`: the configuration rewritten to leave Telesign.

Telesign was removed from Omnichannel on 2024-10-08 (providers.md §2.5). A number keeps its
digits when it is ported, and a workstream's `sms.number` names a number by its digits, so the
move is: each Telesign number goes under the Twilio account's `numbers:` (a Telesign `geo`
number is a Twilio `long_code`, the same `msdyn_type`), unless that account declares it
already; the workstreams on it then use the Twilio account's number with nothing else changed
(language, hours, messages, survey and attachments stay on the same channel row). A Telesign
account left with no numbers is deleted from `accounts:` and listed under `removed:`, since
nothing is deleted without one. A number Twilio cannot carry for Dynamics 365 (not a US
number) stays where it is, with the reason, and so does its account.

`--to` an ACS account (providers.md §7.3): ACS stores a number in E.164 with its plus sign, so a
moved toll-free number is written `+<digits>` there and in the workstreams on it (a short code
stays digits); an ACS channel takes no file attachments (D-ACS), so their `file_attachments:`
go, reported per workstream; a Telesign `geo` number stays, since ACS carries Dynamics 365 SMS on
toll-free numbers, short codes and mobile numbers only.

The files are rewritten with the round trip of `smsconf fmt` (comments kept): a comment may
only disappear with the Telesign account or the attachments block it was inside, and those are
reported.
"""

from __future__ import annotations

import copy
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smsconf.config.fmt import Document, Formatted, comments, each_file, read_document, rt_yaml
from smsconf.config.problems import ConfigError, Problem, did_you_mean
from smsconf.config.provider_rules import US_ONLY, us_number

TWILIO_TYPE = {"geo": "long_code", "toll_free": "toll_free", "short_code": "short_code"}
ACS_TYPE = {"toll_free": "toll_free", "short_code": "short_code"}
ACS_NOT_GEO = (
    "ACS carries Dynamics 365 SMS on toll-free numbers, short codes and mobile numbers (D-ACS; "
    "in the US on toll-free numbers and short codes only), not on a geographic number: get an "
    "ACS number for it and name that in its workstreams"
)
TARGETS = {"twilio": "Twilio", "acs": "ACS"}


@dataclass(frozen=True)
class Moved:
    number: str
    kind: str
    telesign: str
    already_declared: bool
    written: str = ""
    """The number as the new account writes it (ACS: E.164 with the plus); empty: unchanged."""

    @property
    def as_written(self) -> str:
        return self.written or self.number


@dataclass(frozen=True)
class Kept:
    number: str
    telesign: str
    reason: str


@dataclass
class Migration:
    """What the rewrite does: the files (before/after), and what moved, stayed and went."""

    twilio: str
    """The account taking the numbers (a Twilio or an ACS account)."""
    provider: str = "twilio"
    files: list[Formatted] = field(default_factory=list)
    moved: list[Moved] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    dropped_comments: list[str] = field(default_factory=list)
    attachments_off: list[str] = field(default_factory=list)
    """ACS: the workstreams whose `file_attachments:` went (ACS channels take none)."""
    managed: bool = False
    """ACS: the account's `event_grid.mode` is managed (apply creates the subscription)."""


@dataclass
class _File:
    path: Path
    text: str
    document: Document


def _accounts(files: list[_File]) -> list[tuple[_File, Any, Any]]:
    """(file, the `accounts:` sequence, one account mapping) for every account."""
    found = []
    for file in files:
        for doc in file.document.documents:
            accounts = doc.get("accounts") if hasattr(doc, "get") else None
            for account in accounts or ():
                if hasattr(account, "get"):
                    found.append((file, accounts, account))
    return found


def _numbers(account: Any) -> Any:
    """The account's `numbers:` sequence, made a block sequence if absent or empty flow."""
    from ruamel.yaml.comments import CommentedSeq

    numbers = account.get("numbers")
    if not isinstance(numbers, CommentedSeq) or not numbers:
        numbers = CommentedSeq(list(numbers or ()))
        account["numbers"] = numbers
    return numbers


def _tail(node: Any) -> tuple[Any, Any] | None:
    """The mapping or sequence and key whose value ends `node` in the text: where ruamel.yaml
    keeps the comment lines that follow it (up to the next key, however far out)."""
    while isinstance(node, (dict, list)) and node:
        key = list(node)[-1] if isinstance(node, dict) else len(node) - 1
        if isinstance(node[key], (dict, list)) and node[key]:
            node = node[key]
            continue
        return node, key
    return None


def _append(sequence: Any, item: Any) -> None:
    """Append `item`, moving the comment lines that followed the old last entry (e.g. a
    comment above the next top-level key) to follow the new one, the end-of-line comment
    staying where it was."""
    before = _tail(sequence)
    sequence.append(item)
    after = _tail(sequence)
    if before is None or after is None:
        return
    node, key = before
    slot = 2 if isinstance(node, dict) else 0
    entry = node.ca.items.get(key)
    token = entry[slot] if entry and len(entry) > slot else None
    if token is None or "\n" not in token.value.rstrip("\n"):
        return
    end_of_line, _, following = token.value.partition("\n")
    token.value = end_of_line + "\n"
    new_node, new_key = after
    new_slot = 2 if isinstance(new_node, dict) else 0
    new_entry = new_node.ca.items.setdefault(new_key, [None, None, None, None])
    if new_entry[new_slot] is not None:
        new_entry[new_slot].value = new_entry[new_slot].value.rstrip("\n") + "\n" + following
    else:
        moved = copy.copy(token)
        moved.value = "\n" + following
        new_entry[new_slot] = moved


def _subtree_comments(node: Any) -> Counter[str]:
    out = io.StringIO()
    rt_yaml().dump([node], out)
    return comments(out.getvalue())


def _add_removed(file: _File, name: str) -> None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    doc = file.document.documents[0]
    removed = doc.get("removed")
    if not isinstance(removed, CommentedSeq):
        removed = CommentedSeq(list(removed or ()))
        doc["removed"] = removed
    entry = {"kind": "account", "name": name}
    if not any(dict(item) == entry for item in removed if hasattr(item, "items")):
        removed.append(CommentedMap(entry))


def migrate_telesign(paths: Sequence[str | Path], to: str) -> Migration:
    """The rewrite of the configuration under `paths` moving Telesign to account `to` (a Twilio
    or an ACS account), in memory (nothing is written); `ConfigError` when `to` is neither."""
    files = each_file(paths, lambda path, text: _File(path, text, read_document(text, str(path))))
    accounts = _accounts(files)
    named = [a for _, _, a in accounts if a.get("name") == to]
    provider = str(named[0].get("provider")) if named else ""
    if provider not in TARGETS:
        names = [str(a.get("name")) for _, _, a in accounts if a.get("provider") in TARGETS]
        what = (
            "is not a Twilio or ACS account" if named else "is not an account of the configuration"
        )
        hint = did_you_mean(to, names) or (
            "declare a `provider: twilio` account (account_sid, auth_token) or a `provider: acs` "
            "one (resource_name, resource_id, connection_string) first"
        )
        raise ConfigError([Problem(f"--to {to}: '{to}' {what}", (), hint=hint)])
    target = named[0]
    grid = target.get("event_grid")
    managed = hasattr(grid, "get") and grid.get("mode") == "managed"
    migration = Migration(to, provider, managed=managed)
    dropped: Counter[str] = Counter()
    renamed: dict[str, str] = {}
    for file, siblings, account in accounts:
        if account.get("provider") != "telesign":
            continue
        name = str(account.get("name"))
        declared = {str(n.get("number")) for n in _numbers(target) if hasattr(n, "get")}
        staying = False
        for number in list(account.get("numbers") or ()):
            digits = str(number.get("number"))
            kept = _refused(provider, digits, str(number.get("type")))
            if kept:
                migration.kept.append(Kept(digits, name, kept))
                staying = True
                continue
            kind = _kind(provider, str(number.get("type")))
            written = f"+{digits}" if provider == "acs" and kind != "short_code" else digits
            if written != digits:
                renamed[digits] = written
            migration.moved.append(
                Moved(digits, kind, name, written in declared, "" if written == digits else written)
            )
            account["numbers"].remove(number)
            if written not in declared:
                number["type"] = kind
                number["number"] = written
                _append(_numbers(target), number)
        if staying:
            continue
        dropped += _subtree_comments(account)
        siblings.remove(account)
        _add_removed(file, name)
        migration.removed.append(name)
    if provider == "acs":
        moved = {m.as_written for m in migration.moved}
        dropped += _onto_acs(files, renamed, moved, migration)
    for file in files:
        after = file.document.dump()
        lost = comments(file.text) - comments(after)
        if lost - dropped:
            raise ConfigError(
                [Problem("cannot migrate without losing a comment; left as it is", ())]
            )
        migration.dropped_comments += sorted(lost.elements())
        migration.files.append(Formatted(file.path, str(file.path), file.text, after, "migrated"))
    return migration


def _refused(provider: str, digits: str, kind: str) -> str | None:
    """Why the number cannot move to the provider (None: it can)."""
    if provider == "acs":
        return None if kind in ACS_TYPE else ACS_NOT_GEO
    not_us = us_number(digits, _kind(provider, kind), ())
    return f"{not_us[0].message}: {US_ONLY}" if not_us else None


def _kind(provider: str, kind: str) -> str:
    return (ACS_TYPE if provider == "acs" else TWILIO_TYPE).get(kind, kind)


def _onto_acs(
    files: list[_File], renamed: dict[str, str], moved: set[str], migration: Migration
) -> Counter[str]:
    """The workstreams on moved numbers name them as ACS writes them and lose their
    `file_attachments:` (an ACS channel takes none); the comments that go with those."""
    dropped: Counter[str] = Counter()
    for file in files:
        for doc in file.document.documents:
            workstreams = doc.get("workstreams") if hasattr(doc, "get") else None
            for workstream in workstreams or ():
                sms = workstream.get("sms") if hasattr(workstream, "get") else None
                if not hasattr(sms, "get"):
                    continue
                number = str(sms.get("number"))
                if number in renamed:
                    sms["number"] = renamed[number]
                if sms.get("number") in moved and "file_attachments" in sms:
                    dropped += _subtree_comments({"file_attachments": sms["file_attachments"]})
                    del sms["file_attachments"]
                    migration.attachments_off.append(str(workstream.get("name")))
    return dropped
