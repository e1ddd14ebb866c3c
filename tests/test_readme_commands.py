"""Every command line shown in the README and in ``docs/*.md`` runs, as written.

Lines are taken from fenced ``sh`` and ``cron`` blocks. Each runs through a real
subprocess (``python -m mentorctl``) in a fresh copy of a program made from the bundled
``onboarding`` sample (matched and accepted, with a few logged meetings and the files the
docs name), with a real SMTP server on 127.0.0.1 for the lines that send mail. The only
changes made to a line are the explicit substitutions in :data:`SUBSTITUTIONS` (example
emails become people of the sample; ``A | B`` alternatives are each run; ``[optional]``
brackets are dropped). Lines that need a terminal run in a pseudo-terminal with the
answers in :data:`TERMINAL`. Lines that need a network server we do not start are in
:data:`NEEDS_NETWORK`, each with its reason; developer tooling is in :data:`DEVELOPER`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.smtpd import SmtpServer, _free_port, _Handler

TODAY = "2027-03-15"  # inside the sample's first cycle, so logged dates are not "future"
CIRCLES_TODAY = "2027-10-01"  # inside tech-circles' first cycle
SOURCES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
SKIP_SOURCES = {"cli-reference.md"}  # generated usage text, checked by tests/test_docs.py

#: Lines needing a server these tests do not start (PyPI, PostgreSQL).
NEEDS_NETWORK = {
    "python3 -m venv .venv && .venv/bin/pip install": "installs from PyPI",
    "pip install 'mentorctl[postgres]'": "installs from PyPI",
    "export MENTORCTL_DATABASE_URL=postgresql": "a PostgreSQL server (tests/ cover it "
    "when MENTORCTL_TEST_POSTGRES_URL is set)",
    "bash .ci/run": "starts a PostgreSQL server",
}
#: Developer tooling: the test suite itself, linters, benchmarks (run by CI, not here).
DEVELOPER = (".venv/bin/python -m pytest", ".venv/bin/ruff", "python benchmarks/run.py")

#: Example values in the docs -> this program's people ({mentor}, {mentee} are a pair).
SUBSTITUTIONS = [
    ("/srv/mentoring", "{program}"),
    ("ana@example.org", "{mentee}"),
    ("ada@example.com", "{mentor}"),
    ("ana@example.com", "{mentor}"),
    ("grace@example.com", "{mentor2}"),
    ("alan@example.com", "{mentee}"),
    ("--person ada", "--person {mentor_local}"),
    ("MENTOR MENTEE", "{mentor} {mentee}"),
    ("...", "'a value'"),
    ("--cycle 2026-h2", "--cycle 2027-h1"),  # the sample's (only) cycle
    ('log meeting "Python"', 'log meeting "{topic}"'),
]
#: Lines run in a pseudo-terminal: each prompt (its text) and the keys that answer it.
TERMINAL = {
    "mentorctl init my-program": [
        ("Program name", "\x15My program\r"),
        ("Coordinator email", "\r"),
        ("Format", "\r"),
        ("Focus", "\r"),
        ("Reverse mentoring", "n"),
        ("First cycle starts", "\r"),
        ("Cycle name", "\r"),
        ("Cycle length in weeks", "\r"),
        ("Meeting cadence", "\r"),
        ("What should matching consider?", "\r"),
        ("Months at the organisation", "\r"),
    ],
    "mentorctl cycle close": [("(y/N)", "y")],
    "mentorctl match review": [("Decision", "\x1b[B" * 4 + "\r")],  # quit at once
}
#: Commands some lines need first (the docs show them in a running program).
BEFORE = {
    "cycle new": ["cycle close --yes"],
    "cycle reopen": ["cycle close --yes"],
    # something to review (the prepared program accepted every proposal)
    "match review": ["match end {mentor} {mentee} --reason 'moved team'", "match"],
}
#: Exit codes other than 0 that a line documents.
EXPECTED_EXIT = {"status --fail-on at-risk": {0, 4}}


@dataclass(frozen=True)
class Line:
    source: str
    number: int
    text: str

    def __str__(self) -> str:
        return f"{self.source}:{self.number}: {self.text}"


def _lines() -> list[Line]:
    out = []
    for path in SOURCES:
        if path.name in SKIP_SOURCES:
            continue
        text = path.read_text(encoding="utf-8")
        for block in re.finditer(r"^```(sh|cron)\n(.*?)^```", text, re.S | re.M):
            start = text.count("\n", 0, block.start(2)) + 1
            for i, raw in enumerate(block.group(2).splitlines()):
                line = raw.strip()
                if not line or line.startswith("#"):
                    continue
                if block.group(1) == "cron":
                    line = " ".join(line.split()[5:])
                out.append(Line(path.name, start + i, line))
    return out


LINES = _lines()


def _commands(line: str) -> Iterator[list[str]]:
    """The line's commands (split on ``&&``), comments dropped, alternatives expanded."""
    for part in line.split("&&"):
        words = shlex.split(part, comments=True)
        words = [w for w in words if w not in ("[", "]")]
        words = [w.strip("[]") if w.startswith("[") or w.endswith("]") else w for w in words]
        if "|" in words:  # `report --json | --csv | --md`: each alternative
            first = words.index("|")
            head = words[: first - 1]
            alternatives = [w for w in words[first - 1 :] if w != "|"]
            for alt in alternatives:
                yield [*head, alt]
        else:
            yield words


