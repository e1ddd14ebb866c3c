"""``objective: fair`` and its price through the real CLI, and the report's score and
match rate by group (department and ``group: true`` questions) with small cells hidden."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.conftest import Cli

# Two mentors, two mentees, scores (by closeness on two numbers, max_diff 10):
# ann-xia 1.0, bob-yan 0.2, ann-yan 0.55, bob-xia 0.55. max-matches takes the first two
# (total 1.2, lowest 0.2); fair the last two (total 1.1, lowest 0.55).
PROGRAM = """\
version: 1
name: Fair Test
slug: fair-test
format: one-to-one
cycle: {name: 2027-h1, start: 2027-01-11}
survey:
  questions:
    - {id: north, label: North, type: number}
    - {id: east, label: East, type: number}
    - {id: community, label: Community, type: single_choice, options: [Red, Blue, Green],
       group: true}
matching:
  objective: OBJECTIVE
  criteria:
    - {name: north, kind: closeness, field: north, max_diff: 10}
    - {name: east, kind: closeness, field: east, max_diff: 10}
  constraints:
    management_chain: 0
report:
  min_group_size: 2
"""
PEOPLE = """\
email,name,role,department,north,east,community
ann@x.org,Ann,mentor,Eng,0,0,Red
bob@x.org,Bob,mentor,Eng,-3,6,Blue
xia@x.org,Xia,mentee,Eng,0,0,Red
yan@x.org,Yan,mentee,Ops,9,0,Blue
"""


def program(tmp_path: Path, objective: str, people: str = PEOPLE, extra: str = "") -> Cli:
    d = tmp_path / "prog"
    d.mkdir(exist_ok=True)
    (d / "program.yaml").write_text(
        PROGRAM.replace("OBJECTIVE", objective) + extra, encoding="utf-8"
    )
    (d / "people.csv").write_text(people, encoding="utf-8")
    cli = Cli(d, None)
    res = cli("participants", "import", str(d / "people.csv"))
    assert res.exit_code == 0, res.output
    return cli


def test_fair_places_everyone_and_raises_the_lowest_score(tmp_path: Path) -> None:
    cli = program(tmp_path, "fair")
    res = cli("match", "--dry-run", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    pairs = {(m["mentor"], m["mentee"]): m["score"] for m in data["matches"]}
    assert pairs == {("ann@x.org", "yan@x.org"): 0.55, ("bob@x.org", "xia@x.org"): 0.55}
    assert data["tradeoffs"] == {
        "objective": "fair",
        "fairness": {
            "max_matches": {"matched": 2, "lowest_score": 0.2, "total_score": 1.2},
            "fair": {"matched": 2, "lowest_score": 0.55, "total_score": 1.1},
            "lowest_score_change": 0.35,
            "total_score_change": -0.0833,
        },
        "priority": None,
        "note": None,
    }
    res = cli("match", "--dry-run")
    assert res.exit_code == 0, res.output
    assert (
        "fairness: the lowest score rises from 0.200 to 0.550; the total falls by 8.3% "
        "(against max-matches)\n"
    ) in res.stdout


def test_max_matches_run_tells_what_fair_would_cost(tmp_path: Path) -> None:
    cli = program(tmp_path, "max-matches")
    data = json.loads(cli("match", "--dry-run", "--json").stdout)
    assert {(m["mentor"], m["mentee"]) for m in data["matches"]} == {
        ("ann@x.org", "xia@x.org"),
        ("bob@x.org", "yan@x.org"),
    }
    assert data["tradeoffs"]["objective"] == "max-matches"
    assert data["tradeoffs"]["fairness"]["fair"]["lowest_score"] == 0.55
    res = cli("match", "--dry-run")
    assert (
        "fairness: objective: fair would raise the lowest score from 0.200 to 0.550; "
        "the total would fall by 8.3%\n"
    ) in res.stdout
    # Stable and greedy runs do not weigh it: null in JSON, no line.
    data = json.loads(cli("match", "--dry-run", "--json", "--mode", "stable").stdout)
    assert data["tradeoffs"] is None
    assert "fairness:" not in cli("match", "--dry-run", "--mode", "greedy").stdout


def test_large_rosters_leave_the_price_out_unless_fair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mentorctl.matching import fair

    monkeypatch.setattr(fair, "PRICE_MAX_PAIRS", 3)  # this roster has 4 candidate pairs
    cli = program(tmp_path, "max-matches")
    data = json.loads(cli("match", "--dry-run", "--json").stdout)
    note = (
        "not computed: 4 candidate pairs is above 3 (`match --dry-run --set "
        "matching.objective=fair` shows fair's figures)"
    )
    assert data["tradeoffs"] == {
        "objective": "max-matches",
        "fairness": None,
        "priority": None,
        "note": note,
    }
    assert f"fairness: {note}\n" in cli("match", "--dry-run").stdout
    # What the note suggests works, and a fair run reports its price at any size.
    res = cli("match", "--dry-run", "--json", "--set", "matching.objective=fair")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["tradeoffs"]["fairness"]["fair"]["lowest_score"] == 0.55


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("  mode: stable\n", "matching.objective: fair needs mode: optimal (not stable)"),
    ],
)
def test_fair_needs_optimal_mode(tmp_path: Path, extra: str, message: str) -> None:
    d = tmp_path / "prog"
    d.mkdir()
    text = PROGRAM.replace("OBJECTIVE", "fair").replace(
        "  objective: fair\n", "  objective: fair\n" + extra
    )
    (d / "program.yaml").write_text(text, encoding="utf-8")
    res = Cli(d, None)("validate")
    assert res.exit_code == 1, res.output
    assert message in res.output


def test_a_text_question_cannot_be_a_group(tmp_path: Path) -> None:
    d = tmp_path / "prog"
    d.mkdir()
    text = PROGRAM.replace("OBJECTIVE", "fair").replace(
        "    - {id: north, label: North, type: number}\n",
        "    - {id: north, label: North, type: number}\n"
        "    - {id: note, label: Note, type: text, group: true}\n",
    )
    (d / "program.yaml").write_text(text, encoding="utf-8")
    res = Cli(d, None)("validate")
    assert res.exit_code == 1, res.output
    assert (
        "program.yaml:9: survey.questions[1].group: a text question cannot be a group" in res.output
    )


# Eight mentees: Red 4, Blue 3, Green 1 (hidden, and with it the next smallest, Blue);
# departments Eng 5, Ops 3. Four mentors, one mentee each: four matches.
GROUP_PEOPLE = """\
email,name,role,department,north,east,community
ann@x.org,Ann,mentor,Eng,0,0,Red
bob@x.org,Bob,mentor,Eng,-3,6,Blue
cy@x.org,Cy,mentor,Ops,5,5,Blue
dan@x.org,Dan,mentor,Ops,3,3,Green
m1@x.org,M1,mentee,Eng,0,0,Red
m2@x.org,M2,mentee,Eng,1,0,Red
m3@x.org,M3,mentee,Eng,0,1,Red
m4@x.org,M4,mentee,Eng,9,0,Red
m5@x.org,M5,mentee,Eng,-3,6,Blue
m6@x.org,M6,mentee,Ops,5,5,Blue
m7@x.org,M7,mentee,Ops,4,4,Blue
m8@x.org,M8,mentee,Ops,2,2,Green
"""


def test_report_by_group_with_small_cells_suppressed(tmp_path: Path) -> None:
    cli = program(tmp_path, "fair", GROUP_PEOPLE)
    match = json.loads(cli("match", "--json").stdout)
    assert cli("match", "accept", "--all").exit_code == 0
    scores = {m["mentee"]: m["score"] for m in match["matches"]}
    assert len(scores) == 4
    res = cli("report", "--json", "--today", "2027-02-01")
    assert res.exit_code == 0, res.output
    groups = {g["by"]: g for g in json.loads(res.stdout)["by_group"]}
    assert list(groups) == ["department", "community"]
    dept = {r["group"]: r for r in groups["department"]["rows"]}
    eng = [f"m{i}@x.org" for i in range(1, 6)]
    ops = [f"m{i}@x.org" for i in range(6, 9)]

    def expect(members: list[str]) -> tuple[int, int, float | None]:
        got = [scores[e] for e in members if e in scores]
        return len(members), len(got), round(sum(got) / len(got), 4) if got else None

    figures = {name: expect(members) for name, members in (("Eng", eng), ("Ops", ops))}
    # A mean over fewer than min_group_size (2) matches is hidden; when that hides one
    # mean only, the next smallest goes too (else the overall mean would give it away).
    few = {name for name, (_, hits, _) in figures.items() if 0 < hits < 2}
    if len(few) == 1:
        few = set(figures)
    for name, (n, hits, mean) in figures.items():
        row = dept[name]
        assert (row["mentees"], row["matched"]) == (n, hits)
        assert row["match_rate"] == round(hits / n, 4)
        assert row["score_suppressed"] == (name in few)
        assert row["mean_score"] == (None if name in few else mean)
    assert not few  # this roster shows both means (two matches in each department)
    rows = {r["group"]: r for r in groups["community"]["rows"]}
    assert [r["group"] for r in groups["community"]["rows"]] == ["Red", "Blue", "Green"]
    assert rows["Red"]["mentees"] == 4 and not rows["Red"]["suppressed"]
    # Green has 1 mentee: hidden; then Blue (3), the next smallest, so that Green cannot
    # be worked out from the total.
    for hidden in ("Green", "Blue"):
        assert rows[hidden]["suppressed"]
        assert rows[hidden]["mentees"] is None and rows[hidden]["mean_score"] is None

    rows_csv = list(csv.reader(io.StringIO(cli("report", "--csv", "--today", "2027-02-01").stdout)))
    assert ["score_by_community", "Green", "mentees", "suppressed"] in rows_csv
    assert ["score_by_community", "Red", "mentees", "4"] in rows_csv
    md = cli("report", "--md", "--today", "2027-02-01").stdout
    assert "## Match rate and score by answer to “Community”\n" in md
    assert "| Green | suppressed | suppressed | suppressed | suppressed |" in md
    out = tmp_path / "report.html"
    res = cli("report", "--html", str(out), "--today", "2027-02-01")
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert 'id="score_by_department"' in html and 'id="score_by_community"' in html
