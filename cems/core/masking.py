"""Masking of personal data (PIPL) for users who do not need to see it in full."""

import datetime as dt


def mask_id_number(value: str | None) -> str:
    """4301**********123X: the province and city prefix and the last four characters."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****5678: the carrier prefix and the last four digits."""
    if not value:
        return ""
    if len(value) <= 7:
        return value[:1] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_birth_date(value: dt.date | None) -> str:
    """1995-**-**: beside a masked ID number the full birth date would give away all but
    two of its hidden digits, so only the year is shown."""
    if value is None:
        return ""
    return f"{value:%Y}-**-**"
