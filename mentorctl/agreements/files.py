"""Writing agreements: each document and its ``.ics`` under the output directory.

Everything is rendered before anything is written, so a template error leaves the
output directory as it was; each file is written atomically and only when its bytes
changed, so a re-run touches nothing that is already right.

PDFs are the slow format (laying out and embedding fonts, about 20 ms of CPU each), so
many of them are rendered by worker processes forked once the first document has loaded
the templates and fonts: one per CPU this process may use (at most
:data:`MAX_WORKERS`). Each document's bytes do not depend on which process made them, and
results come back in order, so the output is the same as a serial run's.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mentorctl.agreements.context import AgreementDoc
from mentorctl.agreements.names import safe_target
from mentorctl.agreements.templates import Renderer
from mentorctl.errors import UsageError
from mentorctl.program import Program


@dataclass
class Written:
    path: str  # relative to the output directory
    status: str  # created | updated | unchanged


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
    """The ``.ics`` meeting series of one agreement (its terms: see terms.py)."""
    from mentorctl.agreements.calendar import meeting_series

    ctx = doc.context
    if doc.kind == "circle":
        summary = f"{ctx['program']['name']}: {ctx['circle']['topic']} circle"
    else:
        summary = f"Mentoring: {ctx['mentor']['name']} and {ctx['mentee']['name']}"
    meet = ctx["meetings"]
    who = (
        "members take turns to bring a topic"
        if doc.kind == "circle"
        else "the mentee organises them"
    )
    description = (
        f"{ctx['program']['name']}, cycle {ctx['cycle']['name']}. "
        f"Meetings {meet['cadence_text']}, {meet['length_text']} each; {who}. "
        "Move any meeting to a time that suits you all."
        if doc.kind != "one-to-one"
        else f"{ctx['program']['name']}, cycle {ctx['cycle']['name']}. "
        f"Meetings {meet['cadence_text']}, {meet['length_text']} each; {who}. "
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


#: PDFs from this many documents on are rendered in worker processes (where fork exists).
PARALLEL_FROM = 24
MAX_WORKERS = 8

# What a forked worker renders with: set in the parent just before the fork.
_WORK: tuple[Renderer, Sequence[AgreementDoc]] | None = None


def _workers() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return min(cpus, MAX_WORKERS)


def _render_one(i: int) -> tuple[bytes, bytes, list[str]]:
    """In a worker: document ``i``'s bytes, its ``.ics``, and any warnings it added."""
    assert _WORK is not None
    renderer, docs = _WORK
    before = len(renderer.warnings)
    content = renderer.render(docs[i])
    return content, calendar_bytes(renderer.program, docs[i]), renderer.warnings[before:]


def _rendered(
    docs: Sequence[AgreementDoc], renderer: Renderer
) -> Iterator[tuple[AgreementDoc, bytes, bytes]]:
    """Each document with its bytes and ``.ics``, in order (see the module docstring)."""
    global _WORK
    import multiprocessing

    workers = _workers()
    parallel = (
        renderer.fmt == "pdf"
        and len(docs) >= PARALLEL_FROM
        and workers > 1
        and "fork" in multiprocessing.get_all_start_methods()
    )
    for doc in docs[:1] if parallel else docs:
        yield doc, renderer.render(doc), calendar_bytes(renderer.program, doc)
    if not parallel:
        return
    _WORK = (renderer, docs)  # the first document loaded fonts and templates: fork now
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            done = pool.imap(_render_one, range(1, len(docs)), chunksize=4)
            for doc, (content, ics, warnings) in zip(docs[1:], done, strict=True):
                renderer.warnings.extend(warnings)
                yield doc, content, ics
    finally:
        _WORK = None


def write_agreements(
    docs: Iterable[AgreementDoc],
    renderer: Renderer,
    out_dir: Path,
    *,
    dry_run: bool = False,
    progress: Callable[[Iterable[Any], int], Iterable[Any]] | None = None,
) -> list[tuple[AgreementDoc, list[Written]]]:
    """Render and write each agreement and its ``.ics``; returns what happened to each file.

    Everything is rendered before anything is written, so a template error leaves the
    output directory as it was.
    """
    docs = list(docs)
    rendered = _rendered(docs, renderer)
    items = progress(rendered, len(docs)) if progress else rendered
    planned: list[tuple[AgreementDoc, list[tuple[str, Path, bytes]]]] = []
    for doc, document, ics in items:
        files = []
        for suffix, content in ((renderer.fmt, document), ("ics", ics)):
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
