"""The report as documents: one self-contained HTML page with charts, and Markdown.

The HTML page needs no network to be viewed: styles are inline and every chart is an
inline SVG drawn by matplotlib (Agg backend, text as paths so no font is needed, fixed
hash salt and no date so the same report gives the same bytes). It reads well on a
screen and in print (``@media print``). Templates live in ``mentorctl/templates/report``
and are rendered by Jinja2 with autoescaping on.

matplotlib is imported only here and only when a page is written, so other commands
never pay for it.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.reports import SUPPRESSED, Report, cell_kind, display, sections

if TYPE_CHECKING:
    from jinja2 import Environment
    from matplotlib.figure import Figure

#: Okabe-Ito colours: distinguishable with every common colour-vision deficiency.
GREEN, ORANGE, RED, BLUE, SKY, GREY = (
    "#009E73",
    "#E69F00",
    "#D55E00",
    "#0072B2",
    "#56B4E9",
    "#999999",
)
#: The charts every page has, in order (a chart with no data says so inside its SVG).
CHARTS = ("match_rate", "health", "satisfaction", "goals", "supply_gaps")


def _env(autoescape: bool) -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("mentorctl", "templates/report"),
        autoescape=autoescape,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(display=display, cell_kind=cell_kind, SUPPRESSED=SUPPRESSED)
    return env


def _context(report: Report) -> dict[str, Any]:
    return {"r": report, "sections": sections(report)}


def render_markdown(report: Report) -> str:
    """The report as a Markdown document (GitHub tables)."""
    env = _env(autoescape=False)
    env.filters["md"] = lambda s: str(s).replace("|", "\\|").replace("\n", " ")
    return env.get_template("report.md.j2").render(**_context(report))


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page (inline CSS and SVG charts)."""
    from markupsafe import Markup

    charts = {name: Markup(svg) for name, svg in charts_svg(report).items()}
    return (
        _env(autoescape=True)
        .get_template("report.html.j2")
        .render(**_context(report), charts=charts)
    )


def write_html(report: Report, path: Path) -> None:
    """Write :func:`render_html` to ``path`` (UTF-8), replacing it atomically; readable by
    its owner only (0600), as it names people and departments."""
    from mentorctl.errors import UsageError
    from mentorctl.roster.erasure import write_private

    text = render_html(report)
    try:
        write_private(path, text)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the report: {exc.strerror}") from None


# --------------------------------------------------------------------------- charts


