"""The metadata endpoints clients call before they write: `EntityDefinitions` and below.

Answers are generated from `smsconf.platform`, so what a client discovers (entity sets, primary
keys, option sets, navigation names, alternate keys) is exactly what the emulator enforces.
Relationship schema names of lookups are not in the references; they are generated here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from odata_query import ast
from odata_query.exceptions import ODataException
from odata_query.grammar import ODataLexer, ODataParser

from smsconf.emulator.dataverse.errors import bad_query
from smsconf.emulator.dataverse.protocol import Call, Reply, json_reply
from smsconf.emulator.dataverse.query import parse_expand
from smsconf.emulator.dataverse.records import keyed
from smsconf.emulator.dataverse.urls import Segment
from smsconf.platform import (
    ALL_TABLES,
    TABLES,
    Column,
    ColumnType,
    Table,
    referencing_lookups,
    relationships_of,
)

_NAMESPACE = uuid.UUID("4f6b7a52-3c1e-4d8e-9a57-5d0f2c9e8b11")
CRM = "Microsoft.Dynamics.CRM."

_ATTRIBUTE_TYPES: dict[ColumnType, tuple[str, str]] = {
    ColumnType.STRING: ("String", "StringAttributeMetadata"),
    ColumnType.MEMO: ("Memo", "MemoAttributeMetadata"),
    ColumnType.INTEGER: ("Integer", "IntegerAttributeMetadata"),
    ColumnType.BIGINT: ("BigInt", "BigIntAttributeMetadata"),
    ColumnType.BOOLEAN: ("Boolean", "BooleanAttributeMetadata"),
    ColumnType.PICKLIST: ("Picklist", "PicklistAttributeMetadata"),
    ColumnType.MULTISELECT: ("Virtual", "MultiSelectPicklistAttributeMetadata"),
    ColumnType.LOOKUP: ("Lookup", "LookupAttributeMetadata"),
    ColumnType.UNIQUEIDENTIFIER: ("Uniqueidentifier", "AttributeMetadata"),
    ColumnType.DATETIME: ("DateTime", "DateTimeAttributeMetadata"),
    ColumnType.DECIMAL: ("Decimal", "DecimalAttributeMetadata"),
}


def metadata_id(*parts: str) -> str:
    """A stable MetadataId for a table, column, key or relationship."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def _label(text: str) -> dict[str, Any]:
    localized = {"Label": text, "LanguageCode": 1033}
    return {"LocalizedLabels": [localized], "UserLocalizedLabel": localized}


def entity(table: Table) -> dict[str, Any]:
    """EntityMetadata of a table."""
    return {
        "MetadataId": metadata_id(table.logical_name),
        "LogicalName": table.logical_name,
        "SchemaName": table.logical_name,
        "EntitySetName": table.entity_set,
        "LogicalCollectionName": table.entity_set,
        "PrimaryIdAttribute": table.primary_key,
        "PrimaryNameAttribute": table.primary_name,
        "PrimaryImageAttribute": None,
        "OwnershipType": table.ownership,
        "IsOptimisticConcurrencyEnabled": True,
        "IsPrivate": False,
        "DisplayName": _label(table.logical_name),
    }


def attribute(table: Table, column: Column) -> dict[str, Any]:
    """AttributeMetadata of a column, with its option set when it has one."""
    kind, odata_type = _ATTRIBUTE_TYPES[column.type]
    if column.logical_name == "statecode":
        kind, odata_type = "State", "StateAttributeMetadata"
    elif column.logical_name == "statuscode":
        kind, odata_type = "Status", "StatusAttributeMetadata"
    required = "ApplicationRequired" if column.required else "None"
    if column.logical_name == table.primary_key:
        required = "SystemRequired"
    out: dict[str, Any] = {
        "@odata.type": f"#{CRM}{odata_type}",
        "MetadataId": metadata_id(table.logical_name, column.logical_name),
        "LogicalName": column.logical_name,
        "SchemaName": column.logical_name,
        "EntityLogicalName": table.logical_name,
        "AttributeType": kind,
        "AttributeTypeName": {"Value": f"{kind}Type"},
        "IsPrimaryId": column.logical_name == table.primary_key,
        "IsPrimaryName": column.logical_name == table.primary_name,
        "IsSecured": column.secured,
        "IsValidForCreate": not column.server_owned,
        "IsValidForUpdate": not column.server_owned,
        "RequiredLevel": {"Value": required},
    }
    if column.max_length is not None:
        out["MaxLength"] = column.max_length
    if column.target is not None:
        out["Targets"] = [column.target]
    if column.options:
        out["OptionSet"] = {
            "Options": [{"Value": o.value, "Label": _label(o.label)} for o in column.options],
        }
    return out


