"""Releasing a pre-enforcement preservation by ruling: the 解除保全裁定书 and one 协助执行通知书
(解除冻结/解除查封/解除扣押) for each measure it lifts, issued together in one transaction — with the
release itself (``release_and_issue``) or from a release already recorded (``issue_release``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from zhiqian_desktop.domain.errors import NotFound
from zhiqian_desktop.domain.kinds import DocumentKind, ReleaseReason
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.transactions import writes
from zhiqian_desktop.services.supervision.notices import (
    IssuedDocument,
    issue_notice,
    safe_filename,
)
from zhiqian_desktop.services.supervision.preservation import release_measures
from zhiqian_desktop.services.supervision.preservation_release import released_with
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import Preservation
from zhiqian_desktop.store.outputs import check_output_folder, write_output


@writes
def issue_release(
    session: Session, actor: Actor, measure_id: str, *, today: date
) -> list[IssuedDocument]:
    """The release ruling for the measure's recorded release, then a notice to the holder of
    each measure it lifts; all or nothing."""
    measure = session.get(Preservation, measure_id)
    if measure is None or measure.deleted_at is not None:
        raise NotFound("所选保全措施不存在；请刷新后重试")
    ruling = issue_notice(
        session, actor, measure.case_id, DocumentKind.RELEASE_RULING, today=today,
        record_id=measure.id,
    )  # fmt: skip
    return [ruling] + [
        issue_notice(
            session, actor, p.case_id, DocumentKind.RELEASE_NOTICE, today=today, record_id=p.id
        )
        for p in released_with(session, measure)
    ]


@writes
def release_and_issue(
    session: Session,
    actor: Actor,
    application_id: str,
    *,
    measure_ids: tuple[str, ...] = (),
    released_on: date,
    reason: ReleaseReason,
    note: str = "",
    today: date,
) -> list[IssuedDocument]:
    """Record the release (services/supervision/preservation.release_measures) and issue its
    ruling and notices in the same transaction: a release whose documents are refused is not
    recorded either."""
    row = release_measures(
        session, actor, application_id, measure_ids=measure_ids, released_on=released_on,
        reason=reason, note=note, today=today,
    )  # fmt: skip
    # The measures just released (an earlier release of the ruling is another ruling's).
    first = next(
        m
        for m in row.measures
        if (m.id in measure_ids or not measure_ids)
        and (m.released_on, m.release_reason) == (released_on, reason)
    )
    return issue_release(session, actor, first.id, today=today)


def release_documents_to_folder(
    db: Database,
    actor: Actor,
    application_id: str,
    *,
    measure_id: str | None,
    release: tuple[date, ReleaseReason, str] | None,
    today: date,
    folder: Path,
    force: bool = False,
) -> list[tuple[IssuedDocument, Path]]:
    """`zhiqian preservation release --print` and `release-print`: issue the release documents
    (with the release, when ``release`` gives its day, reason and note) and save each PDF as
    <文书编号>.pdf in ``folder``, as one action: a document whose commit fails leaves no file."""
    folder = check_output_folder(folder, force=True, what="文书")
    written: list[Path] = []
    try:
        with db.unit_of_work() as session:
            if release is not None:
                on, reason, note = release
                issued = release_and_issue(
                    session, actor, application_id, released_on=on, reason=reason, note=note,
                    measure_ids=(measure_id,) if measure_id else (), today=today,
                )  # fmt: skip
            else:
                issued = issue_release(session, actor, measure_id or "", today=today)
            for d in issued:
                written.append(
                    write_output(folder / f"{safe_filename(d.doc_no)}.pdf", d.pdf, force=force)
                )
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return list(zip(issued, written, strict=True))
