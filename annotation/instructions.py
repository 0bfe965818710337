"""The project instructions Label Studio shows before and during labeling.

Generated from ``annotation/GUIDELINES.md`` so that the tool and the guidelines never
disagree: for every registered layer, the opening of its section (what the layer is and its
labels or attributes), its labels with their hotkeys, and its worked examples with the
bracket markup drawn as marked text with the label above it. Label Studio shows the HTML in
a modal that drops style attributes and list markers, so the markup is plain. A layer without a section of its
own gets its registry description and labels. The editor notes say how a person makes each
kind of region with this config.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from importlib import resources

from markdown_it import MarkdownIt
from newslayers.annotation.config import LayerControls, hotkeys, layer_controls

GUIDELINES = "GUIDELINES.md"
SUMMARY_BLOCKS = 2  # blocks (a paragraph with its list or table) kept from a section's opening
_HEADING = re.compile(r"^## +(?:\d+[a-z]?\. +)?(.+?)\s*$", re.MULTILINE)
_VERSION = re.compile(r"^# .*?\((v[\d.]+)\)", re.MULTILINE)
_EXAMPLES = re.compile(r"^(?:- )?Worked examples:?(.*)$", re.MULTILINE)
_NUMBERED = re.compile(r"^\d+\. ")
_MARKUP = re.compile(r"\[([^\[\]]+)\](\{[^}]*\}|[A-Za-z_]+)")
_CODE = re.compile(r"<code>(.*?)</code>", re.DOTALL)
_MARKDOWN = MarkdownIt("commonmark").enable("table")

EDITOR_NOTES = (
    "Press a label's key (or click the label), then select the text with the mouse: the region is made "
    "when you let go. A key pressed while a region is selected adds that label to the region, so press "
    "<b>Esc</b> or <b>u</b> to unselect first.",
    "Fields (numeric value, qualifier, unit): click the region; its fields appear at the bottom of the page "
    "view. Type a value and press <b>Enter</b>.",
    "Speaker and cue: mark them with their own labels, then select the quote, press <b>Alt+R</b> and click the "
    "speaker (again for the cue). The relation's label (speaker, cue) may be set in the Relations panel.",
    "To fix a boundary, select the region, press <b>Backspace</b> to delete it and select the text again "
    "(the resize handles of text regions do not show in Chromium).",
    "Pre-annotations from a system are already in your annotation: keep what is right, fix or delete the "
    "rest, then <b>Submit</b> (Ctrl+Enter).",
)


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    body: str


def guidelines_text() -> str:
    """The guidelines shipped with the package (the same file as ``annotation/GUIDELINES.md``)."""
    return resources.files("newslayers.annotation").joinpath(GUIDELINES).read_text(encoding="utf-8")


def sections(markdown: str) -> list[Section]:
    """The ``##`` sections, each up to the next heading or horizontal rule."""
    found = list(_HEADING.finditer(markdown))
    out = []
    for i, match in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(markdown)
        body = markdown[match.end() : end].split("\n---", 1)[0]
        out.append(Section(match.group(1), body.strip("\n")))
    return out


def section_of(layer: str, all_sections: list[Section]) -> Section | None:
    """The first section whose title names the layer (``numeric_claims`` -> "Numeric claims")."""
    words = layer.replace("_", " ").lower()
    return next((s for s in all_sections if words in s.title.lower()), None)


def _blocks(body: str) -> list[str]:
    """Paragraphs, each with the list or table that follows it, in order."""
    blocks: list[str] = []
    for chunk in re.split(r"\n\s*\n", body):
        chunk = chunk.strip("\n")
        if not chunk:
            continue
        attached = chunk.lstrip().startswith(("-", "|")) or _NUMBERED.match(chunk.lstrip())
        if blocks and attached and blocks[-1].rstrip().endswith(":"):
            blocks[-1] += "\n\n" + chunk
        else:
            blocks.append(chunk)
    return blocks


