from django.urls import path  # noqa: F401 - status change and registration pages

app_name = "status_changes"
urlpatterns: list = []  # type: ignore[type-arg]
