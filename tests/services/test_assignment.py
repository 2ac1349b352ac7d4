"""分案 at the service level: the rule in 设置, the proposal and workloads, assigning in one action
or one case at a time, the audit trail, permissions, and bad input writing nothing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.errors import PermissionDenied, StaleEditError, UserError
from zhiqian_desktop.domain.kinds import AssignmentRule, PartyKind, PartyRole, Role
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.core.staff import add_tribunal
from zhiqian_desktop.services.core.users import actor_for, create_user
from zhiqian_desktop.services.intake import assignment
from zhiqian_desktop.services.intake.docket import PartyInput, get_case, register_case
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import AuditEvent, SupervisionCase, Tribunal


@dataclass
class Team:
    db: Database
    admin: Actor
    lead: Actor
    handlers: dict[str, Actor]
    tribunals: dict[str, str]

    def hid(self, name: str) -> str:
        user_id = self.handlers[name].user_id
        assert user_id is not None
        return user_id


@pytest.fixture
def team(db: Database, admin: Actor) -> Team:
    with db.unit_of_work() as s:
        lead = actor_for(
            create_user(s, admin, username="lead", display_name="赵组长", role=Role.LEAD)
        )
        handlers = {
            name: actor_for(
                create_user(s, admin, username=user, display_name=name, role=Role.HANDLER)
            )
            for user, name in (("h1", "甲承办"), ("h2", "乙承办"), ("h3", "丙承办"))
        }
        tribunals = {name: add_tribunal(s, admin, name).id for name in ("美岱召法庭", "萨拉齐法庭")}
    return Team(db, admin, lead, handlers, tribunals)


def _case(
    team: Team, n: int, *, address: str | None = None, handler: str | None = None, **extra: object
) -> str:
    data = make_case_input(n)
    for key, value in extra.items():
        setattr(data, key, value)
    if address:
        data.parties[1] = PartyInput(PartyRole.OBLIGOR, f"王{n}", PartyKind.PERSON, address=address)
    if handler:
        data.handler_id = team.hid(handler)
    with team.db.unit_of_work() as s:
        return register_case(s, team.admin, data, today=TODAY).id


def _rule(team: Team, rule: AssignmentRule, **kwargs: object) -> None:
    version = assignment.assignment_setup(team.db).settings_version
    assignment.set_assignment_rule(
        team.db,
        team.lead,
        rule,
        expected_version=version,
        **kwargs,  # type: ignore[arg-type]
    )


def _handlers(team: Team) -> dict[str, str | None]:
    names = {a.user_id: n for n, a in team.handlers.items()}
    with team.db.reader() as s:
        rows = s.execute(select(SupervisionCase.case_no, SupervisionCase.handler_id))
        return {no: names.get(h) if h else None for no, h in rows}


def test_balanced_proposal_shows_workloads_and_livelihood_first(team: Team) -> None:
    _case(team, 1, handler="甲承办")
    _case(team, 2, handler="甲承办")
    _case(team, 3, handler="乙承办")
    _case(team, 4)
    _case(team, 5, livelihood=True, livelihood_kind="追索劳动报酬")
    view = assignment.assignment_overview(team.db)
    assert view.rule is AssignmentRule.BALANCED
    loads = {w.name: (w.open_cases, w.proposed) for w in view.workloads}
    # 丙 (no open case) takes the livelihood case, then ties with 乙 and comes first by name.
    assert loads == {"丙承办": (0, 2), "乙承办": (1, 0), "甲承办": (2, 0)}
    # The livelihood case comes first and goes to the handler with no open case.
    first, second = view.proposals
    assert first.case_no.endswith("5号") and first.livelihood and first.handler_name == "丙承办"
    assert second.case_no.endswith("4号") and second.handler_name == "丙承办"
    # Leads and the administrator may hold cases but the rule proposes only to handlers.
    assert {w.name for w in view.workloads} == {"甲承办", "乙承办", "丙承办"}
    assert {c.name for c in view.handlers} >= {"赵组长", "甲承办"}


def test_assigning_in_one_action_leaves_no_case_without_a_handler(team: Team) -> None:
    for n in range(1, 6):
        _case(team, n)
    view = assignment.assignment_overview(team.db)
    result = assignment.assign_proposed(team.db, team.lead, expected=view.expected)
    assert len(result.assigned) == 5 and result.left == []
    after = _handlers(team)
    assert None not in after.values()
    assert sorted(v or "" for v in after.values()) == [
        "丙承办",
        "丙承办",
        "乙承办",
        "乙承办",
        "甲承办",
    ]
    assert assignment.assignment_overview(team.db).proposals == []
    with team.db.reader() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "assign")).all()
    assert len(events) == 5 and {e.actor for e in events} == {"lead"}
    assert all('"handler_id"' in (e.after_json or "") for e in events)


def test_a_changed_proposal_is_refused_and_nothing_written(team: Team) -> None:
    _case(team, 1)
    shown = assignment.assignment_overview(team.db).expected
    _case(team, 2)  # registered while the lead looked at the proposal
    with pytest.raises(UserError, match="分案建议已变化"):
        assignment.assign_proposed(team.db, team.lead, expected=shown)
    assert set(_handlers(team).values()) == {None}


def test_by_area_the_township_finds_the_tribunal_and_its_handler(team: Team) -> None:
    assignment.set_tribunal_area(
        team.db, team.lead, team.tribunals["萨拉齐法庭"], "萨拉齐镇，城关镇"
    )
    assignment.set_tribunal_area(team.db, team.lead, team.tribunals["美岱召法庭"], "美岱召镇")
    assignment.set_handler_tribunal(
        team.db, team.lead, team.hid("乙承办"), team.tribunals["萨拉齐法庭"]
    )
    assignment.set_handler_tribunal(
        team.db, team.lead, team.hid("甲承办"), team.tribunals["美岱召法庭"]
    )
    _rule(team, AssignmentRule.AREA)
    c1 = _case(team, 1, address="内蒙古土右旗萨拉齐镇新华街8号")
    _case(team, 2, address="内蒙古土右旗美岱召镇某村")
    _case(team, 3, address="北京市朝阳区")
    result = assignment.assign_proposed(team.db, team.lead)
    assert _handlers(team) == {
        "（2026）内0221执前督1号": "乙承办",
        "（2026）内0221执前督2号": "甲承办",
        "（2026）内0221执前督3号": None,
    }
    [left] = result.left
    assert left.case_no.endswith("3号") and "不在任何法庭的辖区" in (left.reason or "")
    with team.db.reader() as s:
        assert get_case(s, c1).tribunal_id == team.tribunals["萨拉齐法庭"]
    setup = assignment.assignment_setup(team.db)
    assert {t.name: t.townships for t in setup.tribunals} == {
        "美岱召法庭": "美岱召镇",
        "萨拉齐法庭": "萨拉齐镇、城关镇",
    }


def test_by_cause_and_round_robin(team: Team) -> None:
    _rule(team, AssignmentRule.CAUSE, causes={"劳务合同纠纷": [team.hid("丙承办")]})
    _case(team, 1, cause="劳务合同纠纷")
    _case(team, 2)  # 民间借贷纠纷: no handler for it
    view = assignment.assignment_overview(team.db)
    assert [(p.handler_name, p.reason) for p in view.proposals] == [
        ("丙承办", None),
        ("", "案由“民间借贷纠纷”未指定承办人；请在 设置 → 分案 中指定，或单独分案"),
    ]
    _rule(team, AssignmentRule.ROUND_ROBIN)
    assignment.assign_proposed(team.db, team.lead)
    # The latest case with a handler was none: round-robin starts at the first name.
    assert sorted(v for v in _handlers(team).values() if v) == ["丙承办", "乙承办"]


def test_one_case_is_assigned_changed_and_taken_back(team: Team) -> None:
    cid = _case(team, 1)
    assignment.assign_case(team.db, team.lead, cid, team.hid("甲承办"))
    with team.db.reader() as s:
        version = get_case(s, cid).version
    assignment.assign_case(team.db, team.lead, cid, team.hid("乙承办"), expected_version=version)
    assert _handlers(team)["（2026）内0221执前督1号"] == "乙承办"
    with pytest.raises(StaleEditError):
        assignment.assign_case(team.db, team.lead, cid, None, expected_version=version)
    assignment.assign_case(team.db, team.lead, cid, None)
    assert _handlers(team)["（2026）内0221执前督1号"] is None


def test_only_a_lead_or_admin_assigns(team: Team) -> None:
    cid = _case(team, 1)
    handler = team.handlers["甲承办"]
    for call in (
        lambda: assignment.assign_proposed(team.db, handler),
        lambda: assignment.assign_case(team.db, handler, cid, handler.user_id),
        lambda: assignment.set_assignment_rule(
            team.db, handler, AssignmentRule.ROUND_ROBIN, expected_version=1
        ),
        lambda: assignment.set_tribunal_area(
            team.db, handler, team.tribunals["美岱召法庭"], "某镇"
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assignment.assign_proposed(team.db, team.admin)
    assert _handlers(team)["（2026）内0221执前督1号"] is not None


def test_a_closed_case_is_not_reassigned(team: Team) -> None:
    cid = _case(team, 1, handler="甲承办")
    with team.db.unit_of_work() as s:
        s.get(SupervisionCase, cid).status = CaseStatus.WITHDRAWN  # type: ignore[union-attr]
    with pytest.raises(UserError, match="不能修改"):
        assignment.assign_case(team.db, team.lead, cid, team.hid("乙承办"))
    # Closed cases are not proposed either.
    assert assignment.assignment_overview(team.db).proposals == []


def _audit_count(db: Database) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_bad_settings_get_one_message_and_write_nothing(team: Team) -> None:
    assignment.set_tribunal_area(
        team.db, team.lead, team.tribunals["美岱召法庭"], "美岱召镇、沟门镇"
    )
    events = _audit_count(team.db)
    version = assignment.assignment_setup(team.db).settings_version
    with pytest.raises(UserError, match="乡镇“沟门镇”同时列在美岱召法庭和萨拉齐法庭"):
        assignment.set_tribunal_area(team.db, team.lead, team.tribunals["萨拉齐法庭"], "沟门镇")
    with pytest.raises(UserError, match="按案由分案时，请至少为一个案由指定承办人"):
        assignment.set_assignment_rule(
            team.db, team.lead, AssignmentRule.CAUSE, expected_version=version, causes={}
        )
    with pytest.raises(UserError, match="有一行案由为空"):
        assignment.set_assignment_rule(
            team.db, team.lead, AssignmentRule.CAUSE, expected_version=version,
            causes={" ": [team.hid("甲承办")]},
        )  # fmt: skip
    with pytest.raises(UserError, match="不是承办人"):
        assignment.set_assignment_rule(
            team.db, team.lead, AssignmentRule.CAUSE, expected_version=version,
            causes={"离婚纠纷": [team.lead.user_id or ""]},
        )  # fmt: skip
    with pytest.raises(UserError, match="不是承办人"):
        assignment.set_handler_tribunal(
            team.db, team.lead, team.lead.user_id or "", team.tribunals["美岱召法庭"]
        )
    with pytest.raises(StaleEditError):
        assignment.set_assignment_rule(
            team.db, team.lead, AssignmentRule.ROUND_ROBIN, expected_version=version - 1
        )
    assert _audit_count(team.db) == events
    with team.db.reader() as s:
        assert get_settings(s).assignment_rule is AssignmentRule.BALANCED
        assert s.get(Tribunal, team.tribunals["萨拉齐法庭"]).townships is None  # type: ignore[union-attr]


def test_the_area_rule_needs_townships_first(team: Team) -> None:
    with pytest.raises(UserError, match="请先为至少一个法庭填写辖区乡镇"):
        _rule(team, AssignmentRule.AREA)
