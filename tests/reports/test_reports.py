"""Every report figure against the hand-computed fixture roster (tests/reports/fixture.py).

The working for each expected value is in the comment beside it. Matches counted are the
cycle's active and ended ones: M1..M6 (R1 rejected and X1 proposed never count).
"""

from __future__ import annotations

import datetime as dt

import pytest

from mentorctl import reports
from mentorctl.program import parse_program
from mentorctl.roster.db import open_roster
from tests.reports.fixture import AS_OF, PROGRAM_YAML, build_roster

PROGRAM = parse_program(PROGRAM_YAML)


@pytest.fixture
def report(db_url: str) -> reports.Report:
    build_roster(db_url)
    roster = open_roster(db_url)
    try:
        with roster.session() as s:
            return reports.build_report(
                s, PROGRAM, as_of=AS_OF, all_cycles=True, greedy=True, timeline=True
            )
    finally:
        roster.dispose()


def test_header(report: reports.Report) -> None:
    assert (report.cycle, report.cycle_start, report.cycle_end) == (
        "2027-h1",
        dt.date(2027, 1, 11),
        dt.date(2027, 7, 12),
    )
    assert report.in_progress is True
    assert report.min_group_size == 3


def test_participation(report: reports.Report) -> None:
    p = report.participation
    # enrolled: 13 people minus w1 (withdrew, unmatched this cycle) = 12; z1 joined
    # 2027-03-01, before the cycle's end, so counts.
    assert p.enrolled == 12
    # matched: m1 m2 m3 m4 b1 (mentoring) | e5 e1 e2 b1 e3 e6 (mentored) = 10 people
    assert p.matched == 10
    assert p.match_rate == 0.8333  # 10 / 12
    assert (p.mentors_enrolled, p.mentors_matched) == (5, 5)  # b1 m1 m2 m3 m4, all mentoring
    assert (p.mentees_enrolled, p.mentees_matched) == (8, 6)  # b1 e1-e6 z1; e4 z1 unmatched
    assert p.mentee_match_rate == 0.75


def test_participation_breakdowns_suppress_small_groups(report: reports.Report) -> None:
    rows = {r.group: r for r in report.participation.by_role}
    # both: 1 person < 3 -> hidden; it would be the only hidden cell, so the next
    # smallest (mentor, 4 people) is hidden too. mentee: e1-e6 z1 = 7, matched 5.
    assert [r.group for r in report.participation.by_role] == ["mentor", "mentee", "both"]
    assert rows["both"].suppressed and rows["mentor"].suppressed
    assert rows["mentor"].enrolled is None and rows["mentor"].match_rate is None
    assert (rows["mentee"].enrolled, rows["mentee"].matched, rows["mentee"].match_rate) == (
        7,
        5,
        0.7143,
    )
    dept = [
        (r.group, r.enrolled, r.matched, r.match_rate, r.suppressed)
        for r in report.participation.by_department
    ]
    assert dept == [
        ("Engineering", 5, 5, 1.0, False),  # m1 m2 b1 e1 e2
        ("HR", None, None, None, True),  # e6 alone
        ("Operations", None, None, None, True),  # m4 e5: 2 < 3
        ("Sales", 4, 2, 0.5, False),  # m3 e3 e4 z1; m3 e3 matched (w1 not enrolled)
    ]


