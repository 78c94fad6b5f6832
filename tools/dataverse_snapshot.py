"""Write `src/smsconf/platform/snapshot.json` from Microsoft's raw table pages.

The pages in `schemas/dataverse/pages/` (see its SOURCES.md) come in two formats: the generated
reference (`## Writable columns/attributes`, bold/backticked cells, `Choices/Options` tables) and
the older hybrid format (`## Writable attributes`, plain cells, `Options` tables, `Entity 1/2`
N:N blocks). Both are read by the same loose parser: sections by `## ` heading, blocks by
`### <a name="BKMK_...">`, properties from `|key|value|` rows. The snapshot is the only schema the
emulator knows, so it must say only what a page says; what a page left out stays absent.

Run `python tools/dataverse_snapshot.py` after changing the pages; `--check` exits 1 when the
committed snapshot differs from what the pages give (tests/platform/test_snapshot.py runs it).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the project's tools package beside it
from tools.generated import write_or_check  # noqa: E402

PAGES = ROOT / "schemas" / "dataverse" / "pages"
OBSERVED = ROOT / "schemas" / "dataverse" / "observed"
SNAPSHOT = ROOT / "src" / "smsconf" / "platform" / "snapshot.json"
FORMAT = 1

# Newest first: a detail block is taken from the first page (in this order) that has it.
_PRECEDENCE = ("cedev", "cecs", "powerapps")
# SOURCES.md: these list only the columns Dynamics 365 adds to a Dataverse table, so a column
# missing from them says nothing about organisation versions.
_EXTENSION_PAGES = frozenset({"cedev/queue.md"})

_BLOCK = re.compile(r'^###\s+<a name="BKMK_([^"]+)"></a>\s*(\S+)')
_ITEM = re.compile(r"^- \[([^\]]+)\]\(#BKMK_")
_ROW = re.compile(r"^\|(.*)\|\s*$")
_SEE = re.compile(r"\[(\w+) [^\]]*\]\((\w+)\.md#")


def _clean(cell: str) -> str:
    return cell.strip().replace("**", "").replace("`", "").strip()


def _section(heading: str) -> str:
    text = heading.lower()
    for marker, name in (
        ("many-to-many", "n2n"),
        ("many-to-one", "m2o"),
        ("one-to-many", "o2m"),
        ("writable", "writable"),
        ("read-only", "readonly"),
    ):
        if marker in text:
            return name
    if text.strip() in ("properties", "entity properties"):
        return "properties"
    return "other"


def _option_label(cell: str) -> str:
    """`Label: **Active**<br />DefaultStatus: 1` (State/Status) or a plain label."""
    text = cell.split("<br />")[0]
    return _clean(text.removeprefix("Label:").removeprefix(" Label:"))


def parse_page(text: str) -> dict[str, Any]:
    """One page as lists and blocks, format-independent."""
    page: dict[str, Any] = {
        "properties": {},
        "writable": [],
        "readonly": [],
        "blocks": {"writable": {}, "readonly": {}, "m2o": {}, "o2m": {}, "n2n": {}},
    }
    section = "other"
    block: dict[str, Any] | None = None
    side: str | None = None
    in_options = False
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.startswith("## "):
            section, block, in_options = _section(line[3:]), None, False
            continue
        match = _BLOCK.match(line)
        if match and section in page["blocks"]:
            block = {"name": match.group(2), "props": {}, "options": [], "sides": {}}
            page["blocks"][section][match.group(2)] = block
            side, in_options = None, False
            continue
        if line.startswith("### "):
            block = None
            continue
        if section in ("writable", "readonly") and block is None:
            item = _ITEM.match(line)
            if item:
                page[section].append(item.group(1))
            continue
        if section == "properties":
            row = _ROW.match(line)
            if row:
                cells = [_clean(c) for c in row.group(1).split("|")]
                if len(cells) >= 2 and cells[0] not in ("Property", "") and set(cells[0]) != {"-"}:
                    page["properties"][cells[0]] = cells[1]
            continue
        if block is None:
            continue
        if line.startswith("#### "):
            heading = line[5:].strip()
            if heading in ("Entity 1", "Entity 2", "Table 1", "Table 2"):
                side, in_options = heading[-1], False
                block["sides"][side] = {}
            else:
                in_options = heading.endswith("Options")
            continue
        if line.startswith("IntersectEntityName:"):
            block["props"]["IntersectEntityName"] = _clean(
                line.split(":", 1)[1].replace("<br />", "")
            )
            continue
        see = _SEE.search(line)
        if see and ("See " in line or "Same as" in line or "Relationship:" in line):
            block["props"].setdefault("_other", see.group(2))
            continue
        default = re.match(r"^\*\*DefaultValue\*\*:\s*(.*)$", line)
        if default:
            block["props"]["DefaultValue"] = default.group(1).strip()
            continue
        row = _ROW.match(line)
        if not row:
            continue
        cells = row.group(1).split("|")
        if len(cells) < 2:
            continue
        key, value = _clean(cells[0]), cells[1]
        if key in ("Property", "Value") or set(key) <= {"-"}:
            continue
        if in_options:
            if re.fullmatch(r"-?\d+", key):
                block["options"].append({"value": int(key), "label": _option_label(value)})
            continue
        target = block["sides"][side] if side else block["props"]
        target[key] = _clean(value)
    return page


_TYPES = {
    "String": "String",
    "Memo": "Memo",
    "Integer": "Integer",
    "BigInt": "BigInt",
    "Boolean": "Boolean",
    "Picklist": "Picklist",
    "State": "State",
    "Status": "Status",
    "MultiSelectPicklist": "MultiSelectPicklist",
    "Lookup": "Lookup",
    "Customer": "Customer",
    "Owner": "Owner",
    "Uniqueidentifier": "Uniqueidentifier",
    "DateTime": "DateTime",
    "Decimal": "Decimal",
    "Double": "Double",
    "Money": "Money",
    "EntityName": "EntityName",
    "ManagedProperty": "ManagedProperty",
    "Image": "Image",
    "Virtual": "Virtual",
}


def _attribute(schema_name: str, block: dict[str, Any] | None, writable: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"schema_name": schema_name, "logical_name": schema_name.lower()}
    if block is None:
        out.update(
            detail=False,
            valid_for_create=writable,
            valid_for_update=writable,
            valid_for_read=True,
        )
        return out
    props = block["props"]
    kind = props.get("Type", "")
    out.update(
        detail=True,
        logical_name=props.get("LogicalName", schema_name.lower()),
        display_name=props.get("DisplayName", ""),
        type=_TYPES.get(kind, kind),
        required_level=props.get("RequiredLevel", "None"),
        valid_for_create=writable and props.get("IsValidForCreate", "True") == "True",
        valid_for_update=writable and props.get("IsValidForUpdate", "True") == "True",
        valid_for_read=props.get("IsValidForRead", "True") == "True",
    )
    if "MaxLength" in props and props["MaxLength"].isdigit():
        out["max_length"] = int(props["MaxLength"])
    if props.get("Targets"):
        out["targets"] = [t.strip() for t in props["Targets"].split(",") if t.strip()]
    if block["options"]:
        out["options"] = block["options"]
    if kind == "Boolean":
        out["options"] = [
            {"value": 1, "label": props.get("True Label", "Yes")},
            {"value": 0, "label": props.get("False Label", "No")},
        ]
        if block["options"]:
            out["options"] = block["options"]
    if props.get("DefaultValue") not in (None, ""):
        out["default"] = props["DefaultValue"]
    if props.get("GlobalChoiceName"):
        out["global_choice"] = props["GlobalChoiceName"]
    return out


def _stated_validity(pages: list[tuple[str, dict[str, Any]]], logical: str) -> dict[str, str]:
    stated: dict[str, str] = {}
    for _key, page in pages:
        for kind in ("writable", "readonly"):
            for bname, b in page["blocks"][kind].items():
                if bname.lower() == logical or b["props"].get("LogicalName") == logical:
                    for prop in ("IsValidForCreate", "IsValidForUpdate"):
                        if prop in b["props"]:
                            stated.setdefault(prop, b["props"][prop])
    return stated


def _all_options(
    pages: list[tuple[str, dict[str, Any]]], logical: str, newest: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The options every version page lists for a choice column, the newest page's first.

    A global choice that solutions extend (`msdyn_streamsource`: each channel solution adds its
    channel) is listed with only the options of the organisation a page was generated from: the
    newest page lists Entity Records alone where the older one lists all seventeen channels, SMS
    among them. An option any page lists is one some organisations have.
    """
    values = {o["value"] for o in newest}
    merged = list(newest)
    for _key, page in pages:
        for kind in ("writable", "readonly"):
            for name, block in page["blocks"][kind].items():
                if name.lower() != logical and block["props"].get("LogicalName") != logical:
                    continue
                for option in block["options"]:
                    if option["value"] not in values:
                        values.add(option["value"])
                        merged.append(option)
    return merged


