"""Loading ``program.yaml``: YAML with line numbers, ``--set`` overrides, and one
:class:`~mentorctl.errors.Problem` per mistake with its file, line and dotted path.

YAML syntax errors are reported as such, apart from schema errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import yaml
from pydantic import ValidationError

from mentorctl.errors import Problem, ProgramError, UsageError
from mentorctl.program.schema import PROGRAM_FILE, Program, semantic_problems

# --------------------------------------------------------------------------- loading


class _Loader(yaml.SafeLoader):
    """SafeLoader that reports, with their line, what SafeLoader would crash on: a date
    that does not exist (``2027-13-40``) and an alias inside the node it names."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._open_anchors: set[str] = set()

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) and event.anchor in self._open_anchors:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"alias *{event.anchor} is inside the node it refers to",
                event.start_mark,
            )
        anchor = None if isinstance(event, yaml.AliasEvent) else getattr(event, "anchor", None)
        if anchor:
            self._open_anchors.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            if anchor:
                self._open_anchors.discard(anchor)

    def construct_yaml_timestamp(self, node: Any) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a valid date ({exc})", node.start_mark
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def load_yaml(text: str) -> Any:
    """Parse YAML safely; every problem in the text raises ``yaml.YAMLError``."""
    return yaml.load(text, Loader=_Loader)


def format_path(loc: Iterable[str | int]) -> str:
    """``("survey", "questions", 3, "options")`` -> ``survey.questions[3].options``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _line_index(text: str) -> dict[tuple[str | int, ...], int]:
    """Map each path in the YAML document to the 1-based line where its value starts."""
    index: dict[tuple[str | int, ...], int] = {}
    root = yaml.compose(text, Loader=_Loader)

    def walk(node: yaml.Node, path: tuple[str | int, ...]) -> None:
        index[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, str(key.value))
                walk(value, child)
                index[child] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    if root is not None:
        walk(root, ())
    return index


def _data_path(data: Any, loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Drop the parts of a pydantic error location that are not in the data (union tags)."""
    out: list[str | int] = []
    cur = data
    for part in loc:
        present = (isinstance(cur, dict) and part in cur) or (
            isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur)
        )
        if present:
            cur = cur[part]  # type: ignore[index]  # (a dict key or an in-range list index)
            out.append(part)
        elif isinstance(cur, dict) and isinstance(part, str) and part not in _TAGS:
            out.append(part)  # a missing key: name it, the line is its parent's
            cur = None
    return tuple(out)


_TAGS = frozenset(
    {
        "overlap",
        "same",
        "different",
        "closeness",
        "similarity",
        "seniority_gap",
        "preference",
        "function-after[_slug(), str]",
    }
)


def _line_for(index: dict[tuple[str | int, ...], int], path: tuple[str | int, ...]) -> int | None:
    for cut in range(len(path), -1, -1):
        if path[:cut] in index:
            return index[path[:cut]]
    return None


def apply_overrides(
    data: Any,
    overrides: Iterable[str],
    applied: list[tuple[tuple[str | int, ...], str]] | None = None,
) -> Any:
    """Apply what-if settings such as ``matching.criteria.skills.weight=3`` to parsed YAML.

    Path segments are mapping keys, list indexes, or the ``name``/``id`` of a list item;
    the value is read as YAML (``3``, ``true``, ``[a, b]``). Raises UsageError for a
    malformed setting, ProgramError for a path that names nothing. ``applied`` collects
    (resolved path, setting) so that problems with the result can name the setting.
    """
    for item in overrides:
        path, sep, raw = item.partition("=")
        # matching.criteria[0].weight is accepted as matching.criteria.0.weight
        parts = re.sub(r"\[([^\]]*)\]", r".\1", path.strip()).split(".")
        if not sep or not all(p.strip() for p in parts):
            raise UsageError(f"--set {item!r}: expected PATH=VALUE, e.g. matching.mode=stable")
        try:
            value = load_yaml(raw)
        except yaml.YAMLError as exc:
            why = "the value is not valid YAML"
            if isinstance(exc, yaml.constructor.ConstructorError) and exc.problem:
                why = exc.problem
            raise UsageError(f"--set {item!r}: {why}") from None
        cur = data
        resolved: list[str | int] = []
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            where = ".".join(parts[: depth + 1])
            resolved.append(part)
            if isinstance(cur, dict):
                if last:
                    cur[part] = value
                    break
                cur = cur.setdefault(part, {})
            elif isinstance(cur, list):
                index = next(
                    (
                        i
                        for i, el in enumerate(cur)
                        if isinstance(el, dict) and part in (el.get("name"), el.get("id"))
                    ),
                    int(part) if part.isdigit() and int(part) < len(cur) else None,
                )
                if index is None:
                    raise ProgramError(f"--set {item!r}: no item named {part!r} at {where}")
                resolved[-1] = index
                if last:
                    cur[index] = value
                    break
                cur = cur[index]
            else:
                raise ProgramError(f"--set {item!r}: {where} is not a section")
        if applied is not None:
            applied.append((tuple(resolved), item))
    return data


def parse_program(text: str, source: str = PROGRAM_FILE, overrides: Iterable[str] = ()) -> Program:
    """Validate program YAML text; raise ProgramError listing every problem found."""
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        if not isinstance(exc, yaml.constructor.ConstructorError):
            problem = f"YAML syntax error: {problem}"
        p = Problem(problem, file=source, line=line)
        raise ProgramError(f"{p}", [p]) from None
    if not isinstance(data, dict):
        p = Problem("must be a YAML mapping of settings (name:, slug:, cycle: ...)", file=source)
        raise ProgramError(str(p), [p])
    applied: list[tuple[tuple[str | int, ...], str]] = []
    data = apply_overrides(data, overrides, applied)
    problems: list[Problem] = []
    lines: list[dict[tuple[str | int, ...], int]] = []  # the line index, made on first need

    def located(msg: str, path: tuple[str | int, ...]) -> Problem:
        for done, item in reversed(applied):  # a problem a --set made names the --set
            if path[: len(done)] == done:
                return Problem(msg, file=f"--set {item!r}", path=format_path(path))
        if not lines:  # parsing the text again for line numbers is only worth it on a problem
            lines.append(_line_index(text))
        return Problem(msg, file=source, line=_line_for(lines[0], path), path=format_path(path))

    try:
        program = Program.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            path = _data_path(data, tuple(err["loc"]))
            msg = err["msg"]
            if err["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
                msg = "unknown key"
            elif err["type"] == "dataclass_type":  # worded as for any other mapping
                msg = msg.replace("a dictionary or an instance", "a valid dictionary or instance")
            elif msg.startswith("Value error, "):
                msg = msg.removeprefix("Value error, ")
            problems.append(located(msg, path))
        raise ProgramError(_summary(problems, source), problems) from None
    for path, msg in semantic_problems(program):
        problems.append(located(msg, path))
    if problems:
        raise ProgramError(_summary(problems, source), problems)
    return program


def _summary(problems: list[Problem], source: str) -> str:
    if len(problems) == 1:
        return str(problems[0])
    return f"{source}: {len(problems)} problems in the program file"
