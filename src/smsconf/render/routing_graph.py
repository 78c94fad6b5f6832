"""The plan's routing pictures (`routing.graph`) drawn twice: Mermaid for the pull-request
comment (GitHub renders a ```mermaid block), inline SVG for the HTML report.

Both draw the same model, each part coloured and marked by what the change does to it (`+`
added, `−` removed, `~` altered; removed edges dashed, added ones bold), so colour is never the
only sign. Every name goes through `escape.mermaid_text` or `escape.html_text`; ids are the
model's generated ones. The SVG is laid out here in layers (the model's columns), needs no
script, font or network, and its colours are presentation attributes, within the report's
Content-Security-Policy.
"""

from __future__ import annotations

from dataclasses import dataclass

from smsconf.render.escape import html_text, md_fence, md_html, mermaid_text
from smsconf.routing.graph import Edge, Graph, Node, State

MARK = {"added": "+ ", "removed": "− ", "altered": "~ ", "same": ""}
FILL = {
    "added": ("#dafbe1", "#1a7f37", "#0a3622"),
    "removed": ("#ffebe9", "#cf222e", "#5c0011"),
    "altered": ("#fff8c5", "#9a6700", "#3b2300"),
    "same": ("#f6f8fa", "#8c959f", "#24292f"),
}
"""(fill, stroke, text) per state: GitHub's diff colours."""
ARROW = {"added": "==>", "removed": "-.->", "altered": "-->", "same": "-->"}
LEGEND = "+ added · − removed · ~ altered; bold edges are added, dashed ones removed"


def caption(graph: Graph) -> str:
    counts = graph.counts()
    said = ", ".join(f"{n} rule(s) {state}" for state, n in counts.items() if n)
    return f"routing of workstream '{graph.workstream}' ({graph.state}" + (
        f": {said})" if said else ")"
    )


def _text(node: Node) -> str:
    return MARK[node.state] + node.label


# --- Mermaid ----------------------------------------------------------------------------------


def mermaid(graph: Graph) -> list[str]:
    """The flowchart's lines (`flowchart LR` first), every label escaped for Mermaid."""
    lines = ["flowchart LR"]
    grouped = {g.id: [n for n in graph.nodes if n.group == g.id] for g in graph.groups}
    for node in graph.nodes:
        if not node.group:
            lines.append(f"  {node.id}{_shape(node)}")
    for group in graph.groups:
        lines.append(f'  subgraph {group.id}["{mermaid_text(MARK[group.state] + group.label)}"]')
        lines.append("    direction TB")  # a ruleset's rules one above the other, in order
        lines += [f"    {node.id}{_shape(node)}" for node in grouped[group.id]]
        lines.append("  end")
    for edge in graph.edges:
        label = f'|"{mermaid_text(edge.label)}"|' if edge.label else ""
        lines.append(f"  {edge.source} {ARROW[edge.state]}{label} {edge.target}")
    for state, (fill, stroke, color) in FILL.items():
        dash = ",stroke-dasharray:5 3" if state == "removed" else ""
        lines.append(f"  classDef {state} fill:{fill},stroke:{stroke},color:{color}{dash}")
    for state in FILL:
        ids = [n.id for n in graph.nodes if n.state == state]
        ids += [g.id for g in graph.groups if g.state == state]
        if ids:
            lines.append(f"  class {','.join(ids)} {state}")
    return lines


def _shape(node: Node) -> str:
    text = "<br>".join(mermaid_text(t) for t in (_text(node), *node.detail))
    if node.kind == "queue":
        return f'[("{text}")]'  # a cylinder: a queue holds work
    if node.kind == "number":
        return f'(["{text}"])'
    return f'["{text}"]'


def markdown_section(graph: Graph) -> str:
    """A folded section of the comment: the caption, the flowchart, what it leaves out."""
    notes = [f"<br>{md_html(n)}" for n in graph.notes]
    return "\n".join(
        [
            f"<details open><summary><b>{md_html(caption(graph))}</b></summary>",
            "",
            *md_fence(mermaid(graph), "mermaid"),
            "",
            f"<sub>{md_html(LEGEND)}{''.join(notes)}</sub>",
            "",
            "</details>",
            "",
        ]
    )


