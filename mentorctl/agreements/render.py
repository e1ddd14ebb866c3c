"""Mentoring agreements: one per active match (or per circle), from Jinja2 templates.

Data first: :func:`build_agreements` reads the roster and returns :class:`AgreementDoc`
objects holding a plain template context (see ``docs/agreements.md`` for its fields).
Then :class:`Renderer` turns a document into Markdown, HTML or PDF bytes, and
:func:`write_agreements` writes them (with the ``.ics`` meeting series) under an output
directory, rewriting only the files whose bytes changed.

Safety, because participants' answers end up in documents that people open:

* templates run in a :class:`~jinja2.sandbox.SandboxedEnvironment`, and participants'
  text is only ever a *value* in the context, never template source: ``{{ 7*7 }}`` in a
  name is printed as typed;
* HTML autoescapes every value; Markdown escapes the characters that would start markup
  (``<``, ``*``, ``[``, ``#`` ...) in every value; text values are put on one line;
* file names are slugs of the people's names (``ada-lovelace--alan-turing.md``) and every
  path is checked to lie inside the output directory.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from mentorctl.enums import Format
from mentorctl.errors import MentorctlError, NotFoundError, Problem, UsageError
from mentorctl.program import Program

if TYPE_CHECKING:
    from fpdf.fonts import TTFFont
    from jinja2 import Environment
    from sqlmodel import Session

    from mentorctl.roster.models import CycleRow, Participant

FORMATS = ("md", "html", "pdf")
KINDS = ("one-to-one", "group", "circle")
NAME_MAX = 200  # characters of a name shown in a document
TEXT_MAX = 2000  # characters of any other participant value
SLUG_MAX = 60
DEFAULT_TEMPLATES = "agreements/{kind}.{ext}.j2"

_CADENCE_TEXT = {"weekly": "every week", "biweekly": "every two weeks", "monthly": "every month"}


class TemplateError(MentorctlError):
    """An agreement template cannot be read, parsed or rendered."""


# --------------------------------------------------------------------------- values


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _keep(ch: str) -> bool:
    # Joiners (emoji sequences, Persian) stay; controls, line breaks and bidi overrides,
    # which could reorder the text around a value, go.
    if ch in _BIDI_CONTROLS:
        return False
    return unicodedata.category(ch) not in ("Cc", "Zl", "Zp", "Cs", "Co", "Cn")


def one_line(value: Any, limit: int = TEXT_MAX) -> str:
    """Participant text on one line: control characters and newlines become spaces."""
    if value is None:
        return ""
    text = " ".join("".join(ch if _keep(ch) else " " for ch in str(value)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slug(text: str, fallback: str = "person") -> str:
    """A file-name-safe slug: ASCII letters, digits and single dashes, at most 60 long."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:SLUG_MAX].strip("-")
    return out or fallback


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~&!])")


