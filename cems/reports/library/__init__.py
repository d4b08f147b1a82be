"""The reports, registered on import in the order the index lists them (see
cems.reports.registry): the student reports, fees, training."""

from cems.reports.library import students

# isort: split
from cems.reports.library import fees

# isort: split
from cems.reports.library import training

__all__ = ["fees", "students", "training"]
