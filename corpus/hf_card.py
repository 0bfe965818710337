"""The dataset card (``README.md`` of the built folder), made with ``huggingface_hub``.

The YAML header is a :class:`~huggingface_hub.DatasetCardData`; its ``dataset_info`` comes
from ``datasets``' own :class:`~datasets.DatasetInfosDict` (the way ``push_to_hub`` writes
it), and the prose is the Jinja template ``hf_card_template.md`` rendered by
:meth:`~huggingface_hub.DatasetCard.from_template`. Every figure and table is generated from
the build (tables are pandas DataFrames) and every per-layer part from the layer registry,
so the card cannot drift from the data it describes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from datasets import DatasetInfo, SplitDict, SplitInfo
from datasets.info import DatasetInfosDict
from huggingface_hub import DatasetCard, DatasetCardData
from newslayers.corpus.hf_features import CONFIGS, features, line_kinds, parquet_path
from newslayers.corpus.hf_fields import LABEL, span_attributes
from newslayers.corpus.realpages import BENCHMARK_COMMIT, BENCHMARK_REPO
from newslayers.corpus.stats import agreement_table, breakdown_table, corpus_table, real_agreement, table_text

from newslayers import DATASET_VERSION
from newslayers.layers import content_layers, layer_names, layer_specs
from newslayers.schema import REAL_SPLITS, SYNTHETIC_SPLITS

TEMPLATE_PATH = Path(__file__).with_name("hf_card_template.md")
REPO_URL = "https://github.com/newslayers/newslayers"
_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")

CARD_EXAMPLE = """\
from datasets import load_dataset

# a local build (`newslayers build`), or the Hub repository id
pages = load_dataset("dist/newslayers", "documents", split="train")
label = pages.features["entities"].feature["label"]
page = pages[0]
for entity in page["entities"][:5]:
    print(page["text"][entity["start"] : entity["end"]], label.int2str(entity["label"]))

tokens = load_dataset("dist/newslayers", "tokens", split="validation")
ner_names = tokens.features["ner_tags"].feature.names
print(tokens[0]["tokens"][:8], [ner_names[t] for t in tokens[0]["ner_tags"][:8]])

lines = load_dataset("dist/newslayers", "lines", split="test")
print(sum(lines["is_boilerplate"]) / len(lines), "of test lines are boilerplate")

# back to the JSONL contract, with the newslayers package installed
from newslayers.corpus.hf import documents_from_rows
docs = documents_from_rows(pages)
"""


@dataclass(frozen=True)
class BuildFacts:
    """What the build measured while the rows streamed past: all the card needs."""

    splits: tuple[str, ...]
    content_hash: str
    split_hashes: dict[str, str]
    stats: dict[str, Any]
    rows: dict[str, dict[str, int]]  # config -> split -> rows
    nbytes: dict[str, dict[str, int]]  # config -> split -> Arrow bytes
    download: dict[str, int]  # config -> Parquet bytes on disk
    unaligned: dict[str, int]  # layer -> spans that start or end inside a token

    @property
    def documents(self) -> int:
        return sum(self.rows["documents"].values())

    @property
    def languages(self) -> list[str]:
        """The ISO 639-1 codes of the build's pages (pages of unknown language left out)."""
        return sorted(set(self.stats.get("all", {}).get("languages", {})) - {"unknown"})

    @property
    def real(self) -> bool:
        return any(split in REAL_SPLITS for split in self.splits)


def _words(n: int) -> str:
    return _NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else str(n)


def _code_list(names: Any) -> str:
    return ", ".join(f"`{name}`" for name in names)


def _size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < limit:
            return name
    return "1M<n<10M"


# ----------------------------------------------------------------------------- YAML header


def _dataset_infos(facts: BuildFacts) -> DatasetInfosDict:
    infos = DatasetInfosDict()
    for config in CONFIGS:
        splits = SplitDict()
        for split in facts.splits:
            splits.add(SplitInfo(split, facts.nbytes[config][split], facts.rows[config][split]))
        infos[config] = DatasetInfo(
            features=features(config),
            splits=splits,
            download_size=facts.download[config],
            dataset_size=sum(facts.nbytes[config].values()),
            config_name=config,
        )
    return infos


