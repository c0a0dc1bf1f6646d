"""`/api/v1/auth`: register, log in (OAuth2 password flow), refresh, log out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from taskmanager.auth import service
from taskmanager.auth.schemas import RefreshRequest, Registration, TokenPair
from taskmanager.core.database import SessionDep
from taskmanager.core.dependencies import PasswordHasherDep, SettingsDep, TokenCodecDep
from taskmanager.core.openapi import problem_responses
from taskmanager.users.schemas import UserRead

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
LoginForm = Annotated[OAuth2PasswordRequestForm, Depends()]


def client_address_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    summary="Create an account",
    response_description="The new user; `Location` points at it.",
    description="At most `REGISTER_MAX_PER_ADDRESS` registrations per client address in "
    "`REGISTER_WINDOW_SECONDS` (429 with `Retry-After`).",
    responses=problem_responses(
        409,
        429,
        codes={
            409: ("email_taken", "This email is already registered."),
            429: ("rate_limited", service.TOO_MANY_REGISTRATIONS),
        },
    ),
)
async def register(
    *,
    data: Registration,
    session: SessionDep,
    hasher: PasswordHasherDep,
    settings: SettingsDep,
    request: Request,
    response: Response,
) -> UserRead:
    user = await service.register(
        session, hasher, settings, data, client_address=client_address_of(request)
    )
    response.headers["Location"] = f"/api/v1/users/{user.id}"
    request.state.user_id = str(user.id)
    return UserRead.model_validate(user)


@router.post(
    "/login",
    summary="Log in with email and password (OAuth2 password flow)",
    description="Form fields `username` (the email) and `password`. The same 401 answers an "
    "unknown email, a wrong password and a deactivated account; repeated failures per account "
    "or client address are refused with 429 and `Retry-After`.",
    responses=problem_responses(
        401,
        429,
        codes={401: ("invalid_credentials", service.INVALID_CREDENTIALS)},
    ),
)
async def login(
    *,
    form: LoginForm,
    request: Request,
    session: SessionDep,
    hasher: PasswordHasherDep,
    codec: TokenCodecDep,
    settings: SettingsDep,
) -> TokenPair:
    user = await service.authenticate(
        session,
        hasher,
        settings,
        email=form.username,
        password=form.password,
        client_address=client_address_of(request),
    )
    request.state.user_id = str(user.id)
    return await service.TokenIssuer(session, codec, settings).open_session(user)


@router.post(
    "/refresh",
    summary="Trade a refresh token for a new pair",
    description="The refresh token sent is used up. Presenting a used-up refresh token again "
    "revokes its whole login session, access token included.",
    responses=problem_responses(401),
)
async def refresh(
    data: RefreshRequest, session: SessionDep, codec: TokenCodecDep, settings: SettingsDep
) -> TokenPair:
    return await service.TokenIssuer(session, codec, settings).rotate(data.refresh_token)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End this login session",
    description="The session's refresh and access tokens stop working; other sessions go on.",
    responses=problem_responses(401),
)
async def logout(
    data: RefreshRequest, session: SessionDep, codec: TokenCodecDep, settings: SettingsDep
) -> None:
    await service.TokenIssuer(session, codec, settings).close_session(data.refresh_token)