def test_match_quality(report: reports.Report) -> None:
    q = report.match_quality
    # scores of M1..M6: 1 1 1 1 1 0
    assert (q.matches, q.scored, q.total_score) == (6, 6, 5.0)
    assert q.mean_score == 0.8333  # 5 / 6
    assert q.median_score == 1.0  # 0 1 1 | 1 1 1
    assert q.lowest_score == 0.0
    # Greedy (ties by mentor email, then mentee email; pairs under min_score 0.1 out):
    # b1->e3 1, m1->e1 1 (m1 full, so e5 has nobody), m2->b1 1, m2->e2 1 (m2 full);
    # m3 only fits e1 (taken), m4 only e3 (taken): 4 matches, total 4.0.
    assert q.greedy == reports.GreedyComparison(
        matches=4, total_score=4.0, mean_score=1.0, gain_total=1.0, gain_share=0.25, extra_matches=2
    )
    assert q.greedy_note is None
    # preferred mentors: e1 wants m1 (got m3: no), e2 wants m2/m1 (got m2: yes),
    # e5 wants m1 (got m1: yes) -> 2 of 3
    assert q.preferred == reports.PreferredMentors("preferred_mentors", 3, 2, 0.6667)


def test_engagement(report: reports.Report) -> None:
    e = report.engagement
    # held by 2027-04-05: M1 6, M2 3, M3 4, M4 5, M5 2 (the 04-20 one is later), M6 1 = 21
    assert e.meetings_held == 21
    # expected: M1-M4 from 01-11, 84 days // 14 = 6 each; M5 from 02-08: 56 // 14 = 4;
    # M6 ended 03-01: 49 // 14 = 3 -> 24 + 4 + 3 = 31
    assert e.meetings_expected == 31
    assert e.meeting_ratio == 0.6774  # 21 / 31
    # minutes: 6x60 + 3x30 + 4x45 + 5x90 + 2x60 + 30 = 1230 -> 20.5 h
    assert e.hours == 20.5
    assert e.meetings_per_match == 3.5  # 21 / 6
    # M1 M4 M5 on track; M3 at risk (satisfaction 2); M2 stalled (47 days >= 42); M6 ended
    assert e.health == reports.HealthCounts(on_track=3, at_risk=1, stalled=1, ended=1)
    assert e.health_shares == {"on_track": 0.6, "at_risk": 0.2, "stalled": 0.2}


def test_health_timeline(report: reports.Report) -> None:
    dates = [p.date for p in report.health_timeline]
    assert dates == [
        dt.date(2027, 1, 25),
        dt.date(2027, 2, 8),
        dt.date(2027, 2, 22),
        dt.date(2027, 3, 8),
        dt.date(2027, 3, 22),
        dt.date(2027, 4, 5),
    ]
    first, last = report.health_timeline[0], report.health_timeline[-1]
    # 01-25: everyone met within 21 days or has not started (M5); M6 ends only on 03-01,
    # so it is still running then (the chart once showed it ended from the first day)
    assert (first.on_track, first.at_risk, first.stalled, first.ended) == (6, 0, 0, 0)
    assert (last.on_track, last.at_risk, last.stalled, last.ended) == (3, 1, 1, 1)


def test_goals(report: reports.Report) -> None:
    g = report.goals
    assert g.set == 6
    assert g.by_status == {"not-started": 1, "in-progress": 2, "achieved": 2, "dropped": 1}
    assert (g.in_progress, g.achieved, g.achieved_share) == (2, 2, 0.3333)
    assert g.mean_progress == 50.0  # (50 + 100 + 0 + 100 + 20 + 30) / 6


def test_satisfaction_and_nps(report: reports.Report) -> None:
    s = report.satisfaction
    # latest per respondent: e5 5, m1 4, anonymous(M1) 4, e1 4, e2 2, b1 5, m2 4, e3 3
    # (its 04-10 answer is later than the report), e6 1 -> 9 people, sum 32
    assert s.respondents == 9
    assert s.mean == 3.56  # 32 / 9 = 3.5556
    # counts 1:1 2:1 3:1 4:4 5:2 -> every cell under 3 hidden
    assert [(c.score, c.count, c.suppressed) for c in s.distribution] == [
        (1, None, True),
        (2, None, True),
        (3, None, True),
        (4, 4, False),
        (5, None, True),
    ]
    # recommend, latest: e5 10, m1 9, e1 8, e2 3, b1 9, m2 7, e3 7, e6 2 (anonymous: none)
    assert s.recommend_respondents == 8
    # promoters 3, passives 3, detractors 2: NPS = 100 * (3 - 2) / 8
    assert s.nps == 12.5
    # detractors (2) hidden; alone, so the smaller of the others (passives 3, tie -> by name)
    assert (s.promoters, s.passives, s.detractors) == (3, None, None)
    assert s.suppressed == ["passives", "detractors"]


