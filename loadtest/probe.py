"""The fault tests' look into the database (with CEMS_VAR_DIR / DATABASE_URL of the run),
printed as JSON: `python -m loadtest.probe COMMAND ARGS...`.

- admission-files DIR ROWS: write four admission files of ROWS new candidates each
  (the demo's generator, cems.admissions.demo), none sharing a candidate; their paths;
- admission PK: an admission import's state and counts, and the candidates it wrote;
- graduation-setup: the latest done graduation audit and its approvable results, in pk order;
- graduation RESULT_IDS_FILE: what became of those results (graduations, approved flags,
  student statuses, audit events) and whether every diploma number series is without a gap.
"""

import json
import os
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FAULT_MARK = "7"  # the exam numbers' mark of the fault tests' candidates (the demo's is 9)
FILES = 4  # loadtest.faults.TRIES


def admission_files(directory: str, rows: int) -> dict[str, Any]:
    from cems.admissions.demo import FILE_HEADINGS, file_row, people
    from cems.admissions.models import Candidate
    from cems.admissions.tests.writers import write_xlsx

    # Serial numbers after any used by an earlier run on this database.
    used = Candidate.objects.filter(exam_number__regex=rf"^26\d\d{FAULT_MARK}").count()
    rng = random.Random(7)  # noqa: S311 - deterministic test data
    everyone = list(people(rng, rows * FILES, year=2026, serial_start=used + 1, mark=FAULT_MARK))
    paths = []
    for n in range(FILES):
        chunk = everyone[n * rows : (n + 1) * rows]
        path = Path(directory) / f"fault-admissions-{n + 1}.xlsx"
        path.write_bytes(write_xlsx([FILE_HEADINGS, *(file_row(p) for p in chunk)]))
        paths.append(str(path))
    return {"paths": paths, "rows": rows}


def admission(pk: int) -> dict[str, Any]:
    from cems.admissions.models import AdmissionImport, Candidate

    record = AdmissionImport.objects.get(pk=pk)
    return {
        "state": record.state,
        "rows": record.rows,
        "created": record.created,
        "updated": record.updated,
        "rejected": record.rejected,
        "written": Candidate.objects.filter(source=record).count(),
        "stored_file": bool(record.stored_name),
    }


def graduation_setup() -> dict[str, Any]:
    from cems.graduation.models import AuditKind, AuditResult, AuditRun, RunStatus
    from cems.students.models import StudentStatus

    run = (
        AuditRun.objects.filter(kind=AuditKind.GRADUATION, status=RunStatus.DONE)
        .order_by("-pk")
        .first()
    )
    if run is None:
        return {"run": None, "results": []}
    results = AuditResult.objects.filter(
        run=run, eligible=True, approved=False, student__status=StudentStatus.REGISTERED,
        student__graduation=None,
    ).order_by("pk")  # fmt: skip
    return {"run": run.pk, "results": list(results.values_list("pk", flat=True))}


def _series_gaps() -> list[str]:
    """Diploma number series whose reserved numbers are not exactly the numbers issued."""
    from django.conf import settings

    from cems.graduation.models import Graduation, NumberSequence

    issued = set(Graduation.objects.values_list("diploma_number", flat=True))
    gaps = []
    in_series: set[str] = set()
    for sequence in NumberSequence.objects.filter(key__startswith="diploma:"):
        _kind, year, level = sequence.key.split(":")
        numbers = {settings.CEMS_DIPLOMA_NUMBER_FORMAT.format(
            school=settings.CEMS_SCHOOL_CODE, year=int(year), level=level, seq=seq)
            for seq in range(1, sequence.last + 1)}  # fmt: skip
        in_series |= numbers
        if missing := numbers - issued:
            gaps.append(f"{sequence.key}: {len(missing)} reserved numbers never issued")
    if stray := issued - in_series:
        gaps.append(f"{len(stray)} diploma numbers outside every series")
    return gaps


def graduation(ids_file: str) -> dict[str, Any]:
    from cems.core.audit import reference
    from cems.core.models import AuditEvent
    from cems.graduation.models import AuditResult, Graduation
    from cems.students.models import StudentStatus

    ids = json.loads(Path(ids_file).read_text())
    results = AuditResult.objects.filter(pk__in=ids)
    graduations = Graduation.objects.filter(audit_result__in=ids)
    targets = [reference(graduation)[:100] for graduation in graduations]
    return {
        "audit_events": AuditEvent.objects.filter(
            action="graduation.approve", target__in=targets
        ).count(),
        "selected": len(ids),
        "graduations": Graduation.objects.filter(audit_result__in=ids).count(),
        "numbered": Graduation.objects.filter(audit_result__in=ids)
        .exclude(diploma_number="")
        .count(),
        "approved": results.filter(approved=True).count(),
        "graduated": results.filter(student__status=StudentStatus.GRADUATED).count(),
        "gaps": _series_gaps(),
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cems.settings")
    sys.path.insert(0, str(ROOT))
    import logging

    import django

    django.setup()
    logging.getLogger("cems").setLevel(logging.WARNING)
    command, *args = sys.argv[1:]
    if command == "admission-files":
        answer = admission_files(args[0], int(args[1]))
    elif command == "admission":
        answer = admission(int(args[0]))
    elif command == "graduation-setup":
        answer = graduation_setup()
    elif command == "graduation":
        answer = graduation(args[0])
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
