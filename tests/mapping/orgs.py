"""Organisations for the export tests: a seeded generator of configurations, and the steps
(apply, read, export, plan) run through the library against the local organisation.

The generator draws from everything the language can say (both capacity kinds, every trigger,
nested condition groups, splits, `in` lists, numbers-as-text like `007`, every template slot)
but stays inside the domain rules, so every configuration it makes validates and applies. The
local organisation lives under `$SMSCONF_HOME`, which each test points at its own directory.
"""

from __future__ import annotations

import random
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml

from smsconf.config.loader import load, load_config
from smsconf.config.model import Config, format_minutes
from smsconf.config.vocabulary import LOCALES, MessageTrigger
from smsconf.connect import open_target
from smsconf.emulator.dataverse.seed import LANGUAGES
from smsconf.mapping.export import Exported, secret_variable
from smsconf.mapping.fields import NOTIFICATION_COLUMNS
from smsconf.mapping.live import LiveState
from smsconf.mapping.yaml_out import render, write
from smsconf.platform import TABLES
from smsconf.platform import vocabulary as vocab
from smsconf.reconcile.live import read_live, read_referenced
from smsconf.reconcile.manager import PlanOptions, apply_plan, export_live, make_plan
from smsconf.reconcile.plan import Plan
from smsconf.target import LOCAL

# Only languages the local organisation has rows for can be looked up.
ORG_LOCALES = sorted(code for code, lcid in LOCALES.items() if lcid in LANGUAGES)
# Quick replies take the locales of their own option set (msdyn_locale_field).
_REPLY_LCIDS = TABLES["msdyn_cannedmessage"].column("msdyn_locale_field").option_values()  # type: ignore[union-attr]
REPLY_LOCALES = sorted(code for code, lcid in LOCALES.items() if lcid in _REPLY_LCIDS)
TRIGGERS = list(typing.get_args(MessageTrigger))
# The looked-up objects the example uses are the ones every local organisation has.
EXAMPLE = load_config([Path(__file__).resolve().parents[2] / "examples"])
BOTS = [b.name for b in EXAMPLE.bots]
SURVEYS = [s.name for s in EXAMPLE.surveys]
HOURS = [h.name for h in EXAMPLE.operating_hours]
TEMPLATES = [t.model_dump(exclude_defaults=True) for t in EXAMPLE.templates]
SESSION = [t["name"] for t in TEMPLATES if t["kind"] == "session"]
NOTIFICATION = [t["name"] for t in TEMPLATES if t["kind"] == "notification"]
TEXTS = ["Hello", "Wir sind gleich da", "Ça arrive: « bientôt »", "100% #1 — 'quoted'", "a\tb"]
VALUES: list[Any] = ["Gold", "007", "1.50", "x<y&z", "", 3, -12, 2.5, True, False, "true?"]
ATTRIBUTES = [
    "conversation.msdyn_channel",
    "contact.mobilephone",
    "account.msdyn_tier",
    "sms.locale",
]
COMPARISONS = ["eq", "ne", "gt", "ge", "lt", "le", "contains"]


