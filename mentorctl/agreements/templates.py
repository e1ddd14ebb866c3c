"""Agreement templates: loading, rendering to Markdown/HTML/PDF bytes, and checking.

Templates run in a :class:`~jinja2.sandbox.SandboxedEnvironment`; participants' text is
only ever a *value* in the context (see :mod:`mentorctl.agreements.values`): HTML
autoescapes every value, Markdown gets every value escaped. A coordinator's own
template (``agreement.template`` / ``agreement.html_template``) replaces the default of
its format; :func:`check_templates` validates it against the fields an agreement has,
and the program's clauses against its meeting terms.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.agreements.context import AgreementDoc, kinds_of, known_fields, sample_context
from mentorctl.agreements.values import long_date, md_escape_tree
from mentorctl.errors import MentorctlError, Problem, UsageError
from mentorctl.program import Program

if TYPE_CHECKING:
    from jinja2 import Environment

FORMATS = ("md", "html", "pdf")
DEFAULT_TEMPLATES = "agreements/{kind}.{ext}.j2"


class TemplateError(MentorctlError):
    """An agreement template cannot be read, parsed or rendered."""


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
        self.warnings: list[str] = []  # one line per document a PDF could not print fully

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
        """The agreement's bytes in this renderer's format. A PDF that cannot print some
        characters adds one warning per document to :attr:`warnings`."""
        text = self.text(doc.context)
        if self.fmt != "pdf":
            return text.encode("utf-8")
        from mentorctl.agreements.pdf import fields_with, paper_size, render_pdf

        c = doc.context
        result = render_pdf(
            text,
            title=_pdf_title(doc),
            when=self.program.cycle.start,
            footer=f"{c['program']['name']} · cycle {c['cycle']['name']}",
            paper=paper_size(self.program.agreement.paper),
        )
        if result.missing:
            chars = "".join(result.missing[:8])
            where = ", ".join(fields_with(c, result.missing)[:4]) or "the template's text"
            self.warnings.append(
                f"{doc.stem}.pdf: no installed font has {chars!r} (in {where}); printed as "
                "'?'. Install a font that has it (e.g. Debian's fonts-noto-core, "
                "fonts-noto-cjk) or set MENTORCTL_PDF_FONT"
            )
        if result.unshaped:
            self.warnings.append(
                f"{doc.stem}.pdf: right-to-left or Indic text printed unshaped; "
                "`pip install uharfbuzz` to join and order its letters"
            )
        return result.content


def _what(exc: BaseException) -> str:
    """A one-line description of an error a template's code raised."""
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _pdf_title(doc: AgreementDoc) -> str:
    return f"Mentoring agreement: {doc.summary()}"


def check_templates(program: Program, program_dir: Path) -> list[tuple[str, list[Problem]]]:
    """Validate the coordinator's templates (or, with none set, the defaults).

    Each template is parsed, its top-level names are checked against the fields a
    template gets, and it is rendered with sample data for the kind of agreement the
    program makes (its format), undefined fields being errors. Last comes
    ``program.yaml`` itself: clauses that contradict the meeting terms (see
    :func:`~mentorctl.agreements.terms.clause_contradictions`). Returns
    ``(template or file, problems)`` per item.
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
    from mentorctl.agreements.terms import clause_contradictions

    yaml_file = str(program_dir / "program.yaml")
    clauses = [
        Problem(p.message, file=yaml_file, path=p.path) for p in clause_contradictions(program)
    ]
    out.append(("program.yaml agreement clauses", clauses))
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
