import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in their English source text, whatever the translations say."""
    with translation.override("en"):
        yield
