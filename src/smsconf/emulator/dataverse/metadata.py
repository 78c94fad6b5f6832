"""The metadata endpoints clients call before they write: `EntityDefinitions` and below,
`RelationshipDefinitions` and `GlobalOptionSetDefinitions`.

Every answer comes from the organisation's schema (`schema.py`, Microsoft's pages), so what a
client discovers (entity sets, primary keys, attribute types and lengths, option sets,
navigation names, relationships, alternate keys) is exactly what the emulator enforces.

Shapes follow "Query table definitions using the Web API" and "Query relationship
definitions" (Learn): navigation properties (`Attributes`, `Keys`, the three relationship
collections on an entity; `OptionSet` and `GlobalOptionSet` on an enumeration attribute) are
only sent when `$expand` names them; a cast segment (`/Attributes/Microsoft.Dynamics.CRM.
PicklistAttributeMetadata`) keeps the items of that type and its subtypes; local option sets
are named `<table>_<column>` and every other name is a global option set [inferred: the pages
give `GlobalChoiceName` for both].
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from odata_query import ast
from odata_query.exceptions import ODataException
from odata_query.grammar import ODataLexer, ODataParser

from smsconf.emulator.dataverse.errors import bad_query
from smsconf.emulator.dataverse.protocol import Call, Reply, json_reply
from smsconf.emulator.dataverse.query import parse_expand
from smsconf.emulator.dataverse.records import keyed
from smsconf.emulator.dataverse.schema import Lookup1N, Schema
from smsconf.emulator.dataverse.urls import Segment
from smsconf.platform import ManyToMany, Table

_NAMESPACE = uuid.UUID("4f6b7a52-3c1e-4d8e-9a57-5d0f2c9e8b11")
CRM = "Microsoft.Dynamics.CRM."

Item = dict[str, Any]  # a metadata object; a callable value is a navigation, read on $expand

# Page AttributeType -> (AttributeType on the wire, AttributeTypeName, metadata type): the
# page's name (or `Virtual`), `<name>Type` and `<name>AttributeMetadata` (unless listed).
_VIRTUAL_ON_THE_WIRE = frozenset({"MultiSelectPicklist", "Image", "Virtual"})
_METADATA_TYPES = {
    "Customer": "LookupAttributeMetadata",
    "Owner": "LookupAttributeMetadata",
    "Uniqueidentifier": "UniqueIdentifierAttributeMetadata",
    "Virtual": "AttributeMetadata",
}
_ATTRIBUTE_TYPES: dict[str, tuple[str, str, str]] = {
    name: (
        "Virtual" if name in _VIRTUAL_ON_THE_WIRE else name,
        f"{name}Type",
        _METADATA_TYPES.get(name, f"{name}AttributeMetadata"),
    )
    for name in (
        "String",
        "Memo",
        "Integer",
        "BigInt",
        "Boolean",
        "Picklist",
        "State",
        "Status",
        "MultiSelectPicklist",
        "Lookup",
        "Customer",
        "Owner",
        "Uniqueidentifier",
        "DateTime",
        "Decimal",
        "Double",
        "Money",
        "EntityName",
        "ManagedProperty",
        "Image",
        "Virtual",
    )
}
_ENUM_TYPES = frozenset(
    {
        "PicklistAttributeMetadata",
        "StateAttributeMetadata",
        "StatusAttributeMetadata",
        "BooleanAttributeMetadata",
        "MultiSelectPicklistAttributeMetadata",
    }
)
_BASES: dict[str, frozenset[str]] = {
    "AttributeMetadata": frozenset(t for _, _, t in _ATTRIBUTE_TYPES.values()),
    "EnumAttributeMetadata": _ENUM_TYPES,
    "RelationshipMetadataBase": frozenset(
        {"OneToManyRelationshipMetadata", "ManyToManyRelationshipMetadata"}
    ),
    "OptionSetMetadataBase": frozenset({"OptionSetMetadata", "BooleanOptionSetMetadata"}),
}
_NAVIGATION_OWNER = {
    "EntityDefinitions": "EntityMetadata",
    "Attributes": "AttributeMetadata",
}


def metadata_id(*parts: str) -> str:
    """A stable MetadataId for a table, column, key, relationship or option set."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def _label(text: str | None) -> dict[str, Any]:
    if not text:
        return {"LocalizedLabels": [], "UserLocalizedLabel": None}
    localized = {"Label": text, "LanguageCode": 1033}
    return {"LocalizedLabels": [localized], "UserLocalizedLabel": localized}


