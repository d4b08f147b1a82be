"""Certificates (issue 6 item 7): issued on completion with a number in the category's
format, reviewed (复审) after the category's refresher hours, revoked with a reason,
printed as PDF with a QR code of the public page /verify/, and verified there by number
and holder's name.

Numbers come from a per-category, per-year series (cems.graduation NumberSequence, keys
"cert:<code>:<year>") advanced under a row lock, so concurrent issues never share one.
The PDF reuses the transcripts' font registration and mixed-script text
(cems/teaching/transcripts.py)."""

import datetime as dt
import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from cems.accounts.models import User
from cems.core.audit import event
from cems.core.masking import mask_id_number
from cems.core.services import who
from cems.graduation.models import NumberSequence
from cems.students.status import add_months
from cems.teaching.transcripts import (
    CJK_FONT,
    MARGIN,
    QR_SIZE,
    TEXT_WIDTH,
    _paragraph,
    _qr,
    _table_style,
    mask_name,
)
from cems.training.models import (
    Certificate,
    CertificateReview,
    CertificateStatus,
    Enrollment,
    EnrollmentStatus,
    Project,
    TrainingCategory,
)

audit = logging.getLogger("cems.audit")

EXPIRED = "expired"
UNKNOWN = "unknown"


def today() -> dt.date:
    return timezone.localdate()


# --- Issue -----------------------------------------------------------------------------------


def _numbers(category: TrainingCategory, year: int, count: int) -> list[str]:
    """`count` new numbers of the category's series for the year (call inside a transaction)."""
    key = f"cert:{category.code}:{year}"
    NumberSequence.objects.bulk_create([NumberSequence(key=key)], ignore_conflicts=True)
    sequence = NumberSequence.objects.select_for_update().get(key=key)
    first = sequence.last + 1
    sequence.last += count
    sequence.save(update_fields=["last"])
    fmt = category.certificate_number_format
    return [
        fmt.format(code=category.code, year=year, seq=seq) for seq in range(first, first + count)
    ]


def _dates(category: TrainingCategory, issued_on: dt.date) -> tuple[dt.date | None, dt.date | None]:
    expires = add_months(issued_on, category.validity_months) if category.validity_months else None
    review = (
        add_months(issued_on, category.review_interval_months)
        if category.review_interval_months
        else None
    )
    if review is not None and expires is not None and review >= expires:
        review = None  # the certificate expires first: renewed, not reviewed
    return expires, review


def issue_for(
    enrollments: Sequence[Enrollment],
    *,
    issued_on: dt.date | None = None,
    actor: User | None = None,
) -> list[Certificate]:
    """Certificates for the completed enrollments among these that have none yet (one
    numbering series lock per category)."""
    issued_on = issued_on or today()
    created: list[Certificate] = []
    with transaction.atomic():
        pending = list(
            Enrollment.objects.filter(
                pk__in=[e.pk for e in enrollments],
                status=EnrollmentStatus.COMPLETED,
                certificate__isnull=True,
            )
            .select_related("project__category", "trainee")
            .order_by("project__category__code", "trainee__name", "pk")
        )
        by_category: dict[int, list[Enrollment]] = {}
        for enrollment in pending:
            by_category.setdefault(enrollment.project.category_id, []).append(enrollment)
        for group in by_category.values():
            category = group[0].project.category
            expires, review = _dates(category, issued_on)
            for number, enrollment in zip(
                _numbers(category, issued_on.year, len(group)), group, strict=True
            ):
                created.append(
                    Certificate(
                        number=number,
                        enrollment=enrollment,
                        trainee=enrollment.trainee,
                        category=category,
                        issued_on=issued_on,
                        expires_on=expires,
                        next_review_on=review,
                    )
                )
        Certificate.objects.bulk_create(created, batch_size=1000)
    if created:
        audit.info("certificates issued by %s: %s", who(actor),
                   ", ".join(c.number for c in created[:20])
                   + (f" and {len(created) - 20} more" if len(created) > 20 else ""),
                   extra=event(actor, "certificate.issue",
                               created[0] if len(created) == 1 else "training.Certificate",
                               details={"certificates": [c.pk for c in created]}))  # fmt: skip
    return created


