"""``mentorctl match review``: step through the stored proposal on a terminal.

Each proposed pair can be accepted, rejected, given another mentor (swap) or skipped.
A swap lists the mentee's other eligible mentors with their names, scores and free
places, and offers only mentors with a place free (counting accepted matches and the
proposals still pending), so a review never over-fills a mentor; accepting refuses it
too. Quitting, or reaching the end, prints what was decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import typer

from mentorctl.cli import output
from mentorctl.cli.match_input import match_input, names, open_context

if TYPE_CHECKING:
    from sqlmodel import Session

    from mentorctl.cli.match_input import Context
    from mentorctl.roster.matches import MenteePlaces

CHOICES = ["accept", "reject", "swap mentor", "skip", "quit"]


@dataclass
class Decisions:
    """What the coordinator decided in one review, for the closing summary."""

    lines: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, line: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        self.lines.append(line)


def review(ctx: typer.Context) -> None:
    """Step through the proposal on a terminal: accept, reject, swap mentor or skip.

    Every choice is also a command: `match accept`, `match reject`.
    """
    from mentorctl.cli import prompts
    from mentorctl.errors import UsageError

    if not prompts.interactive():
        raise UsageError("review needs a terminal; use `mentorctl match accept|reject` instead")
    c = open_context(ctx.obj, None)
    decided = Decisions()
    try:
        _review(c, decided)
    finally:
        c.close()
        _print_decisions(decided, len(c.known.proposed))


def _review(c: Context, decided: Decisions) -> None:
    from rich.markup import escape

    from mentorctl.cli import prompts
    from mentorctl.errors import MentorctlError
    from mentorctl.roster import matches

    who = names(c.known.people)
    capacity = capacities(c)
    for row in c.known.proposed:
        mentor, mentee = row["mentor"], row["mentee"]
        pair = f"{who[mentee]} with {who[mentor]}"
        output.out().print(
            f"\n[bold]{escape(who[mentee])}[/bold] <{escape(mentee)}> with "
            f"[bold]{escape(who[mentor])}[/bold] <{escape(mentor)}>: score {row['score']:.3f}"
        )
        explanation = row["explanation"] or {}
        for reason in explanation.get("reasons", []):
            output.out().print(f"  - {reason}", markup=False)
        if isinstance(explanation.get("override"), dict):
            o = explanation["override"]
            output.out().print(
                f"  ! locked despite {'; '.join(o.get('constraints', []))}: {o.get('reason')}",
                markup=False,
            )
        choice = prompts.select("Decision", CHOICES, "accept")
        if choice == "quit":
            return
        if choice == "skip":
            decided.add("skipped", f"skipped: {pair}")
            continue
        try:
            with c.roster.session(write=True) as session:
                if choice == "accept":
                    matches.accept(
                        session, c.cycle_id, c.known.ids, [(mentor, mentee)], capacity,
                        places=mentee_places(c),
                    )  # fmt: skip
                    decided.add("accepted", f"accepted: {pair}")
                elif choice == "reject":
                    matches.reject(session, c.cycle_id, c.known.ids, mentor, mentee)
                    decided.add("rejected", f"rejected: {pair}")
                else:
                    pick = _swap(c, session, mentor, mentee, capacity)
                    if pick is None:
                        decided.add("skipped", f"skipped (no other mentor free): {pair}")
                    else:
                        decided.add(
                            "swapped", f"swapped: {who[mentee]} with {who[pick]} (accepted)"
                        )
        except MentorctlError as exc:  # e.g. the mentor filled up earlier in this review
            output.warn(f"{pair}: {exc.message if hasattr(exc, 'message') else exc}")
            decided.add("not changed", f"not changed: {pair} ({exc})")


def capacities(c: Context) -> dict[str, int]:
    from mentorctl.matching import constraints
    from mentorctl.matching.engine import is_mentor

    return {
        p["email"]: constraints.capacity_of(c.program, p) for p in c.known.people if is_mentor(p)
    }


def mentee_places(c: Context) -> MenteePlaces:
    """Mentors each mentee takes, and each mentor's track (what accepting checks)."""
    from mentorctl.matching.engine import is_mentee, is_mentor
    from mentorctl.matching.tracks import mentee_places as places_of
    from mentorctl.matching.tracks import track_of
    from mentorctl.roster.matches import MenteePlaces

    people = c.known.people
    tracks = {p["email"]: track_of(c.program, p) for p in people if is_mentor(p)}
    return MenteePlaces(
        places={p["email"]: places_of(c.program, p) for p in people if is_mentee(p)},
        tracks={m: t for m, t in tracks.items() if t is not None},
    )


def _swap(
    c: Context, session: Session, mentor: str, mentee: str, capacity: dict[str, int]
) -> str | None:
    """Ask for another mentor among those with a place free; make the swap. None: none."""
    from mentorctl.cli import prompts
    from mentorctl.matching.engine import candidates
    from mentorctl.matching.scoring import explain_pair
    from mentorctl.roster import matches

    by_email = {p["email"]: p for p in c.known.people}
    taken = matches.places_taken(session, c.cycle_id)
    best, _ = candidates(match_input(c, None, None, None), mentee)
    options: dict[str, str] = {}
    current = {m for m, e in c.known.active if e == mentee}  # a mentee's other mentors
    for r in best:
        email = r["mentor"]
        if email == mentor or email in current:
            continue
        active, pending = taken.get(c.known.ids[email], (0, 0))
        free = capacity.get(email, 0) - active - pending
        if free <= 0:
            continue  # a place held by a pending proposal is not free: accepting it would over-fill
        title = (
            f"{r['name']} <{email}>  score {r['score']:.3f}, "
            f"{free} of {capacity[email]} place(s) free"
        )
        options[title] = email
        if len(options) == 10:
            break
    if not options:
        output.warn(f"no other eligible mentor with a free place for {by_email[mentee]['name']}")
        return None
    pick = options[prompts.select("New mentor", list(options))]
    pair = explain_pair(c.program, by_email[pick], by_email[mentee])
    matches.swap(
        session,
        c.cycle_id,
        c.known.ids,
        mentor,
        pick,
        mentee,
        score=round(pair.score, 6),
        explanation={"criteria": pair.values, "reasons": pair.top_reasons(2)},
        capacity=capacity,
        places=mentee_places(c),
    )
    return pick


def _print_decisions(decided: Decisions, proposed: int) -> None:
    counts: dict[str, Any] = decided.counts
    done = sum(n for kind, n in counts.items() if kind not in ("skipped", "not changed"))
    parts = [f"{n} {kind}" for kind, n in counts.items()] or ["nothing decided"]
    out = output.out()
    out.print("", markup=False)
    for line in decided.lines:
        out.print(line, markup=False, soft_wrap=True)
    out.print(
        f"review: {', '.join(parts)}; {proposed - done} of {proposed} proposal(s) still "
        "to decide (`mentorctl match review` again, or `match accept --all`)",
        markup=False,
        soft_wrap=True,
    )
