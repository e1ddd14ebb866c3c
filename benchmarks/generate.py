"""Deterministic, realistic programs for the benchmarks.

:func:`generate_program` writes a ``program.yaml`` and a canonical ``participants.csv``
(roster fields, then question ids; lists joined by ``"; "``) into a directory. The same
seed always gives the same files, so runs can be compared.

The data is shaped like a real company rather than uniform noise, because matching cost
depends on it:

* skills follow a Zipf-like curve, and mentees want the popular ones more than mentors
  offer them, so a few skills are oversubscribed;
* a handful of "famous" mentors are named far more often in ``preferred_mentors``;
* people sit in departments with managers who are often mentors themselves, so the
  ``management_chain`` constraint bites;
* locations carry their real time zones (``closeness`` on ``utc_offset``), languages
  follow location (``same``), mentors are more senior than mentees (``seniority_gap``),
  and three likert items feed ``similarity``.

Only the standard library is used, so the generator can run anywhere. Run it alone with
``python benchmarks/generate.py DIR --mentors 400 --mentees 2000``.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from mentorctl.program import ROSTER_FIELDS

QUESTIONS = (
    "skills_wanted",
    "skills_offered",
    "track",
    "extraversion",
    "conscientiousness",
    "openness",
    "preferred_mentors",
    "goals",
)

# Most popular first: the Zipf weights below follow this order.
SKILLS = (
    "Python",
    "Leadership",
    "System design",
    "SQL",
    "Public speaking, presenting",
    "Career growth",
    "Cloud infrastructure",
    "Machine learning",
    "Code review",
    "Product sense",
    "Writing",
    "Testing strategy",
    "Security",
    "Frontend architecture",
    "Data engineering",
    "Negotiation",
    "Hiring and interviewing",
    "Observability and on-call",
    "Mobile development",
    "Performance tuning",
    "Go",
    "Rust",
    "Accessibility",
    "Budgeting",
)
LEVELS = ("Junior", "Mid", "Senior", "Staff", "Principal")
DEPARTMENTS = {
    "Engineering": ("Software Engineer", "Backend Engineer", "Frontend Engineer", "SRE"),
    "Data": ("Data Analyst", "Data Scientist", "ML Engineer"),
    "Product": ("Product Manager", "Product Designer", "UX Researcher"),
    "Sales": ("Account Executive", "Sales Engineer", "Solutions Consultant"),
    "Marketing": ("Content Strategist", "Growth Marketer", "Brand Designer"),
    "Finance": ("Financial Analyst", "Accountant", "Controller"),
    "People": ("Recruiter", "HR Business Partner", "L&D Specialist"),
    "Support": ("Support Specialist", "Support Engineer", "Community Manager"),
}
DEPARTMENT_WEIGHTS = (40, 12, 10, 12, 7, 5, 4, 10)
# (location, IANA time zone, second language or None, weight)
LOCATIONS = (
    ("London", "Europe/London", None, 18),
    ("Berlin", "Europe/Berlin", "German", 12),
    ("Warsaw", "Europe/Warsaw", "Polish", 6),
    ("New York", "America/New_York", "Spanish", 16),
    ("San Francisco", "America/Los_Angeles", "Spanish", 12),
    ("Toronto", "America/Toronto", "French", 5),
    ("São Paulo", "America/Sao_Paulo", "Portuguese", 6),
    ("Bangalore", "Asia/Kolkata", "Hindi", 12),
    ("Singapore", "Asia/Singapore", "Mandarin", 6),
    ("Sydney", "Australia/Sydney", None, 4),
    ("Remote", "UTC", None, 3),
)
FIRST = (
    "Ada", "Alan", "Grace", "Katherine", "Linus", "Margaret", "Dennis", "Barbara", "Ken",
    "Frances", "Edsger", "Radia", "Donald", "Hedy", "Tim", "Shafi", "Guido", "Anita",
    "Niklaus", "Sophie", "José", "Zoë", "Łukasz", "Aiko", "Priya", "Chen", "Fatima", "Olu",
    "Mateo", "Ingrid", "Tomasz", "Amara", "Kenji", "Leila", "Rafael", "Nadia", "Sven",
    "Mei", "Arjun", "Chiara",
)  # fmt: skip
LAST = (
    "Lovelace", "Turing", "Hopper", "Johnson", "Torvalds", "Hamilton", "Ritchie", "Liskov",
    "Thompson", "Allen", "Dijkstra", "Perlman", "Knuth", "Lamarr", "Berners-Lee",
    "Goldwasser", "van Rossum", "Borg", "Wirth", "Wilson", "García", "O'Brien", "Nowak",
    "Tanaka", "Sharma", "Wang", "Haddad", "Adeyemi", "Rossi", "Larsen", "Wójcik", "Okafor",
    "Sato", "Karimi", "Silva", "Petrova", "Andersson", "Lin", "Patel", "Bianchi",
)  # fmt: skip
GOALS = (
    "Lead a project end to end",
    "Get promoted to the next level",
    "Present at an all-hands",
    "Design a service from scratch",
    "Become a better code reviewer",
    "Move into management",
    "Learn how other teams work",
    "Write clearer design docs",
    "",
    "",
)


class Generated(NamedTuple):
    directory: Path
    program_yaml: Path
    participants_csv: Path
    rows: int


def _ascii(text: str) -> str:
    table = str.maketrans({"é": "e", "ë": "e", "Ł": "L", "ó": "o", "í": "i", "ã": "a", "'": ""})
    return text.translate(table).lower().replace(" ", "").replace("-", "")


def program_yaml(*, fmt: str = "group", mode: str = "optimal") -> str:
    """The program definition shared by the benchmarks (every criterion kind but one)."""
    skills = "\n".join(f"        - {s!r}" for s in SKILLS)
    return f"""\
