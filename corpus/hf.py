"""The Hugging Face dataset: the public names, from the four modules that make it.

* :mod:`newslayers.corpus.hf_features` — the ``documents``, ``tokens`` and ``lines``
  features and their row codecs, generated from the layer registry;
* :mod:`newslayers.corpus.hf_build` — ``newslayers build``: Parquet, the manifest
  (provenance and ownership), staleness (``build_if_stale``);
* :mod:`newslayers.corpus.hf_card` — the dataset card (``DatasetCard``/``DatasetCardData``);
* :mod:`newslayers.corpus.hf_publish` — ``newslayers publish``: checks, then the upload.

The README documents this module (``from newslayers.corpus.hf import documents_from_rows``),
so it stays the stable entry point while the parts behind it move.
"""

from __future__ import annotations

from newslayers.corpus.hf_build import (
    BUILD_FILE,
    build_dataset,
    build_if_stale,
    build_splits,
    default_out,
    folder_files,
    is_stale,
    read_provenance,
    stale_reason,
)
from newslayers.corpus.hf_features import (
    CONFIGS,
    document_from_row,
    document_row,
    documents_from_rows,
    features,
    line_rows,
    parquet_path,
    token_row,
)
from newslayers.corpus.hf_publish import folder_problems, read_built_documents

__all__ = [
    "BUILD_FILE",
    "CONFIGS",
    "build_dataset",
    "build_if_stale",
    "build_splits",
    "default_out",
    "document_from_row",
    "document_row",
    "documents_from_rows",
    "features",
    "folder_files",
    "folder_problems",
    "is_stale",
    "line_rows",
    "parquet_path",
    "read_built_documents",
    "read_provenance",
    "stale_reason",
    "token_row",
]
