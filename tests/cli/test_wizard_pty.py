"""The ``mentorctl init`` wizard, driven through a real pseudo-terminal with pexpect.

CliRunner has no terminal, so it can only show that a missing answer is refused; these
tests run ``python -m mentorctl`` in a pty of fixed size and answer each questionary
prompt with keystrokes, as a person would.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from mentorctl.program import load_program

pexpect = pytest.importorskip("pexpect")

if sys.platform == "win32":  # pragma: no cover
    pytest.skip("pexpect needs a POSIX pty", allow_module_level=True)

TIMEOUT = 60  # seconds per prompt: generous, for slow CI machines
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]|\r")

UP, DOWN, ENTER, SPACE = "\x1b[A", "\x1b[B", "\r", " "
KILL_LINE = "\x15"  # Ctrl-U: erase the default a text prompt starts with
CTRL_C = "\x03"

FORMATS = ["one-to-one", "group", "circles"]
FOCUSES = ["information", "skill", "advocacy"]
CADENCES = ["weekly", "biweekly", "monthly"]
CRITERIA = ["skills", "language", "timezone", "seniority", "personality", "preference"]
CRITERIA += ["department"]
DEFAULT_CRITERIA = ["skills", "language", "timezone", "seniority"]


class Wizard:
    """A running ``mentorctl init`` in a pty, with one method per kind of prompt."""

    def __init__(self, *args: str, cwd: Path) -> None:
        env = dict(os.environ)
        env.update(
            NO_COLOR="1",
            TERM="xterm",
            COLUMNS="100",
            LINES="40",
            # prompt_toolkit asks the terminal for the cursor position; nobody answers here.
            PROMPT_TOOLKIT_NO_CPR="1",
            PYTHONUNBUFFERED="1",
        )
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "mentorctl", *args],
            cwd=str(cwd),
            env=env,
            dimensions=(40, 100),
            encoding="utf-8",
            codec_errors="replace",
            timeout=TIMEOUT,
        )
        self.transcript = ""

    def expect(self, text: str) -> None:
        try:
            self.child.expect_exact(text)
        except (pexpect.TIMEOUT, pexpect.EOF):
            raise AssertionError(
                f"no prompt {text!r}; screen so far:\n{self.screen(self.child.before)}"
            ) from None
        self.transcript += self.child.before + self.child.after

    def text(self, prompt: str, answer: str | None) -> None:
        """Answer a text prompt; ``None`` keeps its default."""
        self.expect(prompt)
        if answer is not None:
            self.child.send(KILL_LINE + answer)
        self.child.send(ENTER)

    def select(self, prompt: str, choices: Sequence[str], default: str, answer: str) -> None:
        """Move from the default choice to ``answer`` with the arrow keys."""
        self.expect(prompt)
        steps = choices.index(answer) - choices.index(default)
        self.child.send((DOWN if steps > 0 else UP) * abs(steps) + ENTER)

    def checkbox(
        self, prompt: str, choices: Sequence[str], checked: Sequence[str], answer: Sequence[str]
    ) -> None:
        """Walk down the list, toggling each choice whose state must change."""
        self.expect(prompt)
        keys = ""
        for choice in choices:
            if (choice in checked) != (choice in answer):
                keys += SPACE
            keys += DOWN
        self.child.send(keys + ENTER)

    def confirm(self, prompt: str, answer: bool) -> None:
        self.expect(prompt)
        self.child.send("y" if answer else "n")

    def interrupt(self, prompt: str) -> None:
        self.expect(prompt)
        self.child.send(CTRL_C)

    def finish(self) -> int:
        """Wait for the process to end; its exit status."""
        try:
            self.child.expect(pexpect.EOF)
        except pexpect.TIMEOUT:
            raise AssertionError(f"did not finish:\n{self.screen(self.child.before)}") from None
        self.transcript += self.child.before
        self.child.close()
        assert self.child.signalstatus is None, f"killed by signal {self.child.signalstatus}"
        return self.child.exitstatus

    @staticmethod
    def screen(raw: object) -> str:
        return ANSI.sub("", raw if isinstance(raw, str) else "")

    def kill(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)


@pytest.fixture
def wizards() -> Iterator[list[Wizard]]:
    """Wizards started by a test; any still running at its end are killed."""
    started: list[Wizard] = []
    yield started
    for w in started:
        w.kill()


def start(wizards: list[Wizard], tmp_path: Path, *args: str) -> Wizard:
    w = Wizard("init", *args, cwd=tmp_path)
    wizards.append(w)
    return w


def test_wizard_asks_every_question(wizards: list[Wizard], tmp_path: Path) -> None:
    w = start(wizards, tmp_path, "prog")
    w.text("Program name", "Spring Guild Mentoring")
    w.text("Coordinator email", "guild@example.org")
    w.select("Format", FORMATS, "one-to-one", "group")
    w.select("Focus", FOCUSES, "skill", "advocacy")
    w.confirm("Reverse mentoring", True)
    w.text("First cycle starts", "2027-03-01")
    w.text("Cycle name", None)  # the default follows the start date
    w.text("Cycle length in weeks", "12")
    w.select("Meeting cadence", CADENCES, "biweekly", "weekly")
    w.checkbox(
        "What should matching consider?",
        CRITERIA,
        DEFAULT_CRITERIA,
        ["skills", "timezone", "personality", "department"],
    )
    w.text("Mentees per mentor", "4")
    w.text("Months at the organisation", "6")
    assert w.finish() == 0, w.screen(w.transcript)

    p = load_program(tmp_path / "prog")
    assert p.name == "Spring Guild Mentoring"
    assert p.coordinator == "guild@example.org"
    assert p.format.value == "group"
    assert p.focus.value == "advocacy"
    assert p.reverse is True
    assert p.cycle.start.isoformat() == "2027-03-01"
    assert p.cycle.name == "2027-h1"
    assert p.cycle.length_weeks == 12
    assert p.cycle.cadence.value == "weekly"
    assert [c.name for c in p.matching.criteria] == ["skills", "timezone", "personality"]
    assert p.matching.constraints.require_different == ["department"]
    assert p.capacity.default == 4
    assert p.eligibility.mentor.min_tenure_months == 6
    assert (tmp_path / "prog" / "roster.db").exists()
    assert (tmp_path / "prog" / "participants-template.csv").exists()
    assert "created" in w.screen(w.transcript)


def test_wizard_takes_defaults_and_skips_what_flags_answer(
    wizards: list[Wizard], tmp_path: Path
) -> None:
    w = start(
        wizards,
        tmp_path,
        "prog",
        "--name",
        "Flagged",
        "--format",
        "one-to-one",
        "--cadence",
        "monthly",
        "--start",
        "2027-09-06",
    )
    # No name, format, start or cadence prompt; one-to-one asks no capacity.
    w.text("Coordinator email", None)
    w.select("Focus", FOCUSES, "skill", "information")
    w.confirm("Reverse mentoring", False)
    w.text("Cycle name", "autumn")
    w.text("Cycle length in weeks", None)
    w.checkbox("What should matching consider?", CRITERIA, DEFAULT_CRITERIA, ["language"])
    w.text("Months at the organisation", "0")
    assert w.finish() == 0, w.screen(w.transcript)

    screen = w.screen(w.transcript)
    for asked_by_flag in ("Program name", "Format", "First cycle starts", "Meeting cadence"):
        assert asked_by_flag not in screen
    assert "Mentees per mentor" not in screen

    p = load_program(tmp_path / "prog")
    assert p.name == "Flagged"
    assert p.coordinator is None
    assert p.format.value == "one-to-one"
    assert p.focus.value == "information"
    assert p.reverse is False
    assert p.cycle.name == "autumn"
    assert p.cycle.start.isoformat() == "2027-09-06"
    assert p.cycle.length_weeks == 26
    assert p.cycle.cadence.value == "monthly"
    assert [c.name for c in p.matching.criteria] == ["language"]
    assert p.capacity.default == 1
    assert p.eligibility.mentor.min_tenure_months is None


def test_wizard_rejects_a_bad_answer_and_asks_again(wizards: list[Wizard], tmp_path: Path) -> None:
    w = start(
        wizards,
        tmp_path,
        "prog",
        *("--name", "X", "--coordinator", "x@example.org", "--format", "group"),
        *("--focus", "skill", "--no-reverse", "--cycle-name", "c1", "--start", "2027-01-04"),
        *("--cadence", "weekly", "--criteria", "skills", "--min-tenure-months", "3"),
    )
    w.text("Cycle length in weeks", "0")  # refused: must be above 0
    w.expect("a whole number above 0")
    w.child.send(KILL_LINE + "8" + ENTER)
    w.text("Mentees per mentor", "2")
    assert w.finish() == 0, w.screen(w.transcript)
    p = load_program(tmp_path / "prog")
    assert p.cycle.length_weeks == 8
    assert p.capacity.default == 2


@pytest.mark.parametrize("at", ["Program name", "Format", "What should matching consider?"])
def test_ctrl_c_leaves_nothing_behind(wizards: list[Wizard], tmp_path: Path, at: str) -> None:
    w = start(wizards, tmp_path, "prog")
    if at != "Program name":
        w.text("Program name", "Interrupted")
        w.text("Coordinator email", None)
    if at == "What should matching consider?":
        w.select("Format", FORMATS, "one-to-one", "circles")
        w.select("Focus", FOCUSES, "skill", "skill")
        w.confirm("Reverse mentoring", False)
        w.text("First cycle starts", "2027-01-04")
        w.text("Cycle name", None)
        w.text("Cycle length in weeks", None)
        w.select("Meeting cadence", CADENCES, "biweekly", "biweekly")
    w.interrupt(at)
    status = w.finish()

    screen = w.screen(w.transcript)
    assert status != 0
    assert status == 130, screen
    assert "Traceback" not in screen
    assert "interrupted" in screen
    assert not (tmp_path / "prog" / "program.yaml").exists()
    assert not (tmp_path / "prog" / "roster.db").exists()


def test_wizard_refuses_a_coordinator_that_is_not_an_email(
    wizards: list[Wizard], tmp_path: Path
) -> None:
    """The wizard once wrote `coordinator: not-an-email` into program.yaml."""
    w = start(
        wizards,
        tmp_path,
        "prog",
        *("--name", "X", "--format", "group", "--focus", "skill", "--no-reverse"),
        *("--cycle-name", "c1", "--start", "2027-01-04", "--length-weeks", "8"),
        *("--cadence", "weekly", "--criteria", "skills", "--min-tenure-months", "3"),
        *("--capacity", "2"),
    )
    w.text("Coordinator email", "not-an-email")
    w.expect("is not an email address")
    w.child.send(KILL_LINE + "lead@example.org" + ENTER)
    assert w.finish() == 0, w.screen(w.transcript)
    assert load_program(tmp_path / "prog").coordinator == "lead@example.org"
