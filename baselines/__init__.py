"""Baseline systems: rule-based, scikit-learn, and wrapped reference tools."""

from newslayers.baselines.registry import (
    BUILTIN,
    ENTRY_POINT_GROUP,
    get_system,
    plugin_problems,
    prepared_system,
    system_names,
)

from newslayers.systems import System, SystemUnavailable

__all__ = [
    "BUILTIN",
    "ENTRY_POINT_GROUP",
    "System",
    "SystemUnavailable",
    "get_system",
    "plugin_problems",
    "prepared_system",
    "system_names",
]
