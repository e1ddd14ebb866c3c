"""The validated-program cache (mentorctl/program/files.py): an unchanged program.yaml is
read back without YAML or pydantic, and anything else is validated again."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

from mentorctl.errors import ProgramError
from mentorctl.program import load_program
from mentorctl.program.files import cache_dir
from tests.cli.test_remind import matched
from tests.conftest import DATA, Cli
from tests.imports import run_cli


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("MENTORCTL_CACHE_DIR", str(where))
    return where


def _program(tmp_path: Path) -> Path:
    d = tmp_path / "prog"
    d.mkdir(exist_ok=True)
    shutil.copy(DATA / "program.yaml", d / "program.yaml")
    return d


def _files(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.program"))


def test_a_second_load_is_the_same_program_from_the_cache(tmp_path: Path, cache: Path) -> None:
    d = _program(tmp_path)
    first = load_program(d)
    assert len(_files(cache)) == 1
    again = load_program(d)
    assert again == first and again is not first
    assert again.cycle.end == first.cycle.end  # properties work on the unpickled models


def test_an_edit_is_validated_again_and_replaces_the_cached_one(
    tmp_path: Path, cache: Path
) -> None:
    d = _program(tmp_path)
    load_program(d)
    text = (d / "program.yaml").read_text()
    (d / "program.yaml").write_text(text.replace("name: ", "name: Renamed ", 1))
    renamed = load_program(d)
    assert renamed.name.startswith("Renamed ")
    assert len(_files(cache)) == 1  # one file per program: never older versions of it
    (d / "program.yaml").write_text(text + "colour: blue\n")
    for _ in range(2):  # an invalid program is never cached: each run reports it
        with pytest.raises(ProgramError, match="colour: unknown key"):
            load_program(d)


def test_overrides_are_part_of_the_key(tmp_path: Path, cache: Path) -> None:
    d = _program(tmp_path)
    plain = load_program(d)
    weighted = load_program(d, ["report.min_group_size=9"])
    assert weighted.report.min_group_size == 9 != plain.report.min_group_size
    assert load_program(d).report.min_group_size == plain.report.min_group_size


@pytest.mark.parametrize("damage", ["truncate", "garbage", "other key", "not a program"])
def test_a_damaged_cache_file_means_one_more_validation(
    tmp_path: Path, cache: Path, damage: str
) -> None:
    d = _program(tmp_path)
    expected = load_program(d)
    (file,) = _files(cache)
    data = file.read_bytes()
    if damage == "truncate":
        file.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        file.write_bytes(b"\x00" * 40)
    elif damage == "other key":
        file.write_bytes(b"x" * 32 + data[32:])
    else:
        file.write_bytes(data[:32] + pickle.dumps({"not": "a program"}))
    assert load_program(d) == expected
    assert file.read_bytes() == data  # validated again, and stored again


def test_no_cache_directory_means_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MENTORCTL_CACHE_DIR", "")
    assert cache_dir() is None
    d = _program(tmp_path)
    assert load_program(d) == load_program(d)
    monkeypatch.setenv("MENTORCTL_CACHE_DIR", str(tmp_path / "nowhere" / "x"))
    (tmp_path / "nowhere").write_text("a file, not a folder")  # cannot be written
    assert load_program(d) == load_program(d)


def test_default_location_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MENTORCTL_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "mentorctl"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_dir() == Path(os.path.expanduser("~")) / ".cache" / "mentorctl"


def test_stale_files_are_removed(tmp_path: Path, cache: Path) -> None:
    d = _program(tmp_path)
    load_program(d)
    gone = cache / ("0" * 32 + ".program")  # a program folder deleted long ago
    gone.write_bytes(b"old")
    os.utime(gone, (0, 0))
    (d / "program.yaml").write_text((d / "program.yaml").read_text() + "\n")
    load_program(d)  # a miss writes, and sweeps what is stale
    assert not gone.exists() and len(_files(cache)) == 1


def test_status_from_the_cache_imports_neither_yaml_nor_pydantic(
    sqlite_cli: Cli, cache: Path
) -> None:
    matched(sqlite_cli)
    first, imported = run_cli(sqlite_cli.program, "status", "--json", "--today", "2027-03-01")
    assert first.returncode == 0
    again, imported = run_cli(sqlite_cli.program, "status", "--json", "--today", "2027-03-01")
    assert again.stdout == first.stdout and again.returncode == 0
    assert not {"yaml", "pydantic"} & imported
    # An edit that breaks the program is reported on the next run, not hidden by the cache.
    program = sqlite_cli.program / "program.yaml"
    program.write_text(program.read_text() + "colour: blue\n")
    broken, imported = run_cli(sqlite_cli.program, "status", "--today", "2027-03-01")
    assert broken.returncode == 1 and "colour: unknown key" in broken.stderr


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs chown (root)")
def test_a_file_owned_by_someone_else_is_never_unpickled(tmp_path: Path, cache: Path) -> None:
    d = _program(tmp_path)
    expected = load_program(d)
    (file,) = _files(cache)
    planted = pickle.dumps(expected.model_copy(update={"name": "Planted"}))
    file.write_bytes(file.read_bytes()[:32] + planted)  # the right key, someone else's data
    os.chown(file, 65534, 65534)
    assert load_program(d).name == expected.name  # validated again, not unpickled
    assert file.stat().st_uid == os.getuid() and planted not in file.read_bytes()
    os.chown(file, 65534, 65534)
    file.write_bytes(file.read_bytes()[:32] + planted)
    os.chown(file, os.getuid(), os.getgid())  # the same bytes, ours: they are used
    assert load_program(d).name == "Planted"
