"""``mentorctl report`` and ``hr import``: cycle-end figures, outcomes and charts."""

from __future__ import annotations

import typer

hr_app = typer.Typer(
    rich_markup_mode=None, help="Import HR outcomes (retention, promotion).", no_args_is_help=True
)


def report(ctx: typer.Context) -> None:
    """Cycle-end report: participation, match quality, engagement, goals, satisfaction."""
    from mentorctl.errors import UsageError

    raise UsageError("not available yet")
