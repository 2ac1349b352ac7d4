"""The demo's outbox: reminders for the instalments and promises falling due within the court's
lead days, progress reports drafted yesterday to the applicants of a few cases being worked, some
approved, and one batch exported yesterday and its result read back — one message sent, one
failed — through a folder that is removed at once (the demo writes no file the clerk did not ask
for); two more reports and two reminders approved and waiting for the next export, the rest
drafts."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.supervision import message_files, messages
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import SupervisionCase

PROGRESS_CASES = 8
WORKED = (CaseStatus.SUPERVISING, CaseStatus.SETTLED, CaseStatus.REGISTERED)


def demo_outbox(db: Database, actor: Actor, today: date) -> int:
    """Fill the outbox; the number of messages it then holds."""
    reminders = messages.draft_reminders(db, actor, today=today).drafted
    yesterday = today - timedelta(days=1)
    morning = datetime.combine(yesterday, time(1, 0), UTC)  # 09:00 and 16:00 in Beijing
    afternoon = datetime.combine(yesterday, time(8, 0), UTC)
    with db.reader() as session:
        supervised = session.scalars(
            select(SupervisionCase.id)
            .where(SupervisionCase.status.in_([s.value for s in WORKED]))
            .order_by(SupervisionCase.case_year, SupervisionCase.case_seq)
        ).all()
    progress: list[messages.MessageRow] = []
    for case_id in supervised:
        if len(progress) >= PROGRESS_CASES:
            break
        try:
            progress += messages.draft_progress(db, actor, case_id, today=yesterday)
        except UserError:  # an applicant with no mobile number: the next case
            continue
    approved = [r.id for r in progress[:4]]
    if approved:
        messages.approve_messages(db, actor, approved, now=morning)
    if len(approved) >= 2:
        with tempfile.TemporaryDirectory(prefix="zhiqian-demo-") as folder:
            done = message_files.export_messages(
                db, actor, Path(folder) / "短信.csv", fmt="csv", today=yesterday, now=morning
            )
            exported = messages.outbox(db, batch=done.batch)
            sent, failed = exported[0], exported[1]
            result = Path(folder) / "结果.csv"
            result.write_text(
                "消息编号,手机号码,发送状态,失败原因\n"
                f"{sent.ref},{sent.phone},成功,\n{failed.ref},{failed.phone},失败,空号\n",
                encoding="utf-8-sig",
            )
            message_files.read_results(db, actor, result, now=afternoon)
    waiting = [r.id for r in (*progress[4:6], *reminders[:2])]
    if waiting:
        messages.approve_messages(db, actor, waiting)
    return len(messages.outbox(db))
