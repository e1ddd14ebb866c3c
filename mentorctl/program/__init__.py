"""The program: ``program.yaml``'s strict schema, loading it, and scaffolding new ones.

* :mod:`~mentorctl.program.schema`: the models (unknown keys are errors everywhere);
* :mod:`~mentorctl.program.load`: YAML with line numbers, overrides, ``load_program``;
* :mod:`~mentorctl.program.scaffold`: writing a new program folder or a bundled sample.

The names of the first two are importable from here.
"""

from __future__ import annotations

from mentorctl.program.load import (
    apply_overrides,
    find_program_dir,
    format_path,
    load_program,
    load_yaml,
    parse_program,
    program_file,
)
from mentorctl.program.schema import (
    DERIVED_FIELDS,
    NUMERIC_FIELDS,
    PROGRAM_FILE,
    ROSTER_FIELDS,
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

__all__ = [
    "DERIVED_FIELDS",
    "NUMERIC_FIELDS",
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
