"""Images for the honors' tests."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (4, 3)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def image_upload(name: str = "award.png", fmt: str = "PNG", content_type: str = "image/png"):
    return SimpleUploadedFile(name, image_bytes(fmt), content_type=content_type)
