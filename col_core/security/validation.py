"""Field rules shared by the HTML forms and the JSON endpoints of accounts and organisations.

``validate(data, rules)`` returns ``(cleaned, errors)``; ``errors`` maps a field to a
translatable message.  Forms re-render with it (input kept); the API answers
``{"error": ..., "fields": errors}`` with 422.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable, Mapping

import nh3

from col_core.i18n import _

EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Rich text allowed in descriptions: formatting and links, nothing that runs or embeds.
RICH_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "blockquote"}


class FieldError(ValueError):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


Rule = Callable[[str], Any]


def validate(data: Mapping, rules: dict[str, Rule]) -> tuple[dict, dict]:
    cleaned, errors = {}, {}
    for name, rule in rules.items():
        raw = data.get(name)
        if raw is None or raw is False:
            raw = ""
        elif raw is True:
            raw = "on"
        elif not isinstance(raw, str):
            errors[name] = _("Expected text.")
            continue
        try:
            cleaned[name] = rule(_CONTROL.sub("", raw).strip())
        except FieldError as error:
            errors[name] = error.message
    return cleaned, errors


def text(max_length: int, required: bool = True) -> Rule:
    def rule(value: str) -> str:
        if required and not value:
            raise FieldError(_("Please fill in this field."))
        if len(value) > max_length:
            raise FieldError(_("Use at most ${count} characters.", mapping={"count": max_length}))
        return value
    return rule


def rich_text(max_length: int) -> Rule:
    def rule(value: str) -> str:
        if len(value) > max_length:
            raise FieldError(_("Use at most ${count} characters.", mapping={"count": max_length}))
        return nh3.clean(value, tags=RICH_TAGS, link_rel="noopener nofollow ugc")
    return rule


def email(required: bool = True) -> Rule:
    def rule(value: str) -> str:
        if not value and not required:
            return ""
        if not value:
            raise FieldError(_("Please enter your email address."))
        if len(value) > 254 or not EMAIL.match(value):
            raise FieldError(_("Enter an email address such as name@example.org."))
        local, _at, domain = value.rpartition("@")
        return f"{local}@{domain.lower()}"
    return rule


def password(value: str) -> str:
    if not value:
        raise FieldError(_("Please enter your password."))
    return value


def choice(options, required: bool = True) -> Rule:
    def rule(value: str) -> str:
        if not value and not required:
            return ""
        if value not in options:
            raise FieldError(_("Choose one of the options."))
        return value
    return rule


def checkbox(value: str) -> bool:
    return value not in ("", "0", "false", "off")


def must_accept(value: str) -> bool:
    if not checkbox(value):
        raise FieldError(_("Please accept to continue."))
    return True


def date(required: bool = True) -> Rule:
    def rule(value: str) -> dt.date | None:
        if not value and not required:
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise FieldError(_("Enter a date as YYYY-MM-DD."))
        if not dt.date(1900, 1, 1) <= day <= dt.date.today():
            raise FieldError(_("Enter a date in the past."))
        return day
    return rule


def url(value: str) -> str:
    if value and (len(value) > 500 or not re.match(r"^https?://[^\s<>\"]+$", value)):
        raise FieldError(_("Enter a web address starting with https://"))
    return value


def translate_errors(request, errors: dict) -> dict[str, str]:
    return {name: request.localizer.translate(message) for name, message in errors.items()}