def _is_a(odata_type: str, cast: str) -> bool:
    return odata_type == cast or odata_type in _BASES.get(cast, frozenset())


def _known_type(name: str) -> bool:
    return (
        name in _BASES
        or any(name == t for _, _, t in _ATTRIBUTE_TYPES.values())
        or name
        in (
            "OneToManyRelationshipMetadata",
            "ManyToManyRelationshipMetadata",
            "OptionSetMetadata",
            "BooleanOptionSetMetadata",
        )
    )


# --- entities ----------------------------------------------------------------------------


def entity(schema: Schema, table: Table) -> Item:
    """EntityMetadata of a table, its child collections as (lazy) navigation properties."""
    page = schema.page(table.logical_name)
    data = page.data if page is not None else {}
    return {
        "MetadataId": metadata_id(table.logical_name),
        "LogicalName": table.logical_name,
        "SchemaName": data.get("schema_name", table.logical_name),
        "EntitySetName": table.entity_set,
        "LogicalCollectionName": table.entity_set,
        "PrimaryIdAttribute": table.primary_key,
        "PrimaryNameAttribute": table.primary_name,
        "PrimaryImageAttribute": None,
        "OwnershipType": table.ownership,
        "IsOptimisticConcurrencyEnabled": True,
        "IsPrivate": False,
        "IsCustomEntity": table.logical_name.startswith(("msdyn_", "msfp_")),
        "IsIntersect": False,
        "DisplayName": _label(data.get("display_name") or table.logical_name),
        "Attributes": lambda: attributes(schema, table),
        "Keys": lambda: _keys(table),
        "ManyToOneRelationships": lambda: [
            one_to_many(schema, r)
            for r in schema.one_to_many
            if r.referencing == table.logical_name
        ],
        "OneToManyRelationships": lambda: [
            one_to_many(schema, r) for r in schema.referencing(table.logical_name)
        ],
        "ManyToManyRelationships": lambda: [
            many_to_many(schema, r) for r in schema.relationships_of(table.logical_name)
        ],
    }


def attributes(schema: Schema, table: Table) -> list[Item]:
    """Every column the pages list for the table (properties or not), in page order."""
    page = schema.page(table.logical_name)
    listed = page.attributes() if page is not None else ()
    return [
        attribute(schema, table, schema.attribute(table.logical_name, a.logical_name))
        for a in listed
    ]


def attribute(schema: Schema, table: Table, facts: dict[str, Any]) -> Item:
    """AttributeMetadata of one column as its page describes it."""
    name = str(facts["logical_name"])
    kind, type_name, odata_type = _ATTRIBUTE_TYPES[str(facts.get("type") or "String")]
    column = table.column(name)
    required = facts.get("required_level") or "None"
    out: Item = {
        "@odata.type": f"#{CRM}{odata_type}",
        "MetadataId": metadata_id(table.logical_name, name),
        "LogicalName": name,
        "SchemaName": facts.get("schema_name", name),
        "EntityLogicalName": table.logical_name,
        "AttributeType": kind,
        "AttributeTypeName": {"Value": type_name},
        "AttributeOf": facts.get("attribute_of"),
        "DisplayName": _label(facts.get("display_name")),
        "IsPrimaryId": name == table.primary_key,
        "IsPrimaryName": name == table.primary_name,
        "IsSecured": bool(column is not None and column.secured),
        "IsValidForCreate": bool(facts.get("valid_for_create", column is not None)),
        "IsValidForUpdate": bool(facts.get("valid_for_update", column is not None)),
        "IsValidForRead": bool(facts.get("valid_for_read", True)),
        "RequiredLevel": {"Value": required, "CanBeChanged": required != "SystemRequired"},
    }
    if "max_length" in facts:
        out["MaxLength"] = facts["max_length"]
    if facts.get("targets"):
        out["Targets"] = list(facts["targets"])
    if odata_type in _ENUM_TYPES:
        option_set = _option_set(table.logical_name, name, facts)
        out["DefaultFormValue"] = None
        out["OptionSet"] = lambda: option_set
        out["GlobalOptionSet"] = lambda: option_set if option_set["IsGlobal"] else None
    return out


