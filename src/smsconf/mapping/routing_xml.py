"""Routing rules as the XML documents Dataverse stores, and back.

Formats from reference/dataverse-evidence.md §1: a ruleset is `<decision hit-policy=...>` with
`<rule>` elements holding a condition tree (`<logical>` / `<condition>`) and an `<action>`; a
contract lists the entities and context variables rules can read. `conditions_to_xml` and
`xml_to_conditions` are inverses, so export writes back exactly what plan generated, and
`canonical` compares documents by meaning (attribute order, whitespace, escaping and GUID
spelling do not count as changes).
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from smsconf.config.model import Condition
from smsconf.platform import vocabulary as vocab

ALWAYS = ("msdyn_ocliveworkitem.msdyn_createdon", "not-null")  # the designer's "always" rule
OPERATOR_WORD = {xml: word for word, xml in vocab.RULE_OPERATOR.items()}
PATH_SOURCE = {path: source for source, path in vocab.ATTRIBUTE_PATH.items()}
GUID = re.compile(
    r"\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?"
)
QUEUE_TARGET = "assign_to.queue"
SPLIT_TARGET = "percentagebaseddistribution"


class RulesetError(ValueError):
    """A stored ruleset does not have the shape smsconf writes (export lists it instead)."""


@dataclass(frozen=True)
class Rule:
    """One rule: an id, a name, conditions (all must hold), and its outputs."""

    id: str
    name: str
    when: list[Condition]
    outputs: list[tuple[str, Any]]  # (attribute path, value) for classification
    queue: str | None = None  # route to queue
    split: list[tuple[str, int]] | None = None  # [(queue id, percent)]


def attribute_path(attribute: str) -> str:
    """`account.msdyn_tier` → the contract path the rule engine reads."""
    source, _, name = attribute.partition(".")
    return f"{vocab.ATTRIBUTE_PATH[source]}.{name}"


def attribute_word(path: str) -> str:
    """Inverse of `attribute_path`; the longest known prefix wins (contact/account paths nest)."""
    for prefix in sorted(PATH_SOURCE, key=len, reverse=True):
        if path.startswith(prefix + "."):
            return f"{PATH_SOURCE[prefix]}.{path[len(prefix) + 1 :]}"
    raise RulesetError(f"attribute '{path}' is not one smsconf can express")


def static(value: Any) -> str:
    """Values as rule documents spell them (booleans lower-case, like the designer)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def unstatic(text: str) -> Any:
    """Best reading of a static value: int, float, bool, else the text.

    A number is read only when `static` spells it back the same way, so `007`, `1.50` or `-0`
    stay text: reading them as numbers would rewrite the stored value on the next plan.
    """
    if re.fullmatch(r"-?\d+", text) and static(int(text)) == text:
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text) and static(float(text)) == text:
        return float(text)
    return {"true": True, "false": False}.get(text, text)


def ruleset_xml(rules: list[Rule], hit_policy: str) -> str:
    decision = ET.Element("decision", {"hit-policy": hit_policy, "version": "1"})
    container = ET.SubElement(decision, "rules")
    for rule in rules:
        node = ET.SubElement(container, "rule", {"id": rule.id, "name": rule.name})
        logical = ET.SubElement(node, "logical", {"operator": "AND"})
        if rule.when:
            for condition in rule.when:
                _condition(logical, condition)
        else:
            _comparison(logical, ALWAYS[0], ALWAYS[1], None)
        _action(ET.SubElement(node, "action"), rule)
    return serialise(decision)


_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTRIBUTE_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\r": "&#13;",
        "\n": "&#10;",
        "\t": "&#09;",
    }
)


def serialise(node: ET.Element) -> str:
    """`ET.tostring(node, encoding="unicode")`, character for character, for the plain
    documents rules are (no namespaces, comments or processing instructions).

    ElementTree's general serialiser first walks the tree for namespaces; for the 2,000
    rulesets of a 1,000-workstream plan that was a sixth of building the desired rows.
    """
    out: list[str] = []
    _serialise(node, out)
    return "".join(out)


def _serialise(node: ET.Element, out: list[str]) -> None:
    out.append(f"<{node.tag}")
    for name, value in node.attrib.items():
        out.append(f' {name}="{value.translate(_ATTRIBUTE_ESCAPES)}"')
    if node.text or len(node):
        out.append(">")
        if node.text:
            out.append(node.text.translate(_TEXT_ESCAPES))
        for child in node:
            _serialise(child, out)
        out.append(f"</{node.tag}>")
    else:
        out.append(" />")
    if node.tail:
        out.append(node.tail.translate(_TEXT_ESCAPES))


def _condition(parent: ET.Element, condition: Condition) -> None:
    if condition.attribute is None:
        group = "AND" if condition.all is not None else "OR"
        logical = ET.SubElement(parent, "logical", {"operator": group})
        for child in condition.all or condition.any or []:
            _condition(logical, child)
        return
    path = attribute_path(condition.attribute)
    _comparison(parent, path, vocab.RULE_OPERATOR[condition.op], condition.value)