def _relationship_name(table: Table, column: Column) -> str:
    return f"{column.target}_{table.logical_name}_{column.logical_name}"


def many_to_one(table: Table, column: Column) -> dict[str, Any]:
    """OneToManyRelationshipMetadata of a lookup, as both directions list it."""
    target = TABLES[column.target or ""]
    name = _relationship_name(table, column)
    return {
        "@odata.type": f"#{CRM}OneToManyRelationshipMetadata",
        "MetadataId": metadata_id("rel", name),
        "SchemaName": name,
        "RelationshipType": "OneToManyRelationship",
        "ReferencedEntity": target.logical_name,
        "ReferencedAttribute": target.primary_key,
        "ReferencingEntity": table.logical_name,
        "ReferencingAttribute": column.logical_name,
        "ReferencingEntityNavigationPropertyName": column.navigation,
        "ReferencedEntityNavigationPropertyName": name,
    }


def _many_to_many(table: Table) -> list[dict[str, Any]]:
    return [
        {
            "@odata.type": f"#{CRM}ManyToManyRelationshipMetadata",
            "MetadataId": metadata_id("rel", r.schema_name),
            "SchemaName": r.schema_name,
            "RelationshipType": "ManyToManyRelationship",
            "Entity1LogicalName": r.table1,
            "Entity2LogicalName": r.table2,
            "IntersectEntityName": r.intersect_entity,
            "Entity1IntersectAttribute": TABLES[r.table1].primary_key,
            "Entity2IntersectAttribute": TABLES[r.table2].primary_key,
            "Entity1NavigationPropertyName": r.navigation1,
            "Entity2NavigationPropertyName": r.navigation2,
        }
        for r in relationships_of(table.logical_name)
    ]


def _keys(table: Table) -> list[dict[str, Any]]:
    return [
        {
            "MetadataId": metadata_id(table.logical_name, "key", k.schema_name),
            "SchemaName": k.schema_name,
            "LogicalName": k.schema_name,
            "EntityLogicalName": table.logical_name,
            "KeyAttributes": list(k.columns),
            "EntityKeyIndexStatus": "Active",
        }
        for k in table.alternate_keys
    ]


_CHILDREN: dict[str, Callable[[Table], list[dict[str, Any]]]] = {
    "Attributes": lambda t: [attribute(t, c) for c in t.columns],
    "ManyToOneRelationships": lambda t: [many_to_one(t, c) for c in t.lookups()],
    "OneToManyRelationships": lambda t: [
        many_to_one(child, c) for child, c in referencing_lookups(t.logical_name)
    ],
    "ManyToManyRelationships": _many_to_many,
    "Keys": _keys,
}


def _find_table(segment: Segment) -> Table:
    key = keyed(segment)
    if isinstance(key, dict):
        name = key.get("LogicalName")
        table = TABLES.get(str(name)) if set(key) == {"LogicalName"} else None
    else:
        table = next((t for t in ALL_TABLES if metadata_id(t.logical_name) == key), None)
    if table is None:
        raise bad_query(f"Could not find an entity with key {segment.key}.")
    return table


