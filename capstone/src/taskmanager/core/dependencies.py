"""Dependency aliases for the application-wide services `create_app` puts on `app.state`.

Each is `async def` although it never awaits: FastAPI runs a plain `def` dependency in its thread
pool, and that hand-off costs more than the lookup itself on every request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from taskmanager.core.config import Settings
from taskmanager.core.passwords import PasswordHasher
from taskmanager.core.tokens import TokenCodec


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_password_hasher(request: Request) -> PasswordHasher:
    hasher: PasswordHasher = request.app.state.password_hasher
    return hasher


async def get_token_codec(request: Request) -> TokenCodec:
    codec: TokenCodec = request.app.state.token_codec
    return codec


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
PasswordHasherDep = Annotated[PasswordHasher, Depends(get_password_hasher)]
TokenCodecDep = Annotated[TokenCodec, Depends(get_token_codec)]
