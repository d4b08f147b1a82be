"""Writes to stations: validated, in one transaction, with who did it logged."""

import logging
from typing import Any

from django.db import transaction

from cems.accounts.models import User
from cems.core.audit import event
from cems.core.services import assign_changed
from cems.organization.models import Station

audit = logging.getLogger("cems.audit")

STATION_FIELDS = (
    "code",
    "name",
    "province",
    "city",
    "host_institution",
    "contact_person",
    "contact_phone",
    "agreement_start",
    "agreement_end",
    "is_active",
)


@transaction.atomic
def station_create(*, actor: User, data: dict[str, Any]) -> Station:
    station = Station(**{field: data[field] for field in STATION_FIELDS if field in data})
    station.full_clean()
    station.save()
    audit.info(
        "station %s created by %s",
        station.code,
        actor.username,
        extra=event(actor, "station.create", station),
    )
    return station


@transaction.atomic
def station_update(*, actor: User, station: Station, data: dict[str, Any]) -> Station:
    if changed := assign_changed(station, data, STATION_FIELDS):
        station.full_clean()
        station.save()
        audit.info(
            "station %s: %s changed by %s",
            station.code,
            changed,
            actor.username,
            extra=event(actor, "station.change", station, details={"fields": changed}),
        )
    return station
