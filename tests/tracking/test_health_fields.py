"""match_facts and assess build MatchFacts and MatchHealth positionally (for speed):
their field order is pinned here, so a reordered record fails loudly, not silently."""

from __future__ import annotations

from mentorctl.tracking.health import MatchFacts, MatchHealth


def test_match_facts_field_order() -> None:
    assert list(MatchFacts._fields) == [
        "match_id", "cycle_id", "mentor", "mentee", "mentor_name", "mentee_name", "circle",
        "status", "started", "ended", "end_reason", "outcome", "meeting_dates",
        "meetings_held", "last_met", "minutes", "goal_progress", "satisfaction", "recommend",
        "checkins", "last_checkin", "said_met", "said_not_yet",
    ]  # fmt: skip


def test_match_health_field_order() -> None:
    assert list(MatchHealth._fields) == [
        "match_id", "cycle_id", "mentor", "mentee", "mentor_name", "mentee_name", "circle",
        "status", "started", "ended", "end_reason", "outcome", "meetings_held",
        "meetings_expected", "meetings_expected_total", "minutes", "last_met", "days_since",
        "goal_progress", "satisfaction", "recommend", "checkins", "last_checkin", "health",
        "reasons", "today", "said_met", "not_yet",
    ]  # fmt: skip
