"""What the platform's own plug-ins do when a workstream is created, as far as a source says.

Creating `msdyn_liveworkstream` rows fires Omnichannel plug-ins (`PostOperationWorkStream
CreateUpdateDeletePlugin`, `UpdateDefaultNotificationTemplate`, registered on workstream create)
that complete the row the way the admin center's are: seen on a live organisation for voice
workstreams created through the Web API without those fields (PrometheanCCaaSToolbox
`tools/voice-workstream-builder/IMPLEMENTATION_STATUS.md`, "Live findings", round 1; audit §2
#12): "`msdyn_routingcontractid`, the notification and session templates, the record
identification rule, automated messages, and a capacity profile link to 'Default voice
inbound'", and no routing configuration. A platform-named contract (`msdyn_894c6fd0_…`) is in
Microsoft's own solution export (dataverse-evidence, source A).

Played here [inferred for SMS: the plug-ins are shown for voice only, on the verify list]:
- a routing (decision) contract, created and linked when the create leaves
  `msdyn_routingcontractid` empty; its unique name `msdyn_<id>` follows the export's pattern,
  its definition is empty [inferred];
- a capacity-profile link to the organisation's default messaging capacity profile, when the
  organisation has one (`DEFAULT_PROFILE`, an out-of-the-box row the solution installs
  [inferred name]; the voice one is `msdyn_voice_inbound_profile`), named as the admin center
  names links, `<profile name>-<profile id>`;
- for an SMS workstream, the out-of-the-box templates in the template columns the create leaves
  empty, among those the organisation has: "By default, the out-of-the-box templates are
  associated based on the channel" and "After you create a workstream, you can modify the
  default templates that are attached to the workstream" (MicrosoftDocs
  dynamics-365-customer-engagement `ce/customer-service/administer/associate-templates.md`).
  Which templates, and which column each fills: `outofbox.SMS_TEMPLATES`, by the display names
  Microsoft lists for SMS (no supervisor-assign template, so that column stays empty). A column
  holds a template's unique name (evidence source A), so the plug-in writes the unique name of
  the organisation's row of that display name (the seed's rows' unique names are guesses, on
  the verify list). Which workstreams are SMS: the `msdyn_streamsource` option the schema labels
  "SMS".

Not played:
- default automated messages: the out-of-the-box messages are the channel's, inherited by
  every instance ("If you don't create customized automated messages at the channel instance
  level, each instance inherits the channel-level settings", `…/administer/
  configure-automated-message.md`), so creating a workstream needs no message row of its own;
  what the voice finding's "automated messages" are is on the verify list;
- the record identification rule (`msdyn_recordidentificationrule`): Microsoft shows a voice
  workstream's, whose conditions read the voice engagement context
  (learn.microsoft.com/dynamics365/contact-center/extend/enable-fields-identify-customers), and
  none for SMS (`…/administer/record-identification-rule.md` names the fields searched, not the
  rule's text);
- a routing configuration: none is created, as the source found.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from smsconf.emulator.dataverse.outofbox import SMS_TEMPLATES
from smsconf.platform import Table

Row = dict[str, Any]
WORKSTREAM = "msdyn_liveworkstream"
CONTRACT = "msdyn_decisioncontract"
LINK = "msdyn_liveworkstreamcapacityprofile"
PROFILE = "msdyn_capacityprofile"
DEFAULT_PROFILE = "msdyn_default_messaging_profile"
"""[inferred] The messaging counterpart of `msdyn_voice_inbound_profile`: no source names it."""
Create = Callable[[str, Row], Row]
Update = Callable[[str, Row, Row], Row]
Find = Callable[[str, Row], list[Row]]
Lacks = Callable[[str, str], bool]


def workstream_created(
    row: Row, table: Table, create: Create, update: Update, find: Find, lacks: Lacks
) -> None:
    """Complete a new workstream (`table` is the schema's `msdyn_liveworkstream`) as the
    platform's plug-ins do (see the module's text); `lacks(table, column)` says which columns
    this organisation does not have."""
    workstream_id = row["msdyn_liveworkstreamid"]
    completed: Row = {}
    if row.get("msdyn_routingcontractid") is None:
        name = "msdyn_" + workstream_id.replace("-", "")
        contract = create(CONTRACT, {"msdyn_name": name, "msdyn_uniquename": name})
        completed["msdyn_routingcontractid"] = contract["msdyn_decisioncontractid"]
    if row.get("msdyn_streamsource") == sms_source(table):
        completed |= default_templates(row, find, lacks)
    if completed:
        update(WORKSTREAM, row, completed)
    for profile in find(PROFILE, {"msdyn_uniquename": DEFAULT_PROFILE})[:1]:
        profile_id = profile["msdyn_capacityprofileid"]
        create(
            LINK,
            {
                "msdyn_name": f"{profile.get('msdyn_name') or DEFAULT_PROFILE}-{profile_id}",
                "msdyn_workstream_id": workstream_id,
                "msdyn_capacityprofile_id": profile_id,
            },
        )


def sms_source(table: Table) -> int | None:
    """The `msdyn_streamsource` value the schema labels "SMS"."""
    column = table.column("msdyn_streamsource")
    return next((o.value for o in column.options if o.label == "SMS"), None) if column else None


def default_templates(row: Row, find: Find, lacks: Lacks) -> Row:
    """The out-of-the-box template unique names for the empty template columns the
    organisation has, where it has that template."""
    filled: Row = {}
    for template in SMS_TEMPLATES:
        if row.get(template.column) or lacks(WORKSTREAM, template.column):
            continue
        for found in find(template.table, {"msdyn_name": template.name})[:1]:
            filled[template.column] = found["msdyn_uniquename"]
    return filled
