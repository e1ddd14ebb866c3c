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
    """The root group: builds subcommands on demand, and maps library errors to a message
    on stderr and an exit code.

    Turning a Typer function into a Click command inspects its whole signature; doing that
    for every subcommand on each start would double ``mentorctl --help``'s time. So a
    subcommand is built only when it is run (or when a tool asks for ``.commands``), and
    the root help lists them from their docstrings.
    """

    @property  # type: ignore[override]
    def commands(self) -> dict[str, Any]:
        for name in SUBCOMMANDS:
            self.get_command(None, name)  # type: ignore[arg-type]
        return self._built

    @commands.setter
    def commands(self, value: Any) -> None:
        self._built: dict[str, Any] = dict(value or {})

    def list_commands(self, ctx: Any) -> list[str]:
        return list(SUBCOMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self._built and cmd_name in SUBCOMMANDS:
            self._built[cmd_name] = _build(cmd_name, SUBCOMMANDS[cmd_name])
        return self._built.get(cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        from typer._click.utils import make_default_short_help

        limit = formatter.width - 6 - max(len(n) for n in SUBCOMMANDS)
        rows = [(name, make_default_short_help(_help(t), limit)) for name, t in SUBCOMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

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


def _subcommands() -> dict[str, Any]:
    """Every subcommand, in the order of a program's life: name -> Typer app or function."""
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

    match.app.command("end")(cycle.end_match)
    return {
        "init": init.init,
        "validate": validate.validate,
        "participants": participants.app,
        "match": match.app,
        "explain": match.explain,
        "scores": match.scores,
        "goals": goals.app,
        "agreements": agreements.agreements,
        "notify": notify.app,
        "log": tracking.log_app,
        "checkin": tracking.checkin_app,
        "status": tracking.status,
        "remind": remind.remind,
        "cycle": cycle.app,
        "report": report.report,
        "hr": report.hr_app,
    }


SUBCOMMANDS = _subcommands()


def _help(target: Any) -> str:
    if isinstance(target, typer.Typer):
        return target.info.help or ""
    import inspect

    return inspect.getdoc(target) or ""


def _build(name: str, target: Any) -> Any:
    """The Click command for one subcommand (a group for Typer apps, even with one command)."""
    import typer.main

    command: Any
    if isinstance(target, typer.Typer):
        command = typer.main.get_group(target)
    else:
        single = typer.Typer(rich_markup_mode=None, add_completion=False)
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


def main() -> None:
    """Console-script entry point."""
    app(prog_name="mentorctl")
