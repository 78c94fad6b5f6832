"""What smsconf assumes of the organisation's ACS connection and numbers without a source that
says so (providers.md §2.3, §2.4, §4.1, §4.3, §10): each is on the verify list."""

from __future__ import annotations

INFERRED = (
    "an ACS number's msdyn_ocphonenumber.msdyn_phonenumber is E.164 with its + (purchase and "
    "Sync from Azure write it so; one third-party row seen), and a short code's is its digits",
    "an organisation holds one ACS provider setting (msdyn_occommunicationprovider 192350000), "
    "and the ACS numbers' rows link to it",
    "the admin center's Send SMS is ACS capability outbound and Send and receive SMS is "
    "inbound+outbound; msdyn_ocphonenumber.msdyn_smsinboundenabled mirrors the plan",
    "an ACS resource's endpoint host begins with its resource name "
    "(<name>.communication.azure.com, or a regional <name>.<geo>.communication.azure.com)",
    "Manage Azure Communication Services (Channels > Phone numbers > Advanced) takes new Event "
    "grid app id and tenant id values, as it takes a new connection string",
    "an SMS channel on an ACS number carries msdyn_enablefileattachmentforcustomers/agents false "
    "(the admin center's ACS wizard has no user-features page)",
)
