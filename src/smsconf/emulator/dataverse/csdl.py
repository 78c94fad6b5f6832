"""`$metadata`: the CSDL document code generators and some OData clients read first.

Generated from `smsconf.platform` like every other metadata answer, so a generator sees exactly
the entity sets, properties (lookups as `_x_value`) and navigation names the emulator enforces.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from smsconf.emulator.dataverse.metadata import CRM
from smsconf.emulator.dataverse.protocol import Reply
from smsconf.emulator.dataverse.values import ODATA_TYPE
from smsconf.platform import ALL_TABLES, MANY_TO_MANY, TABLES, ColumnType, Table

EDMX = "http://docs.oasis-open.org/odata/ns/edmx"
EDM = "http://docs.oasis-open.org/odata/ns/edm"
NAMESPACE = CRM.rstrip(".")


def _entity_type(schema: ET.Element, table: Table) -> None:
    entity = ET.SubElement(schema, f"{{{EDM}}}EntityType", Name=table.logical_name)
    key = ET.SubElement(entity, f"{{{EDM}}}Key")
    ET.SubElement(key, f"{{{EDM}}}PropertyRef", Name=table.primary_key)
    for column in table.columns:
        attributes = {"Name": column.read_name, "Type": ODATA_TYPE[column.type]}
        if column.max_length is not None and column.type is not ColumnType.MULTISELECT:
            attributes["MaxLength"] = str(column.max_length)
        ET.SubElement(entity, f"{{{EDM}}}Property", attributes)
    for column in table.lookups():
        ET.SubElement(
            entity,
            f"{{{EDM}}}NavigationProperty",
            Name=str(column.navigation),
            Type=f"{NAMESPACE}.{column.target}",
        )
    for rel in MANY_TO_MANY:
        for mine, other, navigation in (
            (rel.table1, rel.table2, rel.navigation1),
            (rel.table2, rel.table1, rel.navigation2),
        ):
            if mine == table.logical_name:
                ET.SubElement(
                    entity,
                    f"{{{EDM}}}NavigationProperty",
                    Name=navigation,
                    Type=f"Collection({NAMESPACE}.{other})",
                )


def document() -> bytes:
    """The CSDL (EDMX 4.0) of every emulated table and its entity set."""
    ET.register_namespace("edmx", EDMX)
    ET.register_namespace("", EDM)
    root = ET.Element(f"{{{EDMX}}}Edmx", Version="4.0")
    services = ET.SubElement(root, f"{{{EDMX}}}DataServices")
    schema = ET.SubElement(services, f"{{{EDM}}}Schema", Namespace=NAMESPACE, Alias="mscrm")
    for table in ALL_TABLES:
        _entity_type(schema, table)
    container = ET.SubElement(schema, f"{{{EDM}}}EntityContainer", Name="System")
    for table in ALL_TABLES:
        entity_set = ET.SubElement(
            container,
            f"{{{EDM}}}EntitySet",
            Name=table.entity_set,
            EntityType=f"{NAMESPACE}.{table.logical_name}",
        )
        for column in table.lookups():
            ET.SubElement(
                entity_set,
                f"{{{EDM}}}NavigationPropertyBinding",
                Path=str(column.navigation),
                Target=TABLES[str(column.target)].entity_set,
            )
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def reply() -> Reply:
    """`GET $metadata`."""
    return Reply(200, {"Content-Type": "application/xml", "OData-Version": "4.0"}, document())
