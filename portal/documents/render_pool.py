"""Rendering many self-check reports in child processes, for the batch print job.

The children are spawned by the job worker's thread and asked by the kernel to die with it
(PR_SET_PDEATHSIG): a worker killed with SIGKILL leaves no idle render process behind.
"""
import ctypes
import ctypes.util
import os
import signal

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Initializer of every render child: SIGKILL when the parent dies (Linux); gone at once if it already did."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the parent's pool still ends its children on a clean exit
        pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def render_one(doc, fonts):
    """In this process or a child: (person, pdf bytes, error message). A self-check report unless the doc
    names its kind (the batch's cover list, rendered last by a warm child)."""
    from ..gongwen.render import MissingGlyph, render_pdf
    try:
        return doc.get("person") or "", render_pdf(doc.get("kind") or "self-check-report", doc, fonts), ""
    except MissingGlyph as e:
        return doc.get("person") or "", b"", str(e)


def rendered(docs, fonts, workers, cancelled):
    """Yield (person, pdf, error) for each doc of the iterable ``docs`` in order; None once ``cancelled()``
    is true (checked between persons). With ``workers`` > 1 the renders run in that many spawned child
    processes, a small window ahead of the caller."""
    if workers <= 1:
        for doc in docs:
            if cancelled():
                yield None
                return
            yield render_one(doc, fonts)
        return
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=die_with_parent, initargs=(os.getpid(),))
    window = deque()
    pending = iter(docs)
    try:
        for doc in pending:
            window.append(pool.submit(render_one, doc, fonts))
            if len(window) >= 2 * workers:
                break
        while window:
            if cancelled():
                yield None
                return
            result = window.popleft().result()
            nxt = next(pending, None)
            if nxt is not None:
                window.append(pool.submit(render_one, nxt, fonts))
            yield result
    finally:
        for f in window:
            f.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def children_of(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (Linux /proc; tests and the admin page)."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read().decode("ascii", "replace")
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1 and fields[1] == str(pid):
            out.append(int(name))
    return out
