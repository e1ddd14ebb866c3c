"""``mentorctl notify ...``: introduction emails for new matches."""

from __future__ import annotations

import typer

app = typer.Typer(
    rich_markup_mode=None,
    help="Compose and send emails to participants (introductions).",
    no_args_is_help=True,
)
