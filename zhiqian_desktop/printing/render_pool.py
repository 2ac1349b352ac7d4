"""Drawing many documents on every core: worker processes that render from plain values.

A worker receives the print fonts' file settings and each document's content as a dict
(``NoticeContent.to_dict``), never a database row: it opens no database and writes nothing, it
returns PDF bytes. The renderer draws with ``invariant=1``, so a document drawn in a worker is
byte for byte the document drawn in the calling process (tests/printing/test_render_pool.py).

Starting a worker costs an interpreter, ReportLab and the fonts: 0.6-0.7 s of CPU with its first
page (1.4-1.8 s of wall time at load 6.5), some sixty pages at 10 ms each. The calling process
waits for the worker's share, so the pool pays once half the documents take longer than the
start: a pool is used only for a batch of at least ``MIN_POOLED`` documents on a machine with
more than one core. Workers are started with
the ``spawn`` method everywhere (as on Windows; a fork of a process holding Qt and database
connections is not safe), which the frozen desktop build supports through
``multiprocessing.freeze_support()`` in its entry point.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from zhiqian_desktop.printing.documents import NoticeContent
from zhiqian_desktop.printing.fonts import load_print_fonts
from zhiqian_desktop.printing.renderer import NoticeRenderer

MIN_POOLED = 120
"""Fewer documents are drawn in the calling process: a worker's start costs ~60 pages."""

FontFiles = tuple[str | None, str | None]
"""The court's body and title font files (``CourtSettings.print_font_body/_title``)."""

_renderers: dict[FontFiles, NoticeRenderer] = {}


def _renderer(fonts: FontFiles) -> NoticeRenderer:
    """One renderer per font choice and process: the faces are parsed once, not per document."""
    renderer = _renderers.get(fonts)
    if renderer is None:
        renderer = _renderers[fonts] = NoticeRenderer(load_print_fonts(*fonts))
    return renderer


def render_dicts(fonts: FontFiles, contents: Sequence[dict[str, Any]]) -> list[bytes]:
    """Each content drawn as a PDF of its own (what a worker runs; the calling process too)."""
    renderer = _renderer(fonts)
    return [renderer.render(NoticeContent.from_dict(c)) for c in contents]


def worker_count(documents: int, cpus: int | None = None) -> int:
    """How many worker processes pay for ``documents``: none below ``MIN_POOLED`` or on one core;
    else one fewer than the cores (the calling process draws too)."""
    cpus = cpus if cpus is not None else (os.cpu_count() or 1)
    if documents < MIN_POOLED or cpus < 2:
        return 0
    return cpus - 1


class RenderPool:
    """Worker processes for one batch (``with RenderPool(n) as pool``); ``n == 0``: no workers,
    every document is drawn in the calling process."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        if workers:
            self._executor = ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("spawn")
            )

    def __enter__(self) -> RenderPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)

    def submit(self, fonts: FontFiles, contents: Sequence[dict[str, Any]]) -> Future[list[bytes]]:
        """Start drawing ``contents`` in the workers (in the calling process without workers)."""
        if self._executor is None:
            done: Future[list[bytes]] = Future()
            done.set_result(render_dicts(fonts, contents))
            return done
        return self._executor.submit(render_dicts, fonts, list(contents))

    def render(self, fonts: FontFiles, contents: Sequence[dict[str, Any]]) -> list[bytes]:
        """Draw ``contents`` now, in order: a share in each worker and one in this process."""
        if self._executor is None or not contents:
            return render_dicts(fonts, contents)
        shares = self.workers + 1
        size = -(-len(contents) // shares)
        parts = [contents[i : i + size] for i in range(0, len(contents), size)]
        futures = [self.submit(fonts, part) for part in parts[1:]]
        out = render_dicts(fonts, parts[0])
        for future in futures:
            out += future.result()
        return out