def summary(section: Section, links: tuple[str, ...] = (), count: int = SUMMARY_BLOCKS) -> str:
    """The opening blocks of a section and the block that defines its links, without examples."""
    blocks = [b for b in _blocks(section.body) if not _EXAMPLES.match(b.lstrip())]
    kept = [b for i, b in enumerate(blocks) if i < count or any(link in b.splitlines()[0].lower() for link in links)]
    return "\n\n".join(kept)


def worked_examples(section: Section) -> list[str]:
    """The section's worked examples, one markdown string each."""
    match = _EXAMPLES.search(section.body)
    if match is None:
        return []
    inline = match.group(1).strip()
    if inline:  # "- Worked examples: (1) … (2) …" on one bullet
        lines = re.sub(r"\n\s+", " ", section.body[match.start(1) :].split("\n- ", 1)[0]).strip()
        return [p.strip().rstrip(";.") for p in re.split(r"\(\d+\)", lines) if p.strip()]
    rest = section.body[match.end() :].lstrip("\n").split("\n\n", 1)[0]
    return [_NUMBERED.sub("", line).strip() for line in rest.splitlines() if _NUMBERED.match(line)]


def _draw_markup(fragment: str) -> str:
    """``[Kyiv]GPE`` inside code becomes a marked region with its label, as the editor shows it."""

    def code(match: re.Match[str]) -> str:
        inner = match.group(1)
        if not _MARKUP.search(inner):
            return match.group(0)
        return _MARKUP.sub(r"<mark>\1</mark><sup>\2</sup>", inner)

    return _CODE.sub(code, fragment)


def _bullets(fragment: str) -> str:
    """Label Studio's modal drops list markers (and every style attribute): write them out."""
    return fragment.replace("<li>", "<li>• ")


def _label_keys(controls: LayerControls, keys: dict[str, str]) -> str:
    groups = [controls.labels, *([controls.roles] if controls.roles else [])]
    chips = [
        f"{html.escape(v)}" + (f" <kbd>{html.escape(keys[v])}</kbd>" if v in keys else "")
        for group in groups
        for v in group.values
    ]
    return f"<p><b>Labels and keys:</b> {' · '.join(chips)}</p>"


def _layer_html(controls: LayerControls, found: Section | None, keys: dict[str, str]) -> str:
    title = controls.layer.replace("_", " ").capitalize()
    parts = [f"<h3>{html.escape(title)}</h3>", _label_keys(controls, keys)]
    if found is None:
        parts.append(f"<p>{html.escape(controls.spec.description)}.</p>")
        return "\n".join(parts)
    parts.append(_bullets(_draw_markup(_MARKDOWN.render(summary(found, controls.spec.links)))))
    examples = worked_examples(found)
    if examples:
        parts.append("<p><b>Worked examples</b></p>")
        parts.extend(f"<p>{i}. {_draw_markup(_MARKDOWN.renderInline(e))}</p>" for i, e in enumerate(examples, 1))
    return "\n".join(parts)


def instructions(markdown: str | None = None) -> str:
    """The HTML of the project's instructions (Label Studio's ``expert_instruction``)."""
    markdown = guidelines_text() if markdown is None else markdown
    version = _VERSION.search(markdown)
    keys = hotkeys()
    all_sections = sections(markdown)
    head = [
        f"<h2>newslayers guidelines{' ' + version.group(1) if version else ''}: the short version</h2>",
        "<p>Entities, numeric claims and quotes are annotated in article content only; boilerplate marks "
        "everything else. The full rules and every decision are in <code>annotation/GUIDELINES.md</code>.</p>",
        "<h3>In this editor</h3>",
        *(f"<p>• {note}</p>" for note in EDITOR_NOTES),
    ]
    layers = [_layer_html(c, section_of(c.layer, all_sections), keys) for c in layer_controls()]
    return "\n".join([*head, *layers]) + "\n"
