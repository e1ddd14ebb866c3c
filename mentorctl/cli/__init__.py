"""The ``mentorctl`` command line: parse, call the core, render.

Errors raised by the core are turned into one-line messages and exit codes here, in
:func:`guarded`, and only here, whichever parser read the command line:

* :mod:`mentorctl.cli.fast` answers the plain forms of a few commands that scripts and
  cron run over and over, before Typer is even imported;
* :mod:`mentorctl.cli.root` is the Typer application for everything else (imported on
  first use: ``from mentorctl.cli import app`` still works).

Every command imports the core modules it needs when it runs, so ``mentorctl --help``
and read-only commands start fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from mentorctl.cli import output

# Names of the Typer application, imported from mentorctl.cli.root on first use.
_APP_NAMES = frozenset(
    {"app", "SUBCOMMANDS", "MentorctlGroup", "hoist_global_options", "short_help", "COMMAND_KEY"}
)


def __getattr__(name: str) -> Any:
    if name in _APP_NAMES:
        from mentorctl.cli import root as module

        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def guarded(run: Callable[[], int | None]) -> int:
    """Run a command; map what goes wrong to a message on stderr and an exit code.

    The command's own code when it ran (None: 0); a library error's own code, with its
    message and problems printed; 130 on Ctrl-C; 70 for anything unexpected (a bug).
    Typer's exits and Click's usage errors pass through. Used by the Typer group and by
    :mod:`mentorctl.cli.fast`, so a command fails the same way whichever parsed it.
    """
    from mentorctl.errors import ExitCode, MentorctlError

    try:
        code = run()
    except MentorctlError as exc:
        output.error(exc.message, [str(p) for p in exc.problems if str(p) != exc.message])
        return int(exc.exit_code)
    except KeyboardInterrupt:
        output.error("interrupted; the roster is as it was before the interrupted step")
        return int(ExitCode.INTERRUPTED)
    except Exception as exc:
        if _passes_through(exc):
            raise  # Typer's exit, or a usage error: Click prints it and exits 2
        if os.environ.get("MENTORCTL_DEBUG"):
            raise
        output.error(
            f"internal error: {type(exc).__name__}: {exc} "
            "(a bug: please report it; set MENTORCTL_DEBUG=1 to see the traceback)"
        )
        return int(ExitCode.INTERNAL)
    return int(code or 0)


def _click_exception() -> type[Exception]:
    """Click's base exception class, reached through Typer's public ``BadParameter``:
    Typer >= 0.16 carries its own copy of Click, older ones use Click itself."""
    import typer

    for cls in typer.BadParameter.__mro__:
        if cls.__name__ == "ClickException":
            return cls
    return typer.BadParameter  # pragma: no cover - every Click has ClickException


def _passes_through(exc: Exception) -> bool:
    """Whether ``exc`` is Typer's or Click's to handle: an exit, an abort, a usage error.
    None can be raised before Typer is imported (the fast paths never import it)."""
    typer = sys.modules.get("typer")
    if typer is None:
        return False
    return isinstance(exc, (typer.Exit, typer.Abort, _click_exception()))


def main() -> None:
    """Console-script entry point: a plain command line that :mod:`mentorctl.cli.fast`
    knows is answered there, before Typer is imported; the rest goes to Typer."""
    import gc

    # A command builds tens of thousands of short-lived records (rows, matches, JSON) and
    # exits: collecting cycles every 700 allocations cost 0.05 to 0.1 s of CPU a run
    # (status, report, match at 2,000 x 400), for garbage that reference counting frees.
    gc.set_threshold(50_000, 20, 20)
    from mentorctl.cli.fast import answered

    if answered(sys.argv[1:]):
        return
    from mentorctl.cli.root import app

    app(prog_name="mentorctl")