def test_supply_gaps(report: reports.Report) -> None:
    # wanted (enrolled mentees): Leadership 3 (b1 e2 e6), Design 2 (e4 z1), Python 1,
    # Writing 1, SQL 1; offered: Python 2, SQL 1, Leadership 1, Writing 2, Design 0
    assert report.supply_gaps == [
        reports.Gap("skills", "Design", 2, 0, 2),
        reports.Gap("skills", "Leadership", 3, 1, 2),
    ]


def test_comparison_with_previous_cycle(report: reports.Report) -> None:
    c = report.comparison
    assert c.previous_cycle == "2026-h2"
    got = {x.figure: (x.current, x.previous, x.change) for x in c.changes}
    # previous: everyone but z1 (joined later) and w1 (matched then) = 12; matched m3 w1
    # m2 e6 = 4; scores 0.5 1 -> 0.75; P1 met twice for 2 h; P1 P2 each expected
    # 182 // 14 = 13; both ended -> no on-track share; no goals, no check-ins
    assert got == {
        "enrolled": (12, 12, 0),
        "matched": (10, 4, 6),
        "match_rate": (0.8333, 0.3333, 0.5),
        "mean_score": (0.8333, 0.75, 0.0833),
        "meetings_held": (21, 2, 19),
        "meetings_expected": (31, 26, 5),
        "meeting_ratio": (0.6774, 0.0769, 0.6005),
        "hours": (20.5, 2.0, 18.5),
        "on_track_share": (0.6, None, None),
        "goals_set": (6, 0, 6),
        "goals_achieved": (2, 0, 2),
        "satisfaction_mean": (3.56, None, None),
        "nps": (12.5, None, None),
    }


def test_trends(report: reports.Report) -> None:
    assert report.trends is not None
    assert [t["cycle"] for t in report.trends] == ["2026-h2", "2027-h1"]
    assert report.trends[0]["matched"] == 4 and report.trends[1]["matched"] == 10
    assert report.trends[1] == reports.headline(report)


def test_outcomes(report: reports.Report) -> None:
    o = report.outcomes
    assert o is not None
    # x1 left before the cycle: out. mentored e1 e2 e3 e5 e6 b1 = 6; mentors m1-m4 = 4;
    # not mentored e4 z1 w1 n01-n09 = 12
    assert o.hr_records == 22
    assert (o.window_start, o.window_end) == (dt.date(2027, 1, 11), AS_OF)
    rows = {g.group: g for g in o.groups}
    m, t, n = rows["mentored"], rows["mentors"], rows["not_mentored"]
    # mentored: e3 left 03-15 -> 5 of 6 stayed; promoted in the window: e1 only (e5 before,
    # b1 after) -> 1 of 6. Wilson 5/6: centre 0.7032, half 0.2667.
    assert (m.people, m.retained, m.retention, m.retention_ci) == (6, 5, 0.8333, (0.4365, 0.9699))
    assert (m.promoted, m.promotion, m.promotion_ci) == (1, 0.1667, (0.0301, 0.5635))
    assert (t.people, t.retained, t.retention, t.retention_ci) == (4, 4, 1.0, (0.5101, 1.0))
    assert (t.promoted, t.promotion, t.promotion_ci) == (1, 0.25, (0.0456, 0.6994))
    # not mentored: w1 left 02-01, n02 left (no date); n01 leaves after the report date
    assert (n.people, n.retained, n.retention, n.retention_ci) == (12, 10, 0.8333, (0.552, 0.953))
    assert (n.promoted, n.promotion, n.promotion_ci) == (1, 0.0833, (0.0149, 0.3539))
    assert o.enough_data is False
    assert [c.conclusion for c in o.comparisons] == [
        "too small to conclude anything: each group needs at least 10 people "
        "(mentored: 6, not mentored: 12)"
    ] * 2
    assert all(c.difference is None and c.difference_ci is None for c in o.comparisons)