def card_data(facts: BuildFacts) -> DatasetCardData:
    """The YAML header: what the Hub shows and what ``load_dataset`` reads."""
    configs = [
        {"config_name": config, "data_files": [{"split": s, "path": parquet_path(config, s)} for s in facts.splits]}
        | ({"default": True} if config == "documents" else {})
        for config in CONFIGS
    ]
    licence: dict[str, Any] = {"license": "cc-by-4.0"}
    if facts.real:  # the real splits carry publishers' text: not CC BY 4.0
        licence = {"license": "other", "license_name": "cc-by-4.0-and-publishers-pages"}
    data = DatasetCardData(
        pretty_name=f"newslayers: scraped news pages annotated in {_words(len(tuple(layer_specs())))} layers",
        language=facts.languages or ["en"],
        multilinguality=["multilingual" if len(facts.languages) > 1 else "monolingual"],
        size_categories=[_size_category(facts.documents)],
        source_datasets=["original"],
        annotations_creators=["expert-generated"],
        language_creators=["expert-generated", *(["found"] if facts.real else [])],
        task_categories=["token-classification", "text-classification"],
        task_ids=["named-entity-recognition"],
        tags=["news", "boilerplate-removal", "web-scraping", "quotation-attribution", "numeric-claims", "synthetic"],
        configs=configs,
        **licence,
    )
    _dataset_infos(facts).to_dataset_card_data(data)
    return data


# ----------------------------------------------------------------------------- prose parts


def _layer_list() -> str:
    items = []
    for spec in layer_specs():
        labels = f" ({_code_list(spec.labels)})" if spec.label_field else ""
        items.append(f"- `{spec.name}`: {spec.description}{labels}")
    return "\n".join(items)


def _configs_table() -> str:
    rows = {
        "`documents` (default)": ("page", features("documents")),
        "`tokens`": ("page", features("tokens")),
        "`lines`": ("non-blank text line", features("lines")),
    }
    frame = pd.DataFrame(
        [[per, _code_list(columns)] for per, columns in rows.values()],
        index=pd.Index(list(rows), name="config"),
        columns=["one row per", "columns"],
    )
    return table_text(frame)


def _tag_list() -> str:
    items = []
    for spec in layer_specs():
        tags = spec.bio_tags()
        shown = _code_list(tags[1:3]) + (", …" if len(tags) > 3 else "")
        items.append(f"  - `{spec.tag_column}`: `{spec.name}`, {len(tags)} tags (`O`, {shown})")
    return "\n".join(items)


def _unaligned_text(facts: BuildFacts) -> str:
    totals = {spec.name: facts.stats.get("all", {}).get(spec.name, {}).get("spans", 0) for spec in layer_specs()}
    parts = [f"{facts.unaligned.get(name, 0):,} of {total:,} `{name}` spans" for name, total in totals.items()]
    return "in this build " + ", ".join(parts) + " are not token-aligned"


def _layouts_text(stats: dict[str, Any]) -> str:
    def layouts(split: str) -> set[str]:
        return set(stats.get(split, {}).get("layouts", []))

    test = layouts("test")
    rest = layouts("train") | layouts("validation")
    disjoint = "disjoint from" if not test & rest else "NOT disjoint from"
    return (
        f"{len(test | rest)} page layouts in all. Test pages use {len(test)} layouts "
        f"({_code_list(sorted(test))}), {disjoint} the {len(rest)} layouts of train and validation, "
        "so the test split measures generalisation to unseen site templates."
    )


def _agreement_text(agreement: dict[str, Any] | None, what: str) -> str:
    """The agreement table of one track, with attribute, character and adjudication figures."""
    if not agreement:
        return f"Agreement on {what}: **pending** (not yet measured for this version)."
    text = f"Agreement on {what}, {agreement.get('documents', '?')} documents, before adjudication:\n\n"
    text += table_text(agreement_table(agreement))
    accuracies = [
        f"{layer} {key.removesuffix('_accuracy')} {value:.3f}"
        for layer in layer_names()
        for key, value in sorted((agreement.get(layer) or {}).items())
        if key.endswith("_accuracy") and isinstance(value, int | float)
    ]
    if accuracies:
        text += f"\n\nAttribute agreement on matched spans: {', '.join(accuracies)}."
    for layer in layer_names():
        entry = agreement.get(layer) or {}
        if isinstance(entry.get("char"), dict) and isinstance(entry.get("kappa"), int | float):
            text += (
                f"\n\n`{layer}` by character: F1 {entry['char']['f1']:.3f}; Cohen's kappa {entry['kappa']:.3f}"
                + (f" (by kind {entry['kappa_kind']:.3f})" if isinstance(entry.get("kappa_kind"), int | float) else "")
                + "."
            )
    decisions = agreement.get("adjudication_decisions") or agreement.get("decisions") or {}
    if decisions:
        listed = ", ".join(f"{k}: {v}" for k, v in decisions.items())
        text += f"\n\nAdjudication decisions, by outcome (the version kept): {listed}."
    return text


