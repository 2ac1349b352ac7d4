"""The fixed vocabularies: stored codes, the Chinese labels shown, and reading either back."""

from __future__ import annotations

import pytest

from zhiqian_desktop.domain import kinds
from zhiqian_desktop.domain.kinds import (
    ContactKind,
    DocumentKind,
    LabelledEnum,
    PreservationKind,
    Role,
)

VOCABULARIES: list[type[LabelledEnum]] = [
    cls
    for cls in vars(kinds).values()
    if isinstance(cls, type) and issubclass(cls, LabelledEnum) and cls is not LabelledEnum
]


def test_a_member_is_its_code_and_carries_its_label() -> None:
    assert Role.HANDLER == "handler" and Role.HANDLER.value == "handler"
    assert Role.HANDLER.label == "承办人"
    assert PreservationKind.OTHER.label == "其他财产权"
    assert DocumentKind("urging") is DocumentKind.URGING


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=lambda c: c.__name__)
def test_every_member_reads_back_from_its_label_and_its_code(
    vocabulary: type[LabelledEnum],
) -> None:
    for member in vocabulary:
        assert vocabulary.from_label(member.label) is member
        assert vocabulary.from_label(member.value) is member
    assert len({m.label for m in vocabulary}) == len(vocabulary), "two members share a label"


def test_an_unknown_label_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^电报$"):
        ContactKind.from_label("电报")
    with pytest.raises(ValueError):
        ContactKind.from_label("")
