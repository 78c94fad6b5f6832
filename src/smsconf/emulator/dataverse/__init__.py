"""A Dataverse Web API emulator for the SMS configuration tables, as an ASGI app.

`create_app()` gives an in-process org (httpx ASGI transport); `serve()` runs it over HTTP(S).
"""

from smsconf.emulator.dataverse.app import DEFAULT_ORG_ID, DataverseEmulator, create_app
from smsconf.emulator.dataverse.faults import ConnectionDropped, FaultConfig
from smsconf.emulator.dataverse.seed import seed_id
from smsconf.emulator.dataverse.serve import serve
from smsconf.emulator.serving import running

__all__ = [
    "DEFAULT_ORG_ID",
    "ConnectionDropped",
    "DataverseEmulator",
    "FaultConfig",
    "create_app",
    "running",
    "seed_id",
    "serve",
]
