"""The password policy: which rules a new password breaks, each explained in plain language.

Pure functions with no Pydantic in them, so the policy can be tested, reused and reasoned about on
its own; `users.py` turns a broken policy into one validation error listing every broken rule.
"""

from __future__ import annotations

import gzip
import unicodedata
from enum import Enum
from functools import cache
from pathlib import Path

MIN_LENGTH = 8
# bcrypt hashes at most 72 bytes and bcrypt 5 raises beyond that: count bytes, not characters.
MAX_BYTES = 72
# A username or an e-mail local part shorter than this is not looked for inside the password:
# "al" or "x1" would forbid half of all passwords while protecting nothing.
MIN_IDENTITY_LENGTH = 3

# A padded word shorter than this ("Ab1!" -> "ab") is too short to call a common password.
MIN_CORE_LENGTH = 4

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt.gz")

# Substitutions people use to dress up a common word ("P@ssw0rd!" is still "password").
_UNDO_LEETSPEAK = str.maketrans("@4310$57", "aaeiosst")
# What people pad a common word with: "Qwerty123!", "!!dragon".
_PADDING = "0123456789!@#$%^&*()_+-=.,?;:'\"`~ "


class PasswordRule(Enum):
    """One rule of the policy; its value is the plain-language requirement shown to the user."""

    MIN_LENGTH = f"be at least {MIN_LENGTH} characters long"
    MAX_BYTES = f"be at most {MAX_BYTES} bytes in UTF-8 (an accented or non-Latin letter takes 2-4)"
    NO_CONTROL_CHARACTERS = "not contain control characters"
    LOWERCASE = "contain a lower-case letter"
    UPPERCASE = "contain an upper-case letter"
    DIGIT = "contain a digit"
    SYMBOL = "contain a symbol (! ? # or a space, for example)"
    NOT_USERNAME = "not contain your username"
    NOT_EMAIL = "not contain the part of your email address before the @"
    NOT_COMMON = "not be a commonly used password"

    @property
    def code(self) -> str:
        """A stable machine-readable name, e.g. `min_length`."""
        return self.name.lower()


def broken_password_rules(
    password: str, *, username: str | None = None, email: str | None = None
) -> list[PasswordRule]:
    """Every rule of the policy that `password` breaks, in the policy's order; empty if none."""
    # region 4.4.2 extra: every rule of the policy the password breaks
    broken: list[PasswordRule] = []
    if len(password) < MIN_LENGTH:
        broken.append(PasswordRule.MIN_LENGTH)
    if len(password.encode()) > MAX_BYTES:
        broken.append(PasswordRule.MAX_BYTES)
    if any(unicodedata.category(character) == "Cc" for character in password):
        broken.append(PasswordRule.NO_CONTROL_CHARACTERS)
    if not any(character.islower() for character in password):
        broken.append(PasswordRule.LOWERCASE)
    if not any(character.isupper() for character in password):
        broken.append(PasswordRule.UPPERCASE)
    if not any(character.isdigit() for character in password):
        broken.append(PasswordRule.DIGIT)
    if all(character.isalnum() for character in password):
        broken.append(PasswordRule.SYMBOL)
    folded = password.casefold()
    if _contains_identity(folded, username):
        broken.append(PasswordRule.NOT_USERNAME)
    if email is not None and _contains_identity(folded, email.rpartition("@")[0]):
        broken.append(PasswordRule.NOT_EMAIL)
    if is_common_password(password):
        broken.append(PasswordRule.NOT_COMMON)
    return broken
    # endregion 4.4.2


def describe_broken_rules(rules: list[PasswordRule]) -> str:
    """One sentence naming every broken rule: 'Password must be ..., contain ... and not ...'."""
    requirements = [rule.value for rule in rules]
    if len(requirements) == 1:
        return f"Password must {requirements[0]}."
    return f"Password must {', '.join(requirements[:-1])} and {requirements[-1]}."


def is_common_password(password: str) -> bool:
    """True if the password, or the word it dresses up ('P@ssw0rd1!'), is a common password."""
    # region 4.4.2 extra: the common-password list, undressed
    folded = password.casefold()
    if folded in common_passwords():
        return True
    # Strip the padding, then undo look-alikes; "@dmin1!" needs its leading "@" kept as a letter.
    cores = {folded.strip(_PADDING), folded.rstrip(_PADDING), folded.lstrip(_PADDING)}
    return any(
        len(core) >= MIN_CORE_LENGTH and core.translate(_UNDO_LEETSPEAK) in common_passwords()
        for core in cores
    )
    # endregion 4.4.2


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords (lower case), loaded once."""
    with gzip.open(COMMON_PASSWORDS_FILE, mode="rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def _contains_identity(folded_password: str, identity: str | None) -> bool:
    # region 4.4.2 extra: the username or email inside the password
    if identity is None or len(identity) < MIN_IDENTITY_LENGTH:
        return False
    return identity.casefold() in folded_password
    # endregion 4.4.2
