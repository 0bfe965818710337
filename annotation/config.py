"""The Label Studio labeling config, generated from :mod:`newslayers.schema`.

The XML is never kept by hand: a label added to the schema appears in the editor at once.
Control names below are also the ``from_name`` of every region the converters read and
write, so they are the one place where the config and the converters meet.
"""

from __future__ import annotations

import colorsys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from newslayers.schema import BOILERPLATE_KINDS, ENTITY_LABELS, QUALIFIERS, QUOTE_KINDS

TEXT = "text"  # the Text object tag; tasks carry the page in data["text"]
ENTITIES = "entities"
NUMERIC = "numeric_claims"
QUOTES = "quotes"
ROLES = "quote_links"
BOILERPLATE = "boilerplate"
VALUE, HIGH, QUALIFIER, UNIT = "value", "high", "qualifier", "unit"
NUM_LABEL, SPEAKER, CUE = "NUM", "SPEAKER", "CUE"
RELATION_SPEAKER, RELATION_CUE = "speaker", "cue"

# Kelly's colours of maximum contrast (no white/black): content labels must be told apart.
_STRONG = (
    "#F3C300", "#875692", "#F38400", "#A1CAF1", "#BE0032", "#C2B280", "#848482", "#008856",
    "#E68FAC", "#0067A5", "#F99379", "#604E97", "#F6A600", "#B3446C", "#DCD300", "#882D17",
    "#8DB600", "#654522", "#E25822", "#2B3D26",
)  # fmt: skip
# Built-in editor keys stay free: h (hide), u (unselect), r (relation), backspace, arrows.
_RESERVED_KEYS = frozenset("hur")
_KEY_POOL = "1234567890abcdefgijklmnopqstvwxyz"


@dataclass(frozen=True, slots=True)
class LabelGroup:
    """One ``<Labels>`` control: its name, a heading for annotators, and its values."""

    name: str
    heading: str
    values: tuple[str, ...]


def label_groups() -> tuple[LabelGroup, ...]:
    """The span controls in the order the editor shows them."""
    return (
        LabelGroup(ENTITIES, "Entities", ENTITY_LABELS),
        LabelGroup(NUMERIC, "Numeric claim (then fill value, qualifier, unit below)", (NUM_LABEL,)),
        LabelGroup(QUOTES, "Quotes (link each to its speaker and cue with a relation)", QUOTE_KINDS),
        LabelGroup(ROLES, "Quote speaker and cue", (SPEAKER, CUE)),
        LabelGroup(BOILERPLATE, "Boilerplate (not article content)", BOILERPLATE_KINDS),
    )


def pastel(index: int, count: int) -> str:
    """Evenly spaced light hues: boilerplate blocks are large and must not hide the text."""
    r, g, b = colorsys.hls_to_rgb(index / max(count, 1), 0.78, 0.55)
    return f"#{round(r * 255):02X}{round(g * 255):02X}{round(b * 255):02X}"


def assign_hotkeys(groups: Sequence[LabelGroup]) -> dict[str, str]:
    """One distinct key per label: digits for entities, else the first letter when free.

    Labels beyond the pool of keys get none rather than a clash.
    """
    free = [k for k in _KEY_POOL if k not in _RESERVED_KEYS]
    keys: dict[str, str] = {}
    for group in groups:
        for value in group.values:
            first = value[:1].lower()
            if group.name != ENTITIES and first in free:
                key = first
            elif free:
                key = free[0]
            else:
                continue
            free.remove(key)
            keys[value] = key
    return keys


def _labels(parent: ET.Element, group: LabelGroup, colours: dict[str, str], keys: dict[str, str]) -> None:
    ET.SubElement(parent, "Header", value=group.heading, size="6")
    labels = ET.SubElement(parent, "Labels", name=group.name, toName=TEXT, showInline="true")
    for value in group.values:
        attrs = {"value": value, "background": colours[value]}
        if value in keys:
            attrs["hotkey"] = keys[value]
        ET.SubElement(labels, "Label", attrs)


def _colours(groups: Sequence[LabelGroup]) -> dict[str, str]:
    colours: dict[str, str] = {}
    strong = iter(_STRONG)
    for group in groups:
        for i, value in enumerate(group.values):
            colours[value] = pastel(i, len(group.values)) if group.name == BOILERPLATE else next(strong)
    return colours


