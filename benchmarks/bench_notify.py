"""Notify: ``mentorctl notify intro --send`` of 1,000 introductions to a local SMTP server.

A generated program (group format) with 1,000 active matches, and a real SMTP server
(aiosmtpd, in this process) on 127.0.0.1 that keeps a count of what it receives. Timed
as whole processes:

* send: ``notify intro --send --attach md`` on a fresh copy of the roster: every email
  rendered (agreement and ``.ics`` attached), claimed, sent over one SMTP connection and
  recorded. Target: 1,000 messages within 20 s on this machine (the RESULT ratio is the
  time over 20 s, scaled to the number of messages under ``--quick``). The Markdown
  agreement is attached so that the number measures the outbox, not the PDF renderer
  (``bench_agreements``' subject);
* re-run: the same command once everything was sent, against ``mentorctl --help``
  (start-up), interleaved. Target: within 1.5x of start-up.

``--quick``: 100 messages, fewer repetitions.

Run: ``python benchmarks/bench_notify.py [--quick] [--strict]``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import header, interleaved, median, ms, parse_args, result, run_timed, script
from generate import generate_program

SEED = 2027
SEND_BUDGET = 20.0  # seconds for 1,000 messages
RERUN_TARGET = 1.5  # x start-up


class _Sink:
    """An aiosmtpd handler that counts what it is given."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        with self.lock:
            self.count += 1
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build(directory: Path, pairs: int, port: int) -> None:
    """Program with email settings, participants (via the real import), active matches."""
    mentors = max(1, pairs // 3)
    gen = generate_program(directory, mentors, pairs, SEED)
    with gen.program_yaml.open("a", encoding="utf-8") as fh:
        fh.write(
            "coordinator: coord@example.com\n"
            f"email: {{host: 127.0.0.1, port: {port}, security: none, "
            "sender: mentoring@example.com}\n"
        )
    subprocess.run(
        [
            script("mentorctl"),
            "-q",
            "-p",
            str(directory),
            "participants",
            "import",
            "participants.csv",
        ],
        cwd=directory,
        check=True,
    )
    from mentorctl.program import load_program
    from mentorctl.roster.db import default_url, open_roster
    from mentorctl.roster.participants import ensure_cycle, ensure_program

    program = load_program(directory)
    roster = open_roster(default_url(directory))
    with roster.session(write=True) as s:
        cycle_id = ensure_cycle(s, ensure_program(s, program), program).id
    roster.dispose()
    # Closed at once (not only committed): the roster is in WAL mode, and a copy taken
    # while a connection is open can miss what is still in the -wal file.
    with contextlib.closing(sqlite3.connect(directory / "roster.db")) as conn, conn:
        people = conn.execute("select id, role from participant order by id").fetchall()
        ment = [i for i, r in people if r in ("mentor", "both")]
        mentees = [i for i, r in people if r == "mentee"][:pairs]
        now = dt.datetime(2027, 1, 11, 9).isoformat(sep=" ")
        conn.executemany(
            "insert into match (cycle_id, mentor_id, mentee_id, score, explanation, status, "
            "locked, created_at, started_at) values (?, ?, ?, 0.5, '{}', 'active', 0, ?, ?)",
            [(cycle_id, ment[k % len(ment)], e, now, now) for k, e in enumerate(mentees)],
        )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__.splitlines()[0], argv)
    pairs = 100 if args.quick else 1_000
    reps = 3 if args.quick else 7
    from aiosmtpd.controller import Controller

    sink = _Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory(prefix="mentorctl-bench-") as tmp:
            directory = Path(tmp)
            build(directory, pairs, port)
            pristine = directory / "roster.pristine.db"
            shutil.copy(directory / "roster.db", pristine)
            mentorctl = script("mentorctl")
            send = [mentorctl, "-p", ".", "notify", "intro", "--send", "--attach", "md"]
            header(f"notify intro --send: {pairs:,} messages to a local SMTP server")
            shutil.copy(pristine, directory / "roster.db")
            took = run_timed(send, cwd=directory)
            budget = SEND_BUDGET * pairs / 1_000
            print(f"  {ms(took)}  send {pairs:,} (received {sink.count:,})")
            ok = result(
                f"notify intro --send[{pairs} messages]",
                took / budget,
                1.0,
                f"{took:.1f} s against {budget:g} s; {pairs / took:.0f} messages/s",
            )
            if sink.count != pairs:
                print(f"  received {sink.count} messages, expected {pairs}", file=sys.stderr)
                return 1
            header(f"re-run with everything sent; whole process, median of {reps}")
            cmds = {"start-up: mentorctl --help": [mentorctl, "--help"], "re-run": send}
            times = {k: median(v) for k, v in interleaved(cmds, reps, cwd=directory).items()}
            for name, t in times.items():
                print(f"  {ms(t)}  {name}")
            ratio = times["re-run"] / times["start-up: mentorctl --help"]
            ok &= result(
                f"notify intro --send re-run[{pairs} sent]",
                ratio,
                RERUN_TARGET,
                f"{ms(times['re-run']).strip()} against start-up's "
                f"{ms(times['start-up: mentorctl --help']).strip()}",
            )
            if sink.count != pairs:
                print(f"  a re-run sent again: {sink.count} received", file=sys.stderr)
                return 1
    finally:
        controller.stop()
    return 1 if (args.strict and not ok) else 0


if __name__ == "__main__":
    sys.exit(main())