def _share_global_choices(tables: dict[str, Any]) -> None:
    """Give every column of one global choice the options any page lists for it: a global
    option set is one definition, whichever table's page it was read from. A local choice is
    named `<table>_<column>` and is left alone."""
    columns = [
        (table_name, attribute)
        for table_name, table in tables.items()
        for attribute in table["attributes"].values()
        if attribute.get("options") and attribute.get("global_choice")
    ]
    shared: dict[str, list[dict[str, Any]]] = {}
    for table_name, attribute in columns:
        name = attribute["global_choice"]
        if name == f"{table_name}_{attribute['logical_name']}":
            continue
        merged = shared.setdefault(name, [])
        values = {o["value"] for o in merged}
        merged += [o for o in attribute["options"] if o["value"] not in values]
    for _table_name, attribute in columns:
        name = attribute["global_choice"]
        if name in shared:
            values = {o["value"] for o in attribute["options"]}
            attribute["options"] = attribute["options"] + [
                o for o in shared[name] if o["value"] not in values
            ]


def _cascade_delete(config: str) -> str | None:
    match = re.search(r"Delete:\s*(\w+)", config or "")
    return match.group(1) if match else None


def _page_key(path: Path) -> str:
    return path.relative_to(PAGES).as_posix()


def _order(key: str) -> tuple[int, int, str]:
    corpus, name = key.split("/", 1)
    return (_PRECEDENCE.index(corpus), "@" in name, key)