def _split_table(facts: BuildFacts) -> str:
    columns = [*facts.splits, "all"]
    frame = corpus_table(facts.stats, columns)
    for config in ("tokens", "lines"):
        counts = [facts.rows[config][s] for s in facts.splits]
        frame.loc[f"{config} rows"] = [*counts, sum(counts)]
    return table_text(frame)


def _breakdown_tables(facts: BuildFacts) -> str:
    """One table per closed set of every layer (labels, qualifiers, kinds), zeros included."""
    columns = [*facts.splits, "all"]
    parts = []
    for spec in layer_specs():
        for attribute in span_attributes(spec):
            if attribute.kind == LABEL:
                frame = breakdown_table(facts.stats, spec.name, f"{attribute.name}s", attribute.names, columns)
                parts.append(f"### `{spec.name}` by {attribute.name}\n\n{table_text(frame)}")
    return "\n\n".join(parts)


def _missing_kinds(stats: dict[str, Any]) -> str:
    """A limitation line per closed label set that the test split does not fully cover.

    Each line starts with a line break, so that nothing at all is left when every value occurs.
    """
    test = stats.get("test", {})
    lines = [""]
    for spec in layer_specs():
        if spec.label_field is None:
            continue
        seen = test.get(spec.name, {}).get(f"{spec.label_field}s", {})
        missing = [label for label in spec.labels if not seen.get(label)]
        if missing and test:
            lines.append(
                f"- The test split has no {_code_list(missing)} spans in `{spec.name}`, so its per-{spec.label_field} "
                f"scores on test cover {len(spec.labels) - len(missing)} of the {len(spec.labels)} values."
            )
    return "\n".join(lines) if len(lines) > 1 else ""


def _languages_text(facts: BuildFacts) -> str:
    """Pages per language in each split of the build, most pages first."""
    parts = []
    for split in facts.splits:
        counts = facts.stats.get(split, {}).get("languages", {})
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        parts.append(f"`{split}` " + ", ".join(f"{code} {n:,}" for code, n in ranked))
    return "; ".join(parts)


def _language_agreement_text(real: dict[str, Any] | None) -> str:
    measured = (real or {}).get("language")
    if not measured:
        return "agreement not yet measured"
    return f"{measured['agreed']} of {measured['documents']} pages agreed (κ {measured['kappa']})"


def _template_values(facts: BuildFacts) -> dict[str, Any]:
    stats = facts.stats
    real = real_agreement()
    topics = stats.get("all", {}).get("topics", {})
    return {
        "version": DATASET_VERSION,
        "repo_url": REPO_URL,
        "layer_count": _words(len(tuple(layer_specs()))),
        "layer_list": _layer_list(),
        "content_layers": _code_list(content_layers()),
        "content_hash": facts.content_hash,
        "split_hash_list": "\n".join(f"- content hash of `{s}`: `{facts.split_hashes[s]}`" for s in facts.splits),
        "synthetic_splits": _code_list(SYNTHETIC_SPLITS),
        "real_splits": _code_list(REAL_SPLITS),
        "real": facts.real,
        "benchmark_repo": BENCHMARK_REPO,
        "benchmark_commit": BENCHMARK_COMMIT,
        "configs_table": _configs_table(),
        "tag_list": _tag_list(),
        "unaligned": _unaligned_text(facts),
        "line_kinds": _code_list(line_kinds(tuple(layer_specs()))),
        "topic_count": len(topics),
        "topics": _code_list(topics),
        "layouts": _layouts_text(stats),
        "agreement": _agreement_text(stats.get("agreement"), "the synthetic pages"),
        "real_agreement": _agreement_text(real, "the real pages"),
        "real_pages": f"{real['documents']} real news pages" if real and real.get("documents") else "Real news pages",
        "split_table": _split_table(facts),
        "breakdown_tables": _breakdown_tables(facts),
        "example": CARD_EXAMPLE,
        "missing_kinds": _missing_kinds(stats),
        "languages": _languages_text(facts),
        "language_agreement": _language_agreement_text(real),
    }


def render_card(facts: BuildFacts) -> str:
    """The whole ``README.md``: YAML header and prose, ending in one newline."""
    card = DatasetCard.from_template(card_data(facts), template_path=str(TEMPLATE_PATH), **_template_values(facts))
    return str(card).rstrip("\n") + "\n"
