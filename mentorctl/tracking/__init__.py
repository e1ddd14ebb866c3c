"""Meetings, check-ins and each match's health.

Recording: :func:`log_meetings` and :func:`import_checkins` write rows that the CLI (or a
script) has already read and checked: :func:`read_meeting_log` and :func:`read_checkins`
turn a CSV/XLSX export into plain records, listing every bad row (file, row, column) so
that an import is all-or-nothing.

Health: :func:`assess` is a pure function over plain data (:class:`MatchFacts`); it gives
one :class:`MatchHealth`. :func:`health_rows` gathers the facts for a whole cycle with a
handful of aggregate queries (no per-match query, so 10,000 matches cost one pass) and
assesses each match. The rules are in :mod:`mentorctl.tracking.health`.

Modules, one subject each (every public name is also importable from here):

* :mod:`~mentorctl.tracking.health`: health states, the rules and the roster query;
* :mod:`~mentorctl.tracking.meetings`: logging meetings and importing a meeting log;
* :mod:`~mentorctl.tracking.checkins`: importing pulse-survey check-ins;
* :mod:`~mentorctl.tracking.cycles`: the current cycle; closing one and opening the next;
* :mod:`~mentorctl.tracking.goals`: the mentee's goals in the REAL form.

Importing this package costs nothing: each name is imported from its module on first
use, and database and file libraries inside the functions that use them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mentorctl.tables.dates import as_date, check_today, parse_day, parse_today
    from mentorctl.tracking.checkins import (
        CHECKIN_COLUMNS,
        CheckinRecord,
        CheckinResult,
        import_checkins,
        read_checkins,
    )
    from mentorctl.tracking.cycles import current_cycle
    from mentorctl.tracking.health import (
        HEALTH_ORDER,
        HEALTH_STATES,
        MatchFacts,
        MatchHealth,
        Thresholds,
        assess,
        health_rank,
        health_rows,
        match_facts,
        match_start,
    )
    from mentorctl.tracking.meetings import (
        MEETING_COLUMNS,
        LogResult,
        MeetingRecord,
        log_meetings,
        read_meeting_log,
        resolve_meetings,
    )

# Each public name's module, imported on first use: `status` needs the health rules,
# not the meeting-log and check-in importers (nor cycles, which need SQLAlchemy).
_HOME = {
    **dict.fromkeys(
        ("as_date", "check_today", "parse_day", "parse_today"), "mentorctl.tables.dates"
    ),
    **dict.fromkeys(
        ("CHECKIN_COLUMNS", "CheckinRecord", "CheckinResult", "import_checkins", "read_checkins"),
        "mentorctl.tracking.checkins",
    ),
    **dict.fromkeys(
        (
            "HEALTH_ORDER",
            "HEALTH_STATES",
            "MatchFacts",
            "MatchHealth",
            "Thresholds",
            "assess",
            "health_rank",
            "health_rows",
            "match_facts",
            "match_start",
        ),
        "mentorctl.tracking.health",
    ),
    **dict.fromkeys(
        (
            "MEETING_COLUMNS",
            "LogResult",
            "MeetingRecord",
            "log_meetings",
            "read_meeting_log",
            "resolve_meetings",
        ),
        "mentorctl.tracking.meetings",
    ),
    "current_cycle": "mentorctl.tracking.cycles",
}

__all__ = [
    "CHECKIN_COLUMNS",
    "HEALTH_ORDER",
    "HEALTH_STATES",
    "MEETING_COLUMNS",
    "CheckinRecord",
    "CheckinResult",
    "LogResult",
    "MatchFacts",
    "MatchHealth",
    "MeetingRecord",
    "Thresholds",
    "as_date",
    "assess",
    "check_today",
    "current_cycle",
    "health_rank",
    "health_rows",
    "import_checkins",
    "log_meetings",
    "match_facts",
    "match_start",
    "parse_day",
    "parse_today",
    "read_checkins",
    "read_meeting_log",
    "resolve_meetings",
]


def __getattr__(name: str) -> Any:
    if name in _HOME:
        value = getattr(importlib.import_module(_HOME[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mentorctl.tracking' has no attribute {name!r}")