# Generated by benchmarks/generate.py: do not edit by hand.
version: 1
name: Benchmark Mentoring
slug: bench-mentoring
description: A large synthetic program for the benchmarks.
objectives: [Grow people]
coordinator: coordinator@example.org
format: {fmt}
focus: skill
cycle:
  name: 2027-h1
  start: 2027-01-11
  length_weeks: 26
  cadence: biweekly
capacity:
  default: 3
  maximum: 8
levels: [{", ".join(LEVELS)}]
eligibility:
  mentor:
    min_tenure_months: 12
    levels: [Mid, Senior, Staff, Principal]
survey:
  questions:
    - id: skills_wanted
      label: Which skills would you like to develop?
      type: multiple_choice
      asked_of: mentees
      required: true
      max_choices: 3
      options: &skills
{skills}
    - id: skills_offered
      label: Which skills can you help others with?
      type: multiple_choice
      asked_of: mentors
      required: true
      max_choices: 5
      options: *skills
    - id: track
      label: Preferred track
      type: single_choice
      options: [Individual contributor, Management]
    - id: extraversion
      label: I am the life of the party.
      type: likert
      required: true
    - id: conscientiousness
      label: I get chores done right away.
      type: likert
      required: true
    - id: openness
      label: I have a vivid imagination.
      type: likert
      required: true
    - id: preferred_mentors
      label: Preferred mentors (emails)
      type: email_list
      asked_of: mentees
    - id: goals
      label: What do you want to achieve?
      type: text
      asked_of: mentees
matching:
  mode: {mode}
  objective: max-score
  criteria:
    - {{name: skills, kind: overlap, mentee: skills_wanted, mentor: skills_offered, weight: 4}}
    - {{name: language, kind: same, field: languages, weight: 1}}
    - {{name: track, kind: same, field: track, weight: 1}}
    - {{name: time-zone, kind: closeness, field: utc_offset, max_diff: 5, weight: 2}}
    - {{name: personality, kind: similarity, questions: [conscientiousness, openness]}}
    - {{name: energy, kind: similarity, questions: [extraversion], complement: true, weight: 0.5}}
    - {{name: seniority, kind: seniority_gap, min_gap: 1, max_gap: 3, weight: 1}}
    - {{name: wished-for, kind: preference, mentee: preferred_mentors, weight: 2}}
  constraints:
    management_chain: 2
    avoid_previous_pairs: true
