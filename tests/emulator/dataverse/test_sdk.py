"""Microsoft's PowerPlatform-Dataverse-Client, unmodified, against the emulator over HTTPS."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from azure.core.credentials import AccessToken
from PowerPlatform.Dataverse.client import DataverseClient
from PowerPlatform.Dataverse.models.upsert import UpsertItem

from smsconf.emulator.dataverse.seed import seed_id

ACCOUNTS = "msdyn_occommunicationprovidersettings"


class StaticCredential:
    """An azure-core TokenCredential handing out a fixed token."""

    def __init__(self) -> None:
        self.scopes: list[str] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.extend(scopes)
        return AccessToken("sdk-token", int(time.time()) + 3600)


@pytest.fixture
def sdk(
    tls_server: str, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> DataverseClient:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate[0]))
    return DataverseClient(tls_server, StaticCredential())


def test_crud_and_list(sdk: DataverseClient) -> None:
    with sdk:
        account = sdk.records.create(
            "msdyn_occommunicationprovidersetting",
            {
                "msdyn_name": "Contoso Telesign",
                "msdyn_occommunicationprovider": 192350002,
            },
        )
        number = sdk.records.create(
            "msdyn_ocphonenumber",
            {
                "msdyn_name": "14255550100",
                "msdyn_phonenumber": "14255550100",
                "msdyn_type": 192350000,
                "msdyn_communicationprovidersettingid@odata.bind": f"/{ACCOUNTS}({account})",
            },
        )
        row = sdk.records.retrieve(
            "msdyn_ocphonenumber", number, select=["msdyn_phonenumber", "msdyn_type"]
        )
        assert row is not None
        assert row["msdyn_phonenumber"] == "14255550100"
        sdk.records.update("msdyn_ocphonenumber", number, {"msdyn_name": "Main SMS number"})
        sdk.records.create("msdyn_ocphonenumber", {"msdyn_name": "Second", "msdyn_type": 192350001})
        pages = list(
            sdk.records.list_pages(
                "msdyn_ocphonenumber", select=["msdyn_name"], orderby=["msdyn_name"], page_size=1
            )
        )
        assert [[r["msdyn_name"] for r in page] for page in pages] == [
            ["Main SMS number"],
            ["Second"],
        ]
        geo = sdk.records.list(
            "msdyn_ocphonenumber", filter="msdyn_type eq 192350000", select=["msdyn_name"]
        )
        assert [r["msdyn_name"] for r in geo] == ["Main SMS number"]
        sdk.records.delete("msdyn_ocphonenumber", number)
        assert sdk.records.retrieve("msdyn_ocphonenumber", number) is None


def test_batch_with_change_set(sdk: DataverseClient) -> None:
    english = seed_id("msdyn_oclanguage", "1033")
    with sdk:
        batch = sdk.batch.new()
        batch.records.retrieve("msdyn_oclanguage", english, select=["msdyn_localeid"])
        with batch.changeset() as changes:
            ref = changes.records.create(
                "msdyn_occommunicationprovidersetting", {"msdyn_name": "In a change set"}
            )
            changes.records.create(
                "msdyn_ocphonenumber",
                {
                    "msdyn_name": "1",
                    "msdyn_phonenumber": "1",
                    "msdyn_communicationprovidersettingid@odata.bind": ref,
                },
            )
        result = batch.execute()
        assert not result.has_errors
        assert len(result.entity_ids) == 2
        rows = list(sdk.records.list("msdyn_ocphonenumber"))
        assert [r["_msdyn_occommunicationprovidersettingid_value"] for r in rows] == [
            result.entity_ids[0]
        ]


def test_bulk_create_update_upsert_and_delete(sdk: DataverseClient) -> None:
    with sdk:
        ids = sdk.records.create(
            "msdyn_ocphonenumber",
            [{"msdyn_name": f"n{i}", "msdyn_type": 192350000} for i in range(3)],
        )
        assert len(ids) == 3
        sdk.records.update("msdyn_ocphonenumber", ids, {"msdyn_smsinboundenabled": True})
        inbound = sdk.records.list("msdyn_ocphonenumber", filter="msdyn_smsinboundenabled eq true")
        assert len(list(inbound)) == 3
        sdk.records.upsert(
            "msdyn_decisioncontract",
            [
                UpsertItem(
                    alternate_key={"msdyn_uniquename": "new_one"}, record={"msdyn_name": "one"}
                )
            ],
        )
        sdk.records.upsert(
            "msdyn_decisioncontract",
            [
                UpsertItem(alternate_key={"msdyn_uniquename": name}, record={"msdyn_name": name})
                for name in ("new_one", "new_two")
            ],
        )
        contracts = sdk.records.list(
            "msdyn_decisioncontract", filter="startswith(msdyn_uniquename, 'new_')"
        )
        assert sorted(r["msdyn_name"] for r in contracts) == ["new_one", "new_two"]
        job = sdk.records.delete("msdyn_ocphonenumber", ids)
        assert job
        assert list(sdk.records.list("msdyn_ocphonenumber")) == []


def test_table_metadata(sdk: DataverseClient) -> None:
    with sdk:
        info = sdk.tables.get("msdyn_ocsmschannelsetting")
        assert info is not None
        assert (info.entity_set_name, info.primary_id_attribute) == (
            "msdyn_ocsmschannelsettings",
            "msdyn_ocsmschannelsettingid",
        )
        assert len(sdk.tables.list()) > 20
        [key] = sdk.tables.get_alternate_keys("msdyn_decisionruleset")
        assert key.key_attributes == ["msdyn_uniquename"]
        relationship = sdk.tables.get_relationship("msdyn_msdyn_cannedmessage_liveworkstream")
        assert relationship is not None
        assert relationship.relationship_type == "many_to_many"