def _option_set(table: str, column: str, facts: dict[str, Any]) -> Item:
    """OptionSetMetadata (or BooleanOptionSetMetadata) of a choice column."""
    name = str(facts.get("global_choice") or f"{table}_{column}")
    options = [
        {"Value": o["value"], "Label": _label(o["label"]), "Color": None}
        for o in facts.get("options", ())
    ]
    common = {
        "MetadataId": metadata_id("optionset", name),
        "Name": name,
        "IsGlobal": name != f"{table}_{column}",
        "IsCustomOptionSet": name.startswith("msdyn_"),
        "DisplayName": _label(facts.get("display_name")),
    }
    if facts.get("type") == "Boolean":
        by_value = {o["Value"]: o for o in options}
        return {
            "@odata.type": f"#{CRM}BooleanOptionSetMetadata",
            **common,
            "OptionSetType": "Boolean",
            "TrueOption": by_value.get(1),
            "FalseOption": by_value.get(0),
        }
    kind = {"State": "State", "Status": "Status"}.get(str(facts.get("type")), "Picklist")
    return {
        "@odata.type": f"#{CRM}OptionSetMetadata",
        **common,
        "OptionSetType": kind,
        "Options": options,
    }


def _keys(table: Table) -> list[Item]:
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


# --- relationships -----------------------------------------------------------------------


def one_to_many(schema: Schema, rel: Lookup1N) -> Item:
    """OneToManyRelationshipMetadata of a lookup, as both directions list it."""
    target = schema.tables[rel.referenced]
    return {
        "@odata.type": f"#{CRM}OneToManyRelationshipMetadata",
        "MetadataId": metadata_id("rel", rel.schema_name),
        "SchemaName": rel.schema_name,
        "RelationshipType": "OneToManyRelationship",
        "IsCustomRelationship": rel.schema_name.startswith("msdyn_"),
        "ReferencedEntity": rel.referenced,
        "ReferencedAttribute": target.primary_key,
        "ReferencingEntity": rel.referencing,
        "ReferencingAttribute": rel.column.logical_name,
        "ReferencingEntityNavigationPropertyName": rel.column.navigation,
        "ReferencedEntityNavigationPropertyName": rel.collection,
        "CascadeConfiguration": {"Delete": _delete_behaviour(rel)},
    }


def _delete_behaviour(rel: Lookup1N) -> str:
    if rel.column.cascade_delete:
        return "Cascade"
    return "Restrict" if rel.restrict else "RemoveLink"


def many_to_many(schema: Schema, rel: ManyToMany) -> Item:
    """ManyToManyRelationshipMetadata of an N:N relationship."""
    return {
        "@odata.type": f"#{CRM}ManyToManyRelationshipMetadata",
        "MetadataId": metadata_id("rel", rel.schema_name),
        "SchemaName": rel.schema_name,
        "RelationshipType": "ManyToManyRelationship",
        "IsCustomRelationship": rel.schema_name.startswith("msdyn_"),
        "Entity1LogicalName": rel.table1,
        "Entity2LogicalName": rel.table2,
        "IntersectEntityName": rel.intersect_entity,
        "Entity1IntersectAttribute": schema.tables[rel.table1].primary_key,
        "Entity2IntersectAttribute": schema.tables[rel.table2].primary_key,
        "Entity1NavigationPropertyName": rel.navigation1,
        "Entity2NavigationPropertyName": rel.navigation2,
    }


def _relationships(schema: Schema) -> list[Item]:
    items = [one_to_many(schema, r) for r in schema.one_to_many]
    return items + [many_to_many(schema, r) for r in schema.many_to_many]


# --- option sets -------------------------------------------------------------------------


def global_option_sets(schema: Schema) -> list[Item]:
    """Every global option set some emulated column uses, once."""
    found: dict[str, Item] = {}
    for table in schema.all_tables():
        page = schema.page(table.logical_name)
        for a in page.attributes() if page is not None else ():
            facts = schema.attribute(table.logical_name, a.logical_name)
            if not facts.get("options"):
                continue
            option_set = _option_set(table.logical_name, a.logical_name, facts)
            if option_set["IsGlobal"]:
                found.setdefault(option_set["Name"], option_set)
    return list(found.values())