def md_escape(value: Any) -> str:
    """A value safe inside Markdown text: markup characters are backslash-escaped."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | dt.date):
        return str(value)
    return _MD_SPECIAL.sub(r"\\\1", str(value))


def md_escape_tree(value: Any) -> Any:
    """The context with every string Markdown-escaped (values only; template text is
    trusted). Escaping values, not output, keeps macros' output from being escaped twice."""
    if isinstance(value, str):
        return md_escape(value)
    if isinstance(value, dict):
        return {k: md_escape_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [md_escape_tree(v) for v in value]
    return value


def long_date(value: dt.date | str | None) -> str:
    """``2027-01-11`` -> ``Monday 11 January 2027`` (the ``longdate`` template filter)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return f"{value:%A} {value.day} {value:%B %Y}"


# --------------------------------------------------------------------------- data


@dataclass
class AgreementDoc:
    """One agreement to render: who it is for, and the template context."""

    kind: str  # one-to-one | group | circle
    cycle: str
    mentor: str  # email (the facilitator of a circle)
    mentees: list[str]  # emails
    circle: str | None
    match_ids: list[int]
    stem: str  # relative path without extension: "2027-h1/ada-lovelace--alan-turing"
    context: dict[str, Any] = field(repr=False)
    attendees: list[tuple[str, str]] = field(default_factory=list, repr=False)
    timezone: str | None = None

    def summary(self) -> str:
        names = [self.context["mentor"]["name"]] + [m["name"] for m in self.context["mentees"]]
        return (f"{self.circle} circle: " if self.circle else "") + " / ".join(names)


def person_context(p: Participant) -> dict[str, Any]:
    name = one_line(p.name, NAME_MAX) or p.email
    return {
        "name": name,
        "first_name": name.split(" ")[0],
        "email": p.email,
        "role": p.role,
        "title": one_line(p.title),
        "department": one_line(p.department),
        "location": one_line(p.location),
        "timezone": one_line(p.timezone),
        "goals": [],
    }


def goal_context(goal: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": goal["number"],
        "title": one_line(goal["title"]),
        "relevant": one_line(goal["relevant"]),
        "aspirational": one_line(goal["aspirational"]),
        "experimental": one_line(goal["experimental"]),
        "learning": one_line(goal["learning"]),
        "status": goal["status"],
        "progress": goal["progress"],
    }


def program_context(program: Program) -> dict[str, Any]:
    """The program, cycle and meeting fields every agreement shares."""
    from mentorctl.agreements.calendar import first_meeting_date, occurrence_dates

    cycle = program.cycle
    first = first_meeting_date(program)
    dates = occurrence_dates(first, cycle.cadence, cycle.expected_meetings)
    return {
        "program": {
            "name": one_line(program.name),
            "slug": program.slug,
            "description": one_line(program.description),
            "objectives": [one_line(o) for o in program.objectives],
            "focus": program.focus.value,
            "format": program.format.value,
            "reverse": program.reverse,
            "coordinator": program.coordinator or "",
        },
        "focus": program.focus.value,
        "cycle": {
            "name": one_line(cycle.name),
            "start": cycle.start,
            "end": cycle.end,
            "length_weeks": cycle.length_weeks,
            "cadence": cycle.cadence.value,
        },
        "meetings": {
            "cadence": cycle.cadence.value,
            "cadence_text": _CADENCE_TEXT[cycle.cadence.value],
            "count": len(dates),
            "minutes": program.agreement.meeting_minutes,
            "time": program.agreement.meeting_time,
            "first_date": dates[0],
            "last_date": dates[-1],
            "first_meeting_by": cycle.start
            + dt.timedelta(days=program.agreement.first_meeting_within_days),
        },
        "clauses": [one_line(c) for c in program.agreement.clauses],
    }


def _reasons(explanation: dict[str, Any] | None) -> list[str]:
    return [one_line(r) for r in (explanation or {}).get("reasons", []) if r]


def build_agreements(
    session: Session,
    program: Program,
    program_id: int,
    cycle: CycleRow,
    *,
    mentor: str | None = None,
    mentee: str | None = None,
) -> list[AgreementDoc]:
    """The agreements of the cycle's active matches: one per match, or one per circle.

    ``mentor``/``mentee`` (emails) keep only the agreements they are part of; naming
    someone with no active match is a NotFoundError.
    """
    from sqlmodel import col, select

    from mentorctl.roster.models import MatchRow, Participant
    from mentorctl.tracking import goals as goals_mod

    rows = session.exec(
        select(MatchRow)
        .where(MatchRow.cycle_id == cycle.id, MatchRow.status == "active")
        .order_by(col(MatchRow.id))
    ).all()
    ids = {r.mentor_id for r in rows} | {r.mentee_id for r in rows}
    people = {
        p.id: p for p in session.exec(select(Participant).where(col(Participant.id).in_(ids))).all()
    }
    base = program_context(program)

    def person(pid: int | None) -> dict[str, Any]:
        p = people[pid]
        ctx = person_context(p)
        if p.role in ("mentee", "both"):
            views = goals_mod.goals_of(session, program, p, cycle.id or 0)
            ctx["goals"] = [goal_context(v.as_json(p.email)) for v in views]
        return ctx

    groups: dict[tuple[Any, ...], list[MatchRow]] = {}
    for r in rows:
        key: tuple[Any, ...] = ("circle", r.mentor_id, r.circle) if r.circle else ("match", r.id)
        groups.setdefault(key, []).append(r)
    by_mentor: dict[int | None, list[MatchRow]] = {}
    for r in rows:
        if not r.circle:
            by_mentor.setdefault(r.mentor_id, []).append(r)

    docs: list[AgreementDoc] = []
    for key, members in groups.items():
        lead = people[members[0].mentor_id]
        mentee_rows = sorted(members, key=lambda r: people[r.mentee_id].email)
        mentee_ctx = [person(r.mentee_id) for r in mentee_rows]
        if key[0] == "circle":
            kind = "circle"
        elif program.format is Format.GROUP:
            kind = "group"
        else:
            kind = "one-to-one"
        group = []
        if kind == "group":
            group = [
                person_context(people[o.mentee_id])
                for o in sorted(by_mentor[lead.id], key=lambda r: people[r.mentee_id].email)
                if o.id != members[0].id
            ]
        context = {
            **base,
            "kind": kind,
            "mentor": person(lead.id),
            "mentee": mentee_ctx[0] if kind != "circle" else None,
            "mentees": mentee_ctx,
            "group": group,
            "circle": {"topic": one_line(key[2])} if kind == "circle" else None,
            "reasons": _reasons(members[0].explanation) if kind != "circle" else [],
        }
        cycle_dir = slug(program.cycle.name, "cycle")
        if kind == "circle":
            stem = f"circle-{slug(key[2], 'topic')}--{slug(lead.name, _local(lead.email))}"
        else:
            m = people[members[0].mentee_id]
            stem = f"{slug(lead.name, _local(lead.email))}--{slug(m.name, _local(m.email))}"
        docs.append(
            AgreementDoc(
                kind=kind,
                cycle=program.cycle.name,
                mentor=lead.email,
                mentees=[people[r.mentee_id].email for r in mentee_rows],
                circle=key[2] if kind == "circle" else None,
                match_ids=[r.id or 0 for r in mentee_rows],
                stem=f"{cycle_dir}/{stem}",
                context=context,
                attendees=[(lead.name, lead.email)]
                + [(people[r.mentee_id].name, people[r.mentee_id].email) for r in mentee_rows],
                timezone=people[mentee_rows[0].mentee_id].timezone
                if kind != "circle"
                else lead.timezone,
            )
        )
    _unique_stems(docs)
    return _select(docs, mentor, mentee)


def _local(email: str) -> str:
    return slug(email.partition("@")[0], "person")


def _unique_stems(docs: list[AgreementDoc]) -> None:
    """Two pairs with the same names get ``-2``, ``-3`` ... in the order of their match ids."""
    seen: dict[str, int] = {}
    for doc in sorted(docs, key=lambda d: d.match_ids):
        n = seen.get(doc.stem, 0) + 1
        seen[doc.stem] = n
        if n > 1:
            doc.stem = f"{doc.stem}-{n}"
    docs.sort(key=lambda d: d.stem)


def _select(docs: list[AgreementDoc], mentor: str | None, mentee: str | None) -> list[AgreementDoc]:
    if mentor is None and mentee is None:
        return docs
    mentor_l = mentor.strip().lower() if mentor else None
    mentee_l = mentee.strip().lower() if mentee else None
    out = [
        d
        for d in docs
        if (mentor_l is None or d.mentor == mentor_l)
        and (mentee_l is None or mentee_l in d.mentees)
    ]
    if not out:
        who = " -> ".join(x for x in (mentor_l, mentee_l) if x)
        raise NotFoundError(f"no active match {who} in this cycle")
    return out


# --------------------------------------------------------------------------- sample data


def sample_context(program: Program, kind: str = "one-to-one") -> dict[str, Any]:
    """A context with every field filled, for `--template-check`, docs and screenshots."""

    def p(name: str, email: str, title: str, dept: str, role: str) -> dict[str, Any]:
        return {
            "name": name,
            "first_name": name.split(" ")[0],
            "email": email,
            "role": role,
            "title": title,
            "department": dept,
            "location": "London",
            "timezone": "Europe/London",
            "goals": [],
        }

    mentee = p("Alan Turing", "alan@example.com", "Researcher", "Research", "mentee")
    mentee["goals"] = [
        {
            "number": 1,
            "title": "Lead a small team through one project",
            "relevant": "Our group is growing and needs more leads",
            "aspirational": "Become a team lead within two years",
            "experimental": "Run the weekly stand-up for a month",
            "learning": "How to delegate and give feedback",
            "status": "in-progress",
            "progress": 20,
        }
    ]
    other = p("Katherine Johnson", "katherine@example.com", "Analyst", "Research", "mentee")
    return {
        **program_context(program),
        "kind": kind,
        "mentor": p("Ada Lovelace", "ada@example.com", "Staff Engineer", "Engineering", "mentor"),
        "mentee": None if kind == "circle" else mentee,
        "mentees": [mentee, other] if kind == "circle" else [mentee],
        "group": [other] if kind == "group" else [],
        "circle": {"topic": "Leadership"} if kind == "circle" else None,
        "reasons": []
        if kind == "circle"
        else ["covers all 2 wanted skills: Python, Leadership", "same language: English"],
    }


# --------------------------------------------------------------------------- templates


def _environment(search: Sequence[Path], html: bool) -> Environment:
    from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    def finalize(value: Any) -> Any:
        return "" if value is None else value

    env = SandboxedEnvironment(
        loader=ChoiceLoader(
            [FileSystemLoader([str(p) for p in search]), PackageLoader("mentorctl", "templates")]
        ),
        autoescape=html,
        undefined=StrictUndefined,
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["longdate"] = long_date
    env.filters["percent"] = lambda v: f"{int(v)} %"
    return env


@dataclass
class TemplateRef:
    """Which template renders a format: a default name, or a coordinator's file."""

    name: str
    search: list[Path]
    custom: Path | None


def template_for(program: Program, program_dir: Path, ext: str, kind: str) -> TemplateRef:
    """The coordinator's template from program.yaml, else the default for ``kind``."""
    setting = program.agreement.html_template if ext == "html" else program.agreement.template
    if setting:
        path = Path(setting).expanduser()
        if not path.is_absolute():
            path = program_dir / path
        if not path.is_file():
            key = "html_template" if ext == "html" else "template"
            raise TemplateError(f"{path}: no such file (agreement.{key} in program.yaml)")
        return TemplateRef(path.name, [path.parent], path)
    return TemplateRef(DEFAULT_TEMPLATES.format(kind=kind, ext=ext), [], None)


def _line_in(exc: BaseException, filename: str | None) -> int | None:
    """The template line an error was raised at (Jinja maps frames to template lines)."""
    line = getattr(exc, "lineno", None)
    tb = exc.__traceback__
    while tb is not None:
        if filename and tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


class Renderer:
    """Renders agreements in one format for one program (templates are loaded once)."""

    def __init__(self, program: Program, program_dir: Path, fmt: str) -> None:
        if fmt not in FORMATS:
            raise UsageError(f"--format {fmt!r}: choose md, html or pdf")
        self.program, self.program_dir, self.fmt = program, program_dir, fmt
        self.ext = "html" if fmt == "html" else "md"
        self._envs: dict[tuple[str, ...], Environment] = {}

    def _template(self, kind: str) -> Any:
        from jinja2 import TemplateError as JinjaError

        ref = template_for(self.program, self.program_dir, self.ext, kind)
        key = tuple(str(p) for p in ref.search)
        if key not in self._envs:
            self._envs[key] = _environment(ref.search, self.ext == "html")
        where = str(ref.custom or ref.name)
        try:
            return self._envs[key].get_template(ref.name)
        except JinjaError as exc:
            raise TemplateError(
                f"{where}:{getattr(exc, 'lineno', None) or 1}: {exc.message or exc}"
            ) from None
        except UnicodeDecodeError as exc:
            raise TemplateError(f"{where}: not UTF-8 text ({exc.reason})") from None
        except OSError as exc:
            raise TemplateError(f"{where}: cannot read: {exc.strerror}") from None

    def text(self, context: dict[str, Any]) -> str:
        """The agreement as Markdown or HTML text."""
        from jinja2 import TemplateError as JinjaError

        template = self._template(context["kind"])
        where = template.filename or template.name
        try:
            return template.render(context if self.ext == "html" else md_escape_tree(context))
        except JinjaError as exc:
            line = _line_in(exc, template.filename)
            raise TemplateError(f"{where}:{line or '?'}: {exc.message or exc}") from None
        except Exception as exc:  # the template's own code failed ({{ 1/0 }}, endless recursion)
            raise TemplateError(
                f"{where}:{_line_in(exc, template.filename) or '?'}: {_what(exc)}"
            ) from None

    def render(self, doc: AgreementDoc) -> bytes:
        text = self.text(doc.context)
        if self.fmt == "pdf":
            return markdown_pdf(text, title=_pdf_title(doc), when=self.program.cycle.start)
        return text.encode("utf-8")


def _what(exc: BaseException) -> str:
    """A one-line description of an error a template's code raised."""
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _pdf_title(doc: AgreementDoc) -> str:
    return f"Mentoring agreement: {doc.summary()}"


# --------------------------------------------------------------------------- PDF

#: Where a Unicode TTF font is looked for, first hit wins (``MENTORCTL_PDF_FONT`` first).
FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",  # Debian, Ubuntu (fonts-dejavu-core)
    "/usr/share/fonts/dejavu",  # Fedora
    "/usr/share/fonts/TTF",  # Arch
    "/usr/local/share/fonts",
    "/Library/Fonts",
    "~/Library/Fonts",
    "~/.local/share/fonts",
)
_INLINE = re.compile(r"\\(.)|\*\*")


