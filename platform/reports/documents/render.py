"""HTML templates (``templates/pdf/``) to PDF/A-3u with WeasyPrint, off the event loop.

- **A process pool**, one process by default (``WUSONG_RENDER_PROCESSES``): two WeasyPrint
  renders in one process deadlock inside pango (architecture.md, pitfalls), and a pool process
  runs one task at a time. Each process keeps one FontConfiguration (the bundled fonts are
  loaded once) and one Jinja2 environment. ``render_pdf`` waits for a free process, then gives
  the render ``timeout`` seconds; past that the pool is killed and rebuilt (a render stuck in
  C code cannot be interrupted otherwise) and the render fails with "生成超时".
- **A closed URL fetcher:** ``data:`` URIs and the bundled assets (the fonts of
  ``reports/documents/fonts`` and the static files of ``templates/pdf``, addressed as
  ``wusong-asset:fonts/<file>`` and ``wusong-asset:pdf/<file>``) and nothing else; any other URL
  stops the render (WeasyPrint's ``FatalURLFetchingError``), so a document never silently
  lacks a resource, and a template can never read a file or reach the network.
- **No silent warnings:** the ``weasyprint`` logger is captured during a render; under
  ``strict`` (every environment but production) any warning fails the render, in production
  it is logged.
- **No leftover files:** WeasyPrint writes the bundled fonts into a temporary folder per
  FontConfiguration (~8 MB) and removes it only when that object is collected, which a pool
  process never does on exit. A pool's processes therefore keep their temporary files in one
  folder of the pool (``wusong-render-<parent pid>-…``), removed when the pool stops or is
  killed, at exit, or — after a parent that was killed — when the next pool starts.
- **Templates:** Jinja2 with autoescape on. Styles live in ``templates/pdf/print.css`` (fetched
  through the fetcher), never in a ``<style>`` element, where autoescape mangles quotes.

Failures a retry cannot fix raise RenderError with a Chinese reason in ``str()``.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import logging
import mimetypes
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

ASSET_SCHEME = "wusong-asset:"
FONTS_DIR = Path(__file__).resolve().parent / "fonts"
PDF_VARIANT = "pdf/a-3u"
STATIC_SUFFIXES = (".css", ".svg", ".png", ".jpg")
DEFAULT_TIMEOUT = 30.0


class RenderError(Exception):
    """A render that cannot succeed as asked (template error, forbidden URL, time limit, a
    WeasyPrint warning under strict): ``str()`` is a readable Chinese reason."""


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


# ---- helpers for templates and callers --------------------------------------------------------


def qr_svg_data_uri(text: str) -> str:
    """A QR code of ``text`` (error correction M, black on white) as an SVG ``data:`` URI."""
    import segno

    qr = segno.make_qr(text, error="m")
    return qr.svg_data_uri(scale=4, border=2, xmldecl=False, svgns=True, nl=False)


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿", "万亿")


def _group_capital(value: int) -> str:
    """1..9999 in capital numerals, zeros inside as one 零 (壹仟零壹拾)."""
    text, out, zero = str(value), "", False
    for index, char in enumerate(text):
        digit = int(char)
        if digit == 0:
            zero = True
            continue
        if zero:
            out, zero = out + "零", False
        out += _DIGITS[digit] + _UNITS[len(text) - 1 - index]
    return out


def _integer_capital(value: int) -> str:
    groups = []
    while value:
        value, group = divmod(value, 10000)
        groups.append(group)
    if len(groups) > len(_GROUPS):
        raise ValueError("amount too large")
    out, zero = "", False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            zero = bool(out)
            continue
        if out and (zero or group < 1000):
            out += "零"
        out, zero = out + _group_capital(group) + _GROUPS[index], False
    return out


def yuan_capital(amount: Decimal | int | str) -> str:
    """An amount in yuan in capital numerals as financial documents write it (支付结算办法):
    12000 → 壹万贰仟元整, 3200.50 → 叁仟贰佰元伍角, 105.06 → 壹佰零伍元零陆分, 0 → 零元整."""
    fen = int((Decimal(amount) * 100).to_integral_value())
    if fen < 0:
        raise ValueError("negative amount")
    yuan, rest = divmod(fen, 100)
    jiao, cents = divmod(rest, 10)
    if fen == 0:
        return "零元整"
    out = _integer_capital(yuan) + "元" if yuan else ""
    if jiao:
        out += _DIGITS[jiao] + "角"
    if cents:
        if yuan and not jiao:
            out += "零"
        out += _DIGITS[cents] + "分"
    elif not jiao:
        out += "整"
    return out


def yuan(amount: Decimal | int | str | None) -> str:
    """12,000.00元 (empty for no amount)."""
    if amount is None or amount == "":
        return ""
    return f"{Decimal(amount):,.2f}元"


def cn_number(value: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (section and term numbers)."""
    digits = "零一二三四五六七八九"
    if value < 0 or value >= 1000:
        return str(value)
    if value < 10:
        return digits[value]
    hundreds, rest = divmod(value, 100)
    tens, ones = divmod(rest, 10)
    out = digits[hundreds] + "百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else digits[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    return out + (digits[ones] if ones else "")


