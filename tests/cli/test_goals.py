"""`mentorctl goals add|edit|list|progress`, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from tests.conftest import DATA, Cli


def enrolled(cli: Cli) -> Cli:
    result = cli("participants", "import", str(DATA / "people.csv"))
    assert result.exit_code == 0, result.output
    return cli


def goals(cli: Cli, *args: str) -> list[dict]:
    result = cli("goals", "list", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_survey_answer_is_the_first_goal_until_goals_are_added(cli: Cli) -> None:
    enrolled(cli)
    [alan] = goals(cli, "alan@example.com")
    assert alan == {
        "id": None,
        "number": 1,
        "mentee": "alan@example.com",
        "title": "Learn to lead a team",
        "relevant": None,
        "aspirational": None,
        "experimental": None,
        "learning": None,
        "status": "not-started",
        "progress": 0,
        "source": "survey",
    }
    assert goals(cli, "katherine@example.com") == []  # no answer, no goal
    added = cli(
        "goals",
        "add",
        "alan@example.com",
        "--title",
        "Give a conference talk",
        "--relevant",
        "We hire from the community",
        "--aspirational",
        "Keynote one day",
        "--experimental",
        "A lightning talk first",
        "--learning",
        "Storytelling",
    )
    assert added.exit_code == 0, added.output
    assert "added goal #2 for alan@example.com: Give a conference talk" in added.stderr
    listed = goals(cli, "alan@example.com")
    assert [(g["number"], g["title"], g["source"]) for g in listed] == [
        (1, "Learn to lead a team", "roster"),
        (2, "Give a conference talk", "roster"),
    ]
    assert listed[1]["learning"] == "Storytelling" and listed[1]["id"] is not None


def test_progress_moves_the_status(cli: Cli) -> None:
    enrolled(cli)
    result = cli("goals", "progress", "alan@example.com", "1", "40")
    assert result.exit_code == 0, result.output
    assert "changed goal #1 of alan@example.com: progress, status (now in-progress, 40 %)" in (
        result.stderr
    )
    result = cli("goals", "progress", "alan@example.com", "learn to", "100", "--json")
    data = json.loads(result.stdout)
    assert data["goal"]["status"] == "achieved" and data["goal"]["progress"] == 100
    assert data["changed"] == ["progress", "status"]
    assert cli("goals", "progress", "alan@example.com", "1", "101").exit_code == 2
    missing = cli("goals", "progress", "alan@example.com", "7", "10")
    assert missing.exit_code == 1 and "no goal #7 (they have 1)" in missing.stderr
    edited = cli("goals", "edit", "alan@example.com", "1", "--status", "dropped")
    assert edited.exit_code == 0
    again = cli("goals", "progress", "alan@example.com", "1", "50", "--json")
    assert json.loads(again.stdout)["goal"]["status"] == "dropped"  # dropped stays dropped


def test_edit_list_filters_and_csv(cli: Cli) -> None:
    enrolled(cli)
    cli("goals", "add", "katherine@example.com", "--title", "Learn SQL window functions")
    edited = cli(
        "goals",
        "edit",
        "katherine@example.com",
        "1",
        "--title",
        "Master SQL",
        "--experimental",
        "Rewrite one report",
        "--json",
    )
    assert edited.exit_code == 0, edited.output
    assert json.loads(edited.stdout)["changed"] == ["title", "experimental"]
    table = cli("goals", "list")
    assert table.exit_code == 0
    assert "Master SQL" in table.stdout and "--E-" in table.stdout
    assert "Learn to lead a team" in table.stdout
    assert [g["mentee"] for g in goals(cli, "--status", "not-started")] == [
        "alan@example.com",
        "edsger@example.com",
        "katherine@example.com",
    ]
    csv = cli("goals", "list", "--csv")
    # Edsger's survey answer is a formula: spreadsheet-safe CSV defuses it.
    assert "'=HYPERLINK" in csv.stdout
    nothing = cli("goals", "edit", "katherine@example.com", "1")
    assert nothing.exit_code == 2 and "nothing to change" in nothing.stderr


def test_dry_run_and_bad_input(cli: Cli) -> None:
    enrolled(cli)
    dry = cli("goals", "add", "katherine@example.com", "--title", "X", "--dry-run")
    assert dry.exit_code == 0 and "would add goal #1" in dry.stderr
    assert goals(cli, "katherine@example.com") == []
    dry = cli("goals", "progress", "alan@example.com", "1", "30", "--dry-run")
    assert dry.exit_code == 0 and "would change" in dry.stderr
    assert goals(cli, "alan@example.com")[0]["source"] == "survey"  # nothing stored
    mentor = cli("goals", "add", "ada@example.com", "--title", "X")
    assert mentor.exit_code == 2 and "goals are for mentees" in mentor.stderr
    nobody = cli("goals", "add", "nobody@example.com", "--title", "X")
    assert nobody.exit_code == 1 and "nobody@example.com: no such participant" in nobody.stderr
    notitle = cli("goals", "add", "katherine@example.com")
    assert notitle.exit_code == 2 and "--title" in notitle.stderr
    empty = cli("goals", "add", "katherine@example.com", "--title", "   ")
    assert empty.exit_code == 2 and "a goal needs a title" in empty.stderr
    long = cli("goals", "add", "katherine@example.com", "--title", "x" * 301)
    assert long.exit_code == 2 and "longer than 300" in long.stderr


def test_hostile_goal_text_is_stored_as_typed(cli: Cli) -> None:
    enrolled(cli)
    title = "{{ 7*7 }} <script>alert(1)</script> مريم 🎉"
    assert cli("goals", "add", "katherine@example.com", "--title", title).exit_code == 0
    assert goals(cli, "katherine@example.com")[0]["title"] == title
