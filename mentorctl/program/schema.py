"""The program definition: a strict schema for ``program.yaml``.

:mod:`mentorctl.program.load` reads the file into these models;
:func:`semantic_problems` adds the checks that span several sections.

Unknown keys are errors everywhere (``extra="forbid"``); a ``version:`` key leaves
room for later, incompatible layouts.

The models are frozen standard-library dataclasses whose annotations carry pydantic's
constraints (``Field``, ``AfterValidator``). Pydantic reads them only when a program is
validated (:func:`validate`); a command that reuses an already validated program
(:mod:`mentorctl.program.load` keeps one, pickled, per program file) never imports
pydantic, which costs more CPU than reading most rosters.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Self

if TYPE_CHECKING:
    from pydantic import AfterValidator, Field, TypeAdapter

from mentorctl.enums import Audience, Cadence, Focus, Format, Mode, Objective, QuestionType
from mentorctl.program.person import DERIVED_FIELDS, ROSTER_FIELDS

PROGRAM_FILE = "program.yaml"
SCHEMA_VERSION = 1

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# The roster's email rule (roster.records), repeated: the program layer sits below it.
_EMAIL = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"']+$")


class _Strict:
    """Every model's base: unknown keys are errors; copies and dumps as pydantic's."""

    __pydantic_config__: ClassVar[dict[str, str]] = {"extra": "forbid"}

    def model_copy(self, *, update: Mapping[str, Any] | None = None) -> Self:
        """A copy with ``update``'s fields replaced (not validated, as pydantic's)."""
        return replace(self, **(update or {}))  # type: ignore[type-var]

    def model_dump(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload,no-any-return]

    @classmethod
    def model_validate(cls, data: Any) -> Self:
        """``data`` (plain YAML/JSON values) checked and converted into this model;
        raises pydantic's ``ValidationError``."""
        return _adapter(cls).validate_python(data)  # type: ignore[no-any-return]


_ADAPTERS: dict[type, TypeAdapter[Any]] = {}


def _adapter(model: type) -> TypeAdapter[Any]:
    """Pydantic's validator of ``model``, built on first use. The annotations name
    ``Field``, ``AfterValidator`` and ``Criterion``'s discriminator: they are put in this
    module's namespace here, where pydantic resolves them, so that importing the schema
    does not import pydantic."""
    if model not in _ADAPTERS:
        from pydantic import AfterValidator, Field, TypeAdapter

        namespace = globals()
        namespace.update(AfterValidator=AfterValidator, Field=Field)
        namespace["Criterion"] = Annotated[_CRITERIA, Field(discriminator="kind")]
        _ADAPTERS[model] = TypeAdapter(model)
    return _ADAPTERS[model]


# --------------------------------------------------------------------------- enums


# --------------------------------------------------------------------------- sections