# --- the query options -------------------------------------------------------------------


def _evaluate(node: ast._Node, item: Item) -> Any:
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
        value = item.get(node.name)
        return None if callable(value) else value
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


def _filtered(items: list[Item], text: str | None) -> list[Item]:
    if not text:
        return items
    try:
        tree = ODataParser().parse(ODataLexer().tokenize(text))
    except (ODataException, ValueError, IndexError, TypeError) as exc:
        raise bad_query(f"Syntax error in $filter '{text}': {exc}") from None
    return [i for i in items if _evaluate(tree, i)]


def shape(items: list[Item], options: dict[str, str], kind: str) -> list[Item]:
    """`$filter`, then `$select` and `$expand` (nested options included) over metadata."""
    items = _filtered(items, options.get("$filter"))
    select = options.get("$select")
    wanted = None if not select else {n.strip() for n in select.split(",")}
    expansions = parse_expand(options.get("$expand") or "")
    out = []
    for item in items:
        shaped = {
            k: v
            for k, v in item.items()
            if not callable(v)
            and (wanted is None or k in wanted or k in ("@odata.type", "MetadataId"))
        }
        for expansion in expansions:
            navigation = item.get(expansion.navigation)
            if not callable(navigation):
                raise bad_query(
                    f"Could not find a property named '{expansion.navigation}' on type "
                    f"'{CRM}{kind}'."
                )
            value = navigation()
            if isinstance(value, list):
                shaped[expansion.navigation] = shape(value, expansion.options, expansion.navigation)
            elif value is None:
                shaped[expansion.navigation] = None
            else:
                shaped[expansion.navigation] = shape(
                    [value], expansion.options, "OptionSetMetadata"
                )[0]
        out.append(shaped)
    return out


def _cast(items: list[Item], segment: Segment) -> list[Item]:
    cast = segment.name.removeprefix(CRM)
    if not segment.name.startswith(CRM) or not _known_type(cast):
        raise bad_query(f"Resource not found for the segment '{segment.name}'.")
    return [
        i for i in items if _is_a(str(i.get("@odata.type", "")).lstrip("#").removeprefix(CRM), cast)
    ]


def _one(items: list[Item], key: Any, names: tuple[str, ...], what: str) -> Item:
    if isinstance(key, dict):
        if len(key) != 1 or next(iter(key)) not in names:
            raise bad_query(f"The key {key} is not a key of {what}.")
        ((field, value),) = key.items()
        found = [i for i in items if i.get(field) == value]
    else:
        found = [i for i in items if i.get("MetadataId") == key]
    if not found:
        raise bad_query(f"Could not find {what} with key {key}.")
    return found[0]


def _answer(call: Call, items: list[Item], kind: str, context: str, single: bool) -> Reply:
    shaped = shape(items, call.query, kind)
    if single:
        return json_reply(200, {"@odata.context": context + "/$entity", **shaped[0]})
    return json_reply(200, {"@odata.context": context, "value": shaped})


# --- the endpoints -----------------------------------------------------------------------

_CHILD_KINDS = {
    "Attributes": "AttributeMetadata",
    "Keys": "EntityKeyMetadata",
    "ManyToOneRelationships": "OneToManyRelationshipMetadata",
    "OneToManyRelationships": "OneToManyRelationshipMetadata",
    "ManyToManyRelationships": "ManyToManyRelationshipMetadata",
}


