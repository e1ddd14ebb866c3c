"""Start-up: ``mentorctl --help`` as a whole process vs ``python -c "import typer, rich"``.

A coordinator feels start-up on every command, and cron pays it on every run. The floor
is the price of Python plus Typer and Rich, which any Typer CLI pays; mentorctl should
add little on top (target: at most 1.5x the baseline's median).

Run: ``python benchmarks/bench_startup.py [--quick] [--strict]``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    clean_env,
    header,
    interleaved,
    median,
    ms,
    parse_args,
    result,
    script,
)

TARGET = 1.5


def importtime(cmd: list[str]) -> list[tuple[int, int, int, str]]:
    """``-X importtime`` rows of a process: (depth, self us, cumulative us, module)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *cmd],
        env=clean_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cum_us, name = line.removeprefix("import time:").split("|", 2)
        depth = (len(name) - len(name.lstrip())) // 2
        rows.append((depth, int(self_us), int(cum_us), name.strip()))
    return rows


def show_importtime() -> None:
    header("python -X importtime -m mentorctl --help")
    ours = importtime(["-m", "mentorctl", "--help"])
    base = importtime(["-c", "import typer, rich"])
    base_names = {name for *_, name in base}
    total = sum(cum for depth, _, cum, _ in ours if depth <= 1) / 1000
    base_total = sum(cum for depth, _, cum, _ in base if depth <= 1) / 1000
    extra = [r for r in ours if r[3] not in base_names]
    print(
        f"imports: {len(ours)} modules, {total:.1f} ms "
        f"(baseline: {len(base)} modules, {base_total:.1f} ms); "
        f"{len(extra)} modules beyond the baseline"
    )
    own = [r for r in ours if r[3].split(".")[0] == "mentorctl"]
    print(
        f"mentorctl's own modules: {len(own)}, {sum(r[1] for r in own) / 1000:.1f} ms self time "
        f"({', '.join(r[3] for r in own)})"
    )
    print("\ntop 10 by cumulative time, modules the baseline does not import:")
    print(f"  {'cumul ms':>9} {'self ms':>8}  module")
    for _, self_us, cum_us, name in sorted(extra, key=lambda r: -r[2])[:10]:
        print(f"  {cum_us / 1000:9.1f} {self_us / 1000:8.1f}  {name}")
    print("\ntop 10 by self time (all modules):")
    print(f"  {'self ms':>9} {'cumul ms':>8}  module")
    for _, self_us, cum_us, name in sorted(ours, key=lambda r: -r[1])[:10]:
        mark = "" if name in base_names else "   (not in baseline)"
        print(f"  {self_us / 1000:9.1f} {cum_us / 1000:8.1f}  {name}{mark}")


MINIMAL_TYPER_APP = '''\
import typer

app = typer.Typer(add_completion=False)


@app.callback()
def main(program: str = "") -> None:
    """A minimal Typer CLI: the floor any Typer app with Rich help pays."""


@app.command()
def init() -> None:
    """Scaffold."""


@app.command()
def validate() -> None:
    """Check."""


app()
'''


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__.splitlines()[0], argv)
    reps = 7 if args.quick else 25
    baseline = "baseline: python -c 'import typer, rich'"
    module = "python -m mentorctl --help"
    console = "mentorctl --help (console script)"
    typer_floor = "reference: a minimal Typer app --help (Rich help)"
    plain = "reference: mentorctl --help with TYPER_USE_RICH=0 (plain Click help)"
    with tempfile.TemporaryDirectory(prefix="mentorctl-bench-") as tmp:
        mini = Path(tmp) / "mini_typer_app.py"
        mini.write_text(MINIMAL_TYPER_APP, encoding="utf-8")
        cmds = {
            baseline: [sys.executable, "-c", "import typer, rich"],
            module: [sys.executable, "-m", "mentorctl", "--help"],
            console: [script("mentorctl"), "--help"],
            typer_floor: [sys.executable, str(mini), "--help"],
            plain: [script("mentorctl"), "--help"],
        }
        header(f"start-up, whole process, {reps} interleaved runs each (median)")
        times = interleaved(cmds, reps, cwd=tmp, env={plain: {"TYPER_USE_RICH": "0"}})
    base = median(times[baseline])
    for name, t in times.items():
        print(f"  {ms(median(t))}  {median(t) / base:5.2f}x  (min {ms(min(t)).strip()})  {name}")
    print("  (references are for diagnosis only; the targets are the two RESULT lines)")
    ok = True
    for name, label in ((module, "startup[python -m]"), (console, "startup[console script]")):
        ok &= result(label, median(times[name]) / base, TARGET, ms(median(times[name])).strip())
    show_importtime()
    return 1 if (args.strict and not ok) else 0


if __name__ == "__main__":
    sys.exit(main())