def observed(observed_dir: Path = OBSERVED) -> dict[str, Any]:
    """Organisations seen live (`observed/*.json`, see SOURCES.md there): per organisation,
    its source and, per table, the sorted columns it was seen to have."""
    found: dict[str, Any] = {}
    for path in sorted(observed_dir.glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        found[path.stem] = {
            "source": data["source"],
            "tables": {t: sorted(set(cols)) for t, cols in sorted(data["tables"].items())},
        }
    return found


def build(pages_dir: Path = PAGES, observed_dir: Path = OBSERVED) -> dict[str, Any]:
    """The snapshot of every table with a page, and the organisations seen live, as
    JSON-ready data."""
    by_table: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for path in sorted(pages_dir.glob("*/*.md")):
        table = path.stem.split("@")[0]
        key = path.relative_to(pages_dir).as_posix()
        by_table.setdefault(table, []).append((key, parse_page(path.read_text("utf-8"))))
    tables: dict[str, Any] = {}
    n2n: dict[str, dict[str, Any]] = {}
    for name in sorted(by_table):
        pages = sorted(by_table[name], key=lambda p: _order(p[0]))
        tables[name] = _table(name, pages, n2n)
    _share_global_choices(tables)
    return {
        "format": FORMAT,
        "source": "schemas/dataverse/pages (see SOURCES.md there)",
        "tables": tables,
        "many_to_many": [n2n[k] for k in sorted(n2n)],
        "observed": observed(observed_dir),
    }


def _table(
    name: str, pages: list[tuple[str, dict[str, Any]]], n2n: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    props: dict[str, str] = {}
    for _key, page in reversed(pages):
        props.update(page["properties"])
    listed: dict[str, list[str]] = {}
    writable: dict[str, bool] = {}
    for key, page in pages:
        for kind in ("writable", "readonly"):
            for schema_name in page[kind]:
                logical = schema_name.lower()
                listed.setdefault(logical, []).append(key)
                writable.setdefault(logical, kind == "writable")
    attributes: dict[str, Any] = {}
    for logical in sorted(listed):
        block = None
        schema_name = logical
        for _key, page in pages:
            for kind in ("writable", "readonly"):
                for bname, b in page["blocks"][kind].items():
                    if bname.lower() == logical or b["props"].get("LogicalName") == logical:
                        block = block or b
                        schema_name = bname
            if block is not None:
                break
        for _key, page in pages:
            for s in page["writable"] + page["readonly"]:
                if s.lower() == logical:
                    schema_name = s
                    break
            else:
                continue
            break
        if block is not None:
            # The generated format never states IsValidForCreate/Update; an older page of the
            # same table may (`|IsValidForUpdate|False|` on primary ids): that statement holds.
            block = {**block, "props": {**_stated_validity(pages, logical), **block["props"]}}
        attribute = _attribute(schema_name, block, writable[logical])
        if "options" in attribute:
            attribute["options"] = _all_options(pages, logical, attribute["options"])
        attribute["pages"] = sorted(set(listed[logical]), key=_order)
        attributes[attribute["logical_name"]] = attribute
    versions = [
        k for k, p in pages if (p["writable"] or p["readonly"]) and k not in _EXTENSION_PAGES
    ]
    for attribute in attributes.values():
        seen = [k for k in attribute["pages"] if k in versions]
        attribute["version_dependent"] = len(versions) > 1 and len(seen) < len(versions)
    many_to_one = _lookups(pages, "m2o", _many_to_one)
    one_to_many = _lookups(pages, "o2m", _one_to_many)
    for key, page in pages:
        for rel_name, block in page["blocks"]["n2n"].items():
            _many_to_many(name, rel_name, block, n2n, key)
    for rel in many_to_one.values():
        attribute = attributes.get(rel["referencing_attribute"])
        if attribute is not None and rel["navigation"]:
            navs = attribute.setdefault("navigation", {})
            navs.setdefault(rel["referenced_entity"], rel["navigation"])
    return {
        "logical_name": props.get("LogicalName", name),
        "schema_name": props.get("SchemaName", name),
        "display_name": props.get("DisplayName", ""),
        "entity_set": props.get("EntitySetName"),
        "primary_id": props.get("PrimaryIdAttribute"),
        "primary_name": props.get("PrimaryNameAttribute"),
        "ownership": props.get("OwnershipType"),
        "pages": [k for k, _ in pages],
        "version_pages": versions,
        "attributes": attributes,
        "many_to_one": [many_to_one[k] for k in sorted(many_to_one)],
        "one_to_many": [one_to_many[k] for k in sorted(one_to_many)],
    }


def _lookups(
    pages: list[tuple[str, dict[str, Any]]],
    kind: str,
    describe: Callable[[dict[str, str]], dict[str, Any]],
) -> dict[str, Any]:
    """The lookups in a table's `kind` blocks, each as the first page (newest first) that names
    its referencing column states it."""
    found: dict[str, Any] = {}
    for key, page in pages:
        for rel_name, block in page["blocks"][kind].items():
            p = block["props"]
            if rel_name not in found and "ReferencingAttribute" in p:
                found[rel_name] = {"schema_name": rel_name, **describe(p), "page": key}
    return found


def _many_to_one(p: dict[str, str]) -> dict[str, Any]:
    return {
        "referenced_entity": p.get("ReferencedEntity") or p.get("_other"),
        "referenced_attribute": p.get("ReferencedAttribute"),
        "referencing_attribute": p["ReferencingAttribute"],
        "navigation": p.get("ReferencingEntityNavigationPropertyName"),
        "cascade_delete": _cascade_delete(p.get("CascadeConfiguration", "")),
    }


def _one_to_many(p: dict[str, str]) -> dict[str, Any]:
    return {
        "referencing_entity": p.get("ReferencingEntity") or p.get("_other"),
        "referencing_attribute": p["ReferencingAttribute"],
        "navigation": p.get("ReferencedEntityNavigationPropertyName"),
    }


def _many_to_many(
    table: str, rel_name: str, block: dict[str, Any], n2n: dict[str, dict[str, Any]], key: str
) -> None:
    p = block["props"]
    entry = n2n.setdefault(
        rel_name,
        {"schema_name": rel_name, "intersect_entity": p.get("IntersectEntityName"), "sides": {}},
    )
    entry["intersect_entity"] = entry["intersect_entity"] or p.get("IntersectEntityName")
    sides = entry["sides"]
    if block["sides"]:  # older format: both sides on one page
        for side in block["sides"].values():
            logical = side.get("LogicalName")
            if logical and sides.get(logical, {}).get("navigation") is None:
                sides[logical] = {
                    "table": logical,
                    "intersect_attribute": side.get("IntersectAttribute"),
                    "navigation": side.get("NavigationPropertyName"),
                    "page": key,
                }
        return
    if sides.get(table, {}).get("navigation") is None:
        sides[table] = {
            "table": table,
            "intersect_attribute": p.get("IntersectAttribute"),
            "navigation": p.get("NavigationPropertyName"),
            "page": key,
        }
    other = p.get("_other")
    if other and other != table:
        sides.setdefault(other, {"table": other, "intersect_attribute": None, "navigation": None})


def render(data: dict[str, Any]) -> str:
    """The committed text: stable key order, one fact per line where it helps a diff."""
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    text = render(build())
    return write_or_check(SNAPSHOT, text, argv, "tools/dataverse_snapshot.py")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
