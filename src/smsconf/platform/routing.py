"""How unified routing evaluates a workstream's rulesets, as data with a source for every rule.

The evaluator (`smsconf.routing`) follows these rules and the configuration reference prints
them, so the page and the code cannot drift. Each rule names its source in the tags of
reference/dataverse-evidence.md; what no source settles is `inferred=True`, goes to the
"verify on a real organisation" list, and is said so wherever `smsconf route` relies on it.
"""

from __future__ import annotations

from dataclasses import dataclass

ROUTE_TO_QUEUE_PAGE = (
    "[doc] Microsoft Learn, configure-route-to-queue-rules "
    "(ce/customer-service/administer/configure-route-to-queue-rules.md)"
)
CLASSIFICATION_PAGE = (
    "[doc] Microsoft Learn, configure-work-classification "
    "(ce/customer-service/administer/configure-work-classification.md)"
)
OVERFLOW_PAGE = (
    "[doc] Microsoft Learn, manage-overflow (ce/customer-service/administer/manage-overflow.md)"
)
HOURS_PAGE = (
    "[doc] Microsoft Learn, create-operating-hours "
    "(ce/customer-service/administer/create-operating-hours.md)"
)
EXPORT_A = (
    "[code: MS export] Microsoft's solution export, evidence §1.1 and §1.3 "
    "(Dynamics365-Apps-Samples @ a585d08)"
)
LIVE_C = "[code: 3rd-party live] rulesets captured from a real organisation, evidence §1.2"

# What smsconf writes in <decision hit-policy=...> for each kind of ruleset (evidence §1.4).
HIT_POLICY = {"classification": "first", "route_to_queue": "all"}
SPLIT_MAX_QUEUES = 5


@dataclass(frozen=True)
class Semantic:
    """One rule of routing: what the product does, and who says so."""

    topic: str
    rule: str
    source: str
    inferred: bool = False


