"""The honors registry: awards the school received, shown on the public page.

Selectors read (the registry is the administrators'; the public list is everyone's),
services write in one transaction with who did it logged. An image is accepted only when
Pillow reads it as one of a few web formats; it gets a random name, and is served by
honors:image with the content type of what it really is.
"""

import logging
import uuid
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from cems.accounts.access import AnyUser, Capability, get_in_scope_or_404, has_capability
from cems.accounts.models import User
from cems.core.audit import event
from cems.core.forms import filter_by
from cems.core.services import assign_changed
from cems.organization.models import Honor

audit = logging.getLogger("cems.audit")

HONOR_FIELDS = ("name", "name_en", "grantor", "grantor_en", "year", "display_order")


@dataclass(frozen=True)
class ImageType:
    content_type: str
    extension: str


# Pillow's format name -> what the browser is told. Nothing that can carry script (SVG).
IMAGE_TYPES = {
    "JPEG": ImageType("image/jpeg", ".jpg"),
    "PNG": ImageType("image/png", ".png"),
    "GIF": ImageType("image/gif", ".gif"),
    "WEBP": ImageType("image/webp", ".webp"),
}
# A certificate photographed or scanned needs no more than this on either side.
MAX_IMAGE_SIDE = 10_000


def image_type(stream: IO[bytes]) -> ImageType:
    """What an image really is, read from its content; ValidationError for anything that is
    not a whole image of an accepted format. The stream is left at its start."""
    stream.seek(0)
    try:
        with Image.open(stream) as image:
            kind = IMAGE_TYPES.get(image.format or "")
            too_large = max(image.size) > MAX_IMAGE_SIDE
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError):
        raise ValidationError(
            _("The file is not an image or is damaged."), code="invalid_image"
        ) from None
    finally:
        stream.seek(0)
    if kind is None:
        raise ValidationError(_("Upload a JPEG, PNG, GIF or WebP image."), code="image_type")
    if too_large:
        raise ValidationError(
            _("The image is larger than %(side)d pixels on a side."),
            params={"side": MAX_IMAGE_SIDE},
            code="image_size",
        )
    return kind


# --- Selectors -------------------------------------------------------------------------------


def _honors_for(user: AnyUser) -> QuerySet[Honor]:
    if not has_capability(user, Capability.MANAGE_HONORS):
        return Honor.objects.none()
    return Honor.objects.all()


def honor_list(*, user: AnyUser, filters: dict[str, Any] | None) -> QuerySet[Honor]:
    """The registry by year and a search of names and grantor, newest first; none when a
    filter is invalid."""
    if filters is None:
        return Honor.objects.none()
    honors = filter_by(_honors_for(user), filters, {"year": "year"})
    if query := (filters.get("q") or "").strip():
        honors = honors.filter(
            Q(name__icontains=query) | Q(name_en__icontains=query) | Q(grantor__icontains=query)
        )
    return honors.order_by("-year", "display_order", "name")


def honor_get(*, user: AnyUser, pk: int) -> Honor:
    return get_in_scope_or_404(_honors_for(user), pk=pk)


def public_honors() -> QuerySet[Honor]:
    """Every honor, newest first: the registry is public (DOMAIN.md)."""
    return Honor.objects.order_by("-year", "display_order", "name")


def honor_image(*, pk: int) -> tuple[File[bytes], ImageType]:
    """The stored image of a public honor and its real type; 404 without a readable one."""
    honor = get_in_scope_or_404(Honor.objects.exclude(image=""), pk=pk)
    try:
        stream = honor.image.open("rb")
    except OSError:
        raise Http404 from None
    try:
        kind = image_type(stream)
    except ValidationError:
        stream.close()
        raise Http404 from None
    return stream, kind


# --- Services --------------------------------------------------------------------------------


def _store_image(honor: Honor, upload: UploadedFile) -> str:
    """Attach an upload under a random name with the extension of its real type; the name
    of the file it replaces ("" for none)."""
    kind = image_type(upload)
    upload.name = f"{uuid.uuid4().hex}{kind.extension}"
    replaced = honor.image.name or ""
    honor.image = upload
    return replaced


def _delete_file_after_commit(name: str) -> None:
    if name:
        storage = Honor._meta.get_field("image").storage
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def honor_create(*, actor: User, data: dict[str, Any]) -> Honor:
    honor = Honor(**{name: data[name] for name in HONOR_FIELDS if name in data})
    if isinstance(data.get("image"), UploadedFile):
        _store_image(honor, data["image"])
    honor.full_clean()
    honor.save()
    audit.info(
        "honor %s created by %s",
        honor.pk,
        actor.username,
        extra=event(actor, "honor.create", honor),
    )
    return honor


@transaction.atomic
def honor_update(*, actor: User, honor: Honor, data: dict[str, Any]) -> list[str]:
    """Change an honor; `data["image"]` is a new upload, False to remove the image, anything
    else (absent, None, the stored file) keeps it. The names of the fields that changed."""
    changed = assign_changed(honor, data, HONOR_FIELDS)
    image = data.get("image")
    replaced = ""
    if isinstance(image, UploadedFile):
        replaced = _store_image(honor, image)
        changed.append("image")
    elif image is False and honor.image:
        replaced = honor.image.name or ""
        honor.image = ""
        changed.append("image")
    if changed:
        honor.full_clean()
        honor.save()
        _delete_file_after_commit(replaced)
        audit.info(
            "honor %s: %s changed by %s",
            honor.pk,
            changed,
            actor.username,
            extra=event(actor, "honor.change", honor, details={"fields": changed}),
        )
    return changed


@transaction.atomic
def honor_delete(*, actor: User, honor: Honor) -> None:
    name = honor.image.name or ""
    pk = honor.pk
    honor.delete()
    _delete_file_after_commit(name)
    audit.info(
        "honor %s deleted by %s",
        pk,
        actor.username,
        extra=event(actor, "honor.delete", f"organization.Honor:{pk}"),
    )