def _matplotlib_font_dir() -> Path | None:
    """Matplotlib's bundled fonts (DejaVu Sans), found without importing matplotlib."""
    import importlib.util

    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"


def find_font() -> tuple[Path, Path | None] | None:
    """A Unicode TTF (regular, bold) for PDFs: $MENTORCTL_PDF_FONT, DejaVu Sans, or None.

    Matplotlib, when installed, ships DejaVu Sans too, and is looked in last.
    """
    explicit = os.environ.get("MENTORCTL_PDF_FONT")
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise UsageError(f"MENTORCTL_PDF_FONT={explicit}: no such font file")
        return path, None
    dirs = [Path(d).expanduser() for d in FONT_DIRS]
    mpl = _matplotlib_font_dir()
    if mpl is not None:
        dirs.append(mpl)
    for d in dirs:
        regular = d / "DejaVuSans.ttf"
        if regular.is_file():
            bold = d / "DejaVuSans-Bold.ttf"
            return regular, bold if bold.is_file() else None
    return None


def _segments(line: str) -> list[tuple[str, bool]]:
    """Markdown inline text -> (text, bold) runs: ``**`` toggles bold, ``\\x`` is ``x``."""
    out: list[tuple[str, bool]] = []
    bold, buf, pos = False, "", 0
    for m in _INLINE.finditer(line):
        buf += line[pos : m.start()]
        pos = m.end()
        if m.group(1) is not None:
            buf += m.group(1)
        else:
            if buf:
                out.append((buf, bold))
            buf, bold = "", not bold
    buf += line[pos:]
    if buf:
        out.append((buf, bold))
    return out