def answer(
    call: Call,
    segments: list[Segment],
    schema: Schema,
    hide: Callable[[str, list[Item]], list[Item]] | None = None,
) -> Reply:
    """`EntityDefinitions[(key)][/<child>[(key)]][/<cast>]`; `hide` drops the attributes an
    organisation lacks (see `organisation.py`)."""
    context = f"{call.root}/$metadata#EntityDefinitions"
    entities = [entity(schema, t) for t in schema.all_tables()]
    if hide is not None:
        for item in entities:
            item["Attributes"] = _hidden(item["Attributes"], item["LogicalName"], hide)
    if segments[0].key is None:
        if len(segments) > 1:
            raise bad_query(f"Resource not found for the segment '{segments[1].name}'.")
        return _answer(call, entities, "EntityMetadata", context, single=False)
    item = _one(entities, keyed(segments[0]), ("LogicalName",), "an entity")
    if len(segments) == 1:
        return _answer(call, [item], "EntityMetadata", context, single=True)
    child = segments[1]
    if child.name not in _CHILD_KINDS or len(segments) > 3:
        raise bad_query(f"Resource not found for the segment '{child.name}'.")
    items = item[child.name]()
    kind = _CHILD_KINDS[child.name]
    context = f"{context}({item['MetadataId']})/{child.name}"
    cast = segments[2] if len(segments) == 3 else None
    if child.key is not None:
        found = _one(items, child.key, ("LogicalName", "SchemaName"), child.name)
        if cast is not None and not _cast([found], cast):
            raise bad_query(f"The {child.name} item {child.key} is not a {cast.name}.")
        return _answer(call, [found], kind, context, single=True)
    if cast is not None:
        items = _cast(items, cast)
        context = f"{context}/{cast.name}"
    return _answer(call, items, kind, context, single=False)


def _hidden(
    attributes_of: Callable[[], list[Item]],
    table: str,
    hide: Callable[[str, list[Item]], list[Item]],
) -> Callable[[], list[Item]]:
    return lambda: hide(table, attributes_of())


@dataclass(frozen=True)
class _Collection:
    """A top-level metadata collection: its name, the kind of its items, the properties that
    key one, and how an error names one."""

    name: str
    kind: str
    key_names: tuple[str, ...]
    what: str


_RELATIONSHIPS = _Collection(
    "RelationshipDefinitions", "RelationshipMetadataBase", ("SchemaName",), "a relationship"
)
_GLOBAL_OPTION_SETS = _Collection(
    "GlobalOptionSetDefinitions", "OptionSetMetadataBase", ("Name",), "an option set"
)


def relationship_definitions(call: Call, segments: list[Segment], schema: Schema) -> Reply:
    """`RelationshipDefinitions[(key)][/<cast>]`: every 1:N and N:N relationship, or one."""
    return _definitions(call, segments, _relationships(schema), _RELATIONSHIPS)


def global_option_set_definitions(call: Call, segments: list[Segment], schema: Schema) -> Reply:
    """`GlobalOptionSetDefinitions[(key)][/<cast>]`: the global option sets, or one."""
    return _definitions(call, segments, global_option_sets(schema), _GLOBAL_OPTION_SETS)


def _definitions(
    call: Call, segments: list[Segment], items: list[Item], collection: _Collection
) -> Reply:
    context = f"{call.root}/$metadata#{collection.name}"
    if len(segments) > 2:
        raise bad_query(f"Resource not found for the segment '{segments[2].name}'.")
    if len(segments) == 2:
        items = _cast(items, segments[1])
        context = f"{context}/{segments[1].name}"
    if segments[0].key is not None:
        found = _one(items, segments[0].key, collection.key_names, collection.what)
        return _answer(call, [found], collection.kind, context, single=True)
    return _answer(call, items, collection.kind, context, single=False)


def message_filters(call: Call, schema: Schema) -> Reply:
    """`sdkmessagefilters`: which tables support which bulk messages, as clients check it."""
    items = [
        {
            "sdkmessagefilterid": metadata_id("sdkmessagefilter", t.logical_name, message),
            "primaryobjecttypecode": t.logical_name,
            "sdkmessageid": {"sdkmessageid": metadata_id("sdkmessage", message), "name": message},
        }
        for t in schema.all_tables()
        for message in sorted(t.bulk_messages)
    ]
    context = f"{call.root}/$metadata#sdkmessagefilters"
    options = {k: v for k, v in call.query.items() if k in ("$filter", "$select")}
    value = _filtered(items, options.get("$filter"))
    select = options.get("$select")
    if select:
        wanted = [n.strip() for n in select.split(",")]
        wanted += [e.navigation for e in parse_expand(call.query.get("$expand", ""))]
        value = [{k: i.get(k) for k in wanted} for i in value]
    return json_reply(200, {"@odata.context": context, "value": value})