def markdown_pictures(graphs: tuple[Graph, ...], limit: int) -> list[str]:
    """The pictures that fit in `limit` characters, in order, then a count of the rest: the
    changes themselves always have the larger part of the comment."""
    kept: list[str] = []
    size = 0
    for i, graph in enumerate(graphs):
        section = markdown_section(graph)
        if size + len(section) + 1 > limit:
            left = len(graphs) - i
            return [*kept, f"_{left} routing picture(s) not shown: see the HTML report._", ""]
        kept.append(section)
        size += len(section) + 1
    return kept


# --- SVG --------------------------------------------------------------------------------------

CHAR = 7.6  # px per character of bold 12px sans-serif, near enough to size boxes without a font
SMALL = 6.4  # px per character of an 11px detail line
LINE = 15
PAD = 8
GAP_X = 84  # room for an edge's label between two columns
QUEUE_GAP = 150
"""Before the queues: the edges of every rule meet there, with their shares and "no match"."""
GAP_Y = 10
TITLE = 22
MAX_CHARS = 36
LABEL_AT = 0.7
"""Where along an edge its label sits: near the queue, so a split's shares read apart."""
FIRST_LINE = 'font-weight="600"'
DETAIL_LINE = 'font-size="11"'


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def left(self) -> tuple[float, float]:
        return self.x, self.y + self.h / 2

    @property
    def right(self) -> tuple[float, float]:
        return self.x + self.w, self.y + self.h / 2


def _lines(node: Node) -> list[str]:
    return [_clip(t) for t in (_text(node), *node.detail)]


def _clip(text: str) -> str:
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"


def _size(node: Node) -> tuple[float, float]:
    first, *details = _lines(node)
    width = max([len(first) * CHAR] + [len(t) * SMALL for t in details])
    return width + 2 * PAD, (1 + len(details)) * LINE + PAD


def layout(graph: Graph) -> tuple[dict[str, Box], float, float]:
    """Boxes of nodes and groups, column by column (the model's layers), each column centred
    on the tallest; returns them with the drawing's width and height."""
    layers = sorted({n.layer for n in graph.nodes} | {g.layer for g in graph.groups})
    groups_at = {g.layer: g for g in graph.groups}
    columns: list[tuple[float, float, list[tuple[Node, float, float]]]] = []
    for layer in layers:
        nodes = [n for n in graph.nodes if n.layer == layer]
        sizes = [(n, *_size(n)) for n in nodes]
        width = max([w for _, w, _ in sizes] + [0])
        group = groups_at.get(layer)
        if group is not None:
            width = max(width, len(_clip(MARK[group.state] + group.label)) * CHAR + 2 * PAD)
        height = sum(h for _, _, h in sizes) + GAP_Y * max(0, len(sizes) - 1)
        height += TITLE + 2 * PAD if group is not None else 0
        columns.append((width + (2 * PAD if group is not None else 0), height, sizes))
    total_h = max(h for _, h, _ in columns) + 2 * PAD
    boxes: dict[str, Box] = {}
    x = PAD
    gaps = [GAP_X] * (len(layers) - 2) + [QUEUE_GAP, 0][-len(layers) :]
    for layer, (width, height, sizes), gap in zip(layers, columns, gaps, strict=True):
        y = (total_h - height) / 2
        group = groups_at.get(layer)
        inner_x = x
        if group is not None:
            boxes[group.id] = Box(x, y, width, height)
            y += TITLE + PAD
            inner_x = x + PAD
        for node, _, h in sizes:
            boxes[node.id] = Box(inner_x, y, width - (2 * PAD if group is not None else 0), h)
            y += h + GAP_Y
        x += width + gap
    return boxes, x + PAD, total_h


