"""``mentorctl remind``: the cron job that nudges pairs that stopped meeting."""

from __future__ import annotations

import typer


def remind(ctx: typer.Context) -> None:
    """Nudge pairs that are due a reminder, and send the coordinator a digest."""
    from mentorctl.errors import UsageError

    raise UsageError("not available yet")