def test_cycle_option_reports_an_earlier_cycle(db_url: str) -> None:
    build_roster(db_url)
    roster = open_roster(db_url)
    try:
        with roster.session() as s:
            r = reports.build_report(s, PROGRAM, cycle="2026-h2", as_of=AS_OF, greedy=False)
            with pytest.raises(reports.NotFoundError, match="cycle 'nope': no such cycle"):
                reports.build_report(s, PROGRAM, cycle="nope", as_of=AS_OF)
    finally:
        roster.dispose()
    assert (r.participation.enrolled, r.participation.matched) == (12, 4)
    assert r.in_progress is False
    assert r.comparison.previous_cycle is None
    assert r.match_quality.greedy is None
    assert r.match_quality.greedy_note == "not computed (--no-greedy)"


def test_greedy_is_skipped_above_the_pair_limit(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_roster(db_url)
    # 5 mentors x 8 mentees = 40 pairs; the limit is read where the greedy baseline is run.
    monkeypatch.setattr("mentorctl.reports.quality.GREEDY_MAX_PAIRS", 39)
    roster = open_roster(db_url)
    try:
        with roster.session() as s:
            r = reports.build_report(s, PROGRAM, as_of=AS_OF)
    finally:
        roster.dispose()
    assert r.match_quality.greedy is None
    assert r.match_quality.greedy_note == (
        "not computed: 40 candidate pairs is above 39 (pass --greedy to compute it anyway)"
    )


# --------------------------------------------------------------------------- statistics


def test_wilson_by_hand() -> None:
    # 5 of 6: p = .8333, z^2 = 3.8415, denom 1.6402, centre 0.7032, half 0.2667
    low, high = reports.wilson(5, 6)  # type: ignore[misc]
    assert (round(low, 4), round(high, 4)) == (0.4365, 0.9699)
    low, high = reports.wilson(0, 10)  # type: ignore[misc]
    assert (round(low, 4), round(high, 4)) == (0.0, 0.2775)  # z^2 / (n + z^2)
    assert reports.wilson(0, 0) is None


def test_newcombe_and_conclusions_by_hand() -> None:
    # 18/20 vs 10/20: Wilson 0.6990-0.9721 and 0.2993-0.7007; d = 0.4
    # low = 0.4 - sqrt(0.2010^2 + 0.2007^2) = 0.1159; high = 0.4 + sqrt(0.0721^2 + 0.2007^2)
    low, high = reports.newcombe(18, 20, 10, 20)  # type: ignore[misc]
    assert (round(low, 4), round(high, 4)) == (0.1159, 0.6133)
    assert reports._conclude("stayed", 0.4, (low, high)) == (
        "mentored people stayed more often (+40.0 points, 95% CI +11.6 to +61.3)"
    )
    assert reports._conclude("stayed", -0.1, (-0.3, 0.1)) == (
        "no clear difference (-10.0 points, 95% CI -30.0 to +10.0: the interval includes zero)"
    )
    assert reports._conclude("were promoted", -0.3, (-0.5, -0.1)).startswith(
        "mentored people were promoted less often"
    )


def test_suppress_cells() -> None:
    assert reports.suppress_cells({"a": 10, "b": 2, "c": 7}, 5) == {"b", "c"}
    assert reports.suppress_cells({"a": 10, "b": 2, "c": 1}, 5) == {"b", "c"}
    assert reports.suppress_cells({"a": 10, "b": 0, "c": 5}, 5) == set()
    assert reports.suppress_cells({"a": 3}, 5) == {"a"}