def markdown_pdf(text: str, *, title: str, when: dt.date) -> bytes:
    """A PDF of the simple Markdown our templates write (headings, bullets, **bold**).

    With a Unicode font (see :func:`find_font`), characters it has no glyph for (most
    emoji) print as ``?``; with none, fpdf2's core Helvetica is used and every character
    outside Latin-1 prints as ``?``. Right-to-left text is shaped only when the optional
    ``uharfbuzz`` package is installed.
    """
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(dt.datetime.combine(when, dt.time(0, 0), tzinfo=dt.UTC))
    pdf.set_title(one_line(title, 300))
    pdf.set_creator("mentorctl")
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_margins(20, 18, 20)
    font = find_font()
    if font is not None:
        regular, bold = font
        pdf.add_font("body", "", str(regular))
        pdf.add_font("body", "B", str(bold or regular))
        family = "body"
        # add_font with a font file always registers a TTFFont (only core fonts lack a cmap).
        cmap = set(cast("TTFFont", pdf.fonts["body"]).cmap)

        def fit(s: str) -> str:
            return "".join(ch if ord(ch) in cmap or ch in "\n\t" else "?" for ch in s)

        import importlib.util

        if importlib.util.find_spec("uharfbuzz") is not None:
            pdf.set_text_shaping(True)
    else:
        family = "helvetica"

        def fit(s: str) -> str:
            s = s.replace("…", "...").replace("’", "'").replace("–", "-").replace("—", "-")
            return s.encode("latin-1", "replace").decode("latin-1")

    pdf.add_page()
    sizes = {"# ": 18.0, "## ": 13.5, "### ": 11.5, "#### ": 10.5}
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            pdf.ln(2.5)
            continue
        heading = next((h for h in sizes if line.startswith(h)), None)
        indent = 0.0
        if heading is not None:
            pdf.ln(3 if heading == "# " else 2)
            body, size, forced_bold = line[len(heading) :], sizes[heading], True
        elif line.lstrip().startswith("- "):
            indent = 4 + (len(line) - len(line.lstrip()))
            body, size, forced_bold = line.lstrip()[2:], 10.5, False
        else:
            body, size, forced_bold = line.strip(), 10.5, False
        height = size * 0.5
        pdf.set_x(pdf.l_margin + indent)
        if indent:
            pdf.set_font(family, "", size)
            pdf.cell(5, height, fit("•") if font is not None else "-")
        left = pdf.l_margin
        pdf.set_left_margin(left + indent + (5 if indent else 0))
        for chunk, bold_run in _segments(body):
            pdf.set_font(family, "B" if (bold_run or forced_bold) else "", size)
            pdf.write(height, fit(chunk))
        pdf.set_left_margin(left)
        pdf.ln(height + 1)
    return bytes(pdf.output())


