"""`$metadata`: the CSDL document code generators and some OData clients read first.

Generated from the organisation's schema (Microsoft's pages) like every other metadata answer,
in the shape "Web API service documents" (Learn) describes a real organisation's: every entity
type derives from the abstract `mscrm.crmbaseentity`; lookups are `_x_value` properties with a
single-valued navigation property whose `ReferentialConstraint` ties it to that property and
whose `Partner` is the 1:N collection on the referenced type (and back); N:N collections are
partners of each other; every navigation property has its `NavigationPropertyBinding` on the
entity set; alternate keys carry the `OData.Community.Keys.V1.AlternateKeys` annotation; and the
functions and actions the emulator serves are declared, with their imports.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from smsconf.emulator.dataverse.metadata import CRM
from smsconf.emulator.dataverse.protocol import Reply
from smsconf.emulator.dataverse.schema import Schema
from smsconf.emulator.dataverse.values import ODATA_TYPE
from smsconf.platform import Column, ColumnType, Table

EDMX = "http://docs.oasis-open.org/odata/ns/edmx"
EDM = "http://docs.oasis-open.org/odata/ns/edm"
NAMESPACE = CRM.rstrip(".")
ALIAS = "mscrm"
BASE = "crmbaseentity"
KEYS = "OData.Community.Keys.V1"

# Page AttributeType -> Edm type, where it says more than our wire type (Double, Money).
_EDM = {"Double": "Edm.Double", "Money": "Edm.Decimal"}


@dataclass(frozen=True)
class _Navigation:
    """One navigation property of an entity type, with what it binds to."""

    name: str
    target: str  # logical name of the type it reaches
    collection: bool
    partner: str | None = None
    constraint: tuple[str, str] | None = None  # (dependent property, referenced key)


def _e(parent: ET.Element, tag: str, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{EDM}}}{tag}", attributes)


def navigations(schema: Schema) -> dict[str, list[_Navigation]]:
    """Every entity type's navigation properties, partners resolved both ways; a name that
    would repeat a property or another navigation on the same type is left out (with its
    partner), so the document stays valid whatever the pages say."""
    found: dict[str, list[_Navigation]] = {t: [] for t in schema.tables}
    taken: dict[str, set[str]] = {
        t.logical_name: {c.read_name for c in t.columns} for t in schema.all_tables()
    }

    def claim(table: str, name: str) -> bool:
        if name in taken[table]:
            return False
        taken[table].add(name)
        return True

    single: list[tuple[str, _Navigation]] = []
    for rel in schema.one_to_many:
        column, child, parent = rel.column, rel.referencing, rel.referenced
        if not column.navigation or not claim(child, column.navigation):
            continue
        partner = rel.collection if claim(parent, rel.collection) else None
        parent_key = schema.tables[parent].primary_key
        single.append(
            (
                child,
                _Navigation(
                    column.navigation, parent, False, partner, (column.read_name, parent_key)
                ),
            )
        )
        if partner is not None:
            found[parent].append(_Navigation(partner, child, True, column.navigation))
    for child, navigation in single:
        found[child].append(navigation)
    for rel in schema.many_to_many:
        if not (claim(rel.table1, rel.navigation1) and claim(rel.table2, rel.navigation2)):
            continue
        found[rel.table1].append(_Navigation(rel.navigation1, rel.table2, True, rel.navigation2))
        found[rel.table2].append(_Navigation(rel.navigation2, rel.table1, True, rel.navigation1))
    return found


def _edm_type(schema: Schema, table: Table, column: Column) -> str:
    page_type = schema.attribute(table.logical_name, column.logical_name).get("type")
    return _EDM.get(str(page_type), ODATA_TYPE[column.type])


def _alternate_keys(entity: ET.Element, table: Table) -> None:
    if not table.alternate_keys:
        return
    annotation = _e(entity, "Annotation", Term=f"{KEYS}.AlternateKeys")
    keys = _e(annotation, "Collection")
    for key in table.alternate_keys:
        record = _e(keys, "Record", Type=f"{KEYS}.AlternateKey")
        refs = _e(_e(record, "PropertyValue", Property="Key"), "Collection")
        for column in key.columns:
            ref = _e(refs, "Record", Type=f"{KEYS}.PropertyRef")
            _e(ref, "PropertyValue", Property="Alias", String=column)
            _e(ref, "PropertyValue", Property="Name", PropertyPath=column)


def _entity_type(
    schema_element: ET.Element, schema: Schema, table: Table, navs: list[_Navigation]
) -> None:
    entity = _e(schema_element, "EntityType", Name=table.logical_name, BaseType=f"{ALIAS}.{BASE}")
    _e(_e(entity, "Key"), "PropertyRef", Name=table.primary_key)
    for column in table.columns:
        attributes = {"Name": column.read_name, "Type": _edm_type(schema, table, column)}
        if column.max_length is not None and column.type in (ColumnType.STRING, ColumnType.MEMO):
            attributes["MaxLength"] = str(column.max_length)
        _e(entity, "Property", **attributes)
    for nav in navs:
        kind = f"{ALIAS}.{nav.target}"
        attributes = {"Name": nav.name, "Type": f"Collection({kind})" if nav.collection else kind}
        if nav.partner:
            attributes["Partner"] = nav.partner
        element = _e(entity, "NavigationProperty", **attributes)
        if nav.constraint is not None:
            _e(
                element,
                "ReferentialConstraint",
                Property=nav.constraint[0],
                ReferencedProperty=nav.constraint[1],
            )
    _alternate_keys(entity, table)


def _complex(schema_element: ET.Element, name: str, **properties: str) -> None:
    complex_type = _e(schema_element, "ComplexType", Name=name)
    for prop, kind in properties.items():
        _e(complex_type, "Property", Name=prop, Type=kind, Nullable="false")


def _operations(schema_element: ET.Element) -> list[tuple[str, str]]:
    """The functions and actions the emulator serves (actions.py, bulk.py), declared as the
    Web API reference declares them; the unbound ones, to import into the container."""
    _complex(
        schema_element,
        "WhoAmIResponse",
        BusinessUnitId="Edm.Guid",
        UserId="Edm.Guid",
        OrganizationId="Edm.Guid",
    )
    _complex(schema_element, "RetrieveVersionResponse", Version="Edm.String")
    _complex(
        schema_element, "EntityRecordCountCollection", Count="Edm.Int32", IsReadOnly="Edm.Boolean"
    )
    _complex(
        schema_element,
        "RetrieveTotalRecordCountResponse",
        EntityRecordCountCollection=f"{ALIAS}.EntityRecordCountCollection",
    )
    _complex(schema_element, "BulkDeleteResponse", JobId="Edm.Guid")
    _complex(schema_element, "CreateMultipleResponse", Ids="Collection(Edm.Guid)")
    _complex(schema_element, "UpsertMultipleResponse", Results="Collection(mscrm.crmbaseentity)")
    _complex(schema_element, "QueryExpression", EntityName="Edm.String")
    for name in ("WhoAmI", "RetrieveVersion"):
        function = _e(schema_element, "Function", Name=name)
        _e(function, "ReturnType", Type=f"{ALIAS}.{name}Response", Nullable="false")
    counts = _e(schema_element, "Function", Name="RetrieveTotalRecordCount")
    _e(counts, "Parameter", Name="EntityNames", Type="Collection(Edm.String)", Nullable="false")
    _e(counts, "ReturnType", Type=f"{ALIAS}.RetrieveTotalRecordCountResponse", Nullable="false")
    bulk_delete = _e(schema_element, "Action", Name="BulkDelete")
    for param, kind in (
        ("QuerySet", f"Collection({ALIAS}.QueryExpression)"),
        ("JobName", "Edm.String"),
        ("SendEmailNotification", "Edm.Boolean"),
        ("ToRecipients", "Collection(Edm.Guid)"),
        ("CCRecipients", "Collection(Edm.Guid)"),
        ("RecurrencePattern", "Edm.String"),
        ("StartDateTime", "Edm.DateTimeOffset"),
    ):
        _e(bulk_delete, "Parameter", Name=param, Type=kind)
    _e(bulk_delete, "ReturnType", Type=f"{ALIAS}.BulkDeleteResponse", Nullable="false")
    entities = f"Collection({ALIAS}.{BASE})"
    for name, returns in (
        ("CreateMultiple", f"{ALIAS}.CreateMultipleResponse"),
        ("UpdateMultiple", None),
        ("UpsertMultiple", f"{ALIAS}.UpsertMultipleResponse"),
    ):
        action = _e(schema_element, "Action", Name=name, IsBound="true")
        _e(action, "Parameter", Name="entityset", Type=entities, Nullable="false")
        _e(action, "Parameter", Name="Targets", Type=entities, Nullable="false")
        if returns is not None:
            _e(action, "ReturnType", Type=returns, Nullable="false")
    return [
        ("FunctionImport", "WhoAmI"),
        ("FunctionImport", "RetrieveVersion"),
        ("FunctionImport", "RetrieveTotalRecordCount"),
        ("ActionImport", "BulkDelete"),
    ]


def document(schema: Schema) -> bytes:
    """The CSDL (EDMX 4.0) of every emulated table, its entity set and the operations."""
    ET.register_namespace("edmx", EDMX)
    ET.register_namespace("", EDM)
    root = ET.Element(f"{{{EDMX}}}Edmx", Version="4.0")
    services = ET.SubElement(root, f"{{{EDMX}}}DataServices")
    schema_element = _e(services, "Schema", Namespace=NAMESPACE, Alias=ALIAS)
    _e(schema_element, "EntityType", Name=BASE, Abstract="true")
    navs = navigations(schema)
    for table in schema.all_tables():
        _entity_type(schema_element, schema, table, navs[table.logical_name])
    imports = _operations(schema_element)
    container = _e(schema_element, "EntityContainer", Name="System")
    for table in schema.all_tables():
        entity_set = _e(
            container,
            "EntitySet",
            Name=table.entity_set,
            EntityType=f"{NAMESPACE}.{table.logical_name}",
        )
        for nav in navs[table.logical_name]:
            _e(
                entity_set,
                "NavigationPropertyBinding",
                Path=nav.name,
                Target=schema.tables[nav.target].entity_set,
            )
    for kind, name in imports:
        attribute = "Function" if kind == "FunctionImport" else "Action"
        _e(container, kind, Name=name, **{attribute: f"{ALIAS}.{name}"})
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def reply(schema: Schema) -> Reply:
    """`GET $metadata`."""
    return Reply(200, {"Content-Type": "application/xml", "OData-Version": "4.0"}, document(schema))