def verify_page(url: str) -> str:
    """The verification page a reader types in: the URL up to ``/verify`` (the printed
    document shows it with the short code; the QR code carries the whole URL)."""
    head, found, _ = url.partition("/verify")
    return head + found if found else url


def cn_date(day: Any) -> str:
    """2026年3月5日 (empty for no date)."""
    if day is None or day == "":
        return ""
    return f"{day.year}年{day.month}月{day.day}日"


# ---- inside a pool process --------------------------------------------------------------------


class _Worker:
    """What a pool process keeps between renders."""

    def __init__(self, templates_dir: Path, strict: bool) -> None:
        import jinja2
        from weasyprint.text.fonts import FontConfiguration

        self.strict = strict
        self.font_config = FontConfiguration()
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates_dir)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(
            yuan=yuan,
            yuan_capital=yuan_capital,
            cn_date=cn_date,
            cn_number=cn_number,
            verify_page=verify_page,
        )
        self.assets = bundled_assets(templates_dir)
        # The print stylesheet (and its @font-face fonts) parsed once per process, not per render.
        self.stylesheets: list[Any] = []
        sheet = f"{ASSET_SCHEME}pdf/print.css"
        if sheet in self.assets:
            from weasyprint import CSS

            self.stylesheets.append(
                CSS(
                    url=sheet,
                    url_fetcher=_fetcher_class()(self.assets),
                    font_config=self.font_config,
                )
            )
        # The folder WeasyPrint wrote the fonts to goes with this object (in a pool process,
        # with the pool's folder: a process's exit collects nothing).
        folder = getattr(self.font_config, "_folder", None)
        if folder is not None:
            weakref.finalize(self, shutil.rmtree, folder, True)


_WORKER: _Worker | None = None


def bundled_assets(templates_dir: Path) -> dict[str, Path]:
    """The exact URLs a render may fetch (besides data: URIs) and their files."""
    assets = {f"{ASSET_SCHEME}fonts/{p.name}": p for p in sorted(FONTS_DIR.glob("*.otf"))}
    pdf_dir = templates_dir / "pdf"
    for path in sorted(pdf_dir.iterdir()) if pdf_dir.is_dir() else []:
        if path.suffix in STATIC_SUFFIXES and path.is_file():
            assets[f"{ASSET_SCHEME}pdf/{path.name}"] = path
    return assets


