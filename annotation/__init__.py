"""Annotation in Label Studio: labeling config, push/pull, agreement and adjudication.

The public entry points for other rooms are :func:`agreement` (two annotations of the
same documents -> agreement per layer) and :func:`labeling_config`.
"""

from newslayers.annotation.config import labeling_config
from newslayers.annotation.interannotator import agreement_report

from newslayers.adjudication import adjudicate, merge_versions
from newslayers.agreement import agreement

__all__ = ["adjudicate", "agreement", "agreement_report", "labeling_config", "merge_versions"]
