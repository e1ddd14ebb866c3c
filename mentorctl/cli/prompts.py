"""Interactive questions (questionary), asked only when a person sits at a terminal.

Every question here has a flag. With no terminal, a missing answer is a usage error
naming the flag to pass instead, so cron never hangs on a prompt.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from mentorctl.cli.output import stdin_is_tty
from mentorctl.errors import UsageError


def interactive() -> bool:
    return stdin_is_tty()


def require_tty(missing: Sequence[str]) -> None:
    """Fail clearly when answers are missing and there is nobody to ask."""
    if missing and not interactive():
        flags = ", ".join(missing)
        raise UsageError(f"no terminal to ask on; pass {flags} (or --yes to take the defaults)")


def confirm_or_flag(yes: bool, question: str) -> None:
    """Go on only with ``--yes`` or a "yes" typed at a terminal.

    With no terminal and no ``--yes`` this is a usage error naming the flag, so a script
    never takes an irreversible step by accident. Answering no exits 1, nothing changed.
    """
    if yes:
        return
    if not interactive():
        raise UsageError(f"{question} Pass --yes to confirm (no terminal to ask on).")
    if not confirm(question, default=False):
        import typer

        from mentorctl.cli.output import info

        info("nothing changed")
        raise typer.Exit(1)


def _answer(question: Any) -> Any:
    value = question.unsafe_ask()
    return value


def text(
    message: str,
    default: str = "",
    validate: Callable[[str], bool | str] | None = None,
) -> str:
    import questionary

    return _answer(questionary.text(message, default=default, validate=validate))


def select(message: str, choices: Sequence[str], default: str | None = None) -> str:
    import questionary

    return _answer(
        questionary.select(
            message, choices=list(choices), default=default if default in choices else None
        )
    )


def checkbox(
    message: str,
    choices: Sequence[str],
    checked: Sequence[str] = (),
    validate: Callable[[list[str]], bool | str] | None = None,
) -> list[str]:
    """Tick boxes; with ``validate``, a refused answer is explained and asked again with
    the same boxes ticked. (questionary's own checkbox validation leaves its message
    unseen on some terminals, so the loop is ours.)"""
    import questionary

    from mentorctl.cli.output import err

    ticked = list(checked)
    while True:
        items = [questionary.Choice(c, checked=c in ticked) for c in choices]
        answer: list[str] = _answer(questionary.checkbox(message, choices=items))
        verdict = True if validate is None else validate(answer)
        if verdict is True:
            return answer
        err().print(
            f"  {verdict if isinstance(verdict, str) else 'not a valid answer'}", markup=False
        )
        ticked = answer


def confirm(message: str, default: bool = False) -> bool:
    import questionary

    return _answer(questionary.confirm(message, default=default))
