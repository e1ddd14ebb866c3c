"""The ``mentorctl`` command line: parse, call the core, render.

This package imports only Typer at start-up; every command imports the core modules it
needs when it runs, so ``mentorctl --help`` stays fast. Errors raised by the core are
turned into one-line messages and exit codes here, in :class:`MentorctlGroup`, and only
here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from mentorctl import __version__
from mentorctl.cli import output
from mentorctl.cli.state import State


class MentorctlGroup(TyperGroup):
    """The root group: maps library errors to a message on stderr and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        from mentorctl.errors import ExitCode, MentorctlError

        try:
            return super().invoke(ctx)
        except MentorctlError as exc:
            output.error(exc.message, [str(p) for p in exc.problems if str(p) != exc.message])
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            output.error("interrupted; the roster is as it was before the interrupted step")
            raise typer.Exit(ExitCode.INTERRUPTED) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            if os.environ.get("MENTORCTL_DEBUG"):
                raise
            from typer._click.exceptions import ClickException

            if isinstance(exc, ClickException):
                raise
            output.error(
                f"internal error: {type(exc).__name__}: {exc} "
                "(a bug: please report it; set MENTORCTL_DEBUG=1 to see the traceback)"
            )
            raise typer.Exit(ExitCode.INTERNAL) from None


app = typer.Typer(
    rich_markup_mode=None,
    cls=MentorctlGroup,
    name="mentorctl",
    help=(
        "Run a mentoring program from the terminal: scaffold it, enrol people, match mentors "
        "and mentees, and keep the roster on files you own.\n\n"
        "Exit codes: 0 ok, 1 bad input or data, 2 usage error, 3 roster unavailable, "
        "4 unhealthy matches found (status --fail-on), 70 internal error, 130 interrupted."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mentorctl {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    program: Annotated[
        Path | None,
        typer.Option(
            "--program",
            "-p",
            envvar="MENTORCTL_PROGRAM",
            help="Program directory (or its program.yaml). Default: the current directory "
            "or the nearest parent holding a program.yaml.",
            show_default=False,
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar="MENTORCTL_DATABASE_URL",
            help="Roster database URL, e.g. postgresql+psycopg://user@host/db. "
            "Default: roster.db beside program.yaml.",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", envvar="MENTORCTL_QUIET", help="Only data and errors."),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    output.set_quiet(quiet)
    ctx.obj = State(program_location=program, database_url=database_url, quiet=quiet)


def _register() -> None:
    from mentorctl.cli import (
        agreements,
        cycle,
        goals,
        init,
        match,
        notify,
        participants,
        remind,
        report,
        tracking,
        validate,
    )

    app.command("init")(init.init)
    app.command("validate")(validate.validate)
    app.add_typer(participants.app, name="participants")
    app.add_typer(match.app, name="match")
    match.app.command("end")(cycle.end_match)
    app.command("explain")(match.explain)
    app.command("scores")(match.scores)
    app.add_typer(goals.app, name="goals")
    app.command("agreements")(agreements.agreements)
    app.add_typer(notify.app, name="notify")
    app.add_typer(tracking.log_app, name="log")
    app.add_typer(tracking.checkin_app, name="checkin")
    app.command("status")(tracking.status)
    app.command("remind")(remind.remind)
    app.add_typer(cycle.app, name="cycle")
    app.command("report")(report.report)
    app.add_typer(report.hr_app, name="hr")


_register()


def main() -> None:
    """Console-script entry point."""
    app(prog_name="mentorctl")
