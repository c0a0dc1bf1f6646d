"""A page's parameters never show the key cursors are signed with."""

from __future__ import annotations

import pytest
from taskmanager.core.pagination import PageParams, decode_cursor

pytestmark = pytest.mark.task("4.8.2", level="core")


def test_the_repr_of_page_params_does_not_show_the_cursor_key() -> None:
    secret = b"cursor-signing-key-0123456789abcdef"
    params = PageParams(limit=20, position={"key": "x", "id": "y"}, secret=secret)

    shown = f"{params!r} {params} {params.model_dump(exclude={'secret'})}"

    assert "cursor-signing-key" not in shown
    assert repr(secret) not in shown
    assert decode_cursor(params.next_cursor({"id": "y"}), secret) == {"id": "y"}