@dataclass(frozen=True, kw_only=True)
class Cycle(_Strict):
    """The current cycle's calendar."""

    name: Annotated[str, Field(min_length=1, description="e.g. 2027-h1")]
    start: dt.date
    length_weeks: Annotated[int, Field(ge=1, le=260)] = 26
    cadence: Cadence = Cadence.BIWEEKLY

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(weeks=self.length_weeks)

    @property
    def expected_meetings(self) -> int:
        return max(1, (self.length_weeks * 7) // self.cadence.days)


@dataclass(frozen=True, kw_only=True)
class Capacity(_Strict):
    """How many mentees a mentor takes: per-person ``capacity`` overrides ``default``."""

    default: Annotated[int, Field(ge=1)] = 1
    maximum: Annotated[int, Field(ge=1)] = 10


@dataclass(frozen=True, kw_only=True)
class MenteeCapacity(_Strict):
    """How many mentors a mentee takes: a mentee's own ``capacity`` overrides ``default``."""

    default: Annotated[int, Field(ge=1, description="mentors each mentee gets (at most)")] = 1
    maximum: Annotated[
        int | None,
        Field(ge=1, description="largest per-person capacity of a mentee; default: `default`"),
    ] = None

    @property
    def top(self) -> int:
        return self.maximum if self.maximum is not None else self.default


@dataclass(frozen=True, kw_only=True)
class MentorEligibility(_Strict):
    min_tenure_months: Annotated[int | None, Field(ge=0)] = None
    min_years_experience: Annotated[float | None, Field(ge=0)] = None
    levels: Annotated[list[str] | None, Field(description="levels allowed to mentor")] = None


@dataclass(frozen=True, kw_only=True)
class Eligibility(_Strict):
    mentor: MentorEligibility = MentorEligibility()


@dataclass(frozen=True, kw_only=True)
class Question(_Strict):
    """One survey question, as asked on the enrolment form."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    label: Annotated[str, Field(min_length=1)]
    type: QuestionType
    options: list[str] | None = None
    asked_of: Audience = Audience.BOTH
    required: bool = False
    max_choices: Annotated[int | None, Field(ge=1)] = None
    scale: tuple[int, int] = (1, 5)
    help: str | None = None
    any_option: Annotated[
        str | None,
        Field(
            min_length=1,
            description="an option meaning 'any of them' (e.g. 'No preference'): it matches "
            "every option when pairs are compared",
        ),
    ] = None
    visible: Annotated[
        bool | None,
        Field(
            description="true: participants may see this answer (shortlists); default: choice "
            "and number answers are shown, likert, text and email_list answers are private"
        ),
    ] = None
    group: Annotated[
        bool,
        Field(
            description="true: the report shows match rate and mean score by this answer "
            "(a choice or likert question)"
        ),
    ] = False

    @property
    def shown_to_participants(self) -> bool:
        """Whether shortlists may show this answer: ``visible``, or the type's default
        (personality items, free text and lists of people stay private)."""
        if self.visible is not None:
            return self.visible
        return self.type in (
            QuestionType.SINGLE_CHOICE,
            QuestionType.MULTIPLE_CHOICE,
            QuestionType.NUMBER,
        )

    def asks(self, role: str) -> bool:
        """Whether a participant of ``role`` (mentor, mentee, both) answers this question."""
        if self.asked_of is Audience.BOTH or role == "both":
            return True
        return self.asked_of.value == role + "s"


@dataclass(frozen=True, kw_only=True)
class Survey(_Strict):
    questions: list[Question] = field(default_factory=list)
    columns: Annotated[
        dict[str, str],
        Field(
            description="form column header -> roster field, question id, or 'ignore' (drop the "
            "column); overrides label matching"
        ),
    ] = field(default_factory=dict)


# --------------------------------------------------------------------------- matching


def _criterion_placeholders(v: str | None) -> str | None:
    if v is not None:
        import string

        try:
            names = {f for _, f, _, _ in string.Formatter().parse(v) if f is not None}
        except ValueError as exc:
            raise ValueError(f"not a valid phrase ({exc}); write {{{{ for a brace") from None
        unknown = sorted(names - {"mentor", "mentee", "items"})
        if unknown:
            raise ValueError(
                f"unknown placeholder {{{unknown[0]}}}; use {{mentor}}, {{mentee}} or {{items}}"
            )
    return v


@dataclass(frozen=True, kw_only=True)
class _Criterion(_Strict):
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]
    weight: Annotated[float, Field(ge=0)] = 1.0
    # What participants read about this criterion (agreements, intro emails); the
    # coordinator's `explain` text is separate. See docs/agreements.md.
    participant_text: Annotated[
        str | None,
        Field(
            min_length=1,
            description="phrase participants read when this criterion brought the pair together; "
            "placeholders {mentor}, {mentee} (first names) and {items}",
        ),
        AfterValidator(_criterion_placeholders),
    ] = None
    show_participants: Annotated[
        bool, Field(description="false: never mention this criterion to participants")
    ] = True
    # A must-have rule turns the criterion into a hard constraint as well as a score
    # (matching.constraints: allowed_matrix); what `must` means per kind is in docs/matching.md.
    must: Annotated[
        bool,
        Field(description="a hard rule: pairs that do not meet this criterion are never proposed"),
    ] = False
    at_least: Annotated[
        float | None,
        Field(
            gt=0,
            le=1,
            description="a hard rule: pairs whose value on this criterion is below this (0-1) "
            "are never proposed",
        ),
    ] = None


@dataclass(frozen=True, kw_only=True)
class _TwoSided(_Criterion):
    """A criterion comparing a mentee value with a mentor value.

    ``field`` sets both sides at once; ``mentee``/``mentor`` set them apart. Each names a
    survey question id or a roster field.
    """

    field: str | None = None
    mentee: str | None = None
    mentor: str | None = None

    @property
    def mentee_source(self) -> str | None:
        return self.mentee or self.field

    @property
    def mentor_source(self) -> str | None:
        return self.mentor or self.field


@dataclass(frozen=True, kw_only=True)
class OverlapCriterion(_TwoSided):
    kind: Literal["overlap"]


@dataclass(frozen=True, kw_only=True)
class SameCriterion(_TwoSided):
    kind: Literal["same"]


@dataclass(frozen=True, kw_only=True)
class DifferentCriterion(_TwoSided):
    kind: Literal["different"]


@dataclass(frozen=True, kw_only=True)
class ClosenessCriterion(_TwoSided):
    kind: Literal["closeness"]
    max_diff: Annotated[float, Field(gt=0)]


@dataclass(frozen=True, kw_only=True)
class SimilarityCriterion(_Criterion):
    kind: Literal["similarity"]
    questions: Annotated[list[str], Field(min_length=1)]
    complement: bool = False


@dataclass(frozen=True, kw_only=True)
class SeniorityGapCriterion(_Criterion):
    kind: Literal["seniority_gap"]
    min_gap: int = 1
    max_gap: int = 3


@dataclass(frozen=True, kw_only=True)
class PreferenceCriterion(_Criterion):
    kind: Literal["preference"]
    mentee: Annotated[
        str, Field(description="ranked-choice question: the mentee's preferred mentors")
    ]
    mentor: Annotated[
        str | None, Field(description="ranked-choice question: preferred mentees")
    ] = None


_CRITERIA = (
    OverlapCriterion
    | SameCriterion
    | DifferentCriterion
    | ClosenessCriterion
    | SimilarityCriterion
    | SeniorityGapCriterion
    | PreferenceCriterion
)
if TYPE_CHECKING:
    Criterion = _CRITERIA
# At run time, Criterion (the union with its "kind" discriminator) is made by _adapter.


def _pair_lower(v: str) -> str:
    return v.strip().lower()


@dataclass(frozen=True, kw_only=True)
class Pair(_Strict):
    mentor: Annotated[str, AfterValidator(_pair_lower)]
    mentee: Annotated[str, AfterValidator(_pair_lower)]


def _lock_reason(v: str | None) -> str | None:
    if v is not None and not v.strip():
        raise ValueError("give the reason for the override, or leave the key out")
    return v.strip() if v is not None else None


@dataclass(frozen=True, kw_only=True)
class Lock(Pair):
    """A pair the coordinator fixes; ``override`` (why) lets it break a hard constraint."""

    override: Annotated[
        str | None,
        Field(
            min_length=1,
            description="why this lock may break a hard constraint (shown by explain and reports)",
        ),
        AfterValidator(_lock_reason),
    ] = None


@dataclass(frozen=True, kw_only=True)
class Constraints(_Strict):
    management_chain: Annotated[
        int, Field(ge=0, description="levels of the mentee's managers excluded")
    ] = 2
    exclude_same_manager: Annotated[
        bool, Field(description="never pair two people who report to the same manager")
    ] = False
    require_same: list[str] = field(default_factory=list)
    require_different: list[str] = field(default_factory=list)
    avoid_previous_pairs: bool = True
    min_score: Annotated[float | None, Field(ge=0, le=1)] = None
    forbid: list[Pair] = field(default_factory=list)
    lock: list[Lock] = field(default_factory=list)
    pairs_file: Annotated[
        str | None, Field(description="CSV with columns mentor,mentee,action (forbid|lock)")
    ] = None


@dataclass(frozen=True, kw_only=True)
class Circles(_Strict):
    topic_question: str
    min_size: Annotated[int, Field(ge=1)] = 3
    max_size: Annotated[int, Field(ge=1)] = 8


@dataclass(frozen=True, kw_only=True)
class Tracks(_Strict):
    """Mentor tracks: each mentor is in one, a mentee gets at most one mentor per track."""

    names: Annotated[list[str], Field(min_length=1, description='e.g. ["technical", "career"]')]
    field: Annotated[
        str, Field(description="survey question id or roster field holding a mentor's track")
    ]


@dataclass(frozen=True, kw_only=True)
class Matching(_Strict):
    mode: Mode = Mode.OPTIMAL
    objective: Objective = Objective.MAX_MATCHES
    criteria: list[Criterion] = field(default_factory=list)
    constraints: Constraints = Constraints()
    circles: Circles | None = None
    tracks: Tracks | None = None
    prefer_previous: Annotated[
        float | None,
        Field(
            gt=0,
            description="bonus for pairing people with an earlier cycle's partner "
            "(needs avoid_previous_pairs: false)",
        ),
    ] = None


# --------------------------------------------------------------------------- later sections


@dataclass(frozen=True, kw_only=True)
class Agreement(_Strict):
    """Agreement settings: extra clauses and, optionally, your own templates."""

    clauses: list[str] = field(default_factory=list)
    template: Annotated[
        str | None, Field(description="Markdown template (Jinja2), beside program.yaml")
    ] = None
    html_template: Annotated[str | None, Field(description="HTML template (Jinja2)")] = None
    first_meeting_within_days: Annotated[int, Field(ge=1)] = 14
    meeting_time: Annotated[
        str,
        Field(
            pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
            description='time of day of the .ics meeting series, quoted: "10:00"',
        ),
    ] = "10:00"
    meeting_minutes: Annotated[int, Field(ge=5, le=480, description="length of each meeting")] = 60
    paper: Annotated[
        Literal["a4", "letter"] | None,
        Field(description="PDF page size; default: the locale's (LC_PAPER, LANG), else a4"),
    ] = None


@dataclass(frozen=True, kw_only=True)
class Reminders(_Strict):
    """When pairs get nudged, and when the coordinator hears about it."""

    enabled: bool = True
    grace_days: Annotated[
        int, Field(ge=0, description="days past the cadence before the first nudge")
    ] = 7
    second_nudge_days: Annotated[
        int, Field(ge=0, description="days past the cadence: second nudge")
    ] = 14
    escalate_days: Annotated[
        int, Field(ge=0, description="days past the cadence: tell the coordinator")
    ] = 28
    checkin_every_days: Annotated[
        int | None, Field(ge=1, description="pulse survey due this often")
    ] = 30
    cycle_ending_days: Annotated[
        int, Field(ge=0, description="warn pairs this long before the end")
    ] = 14
    log_file: Annotated[str | None, Field(description="append one line per action here")] = None


@dataclass(frozen=True, kw_only=True)
class Health(_Strict):
    """Thresholds of a match's health (on track, at risk, stalled)."""

    at_risk_days: Annotated[
        int | None,
        Field(ge=1, description="days since the last meeting; default 1.5 x the cadence"),
    ] = None
    stalled_days: Annotated[
        int | None, Field(ge=1, description="days since the last meeting; default 3 x the cadence")
    ] = None
    min_meeting_ratio: Annotated[
        float, Field(ge=0, le=1, description="meetings held / expected below this is at risk")
    ] = 0.5
    low_satisfaction: Annotated[
        float, Field(ge=1, le=5, description="mean satisfaction at or below this is at risk")
    ] = 2.5


@dataclass(frozen=True, kw_only=True)
class Report(_Strict):
    """Report settings."""

    min_group_size: Annotated[
        int, Field(ge=1, description="breakdown cells smaller than this are hidden")
    ] = 5


@dataclass(frozen=True, kw_only=True)
class Email(_Strict):
    """SMTP settings. The password never lives here: see ``password_env``/``password_file``."""

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 587
    security: Literal["starttls", "ssl", "none"] = "starttls"
    sender: str | None = None
    username: str | None = None
    password_env: str = "MENTORCTL_SMTP_PASSWORD"
    password_file: str | None = None


#: Placeholders of ``forms.ranking_url`` and ``forms.checkin_url``.
RANKING_PLACEHOLDERS = ("email", "name", "code", "candidates")
CHECKIN_PLACEHOLDERS = ("match", "email", "name", "answer")


def _url_template(v: str | None, allowed: tuple[str, ...], required: tuple[str, ...]) -> str | None:
    """A pre-filled link template: http(s), known ``{placeholders}`` only, none missing."""
    if v is None:
        return None
    import string

    v = v.strip()
    if not re.match(r"^https?://[^\s{}]+", v) or any(c.isspace() for c in v):
        raise ValueError("must be an http:// or https:// link without spaces")
    try:
        parts = list(string.Formatter().parse(v))
    except ValueError as exc:
        raise ValueError(f"not a valid link template ({exc}); write {{{{ for a brace") from None
    names = [f for _, f, _, _ in parts if f is not None]
    shown = ", ".join("{" + a + "}" for a in allowed)
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in allowed:
            raise ValueError(f"unknown placeholder {{{name}}}; use {shown}")
        if spec or conversion:
            raise ValueError(f"{{{name}}} takes no format; write it as {{{name}}}")
    for name in required:
        if name not in names:
            raise ValueError(f"needs the {{{name}}} placeholder (placeholders: {shown})")
    return v


def _forms_ranking(v: str | None) -> str | None:
    return _url_template(v, RANKING_PLACEHOLDERS, ("email",))


def _forms_checkin(v: str | None) -> str | None:
    return _url_template(v, CHECKIN_PLACEHOLDERS, ("email", "answer"))


@dataclass(frozen=True, kw_only=True)
class Forms(_Strict):
    """Pre-filled links into the coordinator's own form tool (docs/participant-loop.md)."""

    ranking_url: Annotated[
        str | None,
        Field(
            description="pre-filled link to the ranking form, with {email}, {name}, {code} (the "
            "person's own code) and {candidates} (the shortlist's codes, best first)"
        ),
        AfterValidator(_forms_ranking),
    ] = None
    checkin_url: Annotated[
        str | None,
        Field(
            description="pre-filled link to the check-in form, with {match}, {email}, {name} "
            "and {answer} (met_answer or not_yet_answer)"
        ),
        AfterValidator(_forms_checkin),
    ] = None
    met_answer: Annotated[str, Field(min_length=1, description="the form's 'we met' option")] = (
        "We met"
    )
    not_yet_answer: Annotated[
        str, Field(min_length=1, description="the form's 'not yet' option")
    ] = "Not yet"
    checkin_question: Annotated[
        str | None,
        Field(
            min_length=1,
            description="header of the answer column in the check-in form's export "
            "(default: recognised as 'Did you meet?', 'met' ...)",
        ),
    ] = None


@dataclass(frozen=True, kw_only=True)
class Shortlist(_Strict):
    """What ``notify shortlist`` shows of each candidate (besides the name)."""

    top: Annotated[
        int, Field(ge=1, le=20, description="candidates per shortlist (--top overrides)")
    ] = 5
    fields: Annotated[
        list[str],
        Field(
            description="roster fields shown for each candidate; survey answers follow each "
            "question's `visible`"
        ),
    ] = field(default_factory=lambda: ["title", "department"])


def _program_coordinator(v: str | None) -> str | None:
    if v is None:
        return None
    v = v.strip()
    if not _EMAIL.match(v):
        raise ValueError(f"{v!r} is not an email address (escalations are sent there)")
    return v


def _program_slug(v: str) -> str:
    if not _SLUG.match(v):
        raise ValueError("must be lower-case letters, digits and dashes, e.g. 'onboarding-2027'")
    return v


@dataclass(frozen=True, kw_only=True)
class Program(_Strict):
    """A mentoring program, as defined in program.yaml."""

    version: Literal[1] = 1
    name: Annotated[str, Field(min_length=1)]
    slug: Annotated[str, AfterValidator(_program_slug)]
    description: str = ""
    objectives: list[str] = field(default_factory=list)
    coordinator: Annotated[
        str | None, Field(description="coordinator's email"), AfterValidator(_program_coordinator)
    ] = None
    format: Format = Format.ONE_TO_ONE
    reverse: bool = False
    focus: Focus = Focus.SKILL
    cycle: Cycle
    capacity: Capacity = Capacity()
    mentee_capacity: MenteeCapacity = MenteeCapacity()
    levels: Annotated[list[str] | None, Field(description="job levels, most junior first")] = None
    eligibility: Eligibility = Eligibility()
    survey: Survey = Survey()
    matching: Matching = Matching()
    agreement: Agreement = Agreement()
    reminders: Reminders = Reminders()
    health: Health = Health()
    report: Report = Report()
    email: Email = Email()
    forms: Forms = Forms()
    shortlist: Shortlist = Shortlist()
    database_url: Annotated[
        str | None, Field(description="roster database URL; default: roster.db beside program.yaml")
    ] = None

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.survey.questions if q.id == qid), None)

    def mentor_capacity(self, personal: int | None) -> int:
        """The capacity a mentor has: 1 in one-to-one programs, else theirs or the default."""
        if self.format in (Format.ONE_TO_ONE, Format.PEER):  # peers: one partner each
            return 1
        return personal if personal is not None else self.capacity.default

    def mentee_capacity_of(self, personal: int | None, role: str) -> int:
        """The mentors a mentee takes: their own ``capacity`` (capped at
        ``mentee_capacity.maximum``) or ``mentee_capacity.default``; 1 in circles and peer
        programs. For someone who is ``both``, ``capacity`` is their mentor capacity, so as
        a mentee they take the default."""
        if self.format in (Format.CIRCLES, Format.PEER):
            return 1
        cap = self.mentee_capacity
        # With one mentor per mentee, a mentee's capacity column means nothing (as before
        # mentee capacities existed): only a program allowing more reads it.
        if personal is None or role != "mentee" or cap.top <= 1:
            return cap.default
        return max(0, min(personal, cap.top))

    def level_rank(self, level: str | None) -> float | None:
        """Position of ``level`` on the program's ladder (or its number), None if unknown."""
        if level is None or level == "":
            return None
        if self.levels:
            lowered = [lv.lower() for lv in self.levels]
            try:
                return float(lowered.index(level.strip().lower()))
            except ValueError:
                return None
        try:
            return float(level)
        except ValueError:
            return None


