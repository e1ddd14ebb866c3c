"""The one description of a participant's roster fields.

Everything that lists a person's fields derives from :data:`PERSON_FIELDS`: the canonical
CSV's columns and the schema's field names (:data:`ROSTER_FIELDS`), the numeric fields
criteria may compare, the form-export headers the importer recognises
(:data:`FIELD_ALIASES`), and the help of ``participants add/edit``'s options. The roster's
table and the importer's record are checked against it by the test suite, so a field
added here and nowhere else fails a test instead of going missing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PersonField:
    """One roster field: its name, the type of its value, and how people are asked for it."""

    name: str
    kind: type
    help: str
    #: Headers form tools use for it, compared without case or extra spaces.
    aliases: tuple[str, ...] = ()
    required: bool = False

    @property
    def numeric(self) -> bool:
        return self.kind in (int, float)


PERSON_FIELDS: tuple[PersonField, ...] = (
    PersonField(
        "email",
        str,
        "Email address: the person's identity in the roster.",
        ("email address", "e-mail", "e-mail address", "your email"),
        required=True,
    ),
    PersonField(
        "name",
        str,
        "Full name.",
        ("full name", "your name", "first and last name"),
        required=True,
    ),
    PersonField("role", str, "mentor, mentee or both.", required=True),
    PersonField("department", str, "Department or team."),
    PersonField("title", str, "Job title."),
    PersonField("level", str, "One of the program's levels."),
    PersonField(
        "manager_email",
        str,
        "Their manager's email (for the management-chain rule).",
        ("manager", "manager email", "manager's email"),
    ),
    PersonField("location", str, "Office or city."),
    PersonField("timezone", str, "IANA name, e.g. Europe/Berlin.", ("time zone",)),
    PersonField("languages", list, "Languages they speak, separated by ';'."),
    PersonField(
        "tenure_months",
        int,
        "Months at the organisation.",
        ("tenure (months)", "months at the company"),
    ),
    PersonField("years_experience", float, "Years of experience.", ("years of experience",)),
    PersonField(
        "capacity",
        int,
        "Mentees this mentor takes (for a mentee: mentors they take, see mentee_capacity).",
        ("max mentees",),
    ),
)

FIELDS_BY_NAME: dict[str, PersonField] = {f.name: f for f in PERSON_FIELDS}
#: Roster fields every participant has, in the order of the canonical CSV.
ROSTER_FIELDS: tuple[str, ...] = tuple(f.name for f in PERSON_FIELDS)
#: Fields derived from the roster that criteria may use besides ROSTER_FIELDS.
DERIVED_FIELDS = frozenset({"utc_offset"})
#: Roster fields holding numbers (for `closeness` criteria and eligibility).
NUMERIC_FIELDS = frozenset({f.name for f in PERSON_FIELDS if f.numeric} | DERIVED_FIELDS)
#: Headers that form tools use for roster fields, beside the field names themselves.
FIELD_ALIASES: dict[str, str] = {a: f.name for f in PERSON_FIELDS for a in f.aliases}