# --------------------------------------------------------------------------- writing


@dataclass
class Written:
    path: str  # relative to the output directory
    status: str  # created | updated | unchanged


def safe_target(out_dir: Path, relative: str) -> Path:
    """``out_dir/relative``, refusing anything that would land outside ``out_dir``."""
    root = out_dir.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root) or target == root:
        raise UsageError(f"{relative!r}: would be written outside {out_dir}")
    return target


def write_file(target: Path, content: bytes, dry_run: bool) -> str:
    """Write ``content`` atomically (owner-only), unless the file already holds it."""
    try:
        if target.read_bytes() == content:
            return "unchanged"
        status = "updated"
    except FileNotFoundError:
        status = "created"
    if dry_run:
        return status
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return status


def calendar_bytes(program: Program, doc: AgreementDoc) -> bytes:
    from mentorctl.agreements.calendar import meeting_series

    ctx = doc.context
    if doc.kind == "circle":
        summary = f"{ctx['program']['name']}: {ctx['circle']['topic']} circle"
    else:
        summary = f"Mentoring: {ctx['mentor']['name']} and {ctx['mentee']['name']}"
    description = (
        f"{ctx['program']['name']}, cycle {ctx['cycle']['name']}. "
        f"Meetings {ctx['meetings']['cadence_text']}; the mentee organises them. "
        "Move any meeting to a time that suits you both."
    )
    return meeting_series(
        program,
        summary=summary,
        description=description,
        attendees=doc.attendees,
        uid_parts=[doc.mentor, *doc.mentees, doc.circle or ""],
        timezone=doc.timezone,
    )


