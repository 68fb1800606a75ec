"""A key given twice in one JSON object is refused wherever it is, however the text is spaced, and
whatever the texts around it hold (issue 17).

The usual input is parsed without a look at each object (jsonio._loads_clean counts the keys the
text writes and the keys the parsed objects hold); these cases are the ones a count could get
wrong — a colon or a brace inside a text, whitespace before a colon, an object nested in a list of
lists — so each must still be refused, with the key's JSON path, as the full path refuses it."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from xlcredits.jsonio import InputError, loads

TWICE = " is given twice in one object (JSON would keep only the last): keep one"


@pytest.mark.parametrize("text, path", [
    ('{"form": "7207", "form": "NJ-306"}', "form"),
    ('{"filer": {"name": "A", "name": "B"}}', "filer.name"),
    ('{"components": [{"units": 1}, {"units": 1, "units": 2}]}', "components[1].units"),
    ('{"components": [{"units": 1}, {"extra": {"a": 1, "a": 2}}]}', "components[1].extra.a"),
    ('{"a" : 1, "a":2}', "a"),
    ('{"a"\n:\t1,\r\n"a"  :  2}', "a"),
    ('{"d": "Module: 400 W", "a": 1, "a": 2}', "a"),
    ('{"d": "{", "b": 1, "b": 2}', "b"),
    ('{"rows": [{"x": 1}, 5, "{{"], "k": 1, "k": 2}', "k"),
    ('{"a": [[{"q": 1, "q": 2}]]}', "a[0][0].q"),
])
def test_a_key_given_twice_is_refused_with_its_path(text, path):
    with pytest.raises(InputError) as refused:
        loads(text)
    assert str(refused.value) == path + TWICE


@pytest.mark.parametrize("text, expected", [
    ('{"a": 1}', {"a": 1}),
    ('{"rows": [{"x": "a:b"}, {"x": "{c}"}]}', {"rows": [{"x": "a:b"}, {"x": "{c}"}]}),
    ('{"a"\n:\t1, "b"  : {"c": [1, {"d": 2.50}]}}', {"a": 1, "b": {"c": [1, {"d": Decimal("2.50")}]}}),
    ('{"rows": [{"x": 1, "y": 0.1}, {"x": 2}], "t": {"u": null}}',
     {"rows": [{"x": 1, "y": Decimal("0.1")}, {"x": 2}], "t": {"u": None}}),
])
def test_keys_given_once_parse_as_written(text, expected):
    parsed = loads(text)
    assert parsed == expected
    assert json.dumps(parsed, default=str) == json.dumps(expected, default=str)  # key order kept