def charts_svg(report: Report) -> dict[str, str]:
    """Each chart of :data:`CHARTS` (plus ``trends`` when present) as an SVG element."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import rcParams

    rcParams.update(
        {
            "svg.fonttype": "path",
            "svg.hashsalt": "mentorctl-report",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    out = {
        "match_rate": _svg(_match_rate(report)),
        "health": _svg(_health(report)),
        "satisfaction": _svg(_satisfaction(report)),
        "goals": _svg(_goals(report)),
        "supply_gaps": _svg(_supply_gaps(report)),
    }
    if report.trends and len(report.trends) > 1:
        out["trends"] = _svg(_trends(report))
    return out


def _figure(height: float = 2.6) -> tuple[Figure, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, height), dpi=100, layout="constrained")
    return fig, fig.add_subplot()


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]  # drop the XML prolog and DOCTYPE: inline SVG
    return re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.S)


def _empty(ax: Any, message: str) -> None:
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", color=GREY, transform=ax.transAxes)


def _match_rate(r: Report) -> Figure:
    fig, ax = _figure(2.0)
    p = r.participation
    rows = [
        ("Mentees", p.mentees_matched, p.mentees_enrolled),
        ("Mentors", p.mentors_matched, p.mentors_enrolled),
        ("Everyone", p.matched, p.enrolled),
    ]
    if not p.enrolled:
        _empty(ax, "Nobody enrolled yet")
        return fig
    labels = [name for name, _, _ in rows]
    ax.barh(labels, [n for _, _, n in rows], color="#E8E8E8", label="enrolled")
    ax.barh(labels, [m for _, m, _ in rows], color=BLUE, label="matched")
    for i, (_, m, n) in enumerate(rows):
        text = f"{m} of {n} ({100 * m / n:.0f}%)" if n else "–"
        ax.text(max(n, 1) * 1.01, i, text, va="center")
    ax.set_xlim(0, max(n for _, _, n in rows) * 1.35)
    ax.set_xlabel("people")
    ax.legend(loc="lower right", frameon=False)
    return fig


def _health(r: Report) -> Figure:
    fig, ax = _figure()
    points = r.health_timeline
    if not points:
        _empty(ax, "No matches yet")
        return fig
    dates = [pt.date for pt in points]
    ax.stackplot(
        dates,
        [pt.on_track for pt in points],
        [pt.at_risk for pt in points],
        [pt.stalled for pt in points],
        labels=["on track", "at risk", "stalled"],
        colors=[GREEN, ORANGE, RED],
        alpha=0.9,
    )
    ax.set_ylabel("active matches")
    ax.legend(loc="upper left", frameon=False, ncols=3, bbox_to_anchor=(0, 1.15))
    fig.autofmt_xdate()
    return fig


def _satisfaction(r: Report) -> Figure:
    fig, ax = _figure(2.2)
    cells = r.satisfaction.distribution
    if not r.satisfaction.respondents:
        _empty(ax, "No check-ins yet")
        return fig
    xs = [str(c.score) for c in cells]
    ax.bar(xs, [c.count or 0 for c in cells], color=SKY)
    for i, c in enumerate(cells):
        if c.suppressed:
            ax.text(i, 0, "hidden\n(small group)", ha="center", va="bottom", color=GREY)
    ax.set_xlabel("satisfaction (1 = very unhappy, 5 = very happy)")
    ax.set_ylabel("respondents")
    return fig


def _goals(r: Report) -> Figure:
    fig, ax = _figure(1.8)
    if not r.goals.set:
        _empty(ax, "No goals set yet")
        return fig
    colours = {"not-started": GREY, "in-progress": ORANGE, "achieved": GREEN, "dropped": RED}
    left = 0
    for status, n in r.goals.by_status.items():
        if not n:
            continue
        ax.barh([""], [n], left=left, color=colours.get(status, SKY), label=f"{status} ({n})")
        left += n
    ax.set_xlabel("goals")
    ax.set_yticks([])
    fig.legend(loc="outside lower center", frameon=False, ncols=4)
    return fig


def _supply_gaps(r: Report, top: int = 10) -> Figure:
    gaps = r.supply_gaps[:top]
    fig, ax = _figure(max(1.6, 0.35 * len(gaps) + 0.9))
    if not gaps:
        _empty(ax, "No supply gaps: every wanted skill has enough mentors")
        return fig
    labels = [g.item for g in reversed(gaps)]
    ys = range(len(gaps))
    ax.barh(
        [y + 0.2 for y in ys], [g.wanted for g in reversed(gaps)], 0.4, color=RED, label="wanted"
    )
    ax.barh(
        [y - 0.2 for y in ys], [g.offered for g in reversed(gaps)], 0.4, color=BLUE, label="offered"
    )
    ax.set_yticks(list(ys), labels)
    ax.set_xlabel("people (mentees wanting, eligible mentors offering)")
    ax.legend(loc="upper left", frameon=False, bbox_to_anchor=(1.0, 1.0))
    return fig


def _trends(r: Report) -> Figure:
    fig, ax = _figure()
    trends = r.trends or []
    names = [t["cycle"] for t in trends]
    for key, label, colour in (
        ("match_rate", "match rate", BLUE),
        ("meeting_ratio", "meetings held / expected", GREEN),
        ("on_track_share", "on track", ORANGE),
    ):
        ax.plot(names, [t[key] for t in trends], marker="o", label=label, color=colour)
    ax.set_ylim(0, max(1.0, *(t[k] or 0 for t in trends for k in ("meeting_ratio",))) * 1.1)
    ax.yaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f}%")
    ax.legend(frameon=False)
    return fig
