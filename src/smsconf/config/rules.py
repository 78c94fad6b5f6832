"""Domain rules that a schema cannot express: formats, limits, uniqueness and references.

Each rule reports a `Problem` at the path of the offending value; the loader attaches positions.
References must resolve to an object declared in the configuration (managed, or looked up by
name), so that a typo in a queue name is caught here instead of as a 404 halfway through apply.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from smsconf.config import vocabulary as v
from smsconf.config.kinds import BY_WORDS, KINDS, words
from smsconf.config.model import (
    Account,
    CapacityProfile,
    Condition,
    Config,
    OperatingHours,
    Queue,
    QuickReply,
    Workstream,
    duration_minutes,
)
from smsconf.config.names import accentless, fold
from smsconf.config.problems import Path_, Problem, did_you_mean
from smsconf.config.provider_rules import (
    ACS_NO_ATTACHMENTS,
    acs_number,
    number_type,
    provider_fields,
    us_number,
)
from smsconf.config.secrets import SECRET_ENV, SecretRef, env_refusal
from smsconf.platform import TABLES

# E.164 allows up to 15 digits; the shortest in service (e.g. +290 Saint Helena) have 7.
NUMBER_LENGTHS = {"short_code": (3, 8)} | dict.fromkeys(
    ("geo", "long_code", "toll_free", "mobile"), (7, 15)
)
ENVIRONMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
LOOKUP_ONLY_FIELDS = {
    Queue: ("assignment", "operating_hours", "priority", "renamed_from"),
    OperatingHours: (),
    QuickReply: ("message", "renamed_from"),
    CapacityProfile: ("renamed_from",),
}
SCHEDULE_FIELDS = ("managed", "all_days", "days", "start", "end", "timezone")
SCHEDULE_REFUSED = (
    "operating hours are looked up by name only: the product keeps their schedule in a "
    "calendar (msdyn_operatinghour.msdyn_calendarid, its calendar rules), which has no "
    "documented Web API write for this table, and the columns smsconf could write "
    "(msdyn_oc_daysofweek, msdyn_starttimestring, ...) are deprecated: the product ignores them"
)


class _Checker:
    def __init__(self, config: Config, ignore_names: set[str]) -> None:
        self.config = config
        self.ignore_names = ignore_names
        self.problems: list[Problem] = []
        self.names = {
            "queue": [q.name for q in config.queues],
            "operating hours": [o.name for o in config.operating_hours],
            "capacity profile": [c.name for c in config.capacity_profiles],
            "survey": [s.name for s in config.surveys],
            "bot": [b.name for b in config.bots],
            "session template": [t.name for t in config.templates if t.kind == "session"],
            "notification template": [t.name for t in config.templates if t.kind == "notification"],
            "quick reply": [q.title for q in config.quick_replies],
        }
        # Sets for the membership tests made per workstream; the lists keep declaration order
        # for suggestions.
        self.name_sets = {kind: set(map(fold, names)) for kind, names in self.names.items()}
        self.numbers = [n.number for a in config.accounts for n in a.numbers]
        self.number_set = set(self.numbers)
        self.acs_numbers = {
            n.number for a in config.accounts if a.provider == "acs" for n in a.numbers
        }
        self.ignored = set(map(fold, ignore_names))

    def report(self, message: str, path: Path_, hint: str | None = None) -> None:
        self.problems.append(Problem(message, path, hint=hint))

    def reference(self, kind: str, name: str | None, path: Path_) -> None:
        if name is None or fold(name) in self.name_sets[kind] or fold(name) in self.ignored:
            return
        self.report(
            f"{kind} '{name}' is not declared",
            path,
            did_you_mean(name, self.names[kind]) or self._other_kind(kind, name) or _declare(kind),
        )

    def _other_kind(self, kind: str, name: str) -> str | None:
        """A template declared with the other `kind:` is the likeliest mistake: say so."""
        for other in ("session template", "notification template"):
            if kind != other and kind.endswith("template") and fold(name) in self.name_sets[other]:
                return f"'{name}' is declared as a {other}; this slot takes a {kind}"
        return None

    def unique(self, items: Iterable[str], path: Path_, what: str) -> None:
        """Names the admin center would take for one are duplicates: any case or Unicode
        spelling, and accents too, since most organisations' collations are accent-insensitive
        (the language-collations page: 1033 English is _CI_AI); that the organisation's own
        collation is not read is on the verify list."""
        seen: dict[str, int] = {}
        bare: dict[str, int] = {}
        for i, name in enumerate(items):
            key = fold(name)
            if key in seen:
                self.report(
                    f"duplicate {what} '{name}'",
                    (*path, i),
                    hint=f"also at {path[-1]}[{seen[key]}]",
                )
                continue
            seen[key] = i
            accents = accentless(name)
            if accents in bare:
                self.report(
                    f"{what} '{name}' differs from {path[-1]}[{bare[accents]}] only by accents",
                    (*path, i),
                    hint="organisations whose language collation is accent-insensitive (_AI: "
                    "1033 English and most others) filter and search them as one name: "
                    "rename one",
                )
            else:
                bare[accents] = i

    def url(self, text: str, schemes: tuple[str, ...], expected: str, path: Path_) -> None:
        why = _url_problem(text, schemes)
        if why is not None:
            self.report(expected if why == "is not a URL" else f"{expected}: it {why}", path)

    def locale(self, locale: str, path: Path_) -> None:
        if locale not in v.LOCALES:
            self.report(
                f"unknown locale '{locale}'",
                path,
                did_you_mean(locale, v.LOCALES) or "use a locale such as en-US",
            )

    # --- the rules ---------------------------------------------------------------------------

    def run(self) -> list[Problem]:
        c = self.config
        # Labels are the kinds' words: derived from the key they read "quick replie".
        for kind, names in (
            ("account", [a.name for a in c.accounts]),
            ("queue", self.names["queue"]),
            ("operating_hours", self.names["operating hours"]),
            ("capacity_profile", self.names["capacity profile"]),
            ("survey", self.names["survey"]),
            ("bot", self.names["bot"]),
            ("session_template", [t.name for t in c.templates]),
            ("quick_reply", self.names["quick reply"]),
            ("workstream", [w.name for w in c.workstreams]),
        ):
            label = "template" if kind.endswith("template") else words(kind)
            self.unique(names, (str(KINDS[kind].section),), label)
        self.environments()
        self.accounts()
        self.referenced_objects()
        self.renames("workstreams", c.workstreams)
        channel_numbers: dict[str, int] = {}
        for i, ws in enumerate(c.workstreams):
            self.workstream(ws, i, channel_numbers)
        self.removed()
        self.ignored_columns()
        return self.problems

    def ignored_columns(self) -> None:
        """`settings.ignore` names tables and columns the diff compares: a typo would silently
        ignore nothing, so an unknown one is an error with the nearest real name."""
        for table, columns in self.config.settings.ignore.items():
            path = ("settings", "ignore", table)
            if table not in TABLES:
                self.report(
                    f"unknown table '{table}' (not one smsconf reads)",
                    path,
                    did_you_mean(table, TABLES) or "use a table logical name such as queue",
                )
                continue
            known = [c.logical_name for c in TABLES[table].columns]
            for i, column in enumerate(columns):
                if column not in known:
                    self.report(
                        f"unknown column '{column}' of table {table}",
                        (*path, i),
                        did_you_mean(column, known) or f"columns of {table}: {', '.join(known)}",
                    )

    def environments(self) -> None:
        for name, env in self.config.environments.items():
            path = ("environments", name)
            if not ENVIRONMENT_NAME.fullmatch(name):
                # It is typed after --env and printed in "in environment(s): ...": an empty or
                # spaced name could be neither selected nor read back.
                self.report(
                    f"environment name '{name}' must be a word (letters, digits, '-', '_', '.')",
                    path,
                )
            if env.target != "local":
                self.url(
                    env.target,
                    ("https",),
                    "target must be 'local' or an https:// organisation URL",
                    (*path, "target"),
                )
            if env.gateway is not None:
                self.url(
                    env.gateway, ("https",), "gateway must be an https:// URL", (*path, "gateway")
                )

    def accounts(self) -> None:
        owner: dict[str, str] = {}
        for i, account in enumerate(self.config.accounts):
            path = ("accounts", i)
            if account.endpoint is not None:
                self.url(
                    account.endpoint,
                    ("http", "https"),
                    "endpoint must be an http(s):// URL",
                    (*path, "endpoint"),
                )
            self.problems += provider_fields(account, path)
            for field in ("api_key", "auth_token", "connection_string"):
                self.secret_env(getattr(account, field), (*path, field))
            if account.event_grid is not None:
                self.event_grid(account, (*path, "event_grid"))
            for j, number in enumerate(account.numbers):
                npath = (*path, "numbers", j, "number")
                self.problems += number_type(account.provider, number.type, (*path, "numbers", j))
                if account.provider == "acs":
                    problems = acs_number(number.number, number.type, npath)
                    self.problems += problems
                    if not problems:
                        self.phone_number(number.number.removeprefix("+"), number.type, npath)
                else:
                    self.phone_number(number.number, number.type, npath)
                if account.provider == "twilio":
                    self.problems += us_number(number.number, number.type, npath)
                # One physical number whichever way a provider writes it (+ or not).
                key = number.number.removeprefix("+")
                if key in owner:
                    self.report(
                        f"number {number.number} is already listed under account '{owner[key]}'",
                        npath,
                        hint="a number belongs to exactly one account",
                    )
                owner.setdefault(key, account.name)

    def event_grid(self, account: Account, path: Path_) -> None:
        grid = account.event_grid
        assert grid is not None
        if grid.endpoint is not None:
            self.url(
                grid.endpoint,
                ("https",),
                "endpoint must be the https:// SMS Web Hook Endpoint",
                (*path, "endpoint"),
            )
        elif grid.mode == "managed":
            self.report(
                "event_grid mode managed needs the endpoint the subscription delivers to",
                (*path, "mode"),
                hint="set endpoint: the admin center's SMS Web Hook Endpoint (Channels > Phone "
                "numbers > Advanced > Manage Azure Communication Services), or mode: checked",
            )

    def secret_env(self, ref: SecretRef | None, path: Path_) -> None:
        """A pull request must not pick which of the job's variables its check sends away."""
        refused = env_refusal(ref.name) if ref is not None and ref.kind == "env" else None
        if refused:
            self.report(
                refused,
                path,
                hint=f"the workflow sets {SECRET_ENV}; use a variable it lists, or ask for one",
            )

    def phone_number(self, number: str, kind: str, path: Path_) -> None:
        if not number.isdigit() or not number.isascii():
            extra = "no plus sign" if number.startswith("+") else "no spaces or punctuation"
            self.report(
                f"number '{number}' must be digits only with the country code ({extra})",
                path,
                hint=f"write {re.sub(r'[^0-9]', '', number) or '14255550100'}",
            )
            return
        if kind != "short_code" and number.startswith("0"):
            # E.164 country codes start with 1-9: a leading 0 is a national trunk prefix
            # (07700...) or the 00 international prefix, and Telesign would reject the sender.
            self.report(
                f"number '{number}' must start with the country code, which never starts with 0",
                path,
                hint=f"drop the 00 prefix: write {number[2:]}"
                if number.startswith("00")
                else "replace the leading 0 with the country code (e.g. 44 for 07700 900123)",
            )
            return
        low, high = NUMBER_LENGTHS[kind]
        if not low <= len(number) <= high:
            label = "a short code" if kind == "short_code" else f"a {kind.replace('_', '-')} number"
            self.report(f"{label} has {low} to {high} digits; '{number}' has {len(number)}", path)

    def renames(
        self,
        key: str,
        items: Sequence[Queue | OperatingHours | CapacityProfile | QuickReply | Workstream],
    ) -> None:
        """`renamed_from:` names the object's old name, which nothing declared may still have
        (that object would be the one renamed)."""
        names = {
            (item.title if isinstance(item, QuickReply) else item.name).casefold() for item in items
        }
        for i, item in enumerate(items):
            old = getattr(item, "renamed_from", None)
            if old is not None and old.casefold() in names:
                self.report(
                    f"renamed_from '{old}' is the name of another object declared under {key}:",
                    (key, i, "renamed_from"),
                    hint="renamed_from names the old name, which no declared object keeps",
                )

    def referenced_objects(self) -> None:
        c = self.config
        for key, items in (
            ("queues", c.queues),
            ("operating_hours", c.operating_hours),
            ("capacity_profiles", c.capacity_profiles),
            ("quick_replies", c.quick_replies),
        ):
            self.renames(key, items)
            for i, item in enumerate(items):
                if not item.managed:
                    for field in LOOKUP_ONLY_FIELDS[type(item)]:
                        if field in item.model_fields_set:
                            self.report(
                                f"'{field}' can only be set on a managed object",
                                (key, i, field),
                                hint="add managed: true to let smsconf own it",
                            )
        for i, queue in enumerate(c.queues):
            self.reference(
                "operating hours", queue.operating_hours, ("queues", i, "operating_hours")
            )
        for i, hours in enumerate(c.operating_hours):
            for field in SCHEDULE_FIELDS:
                if field in hours.model_fields_set and (field != "managed" or hours.managed):
                    self.report(
                        f"'{field}' cannot be set: {SCHEDULE_REFUSED}",
                        ("operating_hours", i, field),
                        hint="set the schedule in the admin center and name the operating "
                        "hours here without managed: or schedule fields",
                    )
        for i, reply in enumerate(c.quick_replies):
            if reply.managed and not reply.message:
                self.report("a managed quick reply needs a message", ("quick_replies", i))
            self.locale(reply.locale, ("quick_replies", i, "locale"))
            if reply.locale in v.LOCALES and reply.locale not in v.QUICK_REPLY_LOCALES:
                self.report(
                    f"a quick reply cannot be in locale '{reply.locale}': the quick-reply "
                    "locale column (msdyn_locale_field) has no option for it",
                    ("quick_replies", i, "locale"),
                    did_you_mean(reply.locale, v.QUICK_REPLY_LOCALES)
                    or "use a locale such as en-US",
                )

    def workstream(self, ws: Workstream, index: int, channel_numbers: dict[str, int]) -> None:
        path: Path_ = ("workstreams", index)
        dist = ws.distribution
        self.reference("queue", ws.fallback_queue, (*path, "fallback_queue"))
        self.reference(
            "capacity profile",
            dist.capacity.profile,
            (*path, "distribution", "capacity", "profile"),
        )
        self.reference("bot", ws.bot, (*path, "bot"))
        if dist.mode == "pick":
            if ws.bot is not None:
                self.report("a bot can only be added to a push workstream", (*path, "bot"))
            if dist.keep_same_agent:
                self.report(
                    "keep_same_agent (agent affinity) needs work distribution mode push",
                    (*path, "distribution", "keep_same_agent"),
                )
        self.durations(ws, (*path, "distribution"))
        self.unique(
            dist.allowed_presences, (*path, "distribution", "allowed_presences"), "presence"
        )
        if ws.sms is not None:
            self.channel(ws, index, channel_numbers)
        self.advanced(ws, (*path, "advanced"))
        self.routing(ws, (*path, "routing"))

    def durations(self, ws: Workstream, path: Path_) -> None:
        dist = ws.distribution
        low, high = v.AUTO_CLOSE_MINUTES
        if not low <= duration_minutes(dist.auto_close_after) <= high:
            self.report("auto_close_after must be between 1m and 30d", (*path, "auto_close_after"))
        wrap = dist.block_capacity_for_wrap_up
        low, high = v.WRAP_UP_MINUTES
        if wrap not in ("always", "never") and not low <= duration_minutes(wrap) <= high:
            self.report(
                "block_capacity_for_wrap_up takes always, never, or a time from 1m to 60m",
                (*path, "block_capacity_for_wrap_up"),
            )

    def channel(self, ws: Workstream, index: int, channel_numbers: dict[str, int]) -> None:
        """`index`: the workstream's place in workstreams:."""
        sms = ws.sms
        assert sms is not None
        path: Path_ = ("workstreams", index, "sms")
        if sms.number not in self.number_set and sms.number not in self.ignore_names:
            self.report(
                f"number {sms.number} is not listed under any account",
                (*path, "number"),
                did_you_mean(sms.number, self.numbers) or "add it to an account's numbers:",
            )
        if sms.number in channel_numbers:
            other = self.config.workstreams[channel_numbers[sms.number]].name
            self.report(
                f"number {sms.number} already serves the SMS channel of workstream '{other}'",
                (*path, "number"),
                hint="a number serves at most one SMS channel",
            )
        channel_numbers.setdefault(sms.number, index)
        if sms.number in self.acs_numbers and "file_attachments" in sms.model_fields_set:
            self.report(
                f"number {sms.number} is an ACS number, and an ACS SMS channel takes no "
                "file_attachments",
                (*path, "file_attachments"),
                hint=f"remove file_attachments: {ACS_NO_ATTACHMENTS}",
            )
        self.locale(sms.language, (*path, "language"))
        self.reference("operating hours", sms.operating_hours, (*path, "operating_hours"))
        self.unique(
            [m.trigger for m in sms.automated_messages],
            (*path, "automated_messages"),
            "automated message trigger",
        )
        for i, message in enumerate(sms.automated_messages):
            for locale in message.translations:
                self.locale(locale, (*path, "automated_messages", i, "translations", locale))
        survey = sms.survey
        spath = (*path, "survey")
        if survey.enabled and survey.survey is None:
            self.report("an enabled survey needs survey: <name>", spath)
        self.reference("survey", survey.survey, (*spath, "survey"))
        if survey.bot_survey is not None:
            if not survey.enabled:
                self.report("bot_survey needs the survey enabled", (*spath, "bot_survey"))
            self.reference("survey", survey.bot_survey.survey, (*spath, "bot_survey", "survey"))

    def advanced(self, ws: Workstream, path: Path_) -> None:
        adv = ws.advanced
        self.reference("session template", adv.session_template, (*path, "session_template"))
        for slot, name in adv.notification_templates.model_dump().items():
            self.reference("notification template", name, (*path, "notification_templates", slot))
        self.unique(
            [cv.name for cv in adv.context_variables],
            (*path, "context_variables"),
            "context variable",
        )
        for i, cv in enumerate(adv.context_variables):
            cpath = (*path, "context_variables", i)
            if cv.type == "entity_reference" and not cv.entity:
                self.report("an entity_reference context variable needs entity: <table>", cpath)
            if cv.type != "entity_reference" and cv.entity:
                self.report("entity is only for entity_reference variables", (*cpath, "entity"))
        for i, bot in enumerate(adv.smart_assist_bots):
            self.reference("bot", bot, (*path, "smart_assist_bots", i))
        self.unique(adv.quick_replies, (*path, "quick_replies"), "quick reply")
        for i, title in enumerate(adv.quick_replies):
            self.reference("quick reply", title, (*path, "quick_replies", i))

    def routing(self, ws: Workstream, path: Path_) -> None:
        routing = ws.routing
        variables = {cv.name for cv in ws.advanced.context_variables}
        rulesets = len(routing.classification) + (1 if routing.route_to_queue else 0)
        if rulesets > v.MAX_RULESETS_PER_WORKSTREAM:
            self.report(
                f"{rulesets} rulesets; a workstream has at most {v.MAX_RULESETS_PER_WORKSTREAM}",
                (*path, "classification"),
            )
        self.unique([r.name for r in routing.classification], (*path, "classification"), "ruleset")
        for i, ruleset in enumerate(routing.classification):
            rpath = (*path, "classification", i)
            self.rule_count(len(ruleset.rules), (*rpath, "rules"))
            self.unique([r.name for r in ruleset.rules], (*rpath, "rules"), "rule")
            for j, rule in enumerate(ruleset.rules):
                self.conditions(rule.when, (*rpath, "rules", j, "when"), variables)
                if len(rule.set) > v.MAX_OUTPUTS_PER_RULE:
                    self.report(
                        f"a rule sets at most {v.MAX_OUTPUTS_PER_RULE} outputs",
                        (*rpath, "rules", j, "set"),
                    )
                for output in rule.set:
                    self.output(output, (*rpath, "rules", j, "set", output), variables)
        qpath = (*path, "route_to_queue")
        self.rule_count(len(routing.route_to_queue), qpath)
        self.unique([r.name for r in routing.route_to_queue], qpath, "rule")
        for i, rule in enumerate(routing.route_to_queue):
            self.conditions(rule.when, (*qpath, i, "when"), variables)
            self.reference("queue", rule.queue, (*qpath, i, "queue"))
            for j, share in enumerate(rule.split or []):
                self.reference("queue", share.queue, (*qpath, i, "split", j, "queue"))
            if rule.split is not None:
                if len(rule.split) > v.MAX_OUTPUTS_PER_RULE:
                    self.report(
                        f"a split has at most {v.MAX_OUTPUTS_PER_RULE} queues", (*qpath, i, "split")
                    )
                if sum(s.percent for s in rule.split) != 100:
                    self.report("split percentages must add up to 100", (*qpath, i, "split"))

    def rule_count(self, count: int, path: Path_) -> None:
        if count > v.MAX_RULES_PER_RULESET:
            self.report(f"{count} rules; a ruleset has at most {v.MAX_RULES_PER_RULESET}", path)

    def output(self, name: str, path: Path_, variables: set[str]) -> None:
        if name == "priority":
            return
        source, _, var = name.partition(".")
        if source != "context" or not var:
            self.report(
                f"unknown output '{name}'", path, hint="outputs are priority or context.<variable>"
            )
        elif var not in variables:
            self.report(
                f"context variable '{var}' is not declared on this workstream",
                path,
                did_you_mean(var, variables),
            )

    def conditions(self, conditions: list[Condition], path: Path_, variables: set[str]) -> None:
        for i, cond in enumerate(conditions):
            cpath = (*path, i)
            if cond.all is not None or cond.any is not None:
                group = "all" if cond.all is not None else "any"
                self.conditions(cond.all or cond.any or [], (*cpath, group), variables)
                continue
            self.condition(cond, cpath, variables)

    def condition(self, cond: Condition, path: Path_, variables: set[str]) -> None:
        assert cond.attribute is not None
        source, _, attr = cond.attribute.partition(".")
        if source not in v.ATTRIBUTE_SOURCES or not attr:
            self.report(
                f"attribute '{cond.attribute}' must start with one of "
                + ", ".join(f"{s}." for s in v.ATTRIBUTE_SOURCES),
                (*path, "attribute"),
                did_you_mean(source, v.ATTRIBUTE_SOURCES),
            )
        elif source == "context" and attr not in variables:
            self.report(
                f"context variable '{attr}' is not declared on this workstream",
                (*path, "attribute"),
                did_you_mean(attr, variables),
            )
        if cond.op in ("null", "not_null"):
            if cond.value is not None:
                self.report(f"operator {cond.op} takes no value", (*path, "value"))
        elif cond.op == "in":
            if not isinstance(cond.value, list) or not cond.value:
                self.report("operator in takes a non-empty list of values", (*path, "value"))
        elif cond.value is None or isinstance(cond.value, list):
            self.report(f"operator {cond.op} takes one value", (*path, "value"))

    def removed(self) -> None:
        declared = {
            "account": [a.name for a in self.config.accounts],
            "number": self.numbers,
            "workstream": [w.name for w in self.config.workstreams],
            **{k: self.names[words(k)] for k in ("queue", "operating_hours", "capacity_profile")},
            "quick_reply": self.names["quick reply"],
        }
        folded = {kind: set(map(fold, names)) for kind, names in declared.items()}
        for i, item in enumerate(self.config.removed):
            if fold(item.name) in folded[item.kind]:
                self.report(
                    f"{item.kind} '{item.name}' is both declared and listed under removed:",
                    ("removed", i, "name"),
                )


