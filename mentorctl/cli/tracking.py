"""``mentorctl log``, ``checkin`` and ``status``: what happens in each match, and its health."""

from __future__ import annotations

import typer

log_app = typer.Typer(
    rich_markup_mode=None, help="Record meetings held by matches.", no_args_is_help=True
)
checkin_app = typer.Typer(
    rich_markup_mode=None, help="Import pulse-survey check-ins.", no_args_is_help=True
)


def status(ctx: typer.Context) -> None:
    """Each active match's health: meetings held, last met, goals, satisfaction."""
    from mentorctl.errors import UsageError

    raise UsageError("not available yet")