def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ClosedFetcher(URLFetcher):
        """data: URIs and the bundled assets; anything else stops the render."""

        def __init__(self, assets: dict[str, Path]) -> None:
            super().__init__(allowed_protocols={"data"}, fail_on_errors=True)
            self.assets = assets
            self.calls: list[str] = []
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            self.calls.append(url)
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = self.assets.get(url)
            if path is None:
                self.refused.append(url)
                raise PermissionError(f"不允许访问的地址：{url[:200]}")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if path.suffix == ".otf":
                kind = "font/otf"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})

    return ClosedFetcher


class _Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _init_worker(templates_dir: str, strict: bool, scratch: str) -> None:
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when a pool stops
    tempfile.tempdir = scratch  # the pool's folder: the parent removes it (see the docstring)
    _WORKER = _Worker(Path(templates_dir), strict)


def render_in_process(
    template: str,
    context: dict[str, Any],
    title: str,
    author: str,
    worker: _Worker | None = None,
    observe: Callable[[Any], None] | None = None,
) -> Rendered:
    """One render in this process (a pool process, or a test/benchmark calling it directly
    with its own ``worker``); ``observe`` receives the fetcher afterwards (its calls)."""
    import jinja2
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    state = worker or _WORKER
    if state is None:
        raise RuntimeError("render_in_process outside a render process")
    if not template.startswith("pdf/") or ".." in template:
        raise RenderError(f"文书模板不存在：{template}")
    try:
        html = state.env.get_template(template).render(
            **context, document_title=title, document_author=author
        )
    except jinja2.TemplateNotFound:
        raise RenderError(f"文书模板不存在：{template}") from None
    except jinja2.TemplateError as error:
        raise RenderError(f"文书模板错误：{error}") from None
    fetcher = _fetcher_class()(state.assets)
    captured = _Captured()
    weasy_log = logging.getLogger("weasyprint")
    weasy_log.addHandler(captured)
    try:
        document = HTML(string=html, base_url=None, url_fetcher=fetcher).render(
            font_config=state.font_config, pdf_variant=PDF_VARIANT, stylesheets=state.stylesheets
        )
        pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    except FatalURLFetchingError:
        refused = fetcher.refused[0] if fetcher.refused else "未知地址"
        raise RenderError(f"文书引用了不允许访问的地址：{refused[:200]}") from None
    finally:
        weasy_log.removeHandler(captured)
        if observe is not None:
            observe(fetcher)
    if fetcher.refused:  # refused but caught somewhere inside WeasyPrint: still fatal
        raise RenderError(f"文书引用了不允许访问的地址：{fetcher.refused[0][:200]}")
    if captured.messages:
        if state.strict:
            raise RenderError("生成文书时出现警告：" + "；".join(captured.messages)[:500])
        for message in captured.messages:
            log.warning("WeasyPrint: %s (%s)", message, template)
    return Rendered(pdf=pdf, pages=len(document.pages))


def _render_task(template: str, context: dict[str, Any], title: str, author: str) -> Rendered:
    return render_in_process(template, context, title, author)


# ---- the pool (parent side) -------------------------------------------------------------------


@dataclass
class _PoolConfig:
    processes: int | None = None  # None: settings.render_processes
    strict: bool | None = None  # None: every environment but production
    templates_dir: Path | None = None  # None: settings.templates_dir


class _Pool(concurrent.futures.ProcessPoolExecutor):
    """The executor and the folder its processes keep their temporary files in."""

    def __init__(self, scratch: Path, **options: Any) -> None:
        super().__init__(**options)
        self.scratch = scratch


SCRATCH_PREFIX = "wusong-render-"
_config = _PoolConfig()
_pool: _Pool | None = None
_exit_registered = False
_pool_lock = threading.Lock()
_slots: dict[int, tuple[asyncio.AbstractEventLoop, asyncio.Semaphore]] = {}


def configure(
    *, processes: int | None = None, strict: bool | None = None, templates_dir: Path | None = None
) -> None:
    """Change the pool's settings (the next render starts a new pool with them)."""
    global _config
    _config = _PoolConfig(processes, strict, templates_dir)
    shutdown()