# --------------------------------------------------------------------------- semantic checks


def _source_ok(program: Program, source: str) -> bool:
    return (
        source in ROSTER_FIELDS or source in DERIVED_FIELDS or program.question(source) is not None
    )


#: Question types whose answers can define report groups (few, fixed values).
GROUP_TYPES = (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.LIKERT)


def canonical_headers(program: Program) -> list[str]:
    """Headers of the canonical participants CSV: roster fields, then question ids."""
    return [*ROSTER_FIELDS, *(q.id for q in program.survey.questions)]


def semantic_problems(program: Program) -> list[tuple[tuple[str | int, ...], str]]:
    """Checks that span several fields: returns ``(path, message)`` for each mistake."""
    out: list[tuple[tuple[str | int, ...], str]] = []
    seen: dict[str, int] = {}
    for i, q in enumerate(program.survey.questions):
        where: tuple[str | int, ...] = ("survey", "questions", i)
        if q.id in seen:
            out.append(((*where, "id"), f"duplicate question id {q.id!r} (also #{seen[q.id]})"))
        seen.setdefault(q.id, i)
        if q.id in ROSTER_FIELDS:
            out.append(((*where, "id"), f"{q.id!r} is a roster field; pick another id"))
        if q.type.has_options and not q.options:
            out.append(((*where, "options"), f"a {q.type.value} question needs options"))
        if not q.type.has_options and q.options:
            out.append(((*where, "options"), f"a {q.type.value} question takes no options"))
        if q.options and len({o.lower() for o in q.options}) != len(q.options):
            out.append(((*where, "options"), "options repeat"))
        if q.type is QuestionType.LIKERT and q.scale[0] >= q.scale[1]:
            out.append(((*where, "scale"), "must be [low, high] with low < high"))
        if q.group and q.type not in GROUP_TYPES:
            out.append(
                (
                    (*where, "group"),
                    f"a {q.type.value} question cannot be a group (a choice or likert "
                    "question can: one group per answer)",
                )
            )
        if q.any_option is not None and q.any_option not in (q.options or []):
            out.append(((*where, "any_option"), f"{q.any_option!r} is not one of the options"))
    for header, target in program.survey.columns.items():
        if target == "ignore":  # the importer drops the column (a form's own "Name" ...)
            continue
        if target not in ROSTER_FIELDS and program.question(target) is None:
            out.append(
                (("survey", "columns", header), f"{target!r} is neither a field nor a question id")
            )
    if program.capacity.default > program.capacity.maximum:
        out.append((("capacity", "default"), "is larger than capacity.maximum"))
    for j, name in enumerate(program.shortlist.fields):
        if name not in ROSTER_FIELDS:
            out.append((("shortlist", "fields", j), f"{name!r} is not a roster field"))
        elif name in ("email", "manager_email"):
            out.append((("shortlist", "fields", j), f"{name!r} is never shown to participants"))
    out += _matching_problems(program)
    return out


