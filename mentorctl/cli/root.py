"""The Typer application: the root group, its global options and every subcommand.

Imported on first use (``mentorctl.cli.root``, or ``from mentorctl.cli import app``): the
command lines :mod:`mentorctl.cli.fast` answers never import Typer at all. Subcommands
are built only when they run (:class:`MentorctlGroup`), so ``mentorctl --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from mentorctl import __version__
from mentorctl.cli import guarded, output
from mentorctl.cli.state import State

COMMAND_KEY = "mentorctl.command"

# Global options (declared on the root callback below) that may also follow the command:
# ``mentorctl remind --send --quiet`` is how a crontab line reads.
_GLOBAL_WITH_VALUE = ("--program", "-p", "--database-url")
_GLOBAL_FLAGS = ("--quiet", "-q")
_ROOT_FLAGS = (*_GLOBAL_FLAGS, "--version", "--help", "-h")


def _global_option(token: str) -> tuple[bool, bool]:
    """(is a global option, takes the next token as its value) for one argv token."""
    if token in _GLOBAL_FLAGS:
        return True, False
    if token in _GLOBAL_WITH_VALUE:
        return True, True
    if token.startswith(("--program=", "--database-url=")):
        return True, False
    if token.startswith("-p") and not token.startswith("--") and len(token) > 2:
        return True, False  # -pDIR
    return False, False


def hoist_global_options(args: list[str]) -> tuple[list[str], list[str]]:
    """``args`` with the global options found after the command moved before it, and the
    command's words (``["participants", "import"]``).

    Click only accepts a group's options before its subcommand; users (and the README's
    crontab line) put them anywhere. Everything after ``--`` is left alone. A subcommand
    option whose *value* is literally ``-p`` or ``-q`` would be taken as the global
    option: no option of mentorctl takes such values.
    """
    args = list(args)
    i = 0
    while i < len(args):  # skip the root's own options to find the command
        token = args[i]
        if token == "--" or not token.startswith("-"):
            break
        takes_value = _global_option(token)[1] and token not in _ROOT_FLAGS
        i += 2 if takes_value else 1
    if i >= len(args) or args[i] == "--":
        return args, []
    head, rest = args[:i], args[i:]
    words = [rest[0]]
    moved: list[str] = []
    kept: list[str] = []
    j = 0
    while j < len(rest):
        token = rest[j]
        if token == "--":
            kept.extend(rest[j:])
            break
        is_global, takes_value = _global_option(token)
        if j > 0 and is_global:
            moved.append(token)
            if takes_value and j + 1 < len(rest):
                moved.append(rest[j + 1])
                j += 1
        else:
            if j > 0 and len(words) == 1 and not token.startswith("-"):
                words.append(token)  # the group's subcommand (or the first argument)
            kept.append(token)
        j += 1
    return [*head, *moved, *kept], words


def short_help(text: str, limit: int) -> str:
    """The first sentence of ``text``'s first paragraph, cut at a word (with "...") to fit
    ``limit`` characters, as Click shortens help for a command list."""
    words = text.split("\n\n", 1)[0].split()
    length = 0
    for i, word in enumerate(words):
        length += len(word) + (i > 0)
        if length > limit:
            break
        if word.endswith("."):
            return " ".join(words[: i + 1])
    else:
        return " ".join(words)
    kept: list[str] = []
    for word in words:
        if len(" ".join([*kept, word])) + 3 > limit:
            break
        kept.append(word)
    return " ".join(kept) + "..."


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

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if ctx.parent is None:
            args, words = hoist_global_options(args)
            # Read by the root callback: which command runs (decides who may create a roster).
            ctx.meta[COMMAND_KEY] = " ".join(words)
        return super().parse_args(ctx, args)  # type: ignore[no-any-return]

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        limit = formatter.width - 6 - max(len(n) for n in SUBCOMMANDS)
        rows = [(name, short_help(_help(t), limit)) for name, t in SUBCOMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: Any) -> Any:
        result: list[Any] = []
        code = guarded(lambda: result.append(super(MentorctlGroup, self).invoke(ctx)))  # type: ignore[func-returns-value]
        if code:
            raise typer.Exit(code)
        return result[0] if result else None


app = typer.Typer(
    rich_markup_mode=None,
    cls=MentorctlGroup,
    name="mentorctl",
    help=(
        "Run a mentoring program from the terminal: scaffold it, enrol people, match mentors "
        "and mentees, and keep the roster on files you own.\n\n"
        "Exit codes: 0 ok, 1 bad input or data, 2 usage error, 3 roster unavailable, "
        "4 unhealthy matches found (status --fail-on), 70 internal error, 130 interrupted.\n\n"
        "The options below may also follow the command: mentorctl remind --send --quiet."
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
    ctx.obj = State(
        program_location=program,
        database_url=database_url,
        quiet=quiet,
        command=ctx.meta.get(COMMAND_KEY, ""),
    )


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
        shortlist,
        tracking,
        validate,
    )

    match.app.command("end")(cycle.end_match)
    notify.app.command("shortlist")(shortlist.shortlist)
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
