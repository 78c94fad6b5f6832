"""The generated pages of docs/: configuration reference, exit codes, verify-on-a-real-org list.

Hand-written reference pages drift from the code; these are produced from it instead. The field
list, types, defaults and descriptions come from the configuration's JSON Schema (itself
generated from the pydantic models), exit codes from `smsconf.exitcodes`, the verification list
from `platform.vocabulary.verify_list()`. The one thing the models cannot say is where a field
lands in Dataverse: that is `COLUMNS` below, read off `mapping/desired.py`, and a test checks it
names every field and only tables and columns that `platform/` defines.

Regenerate with `python -m smsconf.docs_reference` (or `--check` to only compare); a test fails
when the committed pages are out of date.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from smsconf.config.schema import VARIABLE, json_schema
from smsconf.exitcodes import EXIT_CODE_HELP, ExitCode
from smsconf.platform.vocabulary import verify_list

SMSCONF_ONLY = "— (smsconf only)"
UNMAPPED = "(not in COLUMNS yet)"
SEE_SECTION = ""
"""For a field whose value is another section: its own fields say where they land."""

# "Model.field" → (where it lands in Dataverse, what it means when the model has no description)
COLUMNS: dict[str, tuple[str, str]] = {
    # top level
    "Config.environments": (SMSCONF_ONLY, "Environments by name (`--env` selects one)."),
    "Config.variables": (SMSCONF_ONLY, "Values for `${var:NAME}` shared by every environment."),
    "Config.accounts": (
        "rows of `msdyn_occommunicationprovidersetting`",
        "Telesign and Twilio accounts.",
    ),
    "Config.queues": ("rows of `queue` (managed ones)", "Queues, managed or looked up."),
    "Config.operating_hours": ("`msdyn_operatinghour`, looked up by name", "Operating hours."),
    "Config.capacity_profiles": (
        "rows of `msdyn_capacityprofile` (managed ones)",
        "Capacity profiles.",
    ),
    "Config.surveys": ("looked up in `msfp_survey`", "Customer Voice surveys used by channels."),
    "Config.bots": ("looked up in `systemuser`", "Bots (application users) used by workstreams."),
    "Config.templates": (
        "looked up in `msdyn_sessiontemplate` / `msdyn_notificationtemplate`",
        "Session and notification templates used by workstreams.",
    ),
    "Config.quick_replies": ("rows of `msdyn_cannedmessage` (managed ones)", "Quick replies."),
    "Config.workstreams": ("rows of `msdyn_liveworkstream`", "SMS workstreams."),
    "Config.removed": (SMSCONF_ONLY, "Managed objects to delete (nothing else is ever deleted)."),
    "Config.settings": (SEE_SECTION, "Plan and diff settings."),
    "Environment.target": (SMSCONF_ONLY, ""),
    "Environment.gateway": (SMSCONF_ONLY, ""),
    "Environment.variables": (SMSCONF_ONLY, "Values for `${var:NAME}` in this environment."),
    "Settings.ignore": (SMSCONF_ONLY, ""),
    "Settings.max_deletes": (SMSCONF_ONLY, ""),
    "Removed.kind": (SMSCONF_ONLY, "What kind of managed object to delete."),
    "Removed.name": (SMSCONF_ONLY, "Its name (a number's digits, a quick reply's title)."),
    # accounts and numbers
    "Account.name": ("`msdyn_occommunicationprovidersetting.msdyn_name`", "Unique account name."),
    "Account.provider": (
        "`msdyn_occommunicationprovidersetting.msdyn_occommunicationprovider`",
        "The SMS provider.",
    ),
    "Account.customer_id": ("`msdyn_occommunicationprovidersetting.msdyn_accountsid`", ""),
    "Account.api_key": (
        "`msdyn_occommunicationprovidersetting.msdyn_securesecret` (write-only); its keyed "
        "fingerprint in `msdyn_occommunicationprovidersettingentry.msdyn_value`",
        "",
    ),
    "Account.account_sid": ("`msdyn_occommunicationprovidersetting.msdyn_accountsid`", ""),
    "Account.auth_token": (
        "`msdyn_occommunicationprovidersetting.msdyn_securesecret` (write-only); its keyed "
        "fingerprint in `msdyn_occommunicationprovidersettingentry.msdyn_value`",
        "",
    ),
    "Account.endpoint": ("— (smsconf only: where the credential check calls Telesign)", ""),
    "Account.auth": ("— (smsconf only: how the credential check signs)", "TSA or Basic signing."),
    "Account.numbers": ("rows of `msdyn_ocphonenumber`", "The account's sender numbers."),
    "PhoneNumber.number": (
        "`msdyn_ocphonenumber.msdyn_phonenumber`, `msdyn_ocphonenumber.msdyn_name`",
        "",
    ),
    "PhoneNumber.type": ("`msdyn_ocphonenumber.msdyn_type`", "Long code, toll-free or short."),
    "PhoneNumber.description": ("— (not written)", "A note for people reading the YAML."),
    # referenced objects
    "OperatingHours.name": ("`msdyn_operatinghour.msdyn_name`", "Unique name."),
    "OperatingHours.managed": ("— (refused)", "Looked up only: the schedule is a calendar."),
    "OperatingHours.all_days": ("— (refused)", "Deprecated column; the product ignores it."),
    "OperatingHours.days": ("— (refused)", "Deprecated column; the product ignores it."),
    "OperatingHours.start": ("— (refused)", "Deprecated column; the product ignores it."),
    "OperatingHours.end": ("— (refused)", "Deprecated column; the product ignores it."),
    "OperatingHours.timezone": ("— (refused)", "Deprecated column; the product ignores it."),
    "Queue.name": ("`queue.name`", "Unique queue name."),
    "Queue.managed": (SMSCONF_ONLY, ""),
    "Queue.assignment": ("`queue.msdyn_assignmentstrategy`", "How work items are assigned."),
    "Queue.operating_hours": ("`queue.msdyn_operatinghourid`", "Operating hours, by name."),
    "Queue.priority": ("`queue.msdyn_priority`", "Lower numbers are served first."),
    "CapacityProfile.name": ("`msdyn_capacityprofile.msdyn_name`", "Unique name."),
    "CapacityProfile.managed": (SMSCONF_ONLY, ""),
    "CapacityProfile.default_max_units": (
        "`msdyn_capacityprofile.msdyn_defaultmaxunits`",
        "Work items an agent may hold at once.",
    ),
    "Survey.name": ("`msfp_survey.msfp_name` (looked up)", "The survey's name."),
    "Bot.name": ("`systemuser.fullname` (looked up)", "The bot user's full name."),
    "Template.name": (SMSCONF_ONLY, "The name this configuration uses for the template."),
    "Template.kind": (
        "`msdyn_sessiontemplate` or `msdyn_notificationtemplate`",
        "Which kind of template.",
    ),
    "Template.unique_name": (
        "`msdyn_sessiontemplate.msdyn_uniquename` / `msdyn_notificationtemplate.msdyn_uniquename`",
        "",
    ),
    "QuickReply.title": ("`msdyn_cannedmessage.msdyn_title`", "Unique title."),
    "QuickReply.managed": (SMSCONF_ONLY, "true: smsconf owns it; false: looked up by title"),
    "QuickReply.message": ("`msdyn_cannedmessage.msdyn_message`", "The reply's text."),
    "QuickReply.locale": ("`msdyn_cannedmessage.msdyn_locale_field`", "The reply's language."),
    # workstream
    "Workstream.name": ("`msdyn_liveworkstream.msdyn_name`", "Unique workstream name."),
    "Workstream.fallback_queue": ("`msdyn_liveworkstream.msdyn_defaultqueue`", "By name."),
    "Workstream.distribution": (SEE_SECTION, "Work distribution."),
    "Workstream.bot": ("`msdyn_liveworkstream.msdyn_bot_user`", "A bot, by name."),
    "Workstream.sms": ("a row of `msdyn_ocsmschannelsetting`", "The SMS channel."),
    "Workstream.routing": (
        "`msdyn_routingconfiguration`, `msdyn_routingconfigurationstep` and "
        "`msdyn_decisionruleset` rows, `msdyn_decisioncontract.msdyn_contractdefinition`",
        "Routing rules.",
    ),
    "Workstream.advanced": (SEE_SECTION, "Templates, context variables, bots, quick replies."),
    "Distribution.mode": ("`msdyn_liveworkstream.msdyn_workdistributionmode`", ""),
    "Distribution.capacity": (SEE_SECTION, "Unit-based or profile-based capacity."),
    "Distribution.allowed_presences": (
        "`msdyn_liveworkstream.msdyn_allowedpresences`",
        "Agent presences that may receive work.",
    ),
    "Distribution.auto_close_after": (
        "`msdyn_liveworkstream.msdyn_autocloseafterinactivity` (minutes)",
        "Close inactive conversations after this long.",
    ),
    "Distribution.block_capacity_for_wrap_up": (
        "`msdyn_liveworkstream.msdyn_blockcapacityforwrapup`",
        "Keep the agent's capacity during wrap-up: always, never, or for a duration.",
    ),
    "Distribution.keep_same_agent": ("`msdyn_liveworkstream.msdyn_enableagentaffinity`", ""),
    "Distribution.skill_matching": (
        "`msdyn_liveworkstream.msdyn_matchinglogic`",
        "Skill matching.",
    ),
    "Capacity.units": (
        "`msdyn_liveworkstream.msdyn_capacityrequired`, "
        "`msdyn_liveworkstream.msdyn_capacityformat`",
        "",
    ),
    "Capacity.profile": (
        "`msdyn_liveworkstreamcapacityprofile.msdyn_capacityprofile_id`, "
        "`msdyn_liveworkstream.msdyn_capacityformat`",
        "",
    ),
    "SmsChannel.number": ("`msdyn_ocsmschannelsetting.msdyn_phonenumberid`", "A declared number."),
    "SmsChannel.language": ("`msdyn_ocsmschannelsetting.msdyn_language`", "Channel language."),
    "SmsChannel.operating_hours": (
        "`msdyn_ocsmschannelsetting.msdyn_operatinghourid`",
        "Operating hours, by name.",
    ),
    "SmsChannel.automated_messages": (
        "rows of `msdyn_ocsystemmessage`",
        "Messages sent on channel events.",
    ),
    "SmsChannel.survey": (SEE_SECTION, "Post-conversation survey."),
    "SmsChannel.file_attachments": (SEE_SECTION, "Who may send files."),
    "AutomatedMessage.trigger": (
        "`msdyn_ocsystemmessage.msdyn_systemmessageeventtype`",
        "The event that sends it.",
    ),
    "AutomatedMessage.text": ("`msdyn_ocsystemmessage.msdyn_messagetext`", "Default text."),
    "AutomatedMessage.translations": (
        "rows of `msdyn_oclocalizationdata` (`msdyn_oclocalizationdata.msdyn_localizedtext`)",
        "Locale → text.",
    ),
    "SurveySettings.enabled": (
        "`msdyn_ocsmschannelsetting.msdyn_postconversationsurveyenable`",
        "Send a survey after the conversation.",
    ),
    "SurveySettings.survey": (
        "`msdyn_ocsmschannelsetting.msdyn_postconversationsurvey`",
        "A survey, by name.",
    ),
    "SurveySettings.mode": (
        "`msdyn_ocsmschannelsetting.msdyn_postconversationsurveymode`",
        "Insert the survey or send a link.",
    ),
    "SurveySettings.message": (
        "`msdyn_ocsmschannelsetting.msdyn_postconversationsurveymessagetext`",
        "Text sent with the link.",
    ),
    "SurveySettings.bot_survey": (
        "`msdyn_ocsmschannelsetting.msdyn_postconversationsurveybotsurvey`",
        "A separate survey after bot-only conversations.",
    ),
    "BotSurvey.survey": (
        "`msdyn_ocsmschannelsetting.msdyn_postconversationsurveyseparatebotsurvey`",
        "A survey, by name.",
    ),
    "BotSurvey.mode": (
        "`msdyn_ocsmschannelsetting.msdyn_postconversationsurveybotsurveymode`",
        "Insert the survey or send a link.",
    ),
    "BotSurvey.message": (
        "`msdyn_ocsmschannelsetting.msdyn_postconversationsurveybotsurveymessagetext`",
        "Text sent with the link.",
    ),
    "FileAttachments.customers": (
        "`msdyn_ocsmschannelsetting.msdyn_enablefileattachmentforcustomers`",
        "Customers may send files.",
    ),
    "FileAttachments.agents": (
        "`msdyn_ocsmschannelsetting.msdyn_enablefileattachmentforagents`",
        "Agents may send files.",
    ),
    # routing: rules become the XML of a ruleset
    "Routing.classification": (
        "`msdyn_decisionruleset` and `msdyn_routingconfigurationstep` rows, one per ruleset",
        "Classification rulesets, in order.",
    ),
    "Routing.route_to_queue": (
        "one `msdyn_decisionruleset` and `msdyn_routingconfigurationstep` row",
        "Route-to-queue rules: all are evaluated, and the first that matches and whose queue is "
        "not overflowing is applied.",
    ),
    "ClassificationRuleset.name": ("`msdyn_decisionruleset.msdyn_name`", "Ruleset name."),
    "ClassificationRuleset.rules": ("`msdyn_decisionruleset.msdyn_rulesetdefinition`", "Rules."),
    "ClassificationRule.name": ("`msdyn_decisionruleset.msdyn_rulesetdefinition`", "Rule name."),
    "ClassificationRule.when": ("`msdyn_decisionruleset.msdyn_rulesetdefinition`", ""),
    "ClassificationRule.set": ("`msdyn_decisionruleset.msdyn_rulesetdefinition`", ""),
    "QueueRule.name": ("`msdyn_decisionruleset.msdyn_rulesetdefinition`", "Rule name."),
    "QueueRule.when": (
        "`msdyn_decisionruleset.msdyn_rulesetdefinition`",
        "All must hold; empty: always.",
    ),
    "QueueRule.queue": ("`msdyn_decisionruleset.msdyn_rulesetdefinition`", "A queue, by name."),
    "QueueRule.split": (
        "`msdyn_decisionruleset.msdyn_rulesetdefinition`",
        "Percentages of work per queue.",
    ),
    "QueueShare.queue": ("`msdyn_decisionruleset.msdyn_rulesetdefinition`", "A queue, by name."),
    "QueueShare.percent": ("`msdyn_decisionruleset.msdyn_rulesetdefinition`", "Its share."),
    "Condition.attribute": ("`msdyn_decisionruleset.msdyn_rulesetdefinition`", ""),
    "Condition.op": ("`msdyn_decisionruleset.msdyn_rulesetdefinition`", "Comparison operator."),
    "Condition.value": ("`msdyn_decisionruleset.msdyn_rulesetdefinition`", "Compared value."),
    "Condition.all": ("`msdyn_decisionruleset.msdyn_rulesetdefinition`", "All of these hold."),
    "Condition.any": ("`msdyn_decisionruleset.msdyn_rulesetdefinition`", "Any of these holds."),
    # advanced settings
    "Advanced.session_template": (
        "`msdyn_liveworkstream.msdyn_sessiontemplate_default`",
        "A session template, by name.",
    ),
    "Advanced.notification_templates": (SEE_SECTION, "Agent notification templates."),
    "Advanced.context_variables": (
        "rows of `msdyn_ocliveworkstreamcontextvariable`; "
        "`msdyn_decisioncontract.msdyn_contractdefinition`",
        "Variables routing rules can read and set.",
    ),
    "Advanced.smart_assist_bots": (
        "N:N `msdyn_msdyn_liveworkstream_systemuser`",
        "Smart-assist bots, by name.",
    ),
    "Advanced.quick_replies": (
        "N:N `msdyn_msdyn_cannedmessage_liveworkstream`",
        "Quick replies, by title.",
    ),
    "NotificationTemplates.incoming_authenticated": (
        "`msdyn_liveworkstream.msdyn_notificationtemplate_incoming_auth`",
        "A notification template, by name.",
    ),
    "NotificationTemplates.incoming_unauthenticated": (
        "`msdyn_liveworkstream.msdyn_notificationtemplate_incoming_unauth`",
        "A notification template, by name.",
    ),
    "NotificationTemplates.consult": (
        "`msdyn_liveworkstream.msdyn_notificationtemplate_consult`",
        "A notification template, by name.",
    ),
    "NotificationTemplates.transfer": (
        "`msdyn_liveworkstream.msdyn_notificationtemplate_transfer`",
        "A notification template, by name.",
    ),
    "NotificationTemplates.supervisor_assign": (
        "`msdyn_liveworkstream.msdyn_notificationtemplate_supervisorassign`",
        "A notification template, by name.",
    ),
    "ContextVariable.name": ("`msdyn_ocliveworkstreamcontextvariable.msdyn_name`", "Its name."),
    "ContextVariable.type": (
        "`msdyn_ocliveworkstreamcontextvariable.msdyn_datatype`",
        "Text, number or entity reference.",
    ),
    "ContextVariable.entity": (
        "`msdyn_ocliveworkstreamcontextvariable.msdyn_entitylogicalname`",
        "",
    ),
}

EXIT_ADVICE: dict[ExitCode, str] = {
    ExitCode.OK: "Nothing to do, or done.",
    ExitCode.ERROR: "A bug or an unreachable organisation: the one-line message says which; "
    "`SMSCONF_DEBUG=1` shows the traceback.",
    ExitCode.CHANGES: "Only with `plan --detailed-exitcode` and from `drift`: not a failure. "
    "CI treats 0 and 2 as success.",
    ExitCode.INVALID_CONFIG: "Fix the located errors (file:line:col); all are listed at once. "
    "From `route`: also a malformed cases file, or a `--to` number no workstream uses. From "
    "`fmt --check`: a file is not in canonical layout (run `smsconf fmt`).",
    ExitCode.CREDENTIALS: "A Telesign Customer ID or API key was refused, or Telesign could not "
    "answer the check (throttled, unreachable): `smsconf check-credentials` shows which, per "
    "account; check the secret the account's `api_key` references, or retry later.",
    ExitCode.UNSAFE_PLAN: "Deletes beyond `settings.max_deletes` or a change to a column that "
    "cannot change: allow it explicitly (`--allow-delete ADDRESS`, `--allow-deletes`) or "
    "change the configuration.",
    ExitCode.STALE_PLAN: "Nothing was written. `apply --plan` planned again and the fresh plan "
    "is not the saved one: a row moved in the organisation, the configuration changed, or "
    "the file was edited (each difference is named, object and field): plan again, review, "
    "apply the new plan.",
    ExitCode.PARTIAL_APPLY: "Some writes failed: see the journal in `.smsconf/journal/`; run "
    "apply again to finish (creates are idempotent, updates guarded by ETags).",
    ExitCode.ROUTE_CASES_FAILED: "`smsconf route --cases`: each failing case is printed with "
    "its whole route; fix the routing rules or the case's expectation.",
    ExitCode.PLAN_FILE_INVALID: "Nothing was written. The file given to `apply --plan` is not a "
    "plan smsconf wrote (not UTF-8 JSON, truncated, an unknown action or table, no checksum): "
    "the one-line message says what; save the plan again with `plan --out`.",
    ExitCode.UNTRUSTED_HOST: "Nothing was sent and no secret was read: the configuration (or "
    "`--target`) names a host that is not a provider's or Microsoft's documented one. If the "
    "host is meant (an emulator, a proxy), the workflow allows it with `--allow-host HOST:PORT` "
    "or `SMSCONF_ALLOW_HOSTS`; a configuration cannot. See docs/ci-guide.md#threat-model.",
    ExitCode.USAGE: "The command line is wrong (a mistyped command or option, a bad option "
    "value, a path that does not exist): the message names it and suggests the closest match. "
    "Never 0 or 2, so a typo in a workflow cannot pass as an empty plan.",
}

GENERATED_NOTE = (
    "<!-- Generated by `python -m smsconf.docs_reference`; edit the code, not this file. -->"
)


def _anchor(model: str) -> str:
    return model.lower()


def _type(spec: dict[str, Any]) -> str:
    """A JSON Schema type as a reader says it: `list of Queue`, `one of push, pick`, …"""
    if "$ref" in spec:
        name = spec["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{_anchor(name)})"
    if "anyOf" in spec:
        # `${var:…}` may stand for any value: said once in the page's introduction.
        kinds = [_type(s) for s in spec["anyOf"] if s.get("type") != "null" and s != VARIABLE]
        return " or ".join(dict.fromkeys(kinds))
    if "const" in spec:
        return f"`{spec['const']}`"
    if "enum" in spec:
        return "one of " + ", ".join(f"`{v}`" for v in spec["enum"])
    kind = spec.get("type")
    if kind == "array":
        return f"list of {_type(spec.get('items', {}))}"
    if kind == "object":
        return f"map of name → {_type(spec.get('additionalProperties', {}))}"
    words = {"string": "text", "integer": "integer", "number": "number", "boolean": "true/false"}
    text = words.get(kind or "", "any")
    if "examples" in spec:
        text = "duration (" + ", ".join(f"`{e}`" for e in spec["examples"]) + ", …)"
    elif "pattern" in spec:
        text += f" matching `{spec['pattern']}`"
    bounds = [
        f"{word} {spec[key]}"
        for key, word in (("minimum", "≥"), ("maximum", "≤"), ("minLength", "length ≥"))
        if key in spec
    ]
    if "maxLength" in spec:
        bounds.append(f"length ≤ {spec['maxLength']}")
    return text + (f" ({', '.join(bounds)})" if bounds else "")


def _default(name: str, spec: dict[str, Any], required: list[str]) -> str:
    if name in required:
        return "**required**"
    if "default" not in spec:
        return ""
    return f"`{json.dumps(spec['default'], ensure_ascii=False)}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _model_section(name: str, model: dict[str, Any]) -> list[str]:
    lines = [f"## {name}", ""]
    if model.get("description"):
        lines += [model["description"].strip(), ""]
    lines += [
        "| field | type | default | description | Dataverse column |",
        "|---|---|---|---|---|",
    ]
    required = model.get("required", [])
    for field, spec in model["properties"].items():
        # A field added to the models without an entry here still renders (the test names it).
        column, note = COLUMNS.get(f"{name}.{field}", (UNMAPPED, ""))
        description = spec.get("description") or note
        lines.append(
            f"| `{field}` | {_cell(_type(spec))} | {_cell(_default(field, spec, required))} "
            f"| {_cell(description)} | {_cell(column or 'see the linked section')} |"
        )
    return [*lines, ""]


def models() -> dict[str, dict[str, Any]]:
    """Every object of the configuration, the top level first, then alphabetically."""
    schema = json_schema()
    return {"Config": schema, **dict(sorted(schema["$defs"].items()))}


def configuration_reference() -> str:
    lines = [
        GENERATED_NOTE,
        "",
        "# Configuration reference",
        "",
        "Every object of the configuration language, every field with its type, default and "
        "meaning, and where smsconf writes it in Dataverse. Generated from the pydantic models "
        "(through the JSON Schema in `schemas/smsconf.schema.json`) and the mapping in "
        "`src/smsconf/mapping/desired.py`. Names refer to other objects by name, never by GUID; "
        "“— (smsconf only)” fields steer smsconf and are written nowhere. Any value may be "
        "written as `${var:NAME}` (the whole value): it is replaced by the chosen environment's "
        "variable, with that variable's type, before the value is checked.",
        "",
        "Objects: " + ", ".join(f"[{m}](#{_anchor(m)})" for m in models()),
        "",
    ]
    for name, model in models().items():
        lines += _model_section(name, model)
    return "\n".join(lines)


def exit_codes() -> str:
    meaning = {
        int(line.split()[0]): line.split(maxsplit=1)[1]
        for line in EXIT_CODE_HELP.splitlines()
        if line.strip()[:1].isdigit()
    }
    lines = [
        GENERATED_NOTE,
        "",
        "# Exit codes",
        "",
        "A contract with CI scripts (modelled on Terraform's `-detailed-exitcode`). "
        "`smsconf --help` prints the same list.",
        "",
        "| code | name | meaning | what to do |",
        "|---:|---|---|---|",
    ]
    lines += [
        f"| {code.value} | `{code.name}` | {meaning[code.value]} | {EXIT_ADVICE[code]} |"
        for code in ExitCode
    ]
    return "\n".join([*lines, ""])


def verify_on_a_real_org() -> str:
    lines = [
        GENERATED_NOTE,
        "",
        "# Verify on a real organisation",
        "",
        "Facts smsconf relies on that the references only infer. Each lives in one place in "
        "`src/smsconf/platform/`, marked, so a check on a real organisation is a one-line "
        "correction. Tick them off before the first `apply` to production: configure one "
        "SMS channel by hand in the admin center of a test organisation, read its rows through "
        "the Web API (or the table's columns in make.powerapps.com), and compare. "
        "This list is generated from `smsconf.platform.vocabulary.verify_list()`.",
        "",
    ]
    lines += [f"- [ ] {fact}" for fact in verify_list()]
    return "\n".join([*lines, ""])


PAGES: dict[str, Callable[[], str]] = {
    "configuration-reference.md": configuration_reference,
    "exit-codes.md": exit_codes,
    "verify-on-a-real-org.md": verify_on_a_real_org,
}


def outdated(docs: Path) -> list[str]:
    """The generated pages whose committed text differs from what the code produces."""
    return [
        name
        for name, page in PAGES.items()
        if not (docs / name).exists() or (docs / name).read_text(encoding="utf-8") != page()
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m smsconf.docs_reference", description=__doc__)
    parser.add_argument("docs", nargs="?", default="docs", type=Path, help="the docs directory")
    parser.add_argument("--check", action="store_true", help="only report outdated pages")
    args = parser.parse_args(argv)
    if args.check:
        stale = outdated(args.docs)
        for name in stale:
            print(f"{args.docs / name} is out of date: run python -m smsconf.docs_reference")
        return 1 if stale else 0
    args.docs.mkdir(parents=True, exist_ok=True)
    for name, page in PAGES.items():
        (args.docs / name).write_text(page(), encoding="utf-8")
        print(f"wrote {args.docs / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
