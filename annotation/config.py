"""The Label Studio labeling config, generated from the layer registry.

The XML is never kept by hand: every layer of :func:`newslayers.layers.layer_specs` gets a
``<Labels>`` control named after it (a layer registered in the registry alone appears in
the editor at once), a layer with links (a quote's speaker and cue) gets a second control
for the linked spans and one relation per link, and every other attribute of its span type
becomes a per-region field (a ``<Choices>`` when the registry gives it a closed set, a
``<TextArea>`` otherwise). Control names are also the ``from_name`` of every region the
converters read and write, so :func:`layer_controls` is the one place where the config and
the converters meet.
"""

from __future__ import annotations

import colorsys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

import msgspec

from newslayers.layers import LayerSpec, layer_specs

TEXT = "text"  # the Text object tag; tasks carry the page in data["text"]
# Control names of the built-in layers, for the tests and the converters' own readers.
ENTITIES, NUMERIC, QUOTES, BOILERPLATE = "entities", "numeric_claims", "quotes", "boilerplate"
ROLES = "quote_links"
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
_OFFSETS = ("start", "end")
# What annotators type into a free-text field; a field not listed here is shown by name.
_FIELD_HINTS = {
    VALUE: "Value (24, 4200000000, 0.6667; empty = null)",
    HIGH: "High end (ranges only)",
    UNIT: "Unit (count, percent, usd, km…; empty = null)",
}
# Layout, as CSS in the config's <Style>. The label palette stays at the top of the page
# view, the groups packed in rows: with a heading line above every group it filled a
# 1000-pixel window, and it scrolled away on long pages. A region's fields float at the
# bottom while it is selected: below the page they were a long scroll away. Both sit above
# the editor's relation arrows (z-index 100), which would otherwise be drawn across them.
_CSS = """
.nl-palette { position: sticky; top: 0; z-index: 150; background: #FFFFFF; border-bottom: 1px solid #DDDDDD;
  padding: 2px 0 4px; margin-bottom: 6px; line-height: 30px }
.nl-group { display: inline; margin-right: 14px }
.nl-group h4 { display: inline-block; margin: 0 6px 0 0 !important; font-size: 13px !important; color: #555555 }
.nl-group .lsf-labels { display: inline; margin: 0 !important; padding: 0 !important }
.nl-fields { position: sticky; bottom: 0; z-index: 150; background: #FFFDF2; border-top: 2px solid #C2B280;
  padding: 2px 10px 6px; display: flex; flex-wrap: wrap; column-gap: 16px }
.nl-fields h4 { margin: 4px 0 2px !important; font-size: 13px !important; color: #555555 }
.nl-field { flex: 1 1 170px; min-width: 150px }
.nl-choices { flex: 1 1 100% }
"""
PALETTE, GROUP, FIELDS, FIELD, CHOICES = "nl-palette", "nl-group", "nl-fields", "nl-field", "nl-choices"


@dataclass(frozen=True, slots=True)
class LabelGroup:
    """One ``<Labels>`` control: its name, a heading for annotators, and its values."""

    name: str
    heading: str
    values: tuple[str, ...]
    pastel: bool = False  # large blocks (boilerplate) get light colours that leave text readable


@dataclass(frozen=True, slots=True)
class FieldControl:
    """A per-region field: fills one attribute of the selected region's span."""

    name: str  # control name, and the from_name of its results
    field: str  # the span attribute it fills
    heading: str
    choices: tuple[str, ...] = ()  # a closed set: radio buttons; empty: free text


@dataclass(frozen=True, slots=True)
class LayerControls:
    """Everything the editor shows for one registered layer."""

    spec: LayerSpec
    labels: LabelGroup
    roles: LabelGroup | None  # one label per link (SPEAKER, CUE), when the layer has links
    fields: tuple[FieldControl, ...]

    @property
    def layer(self) -> str:
        return self.spec.name

    def role_label(self, link: str) -> str:
        return link.upper()

    def link_of(self, role_label: str) -> str | None:
        return next((link for link in self.spec.links if self.role_label(link) == role_label), None)


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _heading(spec: LayerSpec) -> str:
    """A short row heading: the layer's name (what it is and how to use it is in the instructions)."""
    return _title(spec.name)


def _roles_name(spec: LayerSpec) -> str:
    """``quotes`` -> ``quote_links``: the name existing projects already carry."""
    return f"{spec.name.removesuffix('s')}_links"


def _field_controls(spec: LayerSpec, taken: set[str]) -> tuple[FieldControl, ...]:
    """Every span attribute that is not an offset, the label or a link, in struct order."""
    skip = {*_OFFSETS, spec.label_field, *spec.links}
    closed = dict(spec.closed_fields)
    controls = []
    for field in msgspec.structs.fields(spec.span_type):
        if field.name in skip:
            continue
        name = field.name if field.name not in taken else f"{spec.name}_{field.name}"
        taken.add(name)
        heading = _title(field.name) if field.name in closed else _FIELD_HINTS.get(field.name, _title(field.name))
        controls.append(FieldControl(name, field.name, heading, tuple(closed.get(field.name, ()))))
    return tuple(controls)


