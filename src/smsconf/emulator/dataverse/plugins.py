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

Played here, for every workstream [inferred: the plug-ins are not channel-specific; shown for
voice only, on the verify list]:
- a routing (decision) contract, created and linked when the create leaves
  `msdyn_routingcontractid` empty; its unique name `msdyn_<id>` follows the export's pattern,
  its definition is empty [inferred];
- a capacity-profile link to the organisation's default messaging capacity profile, when the
  organisation has one (`DEFAULT_PROFILE`, an out-of-the-box row the solution installs
  [inferred name]; the voice one is `msdyn_voice_inbound_profile`), named as the admin center
  names links, `<profile name>-<profile id>`.
Not played, because no source gives their values for SMS: the templates, the record
identification rule and the default automated messages (their absence on a live org is on the
verify list). No routing configuration is created, as the source found.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


def workstream_created(row: Row, create: Create, update: Update, find: Find) -> None:
    """Complete a new workstream as the platform's plug-ins do (see the module's text)."""
    workstream_id = row["msdyn_liveworkstreamid"]
    if row.get("msdyn_routingcontractid") is None:
        name = "msdyn_" + workstream_id.replace("-", "")
        contract = create(CONTRACT, {"msdyn_name": name, "msdyn_uniquename": name})
        update(WORKSTREAM, row, {"msdyn_routingcontractid": contract["msdyn_decisioncontractid"]})
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
