"""Help, version and import hygiene of the whole command tree.

The tree is walked (``typer.main.get_command``), so commands added later are covered
without touching this file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from mentorctl import __version__
from mentorctl.cli import app
from mentorctl.program import scaffold

#: Heavy modules that ``import mentorctl.cli`` (and ``--help``) must not load: commands
#: import what they need when they run, so start-up and tab completion stay fast.
HEAVY = [
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "scipy",
    "numpy",
    "jinja2",
    "questionary",
    "prompt_toolkit",
    "pydantic",
    "yaml",
    "ortools",
    "openpyxl",
]


def _walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, command
    for name, sub in (getattr(command, "commands", None) or {}).items():
        if not getattr(sub, "hidden", False):
            yield from _walk(sub, (*path, name))


TREE = list(_walk(typer.main.get_command(app)))
IDS = [" ".join(path) or "(root)" for path, _ in TREE]


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), prog_name="mentorctl")


def test_the_tree_has_the_core_commands() -> None:
    names = {path for path, _ in TREE}
    for expected in [("init",), ("validate",), ("participants",), ("participants", "import")]:
        assert expected in names


@pytest.mark.parametrize(("path", "command"), TREE, ids=IDS)
def test_every_help_exits_0_and_is_informative(path: tuple[str, ...], command: Any) -> None:
    for flag in ("--help", "-h"):
        result = invoke(*path, flag)
        assert result.exit_code == 0, result.output
        title = " ".join(("mentorctl", *path))
        assert result.stdout.startswith(f"Usage: {title} ")
        assert result.stderr == ""

    help_text = (command.help or "").strip()
    assert len(help_text) >= 20, f"`{title}` needs a help text"
    first_words = " ".join(help_text.split("\n\n")[0].split())[:40]
    assert first_words in " ".join(result.stdout.split())
    for param in command.params:
        for opt in param.opts:
            if opt.startswith("-") and not getattr(param, "hidden", False):
                assert opt in result.stdout


@pytest.mark.parametrize(("path", "command"), TREE, ids=IDS)
def test_every_option_and_argument_has_help(path: tuple[str, ...], command: Any) -> None:
    title = " ".join(("mentorctl", *path))
    missing = [
        param.opts[0] if param.opts else param.name
        for param in command.params
        if not getattr(param, "hidden", False) and not (getattr(param, "help", None) or "").strip()
    ]
    assert not missing, f"`{title}`: no help for {', '.join(missing)}"


@pytest.mark.parametrize(("path", "command"), TREE, ids=IDS)
def test_groups_list_their_subcommands(path: tuple[str, ...], command: Any) -> None:
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        pytest.skip("not a group")
    out = invoke(*path, "--help").stdout
    for name, sub in subcommands.items():
        if not getattr(sub, "hidden", False):
            assert f"  {name} " in out or out.rstrip().endswith(f"  {name}")


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"mentorctl {__version__}\n"


def test_version_needs_no_program_or_roster(tmp_path: Any) -> None:
    result = CliRunner().invoke(app, ["--program", str(tmp_path / "nowhere"), "--version"])
    assert result.exit_code == 0
    assert result.stdout == f"mentorctl {__version__}\n"


def test_no_arguments_shows_help() -> None:
    result = invoke()
    assert "Usage: mentorctl" in result.output
    assert "init" in result.output
    assert result.exit_code in (0, 2)


def test_unknown_command_is_a_usage_error() -> None:
    result = invoke("no-such-command")
    assert result.exit_code == 2
    assert "no-such-command" in result.output
    assert "Traceback" not in result.output


def test_root_help_documents_the_exit_codes() -> None:
    out = " ".join(invoke("--help").stdout.split())
    for code in ("0 ok", "1 bad input", "2 usage error", "3 roster", "70 internal"):
        assert code in out


def test_init_help_names_every_sample() -> None:
    out = " ".join(invoke("init", "--help").stdout.split())
    for name in scaffold.sample_names():
        assert name in out


def test_python_m_mentorctl_help() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mentorctl", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Usage: ")
    assert "init" in proc.stdout
    assert proc.stderr == ""


def test_python_m_mentorctl_version() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mentorctl", "--version"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"mentorctl {__version__}\n"


def _loaded_heavy_modules(code: str) -> list[str]:
    script = (
        "import json, sys\n"
        f"{code}\n"
        f"heavy = {HEAVY!r}\n"
        "print(json.dumps(sorted(m for m in heavy if m in sys.modules)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_importing_the_cli_loads_no_heavy_module() -> None:
    assert _loaded_heavy_modules("import mentorctl.cli") == []


@pytest.mark.parametrize("args", [["--help"], ["--version"]], ids=str)
def test_root_help_loads_no_heavy_module(args: list[str]) -> None:
    code = (
        "from mentorctl.cli import app\n"
        "try:\n"
        f"    app({args!r}, prog_name='mentorctl')\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    assert _loaded_heavy_modules(code) == []


@pytest.mark.parametrize("path", [path for path, _ in TREE if path], ids=IDS[1:])
def test_command_help_loads_no_heavy_module(path: tuple[str, ...]) -> None:
    code = (
        "from mentorctl.cli import app\n"
        "try:\n"
        f"    app({[*path, '--help']!r}, prog_name='mentorctl')\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    # Typer 0.29 itself converts parameter values with pydantic (typer._adapters) as soon
    # as a command's parameters are parsed, so pydantic is allowed here and only here.
    assert [m for m in _loaded_heavy_modules(code) if m != "pydantic"] == []


def test_root_help_lists_what_the_built_commands_say() -> None:
    """The root help is written from docstrings without building the commands: it must
    say what each built command would."""
    from mentorctl.cli import SUBCOMMANDS

    root = typer.main.get_command(app)
    result = CliRunner().invoke(app, ["--help"])
    listed = dict(
        line.strip().split(maxsplit=1)
        for line in result.stdout.split("Commands:")[1].splitlines()
        if line.strip()
    )
    assert list(listed) == list(SUBCOMMANDS)
    for name, shown in listed.items():
        full = root.get_command(None, name).get_short_help_str(10_000)  # type: ignore[attr-defined]
        assert shown == full or (
            shown.endswith("...") and full.startswith(shown.removesuffix("...").rstrip())
        ), name


# --------------------------------------------------------------------------- global options


def _program_with_people(tmp_path: Any) -> Any:
    """A program directory with the test people enrolled (a real roster)."""
    import shutil

    from tests.conftest import DATA

    d = tmp_path / "prog"
    d.mkdir()
    shutil.copy(DATA / "program.yaml", d / "program.yaml")
    r = CliRunner().invoke(app, ["-p", str(d), "participants", "import", str(DATA / "people.csv")])
    assert r.exit_code == 0, r.output
    return d


def _run(*args: str, cwd: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mentorctl", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_global_options_after_the_command(tmp_path: Any) -> None:
    """The README's crontab line (`remind --send --quiet`) and `status -p DIR` once failed
    with "No such option"."""
    d = _program_with_people(tmp_path)
    cron = _run("remind", "--send", "--quiet", "--today", "2027-01-20", cwd=d)
    assert cron.returncode == 0, cron.stderr
    assert cron.stderr == ""  # --quiet took effect
    for args in (
        ("status", "-p", str(d)),
        ("status", f"--program={d}"),
        ("participants", "list", "--program", str(d), "-q", "--json"),
        ("participants", "list", "--database-url", f"sqlite:///{d / 'roster.db'}", "-p", str(d)),
    ):
        proc = _run(*args, cwd=tmp_path)
        assert proc.returncode == 0, (args, proc.stderr)
    listed = json.loads(_run("participants", "list", "-p", str(d), "--json", cwd=tmp_path).stdout)
    assert "ada@example.com" in {p["email"] for p in listed}


def test_hoisting_leaves_other_arguments_in_place() -> None:
    from mentorctl.cli import hoist_global_options

    assert hoist_global_options(["-p", "x", "status", "--json"]) == (
        ["-p", "x", "status", "--json"],
        ["status"],
    )
    assert hoist_global_options(["match", "end", "a", "b", "-q", "--reason", "r", "-p", "d"]) == (
        ["-q", "-p", "d", "match", "end", "a", "b", "--reason", "r"],
        ["match", "end"],
    )
    assert hoist_global_options(["log", "--", "-q"]) == (["log", "--", "-q"], ["log"])


def test_no_private_click_import() -> None:
    """`typer._click` is Typer's private copy of Click, absent from typer 0.12 to 0.15."""
    from pathlib import Path

    import mentorctl

    root = Path(mentorctl.__file__).parent
    offenders = [
        str(p.relative_to(root)) for p in root.rglob("*.py") if "typer._click" in p.read_text()
    ]
    assert offenders == []


# --------------------------------------------------------------------------- missing roster


@pytest.mark.parametrize(
    "args",
    [
        ("remind", "--send"),
        ("status",),
        ("match",),
        ("participants", "list"),
        ("cycle", "close", "--yes"),
        ("report",),
    ],
)
def test_a_missing_roster_is_exit_3_and_stays_missing(tmp_path: Any, args: tuple[str, ...]) -> None:
    """`remind --send` once created an empty roster and said "sent 0" (exit 0)."""
    from tests.conftest import DATA

    d = tmp_path / "prog"
    d.mkdir()
    (d / "program.yaml").write_bytes((DATA / "program.yaml").read_bytes())
    r = CliRunner().invoke(app, ["-p", str(d), *args])
    assert r.exit_code == 3, r.output
    assert "no roster here yet" in r.stderr
    assert sorted(p.name for p in d.iterdir()) == ["program.yaml"]


def test_enrolling_creates_the_roster(tmp_path: Any) -> None:
    d = _program_with_people(tmp_path)
    assert (d / "roster.db").exists()