def layer_controls() -> tuple[LayerControls, ...]:
    """The controls of every registered layer, in registry order (which fixes the hotkeys)."""
    out = []
    taken = {spec.name for spec in layer_specs()} | {TEXT}
    for spec in layer_specs():
        roles = None
        if spec.links:
            taken.add(_roles_name(spec))
            heading = " and ".join(spec.links).capitalize()
            roles = LabelGroup(_roles_name(spec), heading, tuple(link.upper() for link in spec.links))
        fields = _field_controls(spec, taken)
        labels = LabelGroup(spec.name, _heading(spec), spec.labels, pastel=not spec.marks_content)
        out.append(LayerControls(spec, labels, roles, fields))
    return tuple(out)


def label_groups() -> tuple[LabelGroup, ...]:
    """The span controls in the order the editor shows them."""
    groups: list[LabelGroup] = []
    for controls in layer_controls():
        groups.append(controls.labels)
        if controls.roles:
            groups.append(controls.roles)
    return tuple(groups)


def relation_labels() -> tuple[str, ...]:
    return tuple(link for controls in layer_controls() for link in controls.spec.links)


def pastel(index: int, count: int) -> str:
    """Evenly spaced light hues: boilerplate blocks are large and must not hide the text."""
    r, g, b = colorsys.hls_to_rgb(index / max(count, 1), 0.78, 0.55)
    return f"#{round(r * 255):02X}{round(g * 255):02X}{round(b * 255):02X}"


def assign_hotkeys(groups: Sequence[LabelGroup]) -> dict[str, str]:
    """One distinct key per label: digits for the first group, else the first letter when free.

    Labels beyond the pool of keys get none rather than a clash.
    """
    free = [k for k in _KEY_POOL if k not in _RESERVED_KEYS]
    keys: dict[str, str] = {}
    for index, group in enumerate(groups):
        for value in group.values:
            first = value[:1].lower()
            if index > 0 and first in free:
                key = first
            elif free:
                key = free[0]
            else:
                continue
            free.remove(key)
            keys[value] = key
    return keys


def label_colours(groups: Sequence[LabelGroup]) -> dict[str, str]:
    colours: dict[str, str] = {}
    strong = iter(_STRONG * (1 + sum(len(g.values) for g in groups) // len(_STRONG)))
    for group in groups:
        for i, value in enumerate(group.values):
            colours[value] = pastel(i, len(group.values)) if group.pastel else next(strong)
    return colours


def _labels(parent: ET.Element, group: LabelGroup, colours: dict[str, str], keys: dict[str, str]) -> None:
    row = ET.SubElement(parent, "View", className=GROUP)
    ET.SubElement(row, "Header", value=group.heading, size="6")
    labels = ET.SubElement(row, "Labels", name=group.name, toName=TEXT, showInline="true")
    for value in group.values:
        attrs = {"value": value, "background": colours[value]}
        if value in keys:
            attrs["hotkey"] = keys[value]
        ET.SubElement(labels, "Label", attrs)


def _fields(parent: ET.Element, controls: LayerControls) -> None:
    """The layer's per-region fields, shown while one of its regions is selected."""
    view = ET.SubElement(parent, "View", visibleWhen="region-selected", whenTagName=controls.layer, className=FIELDS)
    for field in sorted(controls.fields, key=lambda f: bool(f.choices)):  # text boxes in one row
        box = ET.SubElement(view, "View", className=CHOICES if field.choices else FIELD)
        ET.SubElement(box, "Header", value=field.heading, size="6")
        if field.choices:
            choices = ET.SubElement(
                box, "Choices", name=field.name, toName=TEXT, perRegion="true", choice="single-radio", layout="inline"
            )
            for choice in field.choices:
                ET.SubElement(choices, "Choice", value=choice)
        else:
            ET.SubElement(
                box, "TextArea", name=field.name, toName=TEXT, perRegion="true", maxSubmissions="1", editable="true"
            )


def build_config(groups: Sequence[LabelGroup] | None = None) -> str:
    """The labeling config XML; ``groups`` only for tests (defaults to the registry's)."""
    controls = layer_controls() if groups is None else ()
    groups = tuple(groups or label_groups())
    all_values = [v for g in groups for v in g.values]
    if len(set(all_values)) != len(all_values):
        raise ValueError("a label value appears in two groups; Label Studio needs them distinct")
    colours, keys = label_colours(groups), assign_hotkeys(groups)
    root = ET.Element("View")
    ET.SubElement(root, "Style").text = _CSS
    relations = ET.SubElement(root, "Relations")
    for relation in relation_labels():
        ET.SubElement(relations, "Relation", value=relation)
    palette = ET.SubElement(root, "View", className=PALETTE)
    for group in groups:
        _labels(palette, group, colours, keys)
    ET.SubElement(root, "Text", name=TEXT, value="$text", granularity="symbol")
    for layer in controls:
        if layer.fields:
            _fields(root, layer)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode") + "\n"


def labeling_config() -> str:
    """The config of the registry, as ``newslayers annotate config`` prints it."""
    return build_config()


def hotkeys() -> dict[str, str]:
    """label -> its key in the editor (the instructions list them)."""
    return assign_hotkeys(label_groups())


def config_signature(config: str) -> dict[str, tuple[str, ...]]:
    """What a config means for the converters: control name -> its tag and label values.

    Colours, hotkeys, headings and layout may differ (an admin may restyle a project); names
    and values may not, or pulled regions would be misread.
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