def _substitute(line: str, values: dict[str, str]) -> str:
    for old, new in SUBSTITUTIONS:
        line = line.replace(old, new)
    return line.format(**values)


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    from aiosmtpd.controller import Controller

    server = SmtpServer("127.0.0.1", _free_port())
    controller = Controller(_Handler(server), hostname=server.host, port=server.port)
    controller.start()
    yield server
    controller.stop()


def _env(home: Path, today: str = TODAY) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTORCTL_")}
    env.update(HOME=str(home), NO_COLOR="1", MENTORCTL_TODAY=today, COLUMNS="100")
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mentorctl", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _prepare(root: Path, sample: str, smtp: SmtpServer, env: dict[str, str]) -> Path:
    d = root / sample
    made = _run(["init", str(d), "--from-sample", sample], root, env)
    assert made.returncode == 0, made.stderr
    program = d / "program.yaml"
    text = re.sub(
        r"^email:\n(?:  .*\n)+",
        f"email:\n  host: {smtp.host}\n  port: {smtp.port}\n  security: none\n"
        "  sender: mentoring@example.com\n",
        program.read_text(),
        flags=re.M,
    )
    program.write_text(text)
    for args in (["match"], ["match", "accept", "--all"]):
        r = _run(args, d, env)
        assert r.returncode == 0, (args, r.stderr)
    return d


