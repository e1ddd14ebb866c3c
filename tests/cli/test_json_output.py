"""``--json`` output (mentorctl/cli/output.py): lists of records one to a line, written by
one call of the C encoder and cut at the records' boundaries. Whatever the records hold,
the text is exactly what encoding each record on its own gives."""

from __future__ import annotations

import datetime as dt
import io
import json
from contextlib import redirect_stdout
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from mentorctl.cli.output import _records, print_json

# Strings made of what could confuse a cut: braces, quotes, commas, the key itself.
_tricky = st.text(alphabet='{}", :\\kKab\n\x1bé', max_size=12) | st.sampled_from(
    ['}, {"k": ', '"}, {"k": 1', "}, {", '{"k": '],
)
_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _tricky
_values = st.recursive(
    _scalars | st.dates(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_tricky, inner, max_size=3),
    max_leaves=8,
)


def _one_by_one(rows: list[dict[str, Any]]) -> list[str]:
    dumps = json.JSONEncoder(ensure_ascii=False, default=str).encode
    return [dumps(row) for row in rows]


@given(
    st.lists(
        st.fixed_dictionaries({"k": _values}, optional={"x": _values, "y": _values}),
        min_size=1,
        max_size=6,
    )
)
def test_records_are_what_one_by_one_encoding_gives(rows: list[dict[str, Any]]) -> None:
    dumps = json.JSONEncoder(ensure_ascii=False, default=str).encode
    assert _records(rows, dumps) == _one_by_one(rows)


@given(st.lists(st.dictionaries(_tricky, _values, max_size=3), min_size=1, max_size=5))
def test_records_with_any_keys(rows: list[dict[str, Any]]) -> None:
    dumps = json.JSONEncoder(ensure_ascii=False, default=str).encode
    assert _records(rows, dumps) == _one_by_one(rows)


def test_a_nested_object_with_the_same_first_key_is_not_cut_inside() -> None:
    rows = [{"k": 1, "sub": [{"k": 2}, {"k": 3}]}, {"k": 4, "sub": []}]
    dumps = json.JSONEncoder(ensure_ascii=False, default=str).encode
    assert _records(rows, dumps) == _one_by_one(rows)


def test_print_json_writes_one_record_to_a_line_and_parses_back() -> None:
    data = {
        "cycle": "2027-h1",
        "matches": [
            {"match_id": 1, "mentor": 'a"}, {"match_id": 9', "day": dt.date(2027, 1, 2)},
            {"match_id": 2, "mentor": "b", "day": None},
        ],
    }
    out = io.StringIO()
    with redirect_stdout(out):
        print_json(data)
    text = out.getvalue()
    assert json.loads(text) == json.loads(json.dumps(data, default=str))
    lines = text.splitlines()
    assert lines[3].startswith('    {"match_id": 1, ') and lines[4].startswith('    {"match_id": 2')
