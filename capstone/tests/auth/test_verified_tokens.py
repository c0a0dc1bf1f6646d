"""A token that passed every check is remembered, and stays exactly as strict as before."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, tzinfo

import pytest
from taskmanager.core import tokens
from taskmanager.core.tokens import InvalidTokenError, TokenCodec, TokenType

pytestmark = pytest.mark.task("4.8.2", level="core")
TTL = timedelta(minutes=15)


def codec() -> TokenCodec:
    return TokenCodec("unit-test-secret-" + "x" * 40, "taskmanager", "taskmanager-api")


def make_token(token_codec: TokenCodec, token_type: TokenType) -> str:
    token, _ = token_codec.encode(token_type, uuid.uuid4(), uuid.uuid4(), TTL)
    return token


class LaterDatetime(datetime):
    """`datetime` whose clock runs one TTL and a second ahead."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> LaterDatetime:
        now = datetime.now(tz) + TTL + timedelta(seconds=1)
        return cls.fromtimestamp(now.timestamp(), tz)


def test_a_remembered_token_is_refused_once_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    token_codec = codec()
    token = make_token(token_codec, TokenType.ACCESS)
    claims = token_codec.decode(token, TokenType.ACCESS)

    monkeypatch.setattr(tokens, "datetime", LaterDatetime)

    with pytest.raises(InvalidTokenError):
        token_codec.decode(token, TokenType.ACCESS)
    assert claims.expires_at < LaterDatetime.now(claims.expires_at.tzinfo)


def test_a_remembered_token_keeps_its_type() -> None:
    token_codec = codec()
    access = make_token(token_codec, TokenType.ACCESS)
    refresh = make_token(token_codec, TokenType.REFRESH)
    token_codec.decode(access, TokenType.ACCESS)
    token_codec.decode(refresh, TokenType.REFRESH)

    with pytest.raises(InvalidTokenError):
        token_codec.decode(access, TokenType.REFRESH)
    with pytest.raises(InvalidTokenError):
        token_codec.decode(refresh, TokenType.ACCESS)


def test_a_tampered_copy_of_a_remembered_token_is_still_refused() -> None:
    token_codec = codec()
    token = make_token(token_codec, TokenType.ACCESS)
    token_codec.decode(token, TokenType.ACCESS)
    header, payload, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]

    with pytest.raises(InvalidTokenError):
        token_codec.decode(f"{header}.{payload}.{flipped}", TokenType.ACCESS)


def test_a_forgotten_token_is_verified_again_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "VERIFIED_CACHE_SIZE", 2)
    token_codec = codec()
    issued = [make_token(token_codec, TokenType.ACCESS) for _ in range(3)]

    claims = [token_codec.decode(token, TokenType.ACCESS) for token in issued]

    # The oldest was forgotten, not refused: it is verified again in full.
    assert token_codec.decode(issued[0], TokenType.ACCESS) == claims[0]
