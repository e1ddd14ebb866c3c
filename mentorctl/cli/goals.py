"""``mentorctl goals ...``: mentees' development goals (REAL form) and their progress."""

from __future__ import annotations

import typer

app = typer.Typer(
    rich_markup_mode=None,
    help="Mentees' development goals, in the REAL form, with status and progress.",
    no_args_is_help=True,
)