def _comparison(parent: ET.Element, path: str, operator: str, value: Any) -> None:
    node = ET.SubElement(parent, "condition", {"operator": operator})
    ET.SubElement(node, "lhs", {"type": "attribute"}).text = path
    if isinstance(value, list):
        rhs = ET.SubElement(node, "rhs", {"type": "multistaticvalues"})
        for item in value:
            ET.SubElement(rhs, "value").text = static(item)
    elif value is not None:
        ET.SubElement(node, "rhs", {"type": "staticvalue"}).text = static(value)


def _set(parent: ET.Element, path: str, value: Any) -> None:
    node = ET.SubElement(parent, "setattribute")
    ET.SubElement(node, "lhs", {"type": "attribute"}).text = path
    ET.SubElement(node, "rhs", {"type": "staticvalue"}).text = static(value)


def _action(action: ET.Element, rule: Rule) -> None:
    if rule.queue is not None:
        _set(action, QUEUE_TARGET, rule.queue)
    elif rule.split is not None:
        upsert = ET.SubElement(action, "upsertrecords")
        ET.SubElement(upsert, "target").text = SPLIT_TARGET
        records = ET.SubElement(upsert, "records")
        for queue, percent in rule.split:
            record = ET.SubElement(records, "record")
            _set(record, "queuedetails.queueid", queue)
            _set(record, "queuedetails.percentage", percent)
    else:
        for path, value in rule.outputs:
            _set(action, path, value)


def parse_ruleset(text: str) -> list[Rule]:
    """Rules of a stored ruleset; raises RulesetError for shapes smsconf does not write."""
    try:
        root = parse(text)
    except ET.ParseError as exc:
        raise RulesetError(f"ruleset is not well-formed XML: {exc}") from None
    if root.tag != "decision":
        raise RulesetError(f"ruleset root is <{root.tag}>, expected <decision>")
    return [_parse_rule(node) for node in root.iter("rule")]


def _parse_rule(node: ET.Element) -> Rule:
    when: list[Condition] = []
    for child in node:
        if child.tag == "logical" and child.get("operator", "AND").upper() == "AND":
            when.extend(_parse_condition(c) for c in child)  # the rule's own AND: `when:`
        elif child.tag in ("logical", "condition"):
            when.append(_parse_condition(child))
    when = [] if when == [_always()] else when
    action = node.find("action")
    if action is None:
        raise RulesetError(f"rule '{node.get('name')}' has no action")
    outputs = [(_text(s, "lhs"), unstatic(_text(s, "rhs"))) for s in action.findall("setattribute")]
    split_node = action.find("upsertrecords")
    queue = dict(outputs).get(QUEUE_TARGET)
    split = None
    if split_node is not None:
        if (split_node.findtext("target") or "").strip() != SPLIT_TARGET:
            raise RulesetError(f"rule '{node.get('name')}' upserts records other than a split")
        split = []
        for record in split_node.iter("record"):
            values = {_text(s, "lhs"): _text(s, "rhs") for s in record.findall("setattribute")}
            percent = values.get("queuedetails.percentage", "")
            if "queuedetails.queueid" not in values or not percent.isdigit():
                raise RulesetError(f"rule '{node.get('name')}' has a split record without a queue")
            split.append((_guid(values["queuedetails.queueid"]), int(percent)))
    return Rule(
        id=node.get("id", ""),
        name=node.get("name", ""),
        when=when,
        outputs=[] if queue is not None else outputs,
        queue=_guid(str(queue)) if queue is not None else None,
        split=split,
    )


def _always() -> Condition:
    return Condition(attribute="conversation.msdyn_createdon", op="not_null")


def _parse_condition(node: ET.Element) -> Condition:
    """A comparison, or a nested group (`all:` for AND, `any:` for OR), as `_condition` wrote it."""
    if node.tag == "condition":
        return _parse_comparison(node)
    operator = node.get("operator", "AND").upper()
    if node.tag != "logical" or operator not in ("AND", "OR"):
        raise RulesetError(f"<{node.tag} operator='{operator}'> is not a condition smsconf writes")
    children = [_parse_condition(child) for child in node]
    return Condition(all=children) if operator == "AND" else Condition(any=children)


def _parse_comparison(node: ET.Element) -> Condition:
    operator = node.get("operator", "")
    if operator not in OPERATOR_WORD:
        raise RulesetError(f"condition operator '{operator}' is not one smsconf can express")
    rhs = node.find("rhs")
    value: Any = None
    if rhs is not None and rhs.get("type") == "multistaticvalues":
        value = [unstatic(v.text or "") for v in rhs.findall("value")]
    elif rhs is not None:
        value = unstatic(rhs.text or "")
    return Condition(
        attribute=attribute_word(_text(node, "lhs")), op=OPERATOR_WORD[operator], value=value
    )