def svg(graph: Graph, uid: str) -> str:
    """The picture as one `<svg>` element; `uid` keeps its marker ids unique on the page."""
    boxes, width, height = layout(graph)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="routing" width="100%" '
        f'style="max-width: {width:.0f}px" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="{html_text(caption(graph))}" font-family="system-ui, sans-serif" '
        'font-size="12">',
        "<defs>",
        *(
            f'<marker id="{uid}-{s}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{FILL[s][1]}"/>'
            "</marker>"
            for s in FILL
        ),
        "</defs>",
    ]
    for group in graph.groups:
        box = boxes[group.id]
        parts.append(_rect(box, group.state, opacity=0.45))
        parts.append(
            f'<text x="{box.x + PAD:.0f}" y="{box.y + TITLE - 4:.0f}" font-weight="600" '
            f'fill="{FILL[group.state][2]}">{html_text(_clip(MARK[group.state] + group.label))}'
            "</text>"
        )
    for edge in graph.edges:
        parts.append(_edge(edge, boxes, uid))
    for node in graph.nodes:
        parts.append(_node(node, boxes[node.id]))
    parts.append("</svg>")
    return "".join(parts)


def _rect(box: Box, state: State, *, opacity: float = 1.0, rounded: int = 6) -> str:
    fill, stroke, _ = FILL[state]
    dash = ' stroke-dasharray="5 3"' if state == "removed" else ""
    return (
        f'<rect x="{box.x:.0f}" y="{box.y:.0f}" width="{box.w:.0f}" height="{box.h:.0f}" '
        f'rx="{rounded}" fill="{fill}" fill-opacity="{opacity}" stroke="{stroke}"{dash}/>'
    )


def _node(node: Node, box: Box) -> str:
    rounded = 14 if node.kind in ("number", "queue") else 4
    lines = _lines(node)
    texts = "".join(
        f'<text x="{box.x + PAD:.0f}" y="{box.y + PAD / 2 + LINE * (i + 1) - 3:.0f}" '
        f"{FIRST_LINE if i == 0 else DETAIL_LINE} "
        f'fill="{FILL[node.state][2]}">{html_text(t)}</text>'
        for i, t in enumerate(lines)
    )
    full = html_text(" — ".join((node.label, *node.detail)))
    return f"<g><title>{full}</title>{_rect(box, node.state, rounded=rounded)}{texts}</g>"


def _along(t: float, x1: float, y1: float, x2: float, y2: float) -> tuple[float, float]:
    """The point at `t` of the edge's curve (its control points share the ends' heights)."""
    u = 1 - t
    x = u**3 * x1 + 3 * u * u * t * (x1 + (x2 - x1) / 2) + 3 * u * t * t * (x2 - (x2 - x1) / 2)
    return x + t**3 * x2, (u**3 + 3 * u * u * t) * y1 + (3 * u * t * t + t**3) * y2


def _edge(edge: Edge, boxes: dict[str, Box], uid: str) -> str:
    (x1, y1), (x2, y2) = boxes[edge.source].right, boxes[edge.target].left
    bend = (x2 - x1) / 2
    stroke = FILL[edge.state][1] if edge.state != "same" else "#8c959f"
    width = 2.5 if edge.state == "added" else 1.3
    dash = ' stroke-dasharray="5 3"' if edge.state == "removed" else ""
    path = (
        f'<path d="M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} {x2 - bend:.0f},{y2:.0f} '
        f'{x2:.0f},{y2:.0f}" fill="none" stroke="{stroke}" stroke-width="{width}"{dash} '
        f'marker-end="url(#{uid}-{edge.state})"/>'
    )
    if not edge.label:
        return path
    mx, my = _along(LABEL_AT, x1, y1, x2, y2)
    return (
        f'{path}<text x="{mx:.0f}" y="{my - 4:.0f}" text-anchor="middle" font-size="11" '
        f'fill="{FILL[edge.state][2]}" paint-order="stroke" stroke="#fff" stroke-width="3">'
        f"{html_text(edge.label)}</text>"
    )


def html_section(graphs: tuple[Graph, ...]) -> str:
    """The report's routing section: each picture with its caption and what it leaves out."""
    if not graphs:
        return ""
    figures = "".join(
        f'<figure id="routing-{i}"><figcaption>{html_text(caption(g))}</figcaption>'
        f'<div style="overflow-x: auto">{svg(g, f"rg{i}")}</div>'
        + "".join(f'<p class="muted">{html_text(n)}</p>' for n in g.notes)
        + "</figure>"
        for i, g in enumerate(graphs)
    )
    return (
        f'<section id="routing"><h2>Routing</h2><p class="muted">{html_text(LEGEND)}</p>'
        f"{figures}</section>"
    )