@pytest.fixture(scope="module")
def programs(tmp_path_factory: pytest.TempPathFactory, smtp: SmtpServer) -> dict[str, object]:
    root = tmp_path_factory.mktemp("readme")
    env = _env(root / "home")
    onboarding = _prepare(root, "onboarding", smtp, env)
    circles_env = _env(root / "home", CIRCLES_TODAY)
    circles = _prepare(root, "tech-circles", smtp, circles_env)
    active = json.loads(_run(["status", "--json"], onboarding, env).stdout)["matches"]
    pair = active[0]
    mentor, mentee = pair["mentor"], pair["mentee"]
    mentor2 = next(m["mentor"] for m in active if m["mentor"] != mentor)
    (onboarding / "meetings.csv").write_text(
        f"mentor,mentee,date,minutes\n{mentor},{mentee},2027-02-15,45\n"
    )
    (onboarding / "pulse.csv").write_text(
        f"email,date,satisfaction,recommend,progress\n{mentee},2027-03-01,4,9,30\n"
    )
    # docs/participant-loop.md: a ranking form's and a check-in form's exports.
    (onboarding / "ranking-responses.csv").write_text(
        "Timestamp,Email address,Is there anyone you would especially like as your buddy?\n"
        f"3/14/2027 9:00:00,{mentee},{mentor}\n"
    )
    (onboarding / "checkin-responses.csv").write_text(
        f"Timestamp,Email,Match,Did you meet?\n3/14/2027 9:00:00,{mentee},{pair['match_id']},"
        "We met\n"
    )
    hr = f"email,employed,left_date,promotion_date\n{mentee},yes,,2027-03-01\n"
    (onboarding / "hr.csv").write_text(hr)
    (onboarding / "hr-extract.csv").write_text(hr)
    circle = json.loads(_run(["status", "--json"], circles, circles_env).stdout)["matches"][0]
    return {
        "onboarding": onboarding,
        "circles": circles,
        "values": {
            "mentor": mentor,
            "mentor2": mentor2,
            "mentee": mentee,
            "mentor_local": mentor.split("@")[0],
            "topic": circle["circle"],
        },
        "env": env,
        "circles_env": circles_env,
    }


def _terminal(args: list[str], keys: list[tuple[str, str]], cwd: Path, env: dict[str, str]) -> int:
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "mentorctl", *args],
        cwd=str(cwd),
        env={**env, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"},
        dimensions=(40, 100),
        encoding="utf-8",
        timeout=60,
    )
    for prompt, answer in keys:
        try:
            child.expect_exact(prompt)
        except (pexpect.EOF, pexpect.TIMEOUT):
            raise AssertionError(f"{args}: no prompt {prompt!r}:\n{child.before}") from None
        time.sleep(0.3)  # let the prompt finish drawing before answering it
        child.send(answer)
    child.expect(pexpect.EOF)
    child.close()
    return int(child.exitstatus or 0)


def test_lines_were_found() -> None:
    sources = {line.source for line in LINES}
    assert {"README.md", "tracking.md", "reports.md"} <= sources
    assert any("remind --send --quiet" in line.text for line in LINES)  # the crontab line


@pytest.mark.parametrize("line", LINES, ids=str)
def test_documented_command_line_runs(
    line: Line, programs: dict, tmp_path: Path, smtp: SmtpServer
) -> None:
    for prefix, reason in NEEDS_NETWORK.items():
        if line.text.startswith(prefix):
            pytest.skip(f"needs a network server: {reason}")
    if line.text.startswith(DEVELOPER):
        pytest.skip("developer tooling, run by CI")
    circle = '"Python"' in line.text
    env: dict[str, str] = programs["circles_env" if circle else "env"]
    source = programs["circles" if circle else "onboarding"]
    program = tmp_path / "program"
    shutil.copytree(source, program)
    text = _substitute(line.text, {**programs["values"], "program": str(program)})
    cwd = tmp_path if text.startswith("mentorctl init") else program
    for key, setup in BEFORE.items():
        if key in text and not any(c.removesuffix(" --yes") in text for c in setup[:1]):
            for command in setup:
                r = _run(shlex.split(command.format(**programs["values"])), cwd, env)
                assert r.returncode == 0, (command, r.stderr)
    for words in _commands(text):
        if words[0] == "cd":
            cwd = cwd / words[1]
            continue
        assert words[0] == "mentorctl", f"{line}: not a mentorctl command: {words}"
        args = words[1:]
        allowed = next((c for k, c in EXPECTED_EXIT.items() if k in " ".join(args)), {0})
        keys = next((k for command, k in TERMINAL.items() if " ".join(words) == command), None)
        if keys is not None:
            code = _terminal(args, keys, cwd, env)
            assert code in allowed, f"{line}: exit {code} in a terminal"
            continue
        result = _run(args, cwd, env)
        assert result.returncode in allowed, f"{line}: exit {result.returncode}\n{result.stderr}"
