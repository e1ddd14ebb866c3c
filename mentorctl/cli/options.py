"""Options that many commands share, declared once so they read and behave the same."""

from __future__ import annotations

from typing import Annotated

import typer

from mentorctl.cli.state import today as today  # the day a command acts on

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print JSON (shapes documented in README and docs/).")
]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print spreadsheet-safe CSV.")]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Show what would change; change nothing.")
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask; take defaults.")]
TodayOpt = Annotated[
    str | None,
    typer.Option(
        "--today",
        envvar="MENTORCTL_TODAY",
        help="Act as if today were YYYY-MM-DD (what-ifs, tests). Default: today.",
        show_default=False,
    ),
]


SendOpt = Annotated[
    bool, typer.Option("--send", help="Send them (SMTP settings: `email:` in program.yaml).")
]
ResendOpt = Annotated[
    bool,
    typer.Option(
        "--resend",
        help="Send again what was already sent, or what an interrupted run may have "
        "delivered (status unknown).",
    ),
]
WaitOpt = Annotated[
    float,
    typer.Option(
        "--wait", min=0, help="Seconds to wait for another run sending this program's email."
    ),
]
