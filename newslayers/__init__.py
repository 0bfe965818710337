"""newslayers: an annotated benchmark of scraped news pages in four layers."""

from newslayers.model import Boilerplate, Document, Entity, NumericClaim, Quote, Span

__version__ = "0.1.0"
DATASET_NAME = "newslayers"
DATASET_VERSION = "0.1.0"

__all__ = [
    "Boilerplate",
    "Document",
    "Entity",
    "NumericClaim",
    "Quote",
    "Span",
    "__version__",
]