def _numeric_fields(parent: ET.Element) -> None:
    """Per-region fields, shown while a numeric-claim region is selected."""
    view = ET.SubElement(parent, "View", visibleWhen="region-selected", whenTagName=NUMERIC)
    ET.SubElement(view, "Header", value="Value (plain number, e.g. 24, 4200000000, 0.6667; empty = null)", size="6")
    ET.SubElement(view, "TextArea", name=VALUE, toName=TEXT, perRegion="true", maxSubmissions="1", editable="true")
    ET.SubElement(view, "Header", value="High end (ranges only)", size="6")
    ET.SubElement(view, "TextArea", name=HIGH, toName=TEXT, perRegion="true", maxSubmissions="1", editable="true")
    ET.SubElement(view, "Header", value="Qualifier", size="6")
    choices = ET.SubElement(view, "Choices", name=QUALIFIER, toName=TEXT, perRegion="true", choice="single-radio")
    for qualifier in QUALIFIERS:
        ET.SubElement(choices, "Choice", value=qualifier)
    ET.SubElement(view, "Header", value="Unit (count, percent, usd, km, …; empty = null)", size="6")
    ET.SubElement(view, "TextArea", name=UNIT, toName=TEXT, perRegion="true", maxSubmissions="1", editable="true")


def build_config(groups: Sequence[LabelGroup] | None = None) -> str:
    """The labeling config XML; ``groups`` only for tests (defaults to the schema)."""
    groups = tuple(groups or label_groups())
    all_values = [v for g in groups for v in g.values]
    if len(set(all_values)) != len(all_values):
        raise ValueError("a label value appears in two groups; Label Studio needs them distinct")
    colours, keys = _colours(groups), assign_hotkeys(groups)
    root = ET.Element("View")
    relations = ET.SubElement(root, "Relations")
    for relation in (RELATION_SPEAKER, RELATION_CUE):
        ET.SubElement(relations, "Relation", value=relation)
    for group in groups:
        _labels(root, group, colours, keys)
    ET.SubElement(root, "Text", name=TEXT, value="$text", granularity="symbol")
    _numeric_fields(root)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode") + "\n"


def labeling_config() -> str:
    """The config of the schema, as ``newslayers annotate config`` prints it."""
    return build_config()


def config_signature(config: str) -> dict[str, tuple[str, ...]]:
    """What a config means for the converters: control name -> its tag and label values.

    Colours, hotkeys and headings may differ (an admin may restyle a project); names and
    values may not, or pulled regions would be misread.
    """
    try:
        root = ET.fromstring(config)
    except ET.ParseError as err:
        raise ValueError(f"not valid XML: {err}") from err
    signature: dict[str, tuple[str, ...]] = {}
    for element in root.iter():
        name = element.get("name")
        if name and element.tag not in ("Text", "HyperText"):
            values = tuple(child.get("value", "") for child in element if child.tag in ("Label", "Choice"))
            signature[name] = (element.tag, *sorted(values))
        elif name:
            signature[name] = (element.tag, element.get("value", ""))
    relations = sorted(r.get("value", "") for r in root.iter("Relation"))
    signature["(relations)"] = ("Relations", *relations)
    return signature


def config_differences(project_config: str, ours: str | None = None) -> list[str]:
    """Why a project's config cannot be read by these converters (empty list: it can)."""
    want = config_signature(ours or labeling_config())
    try:
        have = config_signature(project_config)
    except ValueError as err:
        return [str(err)]
    problems = []
    for name in sorted(set(want) | set(have)):
        if name not in have:
            problems.append(f"control {name!r} is missing")
        elif name not in want:
            problems.append(f"control {name!r} is not ours")
        elif want[name] != have[name]:
            missing = sorted(set(want[name][1:]) - set(have[name][1:]))
            extra = sorted(set(have[name][1:]) - set(want[name][1:]))
            detail = "; ".join(
                p
                for p in (
                    f"missing {', '.join(missing)}" if missing else "",
                    f"extra {', '.join(extra)}" if extra else "",
                )
                if p
            )
            problems.append(f"control {name!r} differs ({detail or 'tag ' + have[name][0]})")
    return problems