"""


def _zipf(n: int, s: float) -> list[float]:
    """Cumulative Zipf weights (for ``random.choices(cum_weights=...)``), rank 0 heaviest."""
    return list(itertools.accumulate(1.0 / (rank + 1) ** s for rank in range(n)))


def _pick_distinct(
    rng: random.Random, items: Sequence[str], cum_weights: list[float], k: int
) -> list[str]:
    chosen: list[str] = []
    while len(chosen) < k:
        item = rng.choices(items, cum_weights=cum_weights)[0]
        if item not in chosen:
            chosen.append(item)
    return chosen


def participants(n_mentors: int, n_mentees: int, seed: int) -> list[dict[str, str]]:
    """The rows of participants.csv: mentors first, then mentees, each a dict of cells."""
    rng = random.Random(seed)
    wanted_w = _zipf(len(SKILLS), 1.2)  # mentees crowd the popular skills ...
    offered_w = _zipf(len(SKILLS), 0.6)  # ... that mentors offer more evenly
    depts = tuple(DEPARTMENTS)
    loc_w = [w for *_, w in LOCATIONS]
    used: set[str] = set()

    def person(i: int, role: str) -> dict[str, str]:
        while True:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            email = f"{_ascii(first)}.{_ascii(last)}{rng.randint(1, 99)}@example.org"
            if email not in used:
                used.add(email)
                break
        dept = rng.choices(depts, DEPARTMENT_WEIGHTS)[0]
        location, tz, second, _ = rng.choices(LOCATIONS, loc_w)[0]
        languages = ["English"] + ([second] if second and rng.random() < 0.6 else [])
        if role == "mentor":
            level = rng.choices(LEVELS, (0, 2, 5, 3, 1))[0]
            tenure = rng.randint(6, 180)
            years = round(rng.uniform(4, 25) * 2) / 2
        else:
            level = rng.choices(LEVELS, (5, 4, 1, 0.2, 0))[0]
            tenure = rng.randint(1, 60)
            years = round(rng.uniform(0, 10) * 2) / 2
        title = rng.choice(DEPARTMENTS[dept])
        if level in ("Senior", "Staff", "Principal"):
            title = f"{level} {title}"
        return {
            "email": email,
            "name": f"{first} {last}",
            "role": role,
            "department": dept,
            "title": title if rng.random() > 0.03 else "",
            "level": level,
            "manager_email": "",
            "location": location,
            "timezone": tz,
            "languages": "; ".join(languages),
            "tenure_months": str(tenure),
            "years_experience": f"{years:g}",
            "capacity": "",
            "extraversion": str(rng.randint(1, 5)),
            "conscientiousness": str(rng.randint(1, 5)),
            "openness": str(rng.randint(1, 5)),
            "track": rng.choice(("Individual contributor", "Management", "")),
        }

    mentors = [person(i, "mentor") for i in range(n_mentors)]
    mentees = [person(i, "mentee") for i in range(n_mentees)]

    # Managers: senior mentors of the same department (so some mentor their own reports),
    # else a director outside the roster.
    managers: dict[str, list[str]] = {d: [] for d in depts}
    for m in mentors:
        if m["level"] in ("Staff", "Principal"):
            managers[m["department"]].append(m["email"])
    for p in mentors + mentees:
        pool = [e for e in managers[p["department"]] if e != p["email"]]
        if pool and rng.random() < 0.85:
            p["manager_email"] = rng.choice(pool)
        elif rng.random() < 0.5:
            p["manager_email"] = f"director.{p['department'].lower()}@example.org"

    for m in mentors:
        k = rng.choices((1, 2, 3, 4, 5), (1, 3, 4, 2, 1))[0]
        m["skills_offered"] = "; ".join(_pick_distinct(rng, SKILLS, offered_w, k))
        if rng.random() < 0.25:
            m["capacity"] = str(rng.randint(1, 6))

    # A few famous mentors get most of the wishes (Zipf over a shuffled mentor order).
    ranked = [m["email"] for m in mentors]
    rng.shuffle(ranked)
    famous_w = _zipf(len(ranked), 1.1)
    for p in mentees:
        k = rng.choices((1, 2, 3), (3, 4, 2))[0]
        p["skills_wanted"] = "; ".join(_pick_distinct(rng, SKILLS, wanted_w, k))
        if ranked and rng.random() < 0.4:
            n = min(len(ranked), rng.randint(1, 3))
            p["preferred_mentors"] = "; ".join(_pick_distinct(rng, ranked, famous_w, n))
        p["goals"] = rng.choice(GOALS)
    return mentors + mentees


def generate_program(
    directory: str | Path,
    n_mentors: int,
    n_mentees: int,
    seed: int = 2027,
    *,
    fmt: str = "group",
    mode: str = "optimal",
) -> Generated:
    """Write ``program.yaml`` and ``participants.csv`` into ``directory`` (created if needed).

    Same arguments, same bytes. Rows are shuffled so mentors and mentees interleave as
    they would in a real sign-up export.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    yaml_path = directory / "program.yaml"
    yaml_path.write_text(program_yaml(fmt=fmt, mode=mode), encoding="utf-8")
    rows = participants(n_mentors, n_mentees, seed)
    random.Random(seed + 1).shuffle(rows)
    csv_path = directory / "participants.csv"
    header = [*ROSTER_FIELDS, *QUESTIONS]
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(h, "") for h in header])
    return Generated(directory, yaml_path, csv_path, len(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--mentors", type=int, default=2_000)
    parser.add_argument("--mentees", type=int, default=8_000)
    parser.add_argument("--seed", type=int, default=2027)
    args = parser.parse_args()
    out = generate_program(args.directory, args.mentors, args.mentees, args.seed)
    print(f"wrote {out.program_yaml} and {out.participants_csv} ({out.rows} rows)")


if __name__ == "__main__":
    main()
