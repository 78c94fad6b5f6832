"""The committed schema snapshot is exactly what the generator makes of Microsoft's pages."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from smsconf.platform.snapshot import DEFAULT_PATH, load_snapshot

ROOT = Path(__file__).resolve().parents[2]


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "dataverse_snapshot", ROOT / "tools" / "dataverse_snapshot.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_committed_snapshot_is_the_generators_output() -> None:
    tool = _tool()
    assert DEFAULT_PATH.read_text("utf-8") == tool.render(tool.build())


def test_both_page_formats_are_read() -> None:
    snapshot = load_snapshot()
    # generated format (cedev): bold cells, Choices/Options, Many-to-One navigation names
    capacity = snapshot.table("msdyn_liveworkstreamcapacityprofile")
    assert capacity is not None
    link = capacity.attribute("msdyn_capacityprofile_id")
    assert link is not None and link.navigation("msdyn_capacityprofile") == (
        "msdyn_capacityProfile_id"
    )
    # older hybrid format (cecs@01969140): plain cells, `IsValidForUpdate|False`, Options
    old = snapshot.table("msdyn_ocphonenumber")
    assert old is not None
    ident = old.attribute("msdyn_ocphonenumberid")
    assert ident is not None and not ident.valid_for_update
    kind = old.attribute("msdyn_type")
    assert kind is not None and 192350000 in kind.option_values
    # N:N from the older Entity 1 / Entity 2 blocks and the newer one-side blocks
    rel = snapshot.many_to_many("msdyn_msdyn_cannedmessage_liveworkstream")
    assert rel is not None and set(rel["sides"]) == {"msdyn_cannedmessage", "msdyn_liveworkstream"}


def test_system_columns_come_from_pages() -> None:
    localization = load_snapshot().table("msdyn_oclocalizationdata")
    assert localization is not None
    version = localization.attribute("versionnumber")
    assert version is not None and version.type == "BigInt"
    assert localization.primary_name == "msdyn_localizedtext"
    assert localization.attribute("msdyn_name") is None


def test_version_dependent_columns_are_marked() -> None:
    snapshot = load_snapshot()
    phone = snapshot.table("msdyn_ocphonenumber")
    stream = snapshot.table("msdyn_liveworkstream")
    assert phone is not None and stream is not None
    for name in (
        "msdyn_formattedphonenumber",
        "msdyn_phonenumbertype",
        "msdyn_objective",
        "msdyn_teamsresourceaccount",
    ):
        column = phone.attribute(name)
        assert column is not None and column.version_dependent, name
    for name in ("msdyn_smsprovider", "msdyn_telesigninboundurl", "msdyn_secureapikey"):
        column = stream.attribute(name)
        assert column is not None and column.version_dependent, name
    older = snapshot.without_version_dependent().table("msdyn_ocphonenumber")
    assert older is not None and older.attribute("msdyn_objective") is None
