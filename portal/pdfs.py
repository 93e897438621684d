"""The one way a web request makes a PDF: in a render child process, never in the web worker itself.

WeasyPrint, its fonts and pypdfium2 weigh 100–200 MB once a CJK document has been laid out. A web worker
that made PDFs itself would carry that for good; here each web worker hands the work to one child process
of its own (spawned on first use, killed by the kernel with its parent — PR_SET_PDEATHSIG — and replaced
after PDF_CHILD_MAX_TASKS renders, so its memory stays bounded). The job worker, which makes PDFs by the
hundred, renders in its own process (PDF_RENDERER = "inline"), as the tests do.

    render_pdf(kind, doc, fonts_dir)  the GB/T 9704 engine (portal/gongwen/render.py)
    page_png(pdf, page, width_px)     one page as a PNG (the editor's live preview)
    html_pdf(html)                    a plain HTML page as a PDF (the draft watermark)

A render that takes longer than PDF_TIMEOUT seconds is stopped (its child killed) and answered as Busy (503,
"请稍后重试"); a child that died is replaced and the render tried once more.
"""
import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from flask import current_app, has_app_context

from .errors import Busy

log = logging.getLogger(__name__)
_lock = threading.Lock()
_pool = None
_pool_pid = None


def _engine_call(name, args):
    """In the render child (or in this process when inline)."""
    if name == "html_pdf":
        from weasyprint import HTML
        return HTML(string=args[0]).write_pdf()
    from .gongwen import render
    return getattr(render, name)(*args)


def _setting(key, default):
    return current_app.config.get(key, default) if has_app_context() else default


def inline() -> bool:
    return _setting("PDF_RENDERER", "process") == "inline"


def _get_pool():
    global _pool, _pool_pid
    with _lock:
        if _pool is None or _pool_pid != os.getpid():   # a forked copy of a parent's pool is not ours
            from .documents.render_pool import die_with_parent
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                        max_tasks_per_child=int(_setting("PDF_CHILD_MAX_TASKS", 200)),
                                        initializer=die_with_parent, initargs=(os.getpid(),))
            _pool_pid = os.getpid()
        return _pool


def reset(pool=None) -> None:
    """Kill the render child (all of them, or only if ``pool`` is still the current one)."""
    global _pool
    with _lock:
        if _pool is None or (pool is not None and _pool is not pool):
            return
        dead, _pool = _pool, None
    for proc in list((getattr(dead, "_processes", None) or {}).values()):
        try:
            proc.kill()
        except OSError:
            pass
    dead.shutdown(wait=False, cancel_futures=True)


def child_pids() -> list[int]:
    pool = _pool
    return [p.pid for p in (getattr(pool, "_processes", None) or {}).values()] if pool else []


def _call(name, *args):
    if inline():
        return _engine_call(name, args)
    timeout = float(_setting("PDF_TIMEOUT", 120))
    for attempt in (1, 2):
        pool = _get_pool()
        try:
            return pool.submit(_engine_call, name, args).result(timeout=timeout)
        except BrokenProcessPool:
            log.warning("the PDF render child died; starting a new one (attempt %d)", attempt)
            reset(pool)
        except FutureTimeout:
            log.error("a PDF render took over %.0f s; its child was stopped", timeout)
            reset(pool)
            raise Busy("公文生成超时，请稍后重试。")
    raise Busy("公文生成服务暂时不可用，请稍后重试。")


def render_pdf(kind: str, doc: dict, fonts_dir: str | None = None) -> bytes:
    """Raises portal.gongwen.MissingGlyph (carried over from the child) when a character has no font."""
    return _call("render_pdf", kind, doc, fonts_dir)


def page_png(pdf: bytes, page: int = 0, width_px: int = 620) -> bytes:
    return _call("page_png", pdf, page, width_px)


def html_pdf(html: str) -> bytes:
    return _call("html_pdf", html)