def _evaluate(node: ast._Node, item: dict[str, Any]) -> Any:
    """A minimal `$filter` for metadata: equality, boolean logic, literals and properties."""
    if isinstance(node, ast.BoolOp):
        left, right = _evaluate(node.left, item), _evaluate(node.right, item)
        return (left and right) if isinstance(node.op, ast.And) else (left or right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not _evaluate(node.operand, item)
    if isinstance(node, ast.Compare) and isinstance(node.comparator, ast.Eq | ast.NotEq):
        same = _evaluate(node.left, item) == _evaluate(node.right, item)
        return same if isinstance(node.comparator, ast.Eq) else not same
    if isinstance(node, ast.Identifier):
        return item.get(node.name)
    if isinstance(node, ast.Attribute):
        owner = _evaluate(node.owner, item)
        return owner.get(node.attr) if isinstance(owner, dict) else None
    if isinstance(node, ast.String | ast.GUID):
        return node.val
    if isinstance(node, ast.Boolean):
        return node.val.lower() == "true"
    if isinstance(node, ast.Integer):
        return int(node.val)
    if isinstance(node, ast.Null):
        return None
    raise bad_query("Only eq, ne, and, or and not are supported in metadata $filter.")


def _select(items: list[dict[str, Any]], call: Call) -> list[dict[str, Any]]:
    """Apply `$filter`, then `$select` plus the navigation properties named in `$expand`."""
    text = call.query.get("$filter")
    if text:
        try:
            tree = ODataParser().parse(ODataLexer().tokenize(text))
        except (ODataException, ValueError, IndexError, TypeError) as exc:
            raise bad_query(f"Syntax error in $filter '{text}': {exc}") from None
        items = [i for i in items if _evaluate(tree, i)]
    select = call.query.get("$select")
    if not select:
        return items
    wanted = [n.strip() for n in select.split(",")]
    wanted += [e.navigation for e in parse_expand(call.query.get("$expand", ""))]
    kept = ("@odata.type", "MetadataId")
    return [{k: i.get(k) for k in (*[k for k in kept if k in i], *wanted)} for i in items]


def relationship_definitions(call: Call, segments: list[Segment]) -> Reply:
    """`RelationshipDefinitions`: every 1:N (one per lookup) and N:N relationship, or one."""
    items = [many_to_one(t, c) for t in ALL_TABLES for c in t.lookups()]
    items += [
        r for t in ALL_TABLES for r in _many_to_many(t) if r["Entity1LogicalName"] == t.logical_name
    ]
    context = f"{call.root}/$metadata#RelationshipDefinitions"
    if len(segments) > 1:
        raise bad_query(f"Resource not found for the segment '{segments[1].name}'.")
    if segments[0].key is not None:
        key = segments[0].key
        name = key.get("SchemaName") if isinstance(key, dict) else None
        found = [i for i in items if i["MetadataId"] == key or i["SchemaName"] == name]
        if not found:
            raise bad_query(f"Could not find a relationship with key {key}.")
        return json_reply(200, {"@odata.context": context + "/$entity", **_select(found, call)[0]})
    return json_reply(200, {"@odata.context": context, "value": _select(items, call)})


def message_filters(call: Call) -> Reply:
    """`sdkmessagefilters`: which tables support which bulk messages, as clients check it."""
    items = [
        {
            "sdkmessagefilterid": metadata_id("sdkmessagefilter", t.logical_name, message),
            "primaryobjecttypecode": t.logical_name,
            "sdkmessageid": {"sdkmessageid": metadata_id("sdkmessage", message), "name": message},
        }
        for t in ALL_TABLES
        for message in sorted(t.bulk_messages)
    ]
    context = f"{call.root}/$metadata#sdkmessagefilters"
    return json_reply(200, {"@odata.context": context, "value": _select(items, call)})


def answer(
    call: Call,
    segments: list[Segment],
    hide: Callable[[str, list[dict[str, Any]]], list[dict[str, Any]]] | None = None,
) -> Reply:
    """Serve `EntityDefinitions[...]` and its child collections; `hide` drops the attributes an
    organisation lacks (see `organisation.py`)."""
    context = f"{call.root}/$metadata#EntityDefinitions"
    if len(segments) == 1 and segments[0].key is None:
        items = _select([entity(t) for t in ALL_TABLES], call)
        return json_reply(200, {"@odata.context": context, "value": items})
    table = _find_table(segments[0])
    if len(segments) == 1:
        return json_reply(
            200, {"@odata.context": context + "/$entity", **_select([entity(table)], call)[0]}
        )
    child = segments[1].name
    if child not in _CHILDREN or len(segments) > 3:
        raise bad_query(f"Resource not found for the segment '{child}'.")
    items = _CHILDREN[child](table)
    if child == "Attributes" and hide is not None:
        items = hide(table.logical_name, items)
    if segments[1].key is not None:
        key = segments[1].key
        name = key.get("LogicalName") if isinstance(key, dict) else None
        items = [i for i in items if i["MetadataId"] == key or i.get("LogicalName") == name]
        if not items:
            raise bad_query(f"Could not find {child} with key {key}.")
        return json_reply(200, {"@odata.context": context, **_select(items, call)[0]})
    if len(segments) == 3:
        cast = segments[2].name
        items = [i for i in items if i.get("@odata.type") == f"#{cast}"]
    return json_reply(200, {"@odata.context": context, "value": _select(items, call)})
