"""`$metadata`: the CSDL a code generator reads, built from Microsoft's pages (the snapshot).

The facts checked here come from the snapshot, never from smsconf's own `platform/tables.py`,
and one test reads the document with a third-party OData v4 client (`python-odata`), which
reflects entity classes, navigation properties with their foreign keys, and operations.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest
import requests
from odata import ODataService
from tests.emulator.dataverse.conftest import API, AUTH

from smsconf.emulator.dataverse import DataverseEmulator, create_app, running
from smsconf.emulator.dataverse.organisation import Organisation, observed_absent
from smsconf.emulator.dataverse.schema import default_schema
from smsconf.platform.snapshot import load_snapshot

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
CRM = "Microsoft.Dynamics.CRM"


@pytest.fixture
async def csdl(client: httpx.AsyncClient) -> ET.Element:
    response = await client.get("$metadata")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/xml"
    return ET.fromstring(response.content)


def _types(root: ET.Element) -> dict[str, ET.Element]:
    return {e.get("Name", ""): e for e in root.iter(f"{EDM}EntityType")}


def _navigations(entity: ET.Element) -> dict[str, ET.Element]:
    return {n.get("Name", ""): n for n in entity.iter(f"{EDM}NavigationProperty")}


def test_every_page_table_is_an_entity_set(csdl: ET.Element) -> None:
    sets = {e.get("Name"): e.get("EntityType") for e in csdl.iter(f"{EDM}EntitySet")}
    for page in load_snapshot().tables():
        if page.entity_set:
            assert sets[page.entity_set] == f"{CRM}.{page.logical_name}"


def test_types_derive_from_crmbaseentity(csdl: ET.Element) -> None:
    types = _types(csdl)
    assert types["crmbaseentity"].get("Abstract") == "true"
    assert {t.get("BaseType") for n, t in types.items() if n != "crmbaseentity"} == {
        "mscrm.crmbaseentity"
    }


def test_properties_have_the_page_types(csdl: ET.Element) -> None:
    channel = _types(csdl)["msdyn_ocsmschannelsetting"]
    key = channel.find(f"{EDM}Key/{EDM}PropertyRef")
    assert key is not None and key.get("Name") == "msdyn_ocsmschannelsettingid"
    properties = {p.get("Name"): p for p in channel.iter(f"{EDM}Property")}
    assert properties["_msdyn_phonenumberid_value"].get("Type") == "Edm.Guid"
    assert properties["versionnumber"].get("Type") == "Edm.Int64"
    page = load_snapshot().table("msdyn_ocsmschannelsetting")
    assert page is not None
    name = page.attribute("msdyn_name")
    assert name is not None
    assert properties["msdyn_name"].get("MaxLength") == str(name.max_length)
    hours = {
        p.get("Name"): p.get("Type")
        for p in _types(csdl)["msdyn_operatinghour"].iter(f"{EDM}Property")
    }
    assert hours["msdyn_totalworkhours"] == "Edm.String"  # the page's type, not a decimal


def test_lookups_have_partner_and_referential_constraint(csdl: ET.Element) -> None:
    types = _types(csdl)
    phone = _navigations(types["msdyn_ocsmschannelsetting"])["msdyn_PhoneNumberId"]
    assert phone.get("Type") == "mscrm.msdyn_ocphonenumber"
    constraint = phone.find(f"{EDM}ReferentialConstraint")
    assert constraint is not None
    assert (constraint.get("Property"), constraint.get("ReferencedProperty")) == (
        "_msdyn_phonenumberid_value",
        "msdyn_ocphonenumberid",
    )
    partner = _navigations(types["msdyn_ocphonenumber"])[str(phone.get("Partner"))]
    assert partner.get("Type") == "Collection(mscrm.msdyn_ocsmschannelsetting)"
    assert partner.get("Partner") == "msdyn_PhoneNumberId"
    # the case-sensitive name the capacity-profile link binds by (audit §2)
    link = _navigations(types["msdyn_liveworkstreamcapacityprofile"])
    assert "msdyn_capacityProfile_id" in link and "msdyn_capacityprofile_id" not in link


def test_every_partner_points_back(csdl: ET.Element) -> None:
    types = _types(csdl)
    for name, entity in types.items():
        for nav_name, nav in _navigations(entity).items():
            partner = nav.get("Partner")
            if partner is None:
                continue
            target = str(nav.get("Type")).removeprefix("Collection(").rstrip(")")
            back = _navigations(types[target.removeprefix("mscrm.")])[partner]
            assert back.get("Partner") == nav_name, (name, nav_name)


def test_many_to_many_collections_are_bound(csdl: ET.Element) -> None:
    sets = {e.get("Name"): e for e in csdl.iter(f"{EDM}EntitySet")}
    bindings = {
        b.get("Path"): b.get("Target")
        for b in sets["msdyn_liveworkstreams"].iter(f"{EDM}NavigationPropertyBinding")
    }
    assert bindings["msdyn_msdyn_cannedmessage_liveworkstream"] == "msdyn_cannedmessages"
    assert bindings["msdyn_defaultqueue"] == "queues"
    for entity_set in sets.values():
        entity = _types(csdl)[str(entity_set.get("EntityType")).rsplit(".", 1)[1]]
        paths = {b.get("Path") for b in entity_set.iter(f"{EDM}NavigationPropertyBinding")}
        assert paths == set(_navigations(entity))


def test_alternate_keys_are_annotated(csdl: ET.Element) -> None:
    profile = _types(csdl)["msdyn_capacityprofile"]
    annotation = profile.find(f"{EDM}Annotation")
    assert annotation is not None
    assert annotation.get("Term") == "OData.Community.Keys.V1.AlternateKeys"
    names = [v.get("PropertyPath") for v in annotation.iter(f"{EDM}PropertyValue")]
    assert "msdyn_uniquename" in names


def test_served_operations_are_declared(csdl: ET.Element) -> None:
    functions = {f.get("Name") for f in csdl.iter(f"{EDM}Function")}
    actions = {a.get("Name"): a for a in csdl.iter(f"{EDM}Action")}
    assert functions == {"WhoAmI", "RetrieveVersion", "RetrieveTotalRecordCount"}
    assert set(actions) == {"BulkDelete", "CreateMultiple", "UpdateMultiple", "UpsertMultiple"}
    assert actions["CreateMultiple"].get("IsBound") == "true"
    imports = {i.get("Name") for i in csdl.iter(f"{EDM}FunctionImport")}
    assert imports == {"WhoAmI", "RetrieveVersion", "RetrieveTotalRecordCount"}


def test_a_third_party_client_reflects_the_document(app: DataverseEmulator) -> None:
    """python-odata builds classes from the CSDL as it would from a real organisation's."""
    session = requests.Session()
    session.headers["Authorization"] = "Bearer test-token"
    with running(app) as url:
        service = ODataService(
            f"{url}/api/data/v9.2/", reflect_entities=True, session=session, quiet_progress=True
        )
    assert set(service.entities) == {t.entity_set for t in default_schema().all_tables()}
    channel = service.types[f"{CRM}.msdyn_ocsmschannelsetting"]
    assert channel.__mro__[1].__name__ == "crmbaseentity"
    navigations = {n["name"]: n for n in channel.__odata_schema__["navigation_properties"]}
    assert navigations["msdyn_PhoneNumberId"]["foreign_key"] == "_msdyn_phonenumberid_value"
    assert "WhoAmI" in service.functions and "CreateMultiple" in service.actions


async def test_an_older_organisation_declares_only_its_columns() -> None:
    app = create_app(organisation=Organisation.older())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=API, headers=AUTH) as client:
        root = ET.fromstring((await client.get("$metadata")).content)
    app.close()
    phone = _types(root)["msdyn_ocphonenumber"]
    names = {p.get("Name") for p in phone.iter(f"{EDM}Property")}
    assert "msdyn_phonenumber" in names
    absent = observed_absent()["msdyn_ocphonenumber"]
    assert "msdyn_objective" in absent
    assert not names & absent
