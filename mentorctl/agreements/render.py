"""Mentoring agreements: one per active match (or per circle), from Jinja2 templates.

This module is the package's front door; the work lives by subject beside it:

* :mod:`~mentorctl.agreements.terms` - what a pair agrees to (cadence, length, dates),
  the one source for the agreement, the ``.ics`` and the intro email;
* :mod:`~mentorctl.agreements.reasons` - why a pair was matched, in participants' words;
* :mod:`~mentorctl.agreements.context` - the data of each agreement, from the roster;
* :mod:`~mentorctl.agreements.values` - participants' text made safe to print;
* :mod:`~mentorctl.agreements.templates` - templates, rendering and ``--template-check``;
* :mod:`~mentorctl.agreements.pdf` - the PDF, with a font for every script;
* :mod:`~mentorctl.agreements.names` - file and attachment names;
* :mod:`~mentorctl.agreements.files` - writing the files;
* :mod:`~mentorctl.agreements.calendar` - the ``.ics`` meeting series.
"""

from __future__ import annotations

from mentorctl.agreements.context import (
    KINDS,
    AgreementDoc,
    build_agreements,
    goal_context,
    kinds_of,
    known_fields,
    person_context,
    program_context,
    sample_context,
)
from mentorctl.agreements.files import Written, calendar_bytes, write_agreements, write_file
from mentorctl.agreements.names import SLUG_MAX, safe_target, slug, unique_stems
from mentorctl.agreements.pdf import FONT_DIRS, find_font, markdown_pdf
from mentorctl.agreements.reasons import participant_reasons
from mentorctl.agreements.templates import (
    DEFAULT_TEMPLATES,
    FORMATS,
    Renderer,
    TemplateError,
    TemplateRef,
    check_templates,
    template_for,
)
from mentorctl.agreements.terms import Terms, clause_contradictions, terms_of
from mentorctl.agreements.values import (
    NAME_MAX,
    TEXT_MAX,
    long_date,
    md_escape,
    md_escape_tree,
    one_line,
)

__all__ = [
    "DEFAULT_TEMPLATES",
    "FONT_DIRS",
    "FORMATS",
    "KINDS",
    "NAME_MAX",
    "SLUG_MAX",
    "TEXT_MAX",
    "AgreementDoc",
    "Renderer",
    "TemplateError",
    "TemplateRef",
    "Terms",
    "Written",
    "build_agreements",
    "calendar_bytes",
    "check_templates",
    "clause_contradictions",
    "find_font",
    "goal_context",
    "kinds_of",
    "known_fields",
    "long_date",
    "markdown_pdf",
    "md_escape",
    "md_escape_tree",
    "one_line",
    "participant_reasons",
    "person_context",
    "program_context",
    "safe_target",
    "sample_context",
    "slug",
    "template_for",
    "terms_of",
    "unique_stems",
    "write_agreements",
    "write_file",
]