def _settings() -> tuple[int, bool, Path]:
    from wusong.core.settings import get_settings

    settings = get_settings()
    processes = _config.processes or settings.render_processes
    strict = _config.strict if _config.strict is not None else not settings.production
    return max(1, processes), strict, _config.templates_dir or settings.templates_dir


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _remove_orphaned_scratch() -> None:
    """The folders of pools whose parent process is gone (killed before it could clean)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*"):
        pid = folder.name.removeprefix(SCRATCH_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _get_pool() -> tuple[_Pool, int]:
    global _pool, _exit_registered
    processes, strict, templates_dir = _settings()
    with _pool_lock:
        if _pool is None:
            _remove_orphaned_scratch()
            scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
            _pool = _Pool(
                scratch,
                max_workers=processes,
                # spawn: a fork of a process with an event loop, database threads and locks
                # held by other threads can hang; a spawned process starts clean.
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(str(templates_dir), strict, str(scratch)),
            )
            if not _exit_registered:
                atexit.register(shutdown)
                _exit_registered = True
        return _pool, processes


def _kill(pool: _Pool) -> None:
    """Stop a pool at once, its busy processes included."""
    global _pool
    with _pool_lock:
        if _pool is pool:
            _pool = None
    processes = list(getattr(pool, "_processes", {}).values())
    for process in processes:
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=5)
    shutil.rmtree(pool.scratch, ignore_errors=True)


def shutdown() -> None:
    """Stop the pool (worker shutdown, tests); the next render starts a new one."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(pool.scratch, ignore_errors=True)


def _slot(processes: int) -> asyncio.Semaphore:
    """Renders waiting for a process wait here, so a render's time limit counts its own
    work, not the queue before it (one semaphore per event loop)."""
    loop = asyncio.get_running_loop()
    found = _slots.get(id(loop))
    if found is None or found[0] is not loop:
        found = (loop, asyncio.Semaphore(processes))
        _slots[id(loop)] = found
    return found[1]


async def render_pdf(
    template: str,
    context: dict[str, Any],
    *,
    title: str,
    author: str,
    timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 (it kills the render process)
) -> Rendered:
    """Render ``templates/<template>`` with ``context`` to PDF/A-3u in the render pool.

    ``title`` and ``author`` reach the template as ``document_title`` / ``document_author``
    (the PDF's metadata comes from ``<title>``, ``<meta name="author">`` and ``<html lang>``).
    RenderError: a permanent failure (template, forbidden URL, warning under strict, time).
    """
    loop = asyncio.get_running_loop()
    for attempt in (1, 2):
        pool, processes = _get_pool()
        async with _slot(processes):
            started = time.monotonic()
            try:
                future = pool.submit(_render_task, template, context, title, author)
            except (BrokenProcessPool, RuntimeError):
                _kill(pool)
                continue
            try:
                return await asyncio.wait_for(asyncio.wrap_future(future, loop=loop), timeout)
            except TimeoutError:
                _kill(pool)
                log.warning(
                    "render of %s killed after %.1f s", template, time.monotonic() - started
                )
                raise RenderError("生成超时") from None
            except BrokenProcessPool:
                # The process died (killed, out of memory, a timeout of another render):
                # one more try on a new pool.
                _kill(pool)
                if attempt == 2:
                    raise RenderError("生成文书的进程意外退出") from None
    raise RenderError("生成文书的进程意外退出")


def render_pid_list() -> list[int]:
    """The pool's process ids (tests)."""
    pool = _pool
    return [p.pid for p in getattr(pool, "_processes", {}).values() if p.pid] if pool else []


__all__ = [
    "RenderError",
    "Rendered",
    "bundled_assets",
    "cn_date",
    "configure",
    "qr_svg_data_uri",
    "render_in_process",
    "render_pdf",
    "shutdown",
    "yuan",
    "yuan_capital",
]
