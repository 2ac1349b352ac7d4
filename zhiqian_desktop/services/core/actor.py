"""The acting user of a use case, and the permission checks every service makes."""

from __future__ import annotations

from dataclasses import dataclass

from zhiqian_desktop.domain.errors import PermissionDenied
from zhiqian_desktop.domain.kinds import Role


@dataclass(frozen=True)
class Actor:
    user_id: str | None
    username: str
    display_name: str
    role: Role

    def require_write(self) -> None:
        if self.role is Role.READONLY:
            raise PermissionDenied(
                f"用户“{self.display_name}”为只读权限，不能修改数据；请联系团队负责人"
            )

    def require_lead(self) -> None:
        if self.role not in (Role.ADMIN, Role.LEAD):
            raise PermissionDenied("此操作需要团队负责人或管理员权限")

    def require_admin(self) -> None:
        if self.role is not Role.ADMIN:
            raise PermissionDenied("此操作需要管理员权限")

    def may_edit_case(self, handler_id: str | None) -> bool:
        if self.role in (Role.ADMIN, Role.LEAD):
            return True
        return self.role is Role.HANDLER and (handler_id is None or handler_id == self.user_id)

    def require_case_edit(self, handler_id: str | None, case_no: str) -> None:
        self.require_write()
        if not self.may_edit_case(handler_id):
            raise PermissionDenied(f"案件{case_no}不是您承办的案件，只有承办人或团队负责人可以修改")

    def require_assign(self, current: str | None, new: str | None) -> None:
        """Leads assign cases; a handler may only take an unassigned case or keep his own."""
        if new == current or self.role in (Role.ADMIN, Role.LEAD):
            return
        if self.role is Role.HANDLER and new in (None, self.user_id):
            return
        raise PermissionDenied("分配或改派承办人需要团队负责人权限；承办人只能承办给自己")


SYSTEM = Actor(user_id=None, username="system", display_name="系统", role=Role.ADMIN)
"""Used for set-up, demo data and maintenance commands run by the administrator."""
