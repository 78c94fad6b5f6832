"""An emulated Azure Communication Services (ASGI) for tests and the local organisation: the
data plane of its resources (phone numbers, short codes, SMS send, access-key HMAC) and the
slice of Azure Resource Manager the Event Grid checks use.

It imports only the shared signing of `smsconf.acs`, never the client.
"""

from smsconf.emulator.acs.app import AcsEmulator, create_app
from smsconf.emulator.acs.state import (
    CAPABILITIES,
    DEMO_ACCESS_KEY,
    DEMO_EVENT_GRID_APP_ID,
    DEMO_EVENT_GRID_TENANT_ID,
    DEMO_NOT_SYNCED,
    DEMO_OUTBOUND_ONLY,
    DEMO_RESOURCE,
    DEMO_RESOURCE_GROUP,
    DEMO_SHORT_CODE,
    DEMO_SUBSCRIPTION,
    DEMO_TWO_WAY,
    SMS_DELIVERY_REPORT,
    SMS_RECEIVED,
    TOPIC_TYPE,
    AcsResource,
    PhoneNumber,
    ShortCode,
    demo_resource,
)

__all__ = [
    "CAPABILITIES",
    "DEMO_ACCESS_KEY",
    "DEMO_EVENT_GRID_APP_ID",
    "DEMO_EVENT_GRID_TENANT_ID",
    "DEMO_NOT_SYNCED",
    "DEMO_OUTBOUND_ONLY",
    "DEMO_RESOURCE",
    "DEMO_RESOURCE_GROUP",
    "DEMO_SHORT_CODE",
    "DEMO_SUBSCRIPTION",
    "DEMO_TWO_WAY",
    "SMS_DELIVERY_REPORT",
    "SMS_RECEIVED",
    "TOPIC_TYPE",
    "AcsEmulator",
    "AcsResource",
    "PhoneNumber",
    "ShortCode",
    "create_app",
    "demo_resource",
]