def issue(
    enrollment: Enrollment, *, issued_on: dt.date | None = None, actor: User | None = None
) -> Certificate:
    """The enrollment's certificate, issued now if it has none (it must be completed)."""
    existing = Certificate.objects.filter(enrollment=enrollment).first()
    if existing is not None:
        return existing
    enrollment.refresh_from_db(fields=["status"])
    if enrollment.status != EnrollmentStatus.COMPLETED:
        raise ValidationError(_("Only a trainee who completed the project gets a certificate."))
    return issue_for([enrollment], issued_on=issued_on, actor=actor)[0]


def issue_for_project(
    project: Project, *, issued_on: dt.date | None = None, actor: User | None = None
) -> list[Certificate]:
    return issue_for(list(project.enrollments.all()), issued_on=issued_on, actor=actor)


# --- Status, review, revocation --------------------------------------------------------------


def status_of(certificate: Certificate, on: dt.date | None = None) -> str:
    """valid, expired or revoked."""
    if certificate.status == CertificateStatus.REVOKED:
        return CertificateStatus.REVOKED
    on = on or today()
    if certificate.expires_on is not None and certificate.expires_on < on:
        return EXPIRED
    return CertificateStatus.VALID


def filter_status(queryset: QuerySet[Certificate], status: str) -> QuerySet[Certificate]:
    now = today()
    if status == CertificateStatus.REVOKED:
        return queryset.filter(status=CertificateStatus.REVOKED)
    if status == EXPIRED:
        return queryset.filter(status=CertificateStatus.VALID, expires_on__lt=now)
    if status == CertificateStatus.VALID:
        return queryset.filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=now), status=CertificateStatus.VALID
        )
    return queryset


def review(
    certificate: Certificate, *, reviewed_on: dt.date, refresher_hours: Decimal, actor: User
) -> CertificateReview:
    """A review after refresher training: the validity runs again from the review date (never
    shortened), the next review is due an interval later."""
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update()
            .select_related("category")
            .get(pk=certificate.pk)
        )
        category = certificate.category
        if certificate.status == CertificateStatus.REVOKED:
            raise ValidationError(_("A revoked certificate cannot be reviewed."))
        if not category.validity_months and not category.review_interval_months:
            raise ValidationError(_("Certificates of this category are not reviewed."))
        if refresher_hours < category.refresher_hours:
            raise ValidationError(
                _("A review needs at least %(hours)d hours of refresher training.")
                % {"hours": category.refresher_hours}
            )
        if reviewed_on < certificate.issued_on:
            raise ValidationError(_("A review cannot be dated before the issue."))
        before = certificate.expires_on
        after = before
        if category.validity_months:
            after = add_months(reviewed_on, category.validity_months)
            after = max(after, before) if before else after
        certificate.expires_on = after
        if category.review_interval_months:
            next_review = add_months(reviewed_on, category.review_interval_months)
            certificate.next_review_on = None if after and next_review >= after else next_review
        certificate.save(update_fields=["expires_on", "next_review_on"])
        done = CertificateReview.objects.create(
            certificate=certificate, reviewed_on=reviewed_on, refresher_hours=refresher_hours,
            expires_on_before=before, expires_on_after=after, reviewed_by=actor,
        )  # fmt: skip
    audit.info(
        "certificate %s reviewed by %s",
        certificate.number,
        actor.username,
        extra=event(
            actor, "certificate.review", certificate, details={"from": before, "to": after}
        ),
    )
    return done


def revoke(
    certificate: Certificate, *, reason: str, actor: User, on: dt.date | None = None
) -> None:
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("A revocation needs a reason."))
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.status == CertificateStatus.REVOKED:
            raise ValidationError(_("The certificate is already revoked."))
        certificate.status = CertificateStatus.REVOKED
        certificate.revoked_on = on or today()
        certificate.revocation_reason = reason[:200]
        certificate.save(update_fields=["status", "revoked_on", "revocation_reason"])
    audit.info(
        "certificate %s revoked by %s",
        certificate.number,
        actor.username,
        extra=event(actor, "certificate.revoke", certificate, reason=reason),
    )


# --- Public verification ---------------------------------------------------------------------


@dataclass(frozen=True)
class Verified:
    """What /verify/ shows: the status, the number, the masked name, nothing else personal."""

    status: str  # valid, expired, revoked or unknown
    number: str = ""
    name: str = ""
    category: str = ""
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None


def normalize_name(name: str) -> str:
    return "".join(name.split())


