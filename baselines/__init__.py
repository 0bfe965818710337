"""Baseline systems: rule-based, scikit-learn, and wrapped reference tools."""

from newslayers.baselines.registry import (
    ENTRY_POINT_GROUP,
    System,
    SystemUnavailable,
    get_system,
    prepared_system,
    system_names,
)

__all__ = ["ENTRY_POINT_GROUP", "System", "SystemUnavailable", "get_system", "prepared_system", "system_names"]
