"""``mentorctl agreements``: render one mentoring agreement (and .ics) per active match."""

from __future__ import annotations

import typer


def agreements(ctx: typer.Context) -> None:
    """Render a mentoring agreement and a calendar file for each active match."""
    from mentorctl.errors import UsageError

    raise UsageError("not available yet")