def _text(node: ET.Element, tag: str) -> str:
    child = node.find(tag)
    if child is None:
        raise RulesetError(f"<{node.tag}> has no <{tag}>")
    return (child.text or "").strip()


def _guid(text: str) -> str:
    match = GUID.fullmatch(text.strip())
    return match[1].lower() if match else text


def contract_xml(variables: Iterable[tuple[str, str]]) -> str:
    """The workstream's decision contract: what its rules may read, its context variables."""
    return _contract_xml(tuple(variables))


@functools.lru_cache(maxsize=256)
def _contract_xml(variables: tuple[tuple[str, str], ...]) -> str:
    """Workstreams mostly share one set of context variables, so the document is built once
    per set: serialising it for each of 1,000 workstreams was a tenth of a plan."""
    contract = ET.Element("contract", {"version": "1"})
    for entity, collection in (
        ("msdyn_ocliveworkitem", False),
        ("msdyn_effortpredictionresult", False),  # as in a real export (evidence §1.5)
        ("msdyn_smsengagementctx", False),
        ("msdyn_ocliveworkitemcharacteristic", True),
        ("msdyn_ocliveworkitemcapacityprofile", True),
    ):
        attrs = {"logical-name": entity, "key": entity}
        if collection:
            attrs["is-collection"] = "true"
        ET.SubElement(contract, "entity", attrs)
    complex_ = ET.SubElement(contract, "complex", {"key": "liveworkitemcontext"})
    for name, data_type in variables:
        ET.SubElement(complex_, "variable", {"name": name, "data-type": data_type})
    return serialise(contract)


def parse(text: Any) -> ET.Element:
    """A document read from the organisation, whatever the column holds: text that is not
    well-formed, not encodable (a lone surrogate) or not text at all is a `ParseError`, so
    every caller's handling of a broken document covers hostile live data too."""
    if not isinstance(text, str):
        raise ET.ParseError(f"not a document but {type(text).__name__}")
    try:
        return ET.fromstring(text)
    except UnicodeEncodeError as exc:
        raise ET.ParseError(f"not encodable text ({exc.reason})") from None


def contract_variables(text: str) -> list[tuple[str, str]]:
    """Inverse of `contract_xml`: the context variables (name, data type), in document order."""
    try:
        root = parse(text)
    except ET.ParseError as exc:
        raise RulesetError(f"contract is not well-formed XML: {exc}") from None
    return [
        (node.get("name", ""), node.get("data-type", ""))
        for complex_ in root.findall("complex")
        if complex_.get("key") == "liveworkitemcontext"
        for node in complex_.findall("variable")
    ]


def canonical(text: str | None) -> str | None:
    """A document's meaning as a string: equal for documents that differ only in spelling."""
    if text is None:
        return None
    try:
        root = parse(text)
    except ET.ParseError:
        return text
    for node in root.iter():
        if node.text is not None:
            node.text = _guid(node.text.strip()) or None
        node.tail = None
    return ET.canonicalize(ET.tostring(root, encoding="unicode"), strip_text=True)


def _tree(node: ET.Element) -> dict[str, Any]:
    """An element as nested data: attributes, text, and children by position."""
    data: dict[str, Any] = {"tag": node.tag, **node.attrib}
    text = _guid((node.text or "").strip())
    if text:
        data["text"] = text
    children = [_tree(child) for child in node]
    if children:
        data["children"] = children
    return data


def _readable(tree: dict[str, Any], steps: list[Any]) -> str:
    """`rule 'VIP' › condition › rhs` from deepdiff's list path through `_tree` data."""
    names: list[str] = []
    node: Any = tree
    for step in steps:
        node = node[step] if isinstance(node, dict | list) else None
        if step == "children":
            continue
        if isinstance(node, dict):
            names.append(node["tag"] + (f" '{node['name']}'" if "name" in node else ""))
        else:
            names.append(str(step))
    return " › ".join(names[1:] if len(names) > 1 else names) or "document"


def explain(before: str | None, after: str | None, limit: int = 12) -> tuple[str, ...]:
    """What differs between two documents, path by path (deepdiff over their element trees).

    A reviewer reads "rule 'VIP'.condition.rhs: 'Gold' → 'Platinum'" instead of two blobs of XML.
    """
    from deepdiff import DeepDiff  # slow to import; only plans with routing changes need it

    try:
        old = _tree(parse(before)) if before else {}
        new = _tree(parse(after)) if after else {}
    except ET.ParseError:
        return ()
    found = DeepDiff(old, new, view="tree")
    lines = []
    for kind, items in found.items():
        for item in items:
            tree = new if "added" in kind else old
            path = _readable(tree, item.path(output_format="list"))
            if kind == "values_changed":
                lines.append(f"{path}: {item.t1!r} → {item.t2!r}")
            else:
                lines.append(f"{path}: {kind.split('_')[-1]}")
    return tuple(sorted(lines)[:limit]) + (("…",) if len(lines) > limit else ())
