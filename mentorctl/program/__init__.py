"""The program: ``program.yaml``'s strict schema, loading it, and scaffolding new ones.

* :mod:`~mentorctl.program.person`: a participant's roster fields, described once;
* :mod:`~mentorctl.program.schema`: the models (unknown keys are errors everywhere);
* :mod:`~mentorctl.program.load`: YAML with line numbers, overrides, ``parse_program``;
* :mod:`~mentorctl.program.files`: finding program.yaml, ``load_program`` (with the
  validated-program cache, so an unchanged file costs neither YAML nor pydantic);
* :mod:`~mentorctl.program.scaffold`: writing a new program folder or a bundled sample.

The names of the first three are importable from here, each on first use: the schema
needs pydantic and the loader PyYAML, which a command's ``--help`` should not pay for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mentorctl.program.files import find_program_dir, load_program, program_file
    from mentorctl.program.load import (
        apply_overrides,
        format_path,
        load_yaml,
        parse_program,
    )
    from mentorctl.program.person import (
        DERIVED_FIELDS,
        FIELD_ALIASES,
        FIELDS_BY_NAME,
        NUMERIC_FIELDS,
        PERSON_FIELDS,
        ROSTER_FIELDS,
        PersonField,
    )
    from mentorctl.program.schema import (
        PROGRAM_FILE,
        SCHEMA_VERSION,
        Agreement,
        Capacity,
        Circles,
        ClosenessCriterion,
        Constraints,
        Cycle,
        DifferentCriterion,
        Eligibility,
        Email,
        Health,
        Matching,
        MentorEligibility,
        OverlapCriterion,
        Pair,
        PreferenceCriterion,
        Program,
        Question,
        Reminders,
        Report,
        SameCriterion,
        SeniorityGapCriterion,
        SimilarityCriterion,
        Survey,
        canonical_headers,
        semantic_problems,
    )

_HOME: dict[str, str] = {
    "DERIVED_FIELDS": "person",
    "FIELDS_BY_NAME": "person",
    "FIELD_ALIASES": "person",
    "NUMERIC_FIELDS": "person",
    "PERSON_FIELDS": "person",
    "PersonField": "person",
    "ROSTER_FIELDS": "person",
    "Agreement": "schema",
    "Capacity": "schema",
    "Circles": "schema",
    "ClosenessCriterion": "schema",
    "Constraints": "schema",
    "Cycle": "schema",
    "DifferentCriterion": "schema",
    "Eligibility": "schema",
    "Email": "schema",
    "Health": "schema",
    "Matching": "schema",
    "MentorEligibility": "schema",
    "OverlapCriterion": "schema",
    "PROGRAM_FILE": "schema",
    "Pair": "schema",
    "PreferenceCriterion": "schema",
    "Program": "schema",
    "Question": "schema",
    "Reminders": "schema",
    "Report": "schema",
    "SCHEMA_VERSION": "schema",
    "SameCriterion": "schema",
    "SeniorityGapCriterion": "schema",
    "SimilarityCriterion": "schema",
    "Survey": "schema",
    "canonical_headers": "schema",
    "semantic_problems": "schema",
    "apply_overrides": "load",
    "find_program_dir": "files",
    "format_path": "load",
    "load_program": "files",
    "load_yaml": "load",
    "parse_program": "load",
    "program_file": "files",
}

__all__ = [
    "DERIVED_FIELDS",
    "FIELDS_BY_NAME",
    "FIELD_ALIASES",
    "NUMERIC_FIELDS",
    "PERSON_FIELDS",
    "PROGRAM_FILE",
    "ROSTER_FIELDS",
    "SCHEMA_VERSION",
    "Agreement",
    "Capacity",
    "Circles",
    "ClosenessCriterion",
    "Constraints",
    "Cycle",
    "DifferentCriterion",
    "Eligibility",
    "Email",
    "Health",
    "Matching",
    "MentorEligibility",
    "OverlapCriterion",
    "Pair",
    "PersonField",
    "PreferenceCriterion",
    "Program",
    "Question",
    "Reminders",
    "Report",
    "SameCriterion",
    "SeniorityGapCriterion",
    "SimilarityCriterion",
    "Survey",
    "apply_overrides",
    "canonical_headers",
    "find_program_dir",
    "format_path",
    "load_program",
    "load_yaml",
    "parse_program",
    "program_file",
    "semantic_problems",
]


def __getattr__(name: str) -> Any:
    if name in _HOME:
        value = getattr(importlib.import_module(f"mentorctl.program.{_HOME[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mentorctl.program' has no attribute {name!r}")
