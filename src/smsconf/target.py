"""Where a plan or apply goes: a real organisation, or the embedded local one, as a value.

The reconciler gets a `Target` and never learns which kind it is: both are a `DataverseClient`
speaking HTTP plus what the provider checks need. Opening one (and, for the local target,
starting the emulators) is the composition layer's job, `smsconf.connect`: nothing the
reconciler imports knows the emulators exist.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import httpx

from smsconf.dataverse import DataverseClient

LOCAL = "local"
LOCAL_URL = "http://local.smsconf"
LOCAL_TELESIGN_URL = "http://telesign.local"
LOCAL_TWILIO_URL = "http://twilio.local"
LOCAL_DB = "local.sqlite"


def state_dir() -> Path:
    """Working state (local org, journals): `$SMSCONF_HOME` or `.smsconf/` here."""
    return Path(os.environ.get("SMSCONF_HOME") or ".smsconf")


@dataclass
class Target:
    name: str
    url: str
    dataverse: DataverseClient
    telesign_endpoint: str | None = None
    telesign_transport: httpx.AsyncBaseTransport | None = None
    gateway: str | None = None
    twilio_endpoint: str | None = None
    twilio_transport: httpx.AsyncBaseTransport | None = None
    credential_source: str | None = None
    """The secret the organisation's bearer token comes from, by name (None: the local org)."""

    @property
    def is_local(self) -> bool:
        return self.name == LOCAL
