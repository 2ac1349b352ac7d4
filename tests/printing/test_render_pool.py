"""Worker processes draw a batch's documents from plain values, byte for byte as this process does."""

from __future__ import annotations

from typing import Any

import pytest

from tests.pdf_text import pdf_text
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind
from zhiqian_desktop.printing import render_pool
from zhiqian_desktop.printing.documents import NoticeContent, build_content, document_number
from zhiqian_desktop.printing.fonts import load_print_fonts
from zhiqian_desktop.printing.render_pool import RenderPool, render_dicts, worker_count
from zhiqian_desktop.printing.renderer import NoticeRenderer
from zhiqian_desktop.printing.samples import (
    SAMPLE_DOC_ID,
    SAMPLE_ISSUED_ON,
    SAMPLE_SERVED,
    sample_facts,
)

KINDS = (DocumentKind.URGING, DocumentKind.SUPERVISION_NOTICE, DocumentKind.SERVICE_RECEIPT)


def _originals() -> list[NoticeContent]:
    out = []
    for n, kind in enumerate(KINDS):
        facts = sample_facts(kind)
        _ctx, content = build_content(
            kind,
            facts,
            doc_id=SAMPLE_DOC_ID[:-1] + str(n),
            doc_no=document_number(facts.case_no, kind, 1),
            issued_on=SAMPLE_ISSUED_ON,
            served=SAMPLE_SERVED if kind is DocumentKind.SERVICE_RECEIPT else None,
        )
        out.append(content)
    return out


def _contents() -> list[dict[str, Any]]:
    return [c.to_dict() for c in _originals()]


def test_a_worker_draws_the_same_bytes_as_this_process() -> None:
    renderer = NoticeRenderer(load_print_fonts())
    here = [renderer.render(c) for c in _originals()]
    contents = _contents()
    with RenderPool(1) as pool:
        shared = pool.render((None, None), contents)  # a share here, a share in the worker
        in_worker = pool.submit((None, None), contents).result()
    assert shared == here
    assert in_worker == here
    assert render_dicts((None, None), contents) == here
    assert "自动履行催告书" in pdf_text(in_worker[0])


def test_a_document_that_cannot_be_drawn_stops_the_caller_with_its_message() -> None:
    bad = _contents()[0]
    bad["paragraphs"] = [*bad["paragraphs"], "无法打印的字：\U000f0000"]
    with RenderPool(1) as pool, pytest.raises(UserError) as raised:
        pool.submit((None, None), [bad]).result()
    assert "正文" in raised.value.message


def test_a_pool_only_where_it_pays() -> None:
    assert worker_count(render_pool.MIN_POOLED - 1, cpus=8) == 0
    assert worker_count(render_pool.MIN_POOLED, cpus=1) == 0
    assert worker_count(render_pool.MIN_POOLED, cpus=2) == 1
    assert worker_count(1000, cpus=4) == 3


def test_without_workers_every_document_is_drawn_here() -> None:
    contents = _contents()[:1]
    with RenderPool(0) as pool:
        assert pool.submit((None, None), contents).result() == pool.render((None, None), contents)