def _matching_problems(program: Program) -> list[tuple[tuple[str | int, ...], str]]:
    out: list[tuple[tuple[str | int, ...], str]] = []
    m = program.matching
    if m.prefer_previous is not None and m.constraints.avoid_previous_pairs:
        out.append(
            (
                ("matching", "prefer_previous"),
                "contradicts avoid_previous_pairs: true (set it to false to prefer earlier "
                "partners)",
            )
        )
    if m.objective is Objective.FAIR and m.mode is not Mode.OPTIMAL:
        out.append((("matching", "objective"), f"fair needs mode: optimal (not {m.mode.value})"))
    if m.objective is Objective.FAIR and program.format in (Format.CIRCLES, Format.PEER):
        out.append(
            (
                ("matching", "objective"),
                f"fair applies to one-to-one and group programs, not {program.format.value}",
            )
        )
    if m.objective is Objective.FAIR and program.mentee_capacity.top > 1:
        # fair raises the worst-off mentee's one pair; with several mentors each it
        # would need its own definition (the worst pair? each mentee's best?).
        out.append((("matching", "objective"), "fair needs one mentor per mentee"))
    names: set[str] = set()
    for i, c in enumerate(m.criteria):
        where: tuple[str | int, ...] = ("matching", "criteria", i)
        if c.name in names:
            out.append(((*where, "name"), f"duplicate criterion name {c.name!r}"))
        names.add(c.name)
        if c.must and c.at_least is not None:
            out.append(((*where, "at_least"), "set either must: true or at_least, not both"))
        elif c.must and isinstance(c, SimilarityCriterion):
            out.append(
                (
                    (*where, "must"),
                    "must: true is not defined for a similarity criterion; give the "
                    "threshold instead, e.g. at_least: 0.75",
                )
            )
        if isinstance(c, _TwoSided):
            if not (c.mentee_source and c.mentor_source):
                out.append((where, "needs `field`, or both `mentee` and `mentor`"))
            for side in ("field", "mentee", "mentor"):
                src = getattr(c, side)
                if src is not None and not _source_ok(program, src):
                    out.append(((*where, side), f"unknown question id or field {src!r}"))
        elif isinstance(c, SimilarityCriterion):
            for j, qid in enumerate(c.questions):
                q = program.question(qid)
                if q is None:
                    out.append(((*where, "questions", j), f"unknown question id {qid!r}"))
                elif q.type is not QuestionType.LIKERT:
                    out.append(((*where, "questions", j), f"{qid!r} is not a likert question"))
        elif isinstance(c, PreferenceCriterion):
            for side in ("mentee", "mentor"):
                qid = getattr(c, side)
                if qid is None:
                    continue
                q = program.question(qid)
                if q is None:
                    out.append(((*where, side), f"unknown question id {qid!r}"))
                elif q.type not in (QuestionType.RANKED_CHOICE, QuestionType.EMAIL_LIST):
                    out.append(((*where, side), f"{qid!r} must be a ranked_choice or email_list"))
        elif isinstance(c, SeniorityGapCriterion) and c.min_gap > c.max_gap:
            out.append(((*where, "min_gap"), "is larger than max_gap"))
    for key in ("require_same", "require_different"):
        for j, src in enumerate(getattr(m.constraints, key)):
            if not _source_ok(program, src):
                out.append(
                    (("matching", "constraints", key, j), f"unknown question id or field {src!r}")
                )
    if m.circles is not None:
        q = program.question(m.circles.topic_question)
        if q is None or not q.type.has_options:
            out.append(
                (
                    ("matching", "circles", "topic_question"),
                    f"{m.circles.topic_question!r} must be a choice question with options",
                )
            )
        if m.circles.min_size > m.circles.max_size:
            out.append((("matching", "circles", "min_size"), "is larger than max_size"))
    mc = program.mentee_capacity
    if mc.maximum is not None and mc.default > mc.maximum:
        out.append((("mentee_capacity", "default"), "is larger than mentee_capacity.maximum"))
    if program.format in (Format.CIRCLES, Format.PEER) and (mc.top > 1 or m.tracks is not None):
        what = ("mentee_capacity",) if mc.top > 1 else ("matching", "tracks")
        out.append((what, f"a {program.format.value} program has no mentors per mentee"))
    if m.tracks is not None:
        if not _source_ok(program, m.tracks.field):
            unknown = f"unknown question id or field {m.tracks.field!r}"
            out.append((("matching", "tracks", "field"), unknown))
        if len({n.strip().lower() for n in m.tracks.names}) != len(m.tracks.names):
            out.append((("matching", "tracks", "names"), "track names repeat"))
    if program.format is Format.CIRCLES and m.circles is None:
        out.append((("matching", "circles"), "a circles program needs matching.circles"))
    return out
