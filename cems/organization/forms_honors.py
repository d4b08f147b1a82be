"""Forms of the honors registry."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cems.core.forms import limit_upload_size
from cems.organization.honors import HONOR_FIELDS, image_type
from cems.organization.models import HONOR_EARLIEST_YEAR, Honor


class HonorFilterForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"), required=False, min_value=HONOR_EARLIEST_YEAR, max_value=9999
    )
    q = forms.CharField(
        label=_("Search"), required=False, max_length=100, help_text=_("Name or grantor")
    )


class HonorForm(forms.ModelForm[Honor]):
    class Meta:
        model = Honor
        fields = [*HONOR_FIELDS, "image"]
        # A plain file input: the clearable one links to MEDIA_URL, which is not served.
        widgets = {"image": forms.FileInput(attrs={"accept": "image/*"})}
        help_texts = {"image": _("Optional: a JPEG, PNG, GIF or WebP photo of the award.")}

    remove_image = forms.BooleanField(label=_("Remove the image"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.image:
            del self.fields["remove_image"]
        self.fields["year"].widget.attrs.update(
            min=HONOR_EARLIEST_YEAR, max=timezone.localdate().year
        )

    def clean_year(self) -> int:
        value: int = self.cleaned_data["year"]
        if not HONOR_EARLIEST_YEAR <= value <= timezone.localdate().year:
            raise forms.ValidationError(
                _("Enter a year from %(first)d to this year."),
                params={"first": HONOR_EARLIEST_YEAR},
                code="year",
            )
        return value

    def clean_image(self) -> Any:
        value = self.cleaned_data.get("image")
        if isinstance(value, UploadedFile):
            limit_upload_size(value)
            image_type(value)
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("remove_image") and not isinstance(cleaned.get("image"), UploadedFile):
            cleaned["image"] = False  # the service removes the stored file
        return cleaned
