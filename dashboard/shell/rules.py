"""The rules the settings choose, put in force once per process by the app and the command
line (the domain floor reads no settings of its own)."""

from __future__ import annotations

from gridmap.domain.sla import TimeLimits, use_time_limits
from gridmap.settings import Settings


def put_rules_in_force(settings: Settings) -> None:
    """Put the rules the settings choose in force for this process: the district's time
    limits (``time_limits_file``), else the built-in ones.

    Raises
    ------
    ValueError
        Naming the file and what is wrong in it.
    """
    path = settings.time_limits_file
    use_time_limits(TimeLimits.from_toml(path) if path else TimeLimits.built_in())
