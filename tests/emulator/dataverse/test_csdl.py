"""`$metadata`: the CSDL names the emulator's entity sets, keys, properties and navigations."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx

from smsconf.platform import ALL_TABLES

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"


async def test_metadata_document(client: httpx.AsyncClient) -> None:
    response = await client.get("$metadata")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    sets = {e.get("Name"): e.get("EntityType") for e in root.iter(f"{EDM}EntitySet")}
    assert sets == {t.entity_set: f"Microsoft.Dynamics.CRM.{t.logical_name}" for t in ALL_TABLES}
    types = {e.get("Name"): e for e in root.iter(f"{EDM}EntityType")}
    channel = types["msdyn_ocsmschannelsetting"]
    key = channel.find(f"{EDM}Key/{EDM}PropertyRef")
    assert key is not None and key.get("Name") == "msdyn_ocsmschannelsettingid"
    properties = {p.get("Name"): p.get("Type") for p in channel.iter(f"{EDM}Property")}
    assert properties["_msdyn_phonenumberid_value"] == "Edm.Guid"
    assert properties["msdyn_name"] == "Edm.String"
    navigations = {n.get("Name"): n.get("Type") for n in channel.iter(f"{EDM}NavigationProperty")}
    assert navigations["msdyn_PhoneNumberId"] == "Microsoft.Dynamics.CRM.msdyn_ocphonenumber"
    workstream = {
        n.get("Name"): n.get("Type")
        for n in types["msdyn_liveworkstream"].iter(f"{EDM}NavigationProperty")
    }
    assert workstream["msdyn_msdyn_cannedmessage_liveworkstream"] == (
        "Collection(Microsoft.Dynamics.CRM.msdyn_cannedmessage)"
    )