class Generator:
    """One random configuration per seed: several accounts, workstreams, messages and rules."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.keys: dict[str, str] = {}  # secret variable → value

    def pick(self, items: list[Any], low: int = 0, high: int | None = None) -> list[Any]:
        count = self.rng.randint(low, len(items) if high is None else min(high, len(items)))
        return self.rng.sample(items, count)

    def text(self) -> str:
        return f"{self.rng.choice(TEXTS)} {self.rng.randint(0, 999)}"

    def name(self) -> str:
        """A text a name may be: control characters (the tab) are refused in names."""
        return (
            f"{self.rng.choice([t for t in TEXTS if t.isprintable()])} {self.rng.randint(0, 999)}"
        )

    def config(self) -> dict[str, Any]:
        rng = self.rng
        numbers = [str(10_000_000_000 + rng.randrange(10**10)) for _ in range(rng.randint(3, 6))]
        accounts = []
        for i, chunk in enumerate((numbers[:2], numbers[2:])):
            name = f"gen-{i}-telesign"
            self.keys[f"GEN_KEY_{i}"] = f"key-{rng.randrange(10**9)}"
            accounts.append(
                {
                    "name": name,
                    "customer_id": f"CUST-{rng.randrange(10**6)}",
                    "api_key": f"${{env:GEN_KEY_{i}}}",
                    "numbers": [
                        {"number": n, "type": rng.choice(["geo", "toll_free"])} for n in chunk
                    ],
                }
            )
        accounts[0]["numbers"].append(
            {"number": str(rng.randint(100, 99999)), "type": "short_code"}
        )
        hours = [{"name": name} for name in HOURS]  # looked up: calendars, not ours
        queues = [{"name": "Default messaging queue"}] + [
            {
                "name": f"Queue {i}",
                "managed": True,
                "assignment": rng.choice(list(vocab.QUEUE_ASSIGNMENT)),
                **({"operating_hours": rng.choice(hours)["name"]} if rng.random() < 0.5 else {}),
                **({"priority": rng.randint(1, 10_000)} if rng.random() < 0.5 else {}),
            }
            for i in range(rng.randint(2, 4))
        ]
        replies = [
            {
                "title": f"Reply {i}",
                "managed": True,
                "message": self.text(),
                "locale": rng.choice(REPLY_LOCALES),
            }
            for i in range(rng.randint(1, 3))
        ]
        workstreams = [
            self.workstream(f"WS {i} {self.name()}", number, queues, hours, replies)
            for i, number in enumerate(self.pick(numbers, 2, 4))
        ]
        return {
            "accounts": accounts,
            "operating_hours": hours,
            "queues": queues,
            "capacity_profiles": [{"name": "Profile", "managed": True, "default_max_units": 7}],
            "surveys": [{"name": s} for s in SURVEYS],
            "bots": [{"name": b} for b in BOTS],
            "templates": TEMPLATES,
            "quick_replies": replies,
            "workstreams": workstreams,
        }

    def workstream(
        self,
        name: str,
        number: str,
        queues: list[dict[str, Any]],
        hours: list[dict[str, Any]],
        replies: list[dict[str, Any]],
    ) -> dict[str, Any]:
        rng = self.rng
        push = rng.random() < 0.6
        variables = [
            {
                "name": f"Var{i}",
                "type": kind,
                **({"entity": "account"} if kind == "entity_reference" else {}),
            }
            for i, kind in enumerate(self.pick(list(vocab.CONTEXT_VARIABLE_TYPE), 0, 3))
        ]
        wrap = rng.choice(["always", "never", format_minutes(rng.randint(1, 60))])
        distribution = {
            "mode": "push" if push else "pick",
            "capacity": {"units": rng.randint(0, 100)}
            if rng.random() < 0.5
            else {"profile": "Profile"},
            "allowed_presences": self.pick(list(vocab.PRESENCE), 1),
            "auto_close_after": format_minutes(rng.randint(1, 43200)),
            "block_capacity_for_wrap_up": wrap,
            "keep_same_agent": push and rng.random() < 0.5,
            "skill_matching": rng.choice(list(vocab.SKILL_MATCHING)),
        }
        queue_names = [q["name"] for q in queues]
        return {
            "name": name,
            "fallback_queue": rng.choice(queue_names),
            "distribution": distribution,
            **({"bot": rng.choice(BOTS)} if push and rng.random() < 0.5 else {}),
            "sms": self.channel(number, hours),
            "routing": {
                "classification": [
                    {
                        "name": f"Ruleset {i}",
                        "rules": [
                            self.classification(j, variables) for j in range(rng.randint(1, 3))
                        ],
                    }
                    for i in range(rng.randint(0, 2))
                ],
                "route_to_queue": [
                    self.queue_rule(j, queue_names, variables) for j in range(rng.randint(0, 3))
                ],
            },
            "advanced": {
                "session_template": rng.choice([None, *SESSION]),
                "notification_templates": {
                    slot: rng.choice([None, *NOTIFICATION]) for slot in NOTIFICATION_COLUMNS
                },
                "context_variables": variables,
                "smart_assist_bots": self.pick(BOTS),
                "quick_replies": [r["title"] for r in self.pick(replies)],
            },
        }

    def channel(self, number: str, hours: list[dict[str, Any]]) -> dict[str, Any]:
        rng = self.rng
        survey: dict[str, Any] = {"enabled": rng.random() < 0.5}
        if survey["enabled"]:
            survey |= {"survey": rng.choice(SURVEYS), "mode": rng.choice(["insert", "link"])}
            if rng.random() < 0.5:
                survey["message"] = self.text()
            if rng.random() < 0.5:
                survey["bot_survey"] = {"survey": rng.choice(SURVEYS), "message": self.text()}
        return {
            "number": number,
            "language": rng.choice(ORG_LOCALES),
            **({"operating_hours": rng.choice(hours)["name"]} if rng.random() < 0.5 else {}),
            "automated_messages": [
                {
                    "trigger": trigger,
                    "text": self.text(),
                    "translations": {loc: self.text() for loc in self.pick(ORG_LOCALES, 0, 2)},
                }
                for trigger in self.pick(TRIGGERS, 0, 4)
            ],
            "survey": survey,
            "file_attachments": {"customers": rng.random() < 0.5, "agents": rng.random() < 0.5},
        }

    def condition(self, variables: list[dict[str, Any]], depth: int = 0) -> dict[str, Any]:
        rng = self.rng
        if depth == 0 and rng.random() < 0.25:
            group = rng.choice(["all", "any"])
            return {group: [self.condition(variables, 1) for _ in range(rng.randint(1, 3))]}
        attributes = ATTRIBUTES + [f"context.{v['name']}" for v in variables]
        attribute = rng.choice(attributes)
        op = rng.choice([*COMPARISONS, "in", "null", "not_null"])
        if op in ("null", "not_null"):
            return {"attribute": attribute, "op": op}
        if op == "in":
            return {"attribute": attribute, "op": op, "value": self.pick(VALUES, 1, 3)}
        return {"attribute": attribute, "op": op, "value": rng.choice(VALUES)}

    def conditions(self, variables: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [self.condition(variables) for _ in range(self.rng.randint(0, 3))]

    def classification(self, j: int, variables: list[dict[str, Any]]) -> dict[str, Any]:
        outputs: dict[str, Any] = {"priority": self.rng.randint(1, 10)}
        for variable in self.pick(variables, 0, 2):
            outputs[f"context.{variable['name']}"] = self.rng.choice(VALUES)
        return {"name": f"Rule {j}", "when": self.conditions(variables), "set": outputs}

    def queue_rule(
        self, j: int, queues: list[str], variables: list[dict[str, Any]]
    ) -> dict[str, Any]:
        rule: dict[str, Any] = {"name": f"Route {j}", "when": self.conditions(variables)}
        if self.rng.random() < 0.3:
            first = self.rng.randint(1, 99)
            two = self.rng.sample(queues, 2)
            rule["split"] = [
                {"queue": two[0], "percent": first},
                {"queue": two[1], "percent": 100 - first},
            ]
        else:
            rule["queue"] = self.rng.choice(queues)
        return rule


def generated(seed: int, directory: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Write a generated configuration to `directory`; its secrets are set in the environment.

    The same values are set under the names export writes, so a plan of the export can read them.
    """
    generator = Generator(seed)
    data = generator.config()
    directory.mkdir(parents=True)
    path = directory / "generated.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    for i, account in enumerate(data["accounts"]):
        key = generator.keys[f"GEN_KEY_{i}"]
        monkeypatch.setenv(f"GEN_KEY_{i}", key)
        monkeypatch.setenv(secret_variable(account["name"]), key)
    return path


async def plan(paths: list[Path]) -> Plan:
    """A plan of these files against the local organisation (no Telesign calls)."""
    loaded = load(paths)
    async with open_target(LOCAL) as target:
        return await make_plan(loaded, target, [str(p) for p in paths], PlanOptions(False))


async def apply(paths: list[Path]) -> None:
    loaded = load(paths)
    async with open_target(LOCAL) as target:
        the_plan = await make_plan(loaded, target, [str(p) for p in paths], PlanOptions(False))
        report = await apply_plan(the_plan, loaded, target)
    assert report.complete, report.failures


async def read_org() -> LiveState:
    """What export reads: everything smsconf manages, then the lookups it points at."""
    async with open_target(LOCAL) as target:
        live = await read_live(target.dataverse, Config())
        await read_referenced(target.dataverse, live)
    return live


async def export_to(out: Path, env: str | None = None) -> Exported:
    exported = export_live(await read_org())
    write(out, render(exported, LOCAL, env))
    return exported