SEMANTICS: tuple[Semantic, ...] = (
    Semantic(
        "order",
        "Classification rulesets run first, in their order (`msdyn_steporder`); the one "
        "route-to-queue ruleset runs after all of them. A workstream has at most one "
        "route-to-queue ruleset and 10 rulesets in all; a ruleset at most 100 rules.",
        f"{CLASSIFICATION_PAGE}; {ROUTE_TO_QUEUE_PAGE}",
    ),
    Semantic(
        "classification",
        "Within a classification ruleset rules run in their listed order and the first whose "
        "conditions hold sets its outputs (up to 5); the other rules of that ruleset are not "
        'run. smsconf writes these rulesets with `hit-policy="first"`, as the admin center does.',
        f"{CLASSIFICATION_PAGE}; {EXPORT_A}",
    ),
    Semantic(
        "classification",
        "A value set by a rule of one classification ruleset can be read by the rules of the "
        "later rulesets and of route to queue (e.g. priority, a context variable).",
        CLASSIFICATION_PAGE,
    ),
    Semantic(
        "route_to_queue",
        'All route-to-queue rules are evaluated (`hit-policy="all"`, as the admin center writes '
        "it); of the rules that match, the first in the list whose queue is not overflowing is "
        "applied. So the first matching rule wins unless its queue is closed.",
        f"{ROUTE_TO_QUEUE_PAGE}; {OVERFLOW_PAGE}; {EXPORT_A}; {LIVE_C}",
    ),
    Semantic(
        "route_to_queue",
        "If every matched queue is overflowing, the work item goes to a matched queue that is "
        "operational, else to the one that will be operational the earliest.",
        OVERFLOW_PAGE,
    ),
    Semantic(
        "split",
        "A percentage split names up to 5 queues whose shares total 100; the queue is picked "
        "by those shares (runtime shares deviate slightly), then its overflow is evaluated. "
        "`smsconf route` shows the shares, not a random pick.",
        f"{ROUTE_TO_QUEUE_PAGE}; {OVERFLOW_PAGE}",
    ),
    Semantic(
        "split",
        "A split rule counts as overflowing only when every queue of the split is closed.",
        "[inferred] the overflow page says overflow is evaluated after the split picks a "
        "queue, not what happens when that queue is closed",
        inferred=True,
    ),
    Semantic(
        "fallback",
        "When no route-to-queue rule matches, or there are none, the work item goes to the "
        "workstream's fallback queue (`msdyn_defaultqueue`); that queue's overflow is not "
        "considered.",
        f"{ROUTE_TO_QUEUE_PAGE}; {OVERFLOW_PAGE}",
    ),
    Semantic(
        "queue hours",
        "A queue without operating hours is open around the clock. Outside its hours a queue "
        "is overflowing (condition 'Out of operation hours', default action 'Assign to queue "
        "anyway').",
        f"{HOURS_PAGE}; {OVERFLOW_PAGE}",
    ),
    Semantic(
        "channel hours",
        "The SMS channel's operating hours do not change the queues' overflow; outside them "
        "the customer receives the channel's `outside_operating_hours` automated message.",
        f"{OVERFLOW_PAGE}; {HOURS_PAGE}",
    ),
    Semantic(
        "channel hours",
        "Outside the channel's hours the conversation is still classified and routed to a "
        "queue as inside them.",
        "[inferred] no page says an SMS conversation outside channel hours is dropped",
        inferred=True,
    ),
    Semantic(
        "hours",
        "Operating hours are compared in the wall-clock time given to `smsconf route --at`; "
        "the hours' time-zone code is not converted, and holidays are not modelled.",
        "[inferred] smsconf's simplification; the product evaluates the calendar in its time zone",
        inferred=True,
    ),
    Semantic(
        "hours (live)",
        "Against an organisation (`smsconf route --live`, the plan's closed-queue warning), a "
        "schedule is read from `msdyn_operatinghour`'s deprecated columns (`msdyn_oc_daysofweek`, "
        "`msdyn_starttimestring`, `msdyn_endtimestring`, `msdyn_enablealldays`); where they are "
        "empty the hours are unknown and nothing is said.",
        "[inferred] the product keeps schedules in calendars (`msdyn_calendarid`), which smsconf "
        "does not read; whether real organisations still fill the deprecated columns is unknown",
        inferred=True,
    ),
    Semantic(
        "attributes",
        "`conversation.X` is column X of the conversation (`msdyn_ocliveworkitem`) being "
        "routed; `msdyn_createdon` is always set, which is why the designer's 'always' rule is "
        "`conversation.msdyn_createdon not_null`. `priority` is "
        "`conversation.msdyn_priorityscore`.",
        f"{EXPORT_A}; {LIVE_C}",
    ),
    Semantic(
        "attributes",
        "`sms.X` is column X of the SMS engagement context (`msdyn_smsengagementctx`): "
        "`msdyn_customerphonenumber` (the sender, `--from`), `msdyn_orgphonenumber` (the "
        "number texted, `--to`), `msdyn_smsprovider`, `msdyn_countrycode`.",
        f"{ROUTE_TO_QUEUE_PAGE} (SMS Engagement Context attributes); [doc] msdyn_smsengagementctx "
        "entity reference",
    ),
    Semantic(
        "attributes",
        "The engagement context holds the numbers as smsconf writes them (digits with the "
        "country code).",
        "[inferred] no stored SMS engagement context was seen",
        inferred=True,
    ),
    Semantic(
        "attributes",
        "`contact.X` / `account.X` are columns of the customer the sender was identified as "
        "(the sender number matched against Contact Mobile Phone or Account Phone); without a "
        "match they are empty.",
        "[doc] Microsoft Learn, faqs#sms (automatic customer identification)",
    ),
    Semantic(
        "attributes",
        "`context.NAME` is a context variable of the workstream (`liveworkitemcontext.NAME`): "
        "empty unless set by a classification rule (or by a bot or an API before routing).",
        f"{CLASSIFICATION_PAGE}; {LIVE_C}",
    ),
    Semantic(
        "comparison",
        "An empty attribute satisfies only `null`; every other operator (`ne` included) is "
        "false on it, which is why the designer guards each comparison with `not-null`.",
        "[inferred] from the designer's not-null guards (evidence §1.2, source D)",
        inferred=True,
    ),
    Semantic(
        "comparison",
        "Text compares without regard to case; numbers and ISO dates compare as such (rule "
        'documents carry no types: `"1"` and `1` are the same value).',
        "[inferred] Dataverse conditions compare text case-insensitively; typing from the "
        "value's spelling",
        inferred=True,
    ),
)

INFERRED = tuple(f"routing semantics ({s.topic}): {s.rule}" for s in SEMANTICS if s.inferred)
