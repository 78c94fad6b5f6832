"""Where each service smsconf talks to lives, as its documentation says: the hosts a run may
contact without the workflow allowing them (`smsconf.hosts` holds the policy).

A configuration is written by whoever opens a pull request, and its credential check runs with
the job's secrets; so the hosts a secret may go to are not the configuration's to choose. These
are the providers' documented API hosts and the Dynamics 365 organisation hosts, HTTPS on port
443 only. A pattern's `*` stands for one or more DNS labels.

Sources: Telesign's REST hosts (telesign.md §2: rest-api for self-service accounts, rest-ww for
enterprise ones, rest the legacy enterprise host); Twilio's API and Messaging hosts and their
regional form `api.<edge>.<region>.twilio.com` (providers.md §3, §3.9); ACS resources at
`<resource>.communication.azure.com` (providers.md §4.1); Azure Resource Manager at
`management.azure.com`, the base URL and token scope azure-mgmt-eventgrid 10.4.0 defaults to
(`_event_grid_management_client.py`, `_configuration.py`; the Event Grid checks of §4.8);
organisations at
`<org>.crm[N].dynamics.com` (dataverse.md §4.1); the Omnichannel gateway's
`m-<orgid>.<geo>.omnichannelengagementhub.com` (dataverse-evidence.md §3); the Microsoft Entra
ID authority a Dataverse token is bought from, `login.microsoftonline.com` (dataverse.md §4.13:
`POST https://login.microsoftonline.com/<tenant-id>/oauth2/v2.0/token`), which
`AZURE_AUTHORITY_HOST` replaces as azure-identity's credentials let it. The sovereign clouds'
hosts are not in the references: they are marked inferred and listed in `INFERRED` for the
verify list (the login hosts are azure-identity's `AzureAuthorityHosts` constants).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Service = Literal["dataverse", "entra", "telesign", "twilio", "acs", "arm", "github", "omnichannel"]


@dataclass(frozen=True)
class HostPattern:
    pattern: str
    """A host name, or `*.` and a domain (any subdomain, at any depth)."""
    inferred: bool = False

    def matches(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        if self.pattern.startswith("*."):
            suffix = self.pattern[1:]
            return host.endswith(suffix) and _LABELS.fullmatch(host[: -len(suffix)]) is not None
        return host == self.pattern


_LABELS = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")

DOCUMENTED: dict[Service, tuple[HostPattern, ...]] = {
    "dataverse": (
        HostPattern("*.dynamics.com"),
        HostPattern("*.crm.microsoftdynamics.us", inferred=True),  # US Government GCC High
        HostPattern("*.crm.appsplatform.us", inferred=True),  # US Government DoD
        HostPattern("*.crm.dynamics.cn", inferred=True),  # China, operated by 21Vianet
    ),
    # Where the Dataverse bearer token is bought with the client secret or the CI's federated
    # token (a URL target with Azure credentials): a pull request cannot move it, but the job's
    # AZURE_AUTHORITY_HOST can, so it is held to the same policy as every other host.
    "entra": (
        HostPattern("login.microsoftonline.com"),
        HostPattern("login.microsoftonline.us", inferred=True),  # Azure US Government
        HostPattern("login.chinacloudapi.cn", inferred=True),  # Azure China (21Vianet)
    ),
    "telesign": (
        HostPattern("rest-api.telesign.com"),
        HostPattern("rest-ww.telesign.com"),
        HostPattern("rest.telesign.com"),
    ),
    "twilio": (HostPattern("*.twilio.com"),),  # api., messaging., api.<edge>.<region>.
    "acs": (
        HostPattern("*.communication.azure.com"),
        HostPattern("*.communication.azure.us", inferred=True),  # Azure Government
    ),
    "arm": (
        HostPattern("management.azure.com"),
        HostPattern("management.usgovcloudapi.net", inferred=True),  # Azure Government
        HostPattern("management.chinacloudapi.cn", inferred=True),  # Azure China (21Vianet)
    ),
    "github": (HostPattern("api.github.com"),),
    # The organisation's Omnichannel gateway, `m-<orgid>.<geo>.omnichannelengagementhub.com`
    # (dataverse-evidence.md §3): smsconf never calls it, but it is where providers are told to
    # deliver inbound SMS (the Telesign callback URL admins send to Telesign support, each
    # Twilio number's webhook), so a gateway elsewhere would hand every inbound message to it.
    "omnichannel": (HostPattern("*.omnichannelengagementhub.com"),),
}

INFERRED = tuple(
    f"{service} host {p.pattern} (a sovereign cloud's documented host; not in the references)"
    for service, patterns in DOCUMENTED.items()
    for p in patterns
    if p.inferred
)


def documented(service: Service, host: str) -> bool:
    return any(p.matches(host) for p in DOCUMENTED[service])
