"""Scaffolding a new program: the answers ``mentorctl init`` collects, and the files it writes.

:func:`render_program` turns :class:`InitAnswers` into a commented program.yaml, which is
validated before anything is written. :func:`write_program` writes the program, the
participants CSV template and an empty roster, or nothing at all if any step fails.
Samples shipped in ``sample_programs/`` can be copied with :func:`copy_sample`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from mentorctl.errors import MentorctlError, UsageError
from mentorctl.program import PROGRAM_FILE, parse_program

TEMPLATE_FILE = "participants-template.csv"

#: Matching criteria a coordinator can pick in the wizard, with the questions each needs.
CRITERIA = {
    "skills": "Skills the mentee wants that the mentor offers",
    "language": "A shared language",
    "timezone": "Close time zones",
    "seniority": "A sensible seniority gap",
    "personality": "Similar personality (short Big-Five questionnaire)",
    "preference": "Mentees' preferred mentors",
    "department": "Different departments (cross-team pairs)",
}
DEFAULT_CRITERIA = ("skills", "language", "timezone", "seniority")

SKILLS = [
    "Career planning",
    "Leadership",
    "Public speaking",
    "Technical depth",
    "Project management",
    "Navigating the organisation",
    "Stakeholder management",
    "Work-life balance",
    "Writing",
    "Data and analytics",
]
# Public-domain IPIP items (Goldberg's mini markers), two per Big-Five trait.
#: The objective written into a new program, by format, until the coordinator edits it.
DEFAULT_OBJECTIVES = {
    "one-to-one": "Help people grow through one-to-one guidance",
    "group": "Help people grow through guidance from a mentor and their peers",
    "circles": "Help people learn together in small groups around shared topics",
}
#: Placeholder topics for a new circles program; the coordinator replaces them.
CIRCLE_TOPICS = [
    "Career growth",
    "Leadership",
    "New technology",
    "Inclusion and belonging",
    "Work-life balance",
]
CIRCLE_QUESTION = "circle_topic"

IPIP_ITEMS = [
    ("ipip_extraversion_1", "I am the life of the party."),
    ("ipip_extraversion_2", "I don't talk a lot."),
    ("ipip_agreeableness_1", "I sympathize with others' feelings."),
    ("ipip_agreeableness_2", "I am not interested in other people's problems."),
    ("ipip_conscientiousness_1", "I get chores done right away."),
    ("ipip_conscientiousness_2", "I often forget to put things back in their proper place."),
    ("ipip_neuroticism_1", "I have frequent mood swings."),
    ("ipip_neuroticism_2", "I am relaxed most of the time."),
    ("ipip_openness_1", "I have a vivid imagination."),
    ("ipip_openness_2", "I am not interested in abstract ideas."),
]


@dataclass
class InitAnswers:
    """Everything the init wizard asks; every field has a flag and a default."""

    name: str = "Mentoring program"
    slug: str | None = None
    description: str = ""
    #: None: an objective that suits the format (see :data:`DEFAULT_OBJECTIVES`).
    objectives: list[str] | None = None
    coordinator: str | None = None
    format: str = "one-to-one"
    focus: str = "skill"
    reverse: bool = False
    cycle_name: str | None = None
    start: dt.date = field(default_factory=lambda: _next_monday(dt.date.today()))
    length_weeks: int = 26
    cadence: str = "biweekly"
    capacity: int = 1
    max_capacity: int = 5
    criteria: list[str] = field(default_factory=lambda: list(DEFAULT_CRITERIA))
    min_tenure_months: int | None = 12
    min_years_experience: float | None = None
    levels: list[str] = field(
        default_factory=lambda: ["Associate", "Mid-level", "Senior", "Lead", "Principal"]
    )


def _next_monday(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 or 7)


def slugify(text: str) -> str:
    # Accents are dropped rather than cut: "Équipe Zürich" -> "equipe-zurich".
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "program"


def default_cycle_name(start: dt.date) -> str:
    return f"{start.year}-h{1 if start.month <= 6 else 2}"


def _questions(a: InitAnswers) -> list[dict[str, object]]:
    qs: list[dict[str, object]] = []
    if a.format == "circles":
        # matching.circles.topic_question needs a choice question to gather circles around.
        qs.append(
            dict(
                id=CIRCLE_QUESTION,
                label="Which circle topics interest you most?",
                type="multiple_choice",
                options=CIRCLE_TOPICS,
                asked_of="both",
                required=True,
            )
        )
    if "skills" in a.criteria:
        qs.append(
            dict(
                id="skills_wanted",
                label="Which skills would you like to develop?",
                type="multiple_choice",
                options=SKILLS,
                asked_of="mentees",
                required=True,
            )
        )
        qs.append(
            dict(
                id="skills_offered",
                label="Which skills can you help others develop?",
                type="multiple_choice",
                options=SKILLS,
                asked_of="mentors",
                required=True,
            )
        )
    qs.append(
        dict(
            id="goals",
            label="What would you like to achieve through the program?",
            type="text",
            asked_of="mentees",
            required=False,
        )
    )
    if "preference" in a.criteria:
        qs.append(
            dict(
                id="preferred_mentors",
                label="Anyone you would especially like as a mentor? (emails, in order)",
                type="email_list",
                asked_of="mentees",
                required=False,
            )
        )
    if "personality" in a.criteria:
        qs += [
            dict(id=i, label=text, type="likert", asked_of="both", required=False)
            for i, text in IPIP_ITEMS
        ]
    return qs


def _criteria(a: InitAnswers) -> list[str]:
    out = []

    def flow(**kw: object) -> str:
        return "{" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in kw.items()) + "}"

    if a.format == "circles":
        out.append(flow(name="topic", kind="overlap", field=CIRCLE_QUESTION, weight=3))
    if "skills" in a.criteria:
        out.append(
            flow(
                name="skills",
                kind="overlap",
                mentee="skills_wanted",
                mentor="skills_offered",
                weight=3,
            )
        )
    if "language" in a.criteria:
        out.append(flow(name="language", kind="same", field="languages", weight=1))
    if "timezone" in a.criteria:
        out.append(
            flow(name="timezone", kind="closeness", field="utc_offset", max_diff=8, weight=1)
        )
    if "seniority" in a.criteria:
        out.append(flow(name="seniority", kind="seniority_gap", min_gap=1, max_gap=3, weight=1))
    if "personality" in a.criteria:
        out.append(
            flow(
                name="personality",
                kind="similarity",
                questions=[i for i, _ in IPIP_ITEMS],
                weight=1,
            )
        )
    if "preference" in a.criteria:
        out.append(flow(name="preferred", kind="preference", mentee="preferred_mentors", weight=2))
    return out


def _pad(text: str, column: int = 32) -> str:
    """``text`` padded so that the comment after it starts at ``column`` (as in the template)."""
    return text.ljust(column - 1) + " " if len(text) < column else text + "  "


def render_program(a: InitAnswers) -> str:
    """The commented program.yaml for these answers (validated: raises if it would not load)."""
    from jinja2 import Environment, StrictUndefined

    unknown = sorted(set(a.criteria) - set(CRITERIA))
    if unknown:
        raise UsageError(
            f"unknown criteria {', '.join(unknown)}; choose from {', '.join(CRITERIA)}"
        )
    env = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)
    env.globals["q"] = lambda s: json.dumps(s, ensure_ascii=False)
    env.globals["pad"] = _pad
    template = env.from_string(
        resources.files("mentorctl").joinpath("templates/program.yaml.j2").read_text("utf-8")
    )
    max_capacity = max(a.max_capacity, a.capacity)
    view = dict(
        vars(a),
        slug=a.slug or slugify(a.name),
        objectives=(a.objectives if a.objectives is not None else [DEFAULT_OBJECTIVES[a.format]]),
        cycle_name=a.cycle_name or default_cycle_name(a.start),
        capacity=1 if a.format == "one-to-one" else a.capacity,
        max_capacity=max_capacity,
        circles=(
            dict(
                topic_question=CIRCLE_QUESTION,
                min_size=min(3, max_capacity),
                max_size=max_capacity,
            )
            if a.format == "circles"
            else None
        ),
        questions=_questions(a),
        criteria=_criteria(a),
        different_department="department" in a.criteria,
    )
    text = template.render(a=view)
    parse_program(text, PROGRAM_FILE)  # never write a file that would not load
    return text


def participants_template(program_text: str) -> str:
    from mentorctl.program import canonical_headers
    from mentorctl.tables.csvsafe import to_csv

    return to_csv(canonical_headers(parse_program(program_text)), [])


def existing_program(directory: Path) -> bool:
    return (directory / PROGRAM_FILE).exists()


def write_program(directory: Path, program_text: str, *, force: bool = False) -> list[Path]:
    """Write program.yaml and the participants template into ``directory``.

    Refuses to overwrite a program unless ``force``. Files are written beside their final
    names and renamed into place, so an interrupted init leaves no half-written file.
    """
    if existing_program(directory) and not force:
        raise MentorctlError(
            f"{directory / PROGRAM_FILE}: a program already exists here; pass --force to "
            "overwrite it (the roster is kept)"
        )
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MentorctlError(f"{directory}: cannot create: {exc.strerror}") from None
    files = {
        directory / PROGRAM_FILE: program_text,
        directory / TEMPLATE_FILE: participants_template(program_text),
    }
    written = []
    try:
        for path, text in files.items():
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            written.append(tmp)
        for path in files:
            path.with_name(path.name + ".tmp").replace(path)
    except OSError as exc:
        for tmp in written:
            tmp.unlink(missing_ok=True)
        raise MentorctlError(f"{directory}: cannot write: {exc.strerror}") from None
    return list(files)


def sample_names() -> list[str]:
    root = resources.files("mentorctl").joinpath("sample_programs")
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("_"))


def copy_sample(name: str, directory: Path, *, force: bool = False) -> list[Path]:
    """Copy sample program ``name`` (from the installed package) into ``directory``."""
    names = sample_names()
    if name not in names:
        raise UsageError(f"no sample program {name!r}; choose from {', '.join(names)}")
    if existing_program(directory) and not force:
        raise MentorctlError(
            f"{directory / PROGRAM_FILE}: a program already exists here; "
            "pass --force to overwrite it"
        )
    source = resources.files("mentorctl").joinpath("sample_programs", name)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    with resources.as_file(source) as src:
        for item in sorted(Path(src).iterdir()):
            if item.is_file():
                target = directory / item.name
                shutil.copyfile(item, target)
                written.append(target)
    return written