# Where each kind of referenced object is declared, by the words messages name it with.
DECLARED_UNDER = {kind.words: str(kind.section) for kind in BY_WORDS.values()}


def _declare(kind: str) -> str:
    """How to declare a missing object. Surveys, bots and templates have no `managed:` key
    (they are only ever looked up), so only kinds whose model has one are told to add it; the
    model decides, so the hint cannot drift from what the schema accepts."""
    key = DECLARED_UNDER[kind]
    item = typing.get_args(Config.model_fields[key].annotation)[0]
    if "managed" in item.model_fields:
        return f"declare it under {key}: (managed: true to create it, else looked up by name)"
    template = f" with kind: {kind.split()[0]}" if key == "templates" else ""
    return f"declare it under {key}:{template} (looked up by name in the organisation)"


def _url_problem(text: str, schemes: tuple[str, ...]) -> str | None:
    """Why `text` is not a usable URL of one of `schemes`, or None. Parsed here, once, so
    that what urllib or httpx would raise later (an unclosed IPv6 bracket, a port past 65535,
    CR LF that would split a request line) is a located error instead of exit 1 mid-plan."""
    if any(c.isspace() or not c.isprintable() for c in text):
        return "holds a space or control character (CR LF would split the request)"
    try:
        parsed = urlsplit(text)
        port = parsed.port
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range 0-65535"
        return f"cannot be parsed ({exc})"
    if parsed.scheme not in schemes or not parsed.hostname:
        return "is not a URL"
    if port == 0:
        return "has port 0"
    return None


def check(config: Config, ignore_names: set[str] | None = None) -> list[Problem]:
    """Every domain problem of one (environment-resolved) configuration.

    `ignore_names` are objects already reported invalid: references to them are not errors.
    """
    return _Checker(config, ignore_names or set()).run()
