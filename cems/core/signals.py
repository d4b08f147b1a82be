"""Signals of the core: what other apps may listen to without the writer knowing them."""

from django.dispatch import Signal

# Rows of `sender` (a model class) were written without model signals: by `bulk_insert`,
# or by a queryset's update() or bulk_create() in a service. Caches of figures computed
# from that model listen to it (cems/reports/public.py).
bulk_written = Signal()