def verify(number: str, name: str) -> Verified:
    """By the unique index on number; a wrong name answers exactly like an unknown number."""
    number = number.strip().upper()
    certificate = (
        Certificate.objects.filter(number=number).select_related("trainee", "category").first()
    )
    if certificate is None or normalize_name(certificate.trainee.name) != normalize_name(name):
        return Verified(UNKNOWN)
    return Verified(
        status=status_of(certificate),
        number=certificate.number,
        name=mask_name(certificate.trainee.name),
        category=certificate.category.name,
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
    )


# --- The PDF ---------------------------------------------------------------------------------


def _date_zh(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "长期有效"


def _story(certificate: Certificate, url: str) -> list[Flowable]:
    enrollment = certificate.enrollment
    project, trainee = enrollment.project, certificate.trainee
    gender = {"M": "男", "F": "女"}.get(trainee.gender, "")
    review_due = _date_zh(certificate.next_review_on) if certificate.next_review_on else "—"
    facts = [
        ["姓名", trainee.name, "性别", gender],
        ["身份证号", mask_id_number(trainee.id_number), "工作单位",
         trainee.employer.name if trainee.employer else ""],
        ["培训类别", certificate.category.name, "学时", str(project.hours)],
        ["培训项目", str(project), "", ""],
        ["培训时间", f"{_date_zh(project.start_date)} 至 {_date_zh(project.end_date)}", "", ""],
        ["证书编号", certificate.number, "发证日期", _date_zh(certificate.issued_on)],
        ["有效期至", _date_zh(certificate.expires_on), "下次复审", review_due],
    ]  # fmt: skip
    rows = [[_paragraph(cell, "cell") for cell in row] for row in facts]
    widths = [60, (TEXT_WIDTH - 120) / 2, 60, (TEXT_WIDTH - 120) / 2]
    table = Table(rows, colWidths=widths)
    table.setStyle(_table_style(("SPAN", (1, 3), (3, 3)), ("SPAN", (1, 4), (3, 4))))
    statement = (
        f"{trainee.name} 参加{project.title}（第{project.cohort}期）培训，"
        f"完成规定学时，考核合格，特发此证。"
    )
    lines = [
        "验证真伪：扫描二维码或访问以下地址，输入证书编号和持证人姓名。",
        "Verify: scan the QR code or open the address below; enter the number and the name.",
        url,
    ]
    verification = Table(
        [[[_paragraph(line, "body") for line in lines], _qr(url)]],
        colWidths=[TEXT_WIDTH - QR_SIZE - 8, QR_SIZE + 8],
    )
    verification.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), CJK_FONT, 8.5),
                                      ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                      ("LEFTPADDING", (0, 0), (-1, -1), 0)]))  # fmt: skip
    return [
        _paragraph(settings.CEMS_SCHOOL_NAME, "school"),
        _paragraph(settings.CEMS_SCHOOL_NAME_EN, "school_en"),
        _paragraph("培 训 合 格 证 书", "title"),
        _paragraph("Training Certificate", "subtitle"),
        Spacer(0, 6),
        _paragraph(statement, "body"),
        Spacer(0, 8),
        table,
        Spacer(0, 14),
        verification,
    ]


def render_pdf(
    certificates: Sequence[Certificate],
    *,
    verify_url: Callable[[str], str],
    on_step: Callable[[], None] | None = None,
) -> bytes:
    """The certificates in one PDF, one a page; `verify_url` gives a number's absolute
    address of /verify/ (printed and in the QR code). `on_step` (a background job's
    progress) is called twice per certificate: once its page is laid out, once it is drawn."""
    story: list[Flowable] = []
    for index, certificate in enumerate(certificates):
        if index:
            story.append(PageBreak())
        story += _story(certificate, verify_url(certificate.number))
        if on_step is not None:
            on_step()
    if not certificates:
        story.append(_paragraph("没有可打印的证书。No certificates to print.", "body"))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=20 * mm,
        bottomMargin=18 * mm, title="培训合格证书 Training Certificate",
        author=settings.CEMS_SCHOOL_NAME, creator="CEMS", initialFontName=CJK_FONT,
    )  # fmt: skip

    def page_drawn(canvas: Any, doc: Any) -> None:
        if on_step is not None:
            on_step()

    document.build(story, onFirstPage=page_drawn, onLaterPages=page_drawn)
    return buffer.getvalue()


def for_pdf(queryset: QuerySet[Certificate]) -> QuerySet[Certificate]:
    return queryset.select_related("trainee__employer", "category", "enrollment__project").order_by(
        "number"
    )
