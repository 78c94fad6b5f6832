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

The files are rewritten with the round trip of `smsconf fmt` (comments kept): a comment may
only disappear with the Telesign account it was inside, and those are reported.
"""

from __future__ import annotations

import copy
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smsconf.config.fmt import Document, Formatted, comments, read_document, rt_yaml
from smsconf.config.problems import ConfigError, Problem, did_you_mean
from smsconf.config.provider_rules import US_ONLY, us_number
from smsconf.config.source import discover, read_text

TWILIO_TYPE = {"geo": "long_code", "toll_free": "toll_free", "short_code": "short_code"}


@dataclass(frozen=True)
class Moved:
    number: str
    kind: str
    telesign: str
    already_declared: bool


@dataclass(frozen=True)
class Kept:
    number: str
    telesign: str
    reason: str


@dataclass
class Migration:
    """What the rewrite does: the files (before/after), and what moved, stayed and went."""

    twilio: str
    files: list[Formatted] = field(default_factory=list)
    moved: list[Moved] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    dropped_comments: list[str] = field(default_factory=list)


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
    """The rewrite of the configuration under `paths` moving Telesign to account `to`, in
    memory (nothing is written); `ConfigError` when `to` is not a Twilio account there."""
    found, problems = discover([Path(p) for p in paths])
    files: list[_File] = []
    for path in found:
        text, unreadable = read_text(path, str(path))
        if text is None:
            problems.extend(unreadable)
            continue
        try:
            files.append(_File(path, text, read_document(text, str(path))))
        except ConfigError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ConfigError(problems)
    accounts = _accounts(files)
    twilio = [a for _, _, a in accounts if a.get("name") == to]
    if not twilio or twilio[0].get("provider") != "twilio":
        names = [str(a.get("name")) for _, _, a in accounts if a.get("provider") == "twilio"]
        what = "is not a Twilio account" if twilio else "is not an account of the configuration"
        hint = did_you_mean(to, names) or (
            "declare a `provider: twilio` account with account_sid and auth_token first"
        )
        raise ConfigError([Problem(f"--to {to}: '{to}' {what}", (), hint=hint)])
    target = twilio[0]
    migration = Migration(to)
    dropped: Counter[str] = Counter()
    for file, siblings, account in accounts:
        if account.get("provider") != "telesign":
            continue
        name = str(account.get("name"))
        declared = {str(n.get("number")) for n in _numbers(target) if hasattr(n, "get")}
        staying = False
        for number in list(account.get("numbers") or ()):
            digits = str(number.get("number"))
            kind = TWILIO_TYPE.get(str(number.get("type")), str(number.get("type")))
            not_us = us_number(digits, kind, ())
            if not_us:
                migration.kept.append(Kept(digits, name, f"{not_us[0].message}: {US_ONLY}"))
                staying = True
                continue
            migration.moved.append(Moved(digits, kind, name, digits in declared))
            account["numbers"].remove(number)
            if digits not in declared:
                number["type"] = kind
                _append(_numbers(target), number)
        if staying:
            continue
        dropped += _subtree_comments(account)
        siblings.remove(account)
        _add_removed(file, name)
        migration.removed.append(name)
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