def write_agreements(
    docs: Iterable[AgreementDoc],
    renderer: Renderer,
    out_dir: Path,
    *,
    dry_run: bool = False,
    progress: Callable[[Iterable[AgreementDoc], int], Iterable[AgreementDoc]] | None = None,
) -> list[tuple[AgreementDoc, list[Written]]]:
    """Render and write each agreement and its ``.ics``; returns what happened to each file.

    Everything is rendered before anything is written, so a template error leaves the
    output directory as it was.
    """
    docs = list(docs)
    items = progress(docs, len(docs)) if progress else docs
    planned: list[tuple[AgreementDoc, list[tuple[str, Path, bytes]]]] = []
    for doc in items:
        files = []
        for suffix, content in (
            (renderer.fmt, renderer.render(doc)),
            ("ics", calendar_bytes(renderer.program, doc)),
        ):
            rel = f"{doc.stem}.{suffix}"
            files.append((rel, safe_target(out_dir, rel), content))
        planned.append((doc, files))
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir}: not a directory (agreements are written into one)")
    if not dry_run:  # make every directory first: a place we cannot write gets no file at all
        for folder in sorted({target.parent for _, files in planned for _, target, _ in files}):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UsageError(
                    f"{folder}: cannot write agreements here: {exc.strerror}"
                ) from None
    results = []
    for doc, files in planned:
        written = []
        for rel, target, content in files:
            try:
                written.append(Written(rel, write_file(target, content, dry_run)))
            except OSError as exc:
                raise UsageError(f"{target}: cannot write: {exc.strerror}") from None
        results.append((doc, written))
    return results


