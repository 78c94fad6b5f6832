"""What plan and apply end with: exit codes, decided in one place (the contract in `smsconf
--help`), and the message for Telesign support that a newly connected account needs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from smsconf.exitcodes import ExitCode
from smsconf.reconcile.apply import ApplyReport
from smsconf.reconcile.plan import Plan


def plan_exit(plan: Plan, *, detailed: bool) -> ExitCode:
    if plan.failed_credentials():
        return ExitCode.CREDENTIALS
    if plan.unsafe:
        return ExitCode.UNSAFE_PLAN
    if detailed and plan.has_changes:
        return ExitCode.CHANGES
    return ExitCode.OK


def apply_blocker(plan: Plan, *, ignore_credentials: bool) -> ExitCode | None:
    """Why apply must not start: bad credentials (unless told otherwise) or an unsafe plan."""
    if plan.failed_credentials() and not ignore_credentials:
        return ExitCode.CREDENTIALS
    if plan.unsafe:
        return ExitCode.UNSAFE_PLAN
    return None


def apply_exit(report: ApplyReport) -> ExitCode:
    if report.complete:
        return ExitCode.OK
    if report.stale and not report.failed:
        return ExitCode.STALE_PLAN
    return ExitCode.PARTIAL_APPLY


def telesign_support_message(
    plan: Plan, customer_ids: Mapping[str, str | None], only: Iterable[str] | None = None
) -> str:
    """What the seed page asks admins to email Telesign support, ready to paste: for every
    Telesign account, or `only` those named. The Customer ID is the configuration's (it is not
    secret; the credential check, when it ran, saw the same value)."""
    lines = []
    wanted = None if only is None else set(only)
    for account, url in plan.callback_urls.items():
        if wanted is not None and account not in wanted:
            continue
        lines += [
            f"Account '{account}': callback URL {url}",
            "  Email support@telesign.com with the subject",
            '  "Omnichannel for Customer Service callback URL update request",',
            f"  the callback URL above and Customer ID {customer_ids.get(account) or '(not set)'}.",
        ]
    return "\n".join(lines)


def newly_connected(plan: Plan) -> list[str]:
    """Telesign accounts this plan connects to the organisation for the first time: the only
    ones whose callback URL Telesign has not been told yet."""
    created = {c.key[0] for c in plan.changes if c.kind == "account" and c.action == "create"}
    return [name for name in plan.callback_urls if name in created]


LAYER_WORDS = {
    "number": "the number's own SmsUrl",
    "application": "its application's SmsUrl",
    "messaging_service": "its Messaging Service's inbound URL",
}


def twilio_inbound_report(plan: Plan) -> tuple[str, bool]:
    """For `callback-urls`: each Twilio number's inbound URL, the one it must have (the
    organisation's, which Twilio signs its webhooks over) and whether the one in effect is it;
    and whether every number has it."""
    lines = []
    for checked in plan.provider_numbers:
        subject = f"Twilio number {checked.number} of '{checked.account}'"
        if checked.sid is None:
            lines.append(f"{subject}: not in the Twilio account (not ported yet?)")
            continue
        in_effect = f"{checked.url_in_effect or '(none)'} ({LAYER_WORDS[checked.layer]})"
        if checked.expected is None:
            lines.append(f"{subject}: {in_effect}; the organisation's URL is unknown (gateway:)")
        elif checked.right:
            lines.append(f"{subject}: {checked.expected}: set")
        else:
            lines += [
                f"{subject}: must be {checked.expected}",
                f"  not set: in effect {in_effect}; `smsconf apply` sets a number's own "
                "SmsUrl (a Messaging Service's is changed in the Twilio console)",
            ]
    return "\n".join(lines), all(c.right for c in plan.provider_numbers)


def event_grid_report(plan: Plan) -> tuple[str, bool]:
    """For `callback-urls`: each ACS account's Event Grid subscriptions in effect for the
    organisation, where they deliver, where they must, and whether the wiring is right; and
    whether every checked one is (one not checked says why, and is no failure)."""
    lines = []
    for wiring in plan.event_grid:
        subject = f"ACS '{wiring.account}' Event Grid"
        if not wiring.checked:
            lines.append(f"{subject}: not checked: {wiring.detail}")
            continue
        topic = f"system topic '{wiring.topic}'" if wiring.topic else "no system topic"
        in_effect = (
            f"subscription(s) {wiring.subscriptions} to {wiring.delivers_to}"
            if wiring.subscriptions
            else "no subscription for the organisation"
        )
        must = wiring.expected or "(the SMS Web Hook Endpoint: event_grid.endpoint not set)"
        if wiring.right:
            lines.append(f"{subject}: {topic}, {in_effect}: right")
        else:
            lines += [
                f"{subject}: must deliver SMS Received and SMS Delivery Report Received to {must}",
                f"  not right: {topic}, {in_effect}: {wiring.detail}",
            ]
    return "\n".join(lines), all(w.right for w in plan.event_grid if w.checked)
