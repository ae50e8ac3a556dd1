"""The stores' JSON: what json.dumps wrote before, byte for byte, whatever the text."""

from __future__ import annotations

import json
from typing import Any

from bot.jsontext import dumps
from tests.dialogs.test_history import BEFORE_HANDOFF, _run


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def test_a_whole_state_is_written_as_json_wrote_it() -> None:
    state = _run(BEFORE_HANDOFF).state
    assert dumps(state) == _json(state)
    assert json.loads(dumps(state)) == state


def test_control_characters_and_line_separators_are_escaped_as_json_escapes_them() -> None:
    value = {"text": "a\x00b\x1fc\u2028d\u2029e\"f\\g\nh\t😀", "n": [1, -2.5, True, None]}
    assert dumps(value) == _json(value)


def test_text_utf8_cannot_hold_is_still_written() -> None:
    value = {"text": "lone \ud800 surrogate"}
    assert dumps(value) == _json(value)
