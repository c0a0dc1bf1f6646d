"""Settings from the environment (task 4.7.2: the container is configured through env vars)."""

from __future__ import annotations

import pydantic
import pytest

from module_4_7_docker.notes_service.settings import DatabaseSettings, ServerSettings

pytestmark = pytest.mark.support  # the service is scaffolding: it ships in both editions


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://notes:secret@db:5432/notes",
        "postgres://notes:secret@db:5432/notes",
        "postgresql+asyncpg://notes:secret@db:5432/notes",
    ],
)
def test_database_url_in_any_postgres_form_is_normalised_for_asyncpg(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)

    assert DatabaseSettings().url == "postgresql://notes:secret@db:5432/notes"


def test_a_non_postgres_url_is_refused_with_the_variable_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://notes@db/notes")

    with pytest.raises(pydantic.ValidationError, match="url"):
        DatabaseSettings()


def test_blank_database_url_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "  ")

    assert DatabaseSettings().url is None


def test_the_password_in_the_url_never_reaches_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://notes:s3cret-value@db/notes")

    assert "s3cret-value" not in repr(DatabaseSettings())


def test_server_listens_on_loopback_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SERVER_HOST", raising=False)
    assert ServerSettings().host == "127.0.0.1"

    monkeypatch.setenv("SERVER_HOST", "0.0.0.0")
    monkeypatch.setenv("SERVER_PORT", "9000")
    assert (ServerSettings().host, ServerSettings().port) == ("0.0.0.0", 9000)


def test_a_bad_port_stops_the_process_with_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVER_PORT", "70000")

    with pytest.raises(pydantic.ValidationError, match="port"):
        ServerSettings()
