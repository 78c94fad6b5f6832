"""Exit codes of plan and apply, decided in one place (the contract in `smsconf --help`)."""

from __future__ import annotations

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


def telesign_support_message(plan: Plan) -> str:
    """What the seed page asks admins to email Telesign support, ready to paste."""
    lines = []
    by_account = {c.account: c.customer_id for c in plan.credentials}
    for account, url in plan.callback_urls.items():
        lines += [
            f"Account '{account}': callback URL {url}",
            "  Email support@telesign.com with the subject",
            '  "Omnichannel for Customer Service callback URL update request",',
            f"  the callback URL above and Customer ID {by_account.get(account, '(unknown)')}.",
        ]
    return "\n".join(lines)
