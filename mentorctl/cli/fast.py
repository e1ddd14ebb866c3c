"""Commands answered before Typer parses anything, when they have nothing to do.

Typer coerces every option's value through pydantic, and importing pydantic costs more
than the whole of ``mentorctl --help``. Cron's ``notify intro --send`` re-run, with
every introduction already sent, should cost little more than start-up, so
:func:`answered` recognises that command line (and only in its plain form: global
options, ``--send``, a valid ``--attach`` or ``--wait``) and asks
:func:`mentorctl.notify.quick.quick_all_sent`. Whenever it is not sure (another option,
an odd value, a roster it cannot read cheaply, something left to send) it returns False
and the command runs through Typer as usual, which checks and decides everything again.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"", "0", "false", "f", "no", "n", "off"})
_FORMATS = frozenset({"md", "html", "pdf"})


class _NotPlain(Exception):
    """The command line is not the plain re-run: Typer handles it."""


def _flag(env: str) -> bool:
    value = os.environ.get(env, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise _NotPlain


def _plain_intro_send(argv: Sequence[str]) -> tuple[Path | None, str | None, bool]:
    """(--program, --database-url, --quiet) of ``notify intro --send`` in its plain form;
    raises _NotPlain for anything else."""
    program = os.environ.get("MENTORCTL_PROGRAM") or None
    url = os.environ.get("MENTORCTL_DATABASE_URL") or None
    quiet = _flag("MENTORCTL_QUIET")
    words: list[str] = []
    send = False
    tokens = list(argv)
    while tokens:
        token = tokens.pop(0)
        name, eq, inline = token.partition("=")
        if token in ("-q", "--quiet"):
            quiet = True
            continue
        if name in ("--attach", "--wait") and words != ["notify", "intro"]:
            raise _NotPlain  # options of the command, before it: a usage error
        if name in ("-p", "--program", "--database-url", "--attach", "--wait") or (
            token.startswith("-p") and not token.startswith("--") and len(token) > 2
        ):
            if token.startswith("-p") and len(token) > 2 and not token.startswith("--"):
                value = token[2:]
            elif eq:
                value = inline
            elif tokens:
                value = tokens.pop(0)
            else:
                raise _NotPlain
            if name in ("-p", "--program") or not name.startswith("--"):
                program = value
            elif name == "--database-url":
                url = value
            elif not _valid(name, value):
                raise _NotPlain
            continue
        if token == "--send" and words == ["notify", "intro"]:
            send = True
            continue
        if token.startswith("-") or len(words) == 2:
            raise _NotPlain  # --help, --resend, a mentor's email ...
        words.append(token)
    if words != ["notify", "intro"] or not send:
        raise _NotPlain
    return (Path(program) if program else None), url, quiet


def _valid(name: str, value: str) -> bool:
    """Whether Typer would take ``value`` for ``--attach`` or ``--wait``."""
    if name == "--attach":
        return value in _FORMATS
    try:
        return float(value) >= 0
    except ValueError:
        return False


def answered(argv: Sequence[str]) -> bool:
    """Answer ``argv`` here when it is the plain ``notify intro --send`` and every
    introduction was already sent (one line on stderr, exit 0); False otherwise."""
    try:
        program, url, quiet = _plain_intro_send(argv)
    except _NotPlain:
        return False
    from mentorctl.notify.quick import quick_all_sent

    already = quick_all_sent(program, url)
    if already is None:
        return False
    if not quiet:
        from mentorctl.cli.notify import all_sent

        sys.stderr.write(all_sent(already) + "\n")
    return True
