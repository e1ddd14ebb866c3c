"""``mentorctl cycle ...`` and ``match end``: close a cycle, open the next, end a match early."""

from __future__ import annotations

import typer

app = typer.Typer(
    rich_markup_mode=None, help="Close the current cycle and open the next.", no_args_is_help=True
)


def end_match(ctx: typer.Context) -> None:
    """End a match early, freeing the mentor's capacity."""
    from mentorctl.errors import UsageError

    raise UsageError("not available yet")
