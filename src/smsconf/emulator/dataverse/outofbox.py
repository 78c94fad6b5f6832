"""The out-of-the-box SMS templates the solution installs, and where the platform attaches them.

One definition for the two places that use it: the seed writes these rows into a new
organisation, and the platform's plug-ins (`plugins.py`) attach them to a new SMS workstream.
The display names are Microsoft's (MicrosoftDocs dynamics-365-customer-engagement
`ce/customer-service/administer/notification-templates.md`, "Out-of-the-box notification
templates", the SMS row, which has no supervisor-assign template; `…/administer/
session-templates.md`), and so is the column each fills (`…/administer/associate-templates.md`:
the workstream's session template and its incoming authenticated, incoming unauthenticated,
consult and transfer notifications). Their unique names are documented nowhere we found
(evidence §5, §8): they follow the chat naming (`msdyn_chat_consult` ...) and are inferred.
"""

from __future__ import annotations

from dataclasses import dataclass

SESSION_TEMPLATE = "msdyn_sessiontemplate"
NOTIFICATION_TEMPLATE = "msdyn_notificationtemplate"


@dataclass(frozen=True)
class Template:
    """An out-of-the-box template: its table, display name and column are [doc], its unique
    name may be a guess."""

    table: str
    unique_name: str
    name: str
    column: str
    """The `msdyn_liveworkstream` column the platform attaches it to."""
    unique_name_inferred: bool = True


SMS_TEMPLATES = (
    Template(
        SESSION_TEMPLATE,
        "msdyn_sms_session_default",
        "SMS session - default",
        "msdyn_sessiontemplate_default",
    ),
    Template(
        NOTIFICATION_TEMPLATE,
        "msdyn_sms_incoming_authenticated",
        "SMS - incoming authenticated - default",
        "msdyn_notificationtemplate_incoming_auth",
    ),
    Template(
        NOTIFICATION_TEMPLATE,
        "msdyn_sms_incoming_unauthenticated",
        "SMS - incoming unauthenticated - default",
        "msdyn_notificationtemplate_incoming_unauth",
    ),
    Template(
        NOTIFICATION_TEMPLATE,
        "msdyn_sms_consult",
        "SMS - consult - default",
        "msdyn_notificationtemplate_consult",
    ),
    Template(
        NOTIFICATION_TEMPLATE,
        "msdyn_sms_transfer",
        "SMS - transfer - default",
        "msdyn_notificationtemplate_transfer",
    ),
)