# --------------------------------------------------------------------------- checking


def kinds_of(program: Program) -> list[str]:
    """The kinds of agreement a program produces (its format decides)."""
    if program.format is Format.CIRCLES:
        return ["circle"]
    return ["group"] if program.format is Format.GROUP else ["one-to-one"]


def known_fields(program: Program) -> set[str]:
    return set(sample_context(program))


def check_templates(program: Program, program_dir: Path) -> list[tuple[str, list[Problem]]]:
    """Validate the coordinator's templates (or, with none set, the defaults).

    Each template is parsed, its top-level names are checked against the fields a
    template gets, and it is rendered with sample data for the kind of agreement the
    program makes (its format), undefined fields being errors. Returns
    ``(template, problems)`` per template.
    """
    from jinja2 import TemplateError as JinjaError
    from jinja2 import TemplateSyntaxError, meta

    out: list[tuple[str, list[Problem]]] = []
    fields = known_fields(program)
    seen: set[str] = set()
    for ext in ("md", "html"):
        for kind in kinds_of(program):
            ref = template_for(program, program_dir, ext, kind)
            label = str(ref.custom) if ref.custom else ref.name
            env = _environment(ref.search, ext == "html")
            problems: list[Problem] = []
            if label not in seen:
                seen.add(label)
                try:
                    source = env.loader.get_source(env, ref.name)[0]  # type: ignore[union-attr]
                    ast = env.parse(source)
                    names = meta.find_undeclared_variables(ast) - _top_level_names(ast)
                except TemplateSyntaxError as exc:
                    problems.append(Problem(exc.message or str(exc), file=label, line=exc.lineno))
                    out.append((label, problems))
                    continue
                except UnicodeDecodeError as exc:
                    problems.append(Problem(f"not UTF-8 text ({exc.reason})", file=label))
                    out.append((label, problems))
                    continue
                except OSError as exc:
                    problems.append(Problem(f"cannot read: {exc.strerror}", file=label))
                    out.append((label, problems))
                    continue
                for name in sorted(names - fields - set(env.globals)):
                    problems.append(
                        Problem(
                            f"unknown field {name!r}; fields: {', '.join(sorted(fields))}",
                            file=label,
                            line=_first_line(source, name),
                        )
                    )
                out.append((label, problems))
            else:
                problems = next(p for lbl, p in out if lbl == label)
            try:
                template = env.get_template(ref.name)
                sample = sample_context(program, kind)
                template.render(sample if ext == "html" else md_escape_tree(sample))
            except Exception as exc:  # a template error, or its own code failing ({{ 1/0 }})
                if isinstance(exc, (UnicodeDecodeError, OSError)) and problems:
                    continue  # already reported as unreadable above
                filename = getattr(exc, "filename", None) or label
                line = _line_in(exc, getattr(exc, "filename", None) or str(ref.custom or ""))
                why = (exc.message or str(exc)) if isinstance(exc, JinjaError) else _what(exc)
                msg = f"{kind} agreement: {why}"
                if not any(p.message == msg for p in problems):
                    problems.append(Problem(msg, file=filename, line=line))
    return out


def _top_level_names(ast: Any) -> set[str]:
    """Names a template binds itself ({% import %}, {% set %}): meta reports them as
    undeclared when blocks of a child template use them."""
    from jinja2 import nodes

    out: set[str] = set()
    for node in ast.find_all((nodes.Import, nodes.FromImport, nodes.Assign)):
        if isinstance(node, nodes.Import):
            out.add(node.target)
        elif isinstance(node, nodes.FromImport):
            out.update(n if isinstance(n, str) else n[1] for n in node.names)
        else:
            out.update(n.name for n in node.target.find_all(nodes.Name))
    return out


def _first_line(source: str, name: str) -> int | None:
    pattern = re.compile(rf"\b{re.escape(name)}\b")
    for i, line in enumerate(source.splitlines(), start=1):
        if pattern.search(line):
            return i
    return None
