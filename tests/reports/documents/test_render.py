"""The render engine on real WeasyPrint output read back with pypdf: real glyphs for rare name
characters, nothing fetched for hostile text, forbidden URLs fatal, no warning tolerated,
PDF/A-3u metadata, page numbers and running header, the pool's time limit."""

from __future__ import annotations

import asyncio
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from reports.documents import render
from reports.documents.render import RenderError, render_in_process
from tests.factories import ROOT_DIR
from tests.reports.documents import pdfcheck, samples

TEMPLATES = ROOT_DIR / "templates"
RARE = ["李䶮", "王𠮷", "张堃", "赵昇", "钱喆"]
HOSTILE = [
    '<img src="file:///etc/passwd">',
    '<link rel=attachment href="file:///etc/passwd">',
    "</p><style>@import url(file:///etc/passwd);</style>",
    "x{background:url(file:///etc/passwd)}",
]


@pytest.fixture(scope="module")
def worker() -> Any:
    """A render process's state in this process, strict: any WeasyPrint warning fails."""
    return render._Worker(TEMPLATES, strict=True)


def _render(worker: Any, template: str, context: dict[str, Any]) -> tuple[bytes, list[str]]:
    calls: list[str] = []
    rendered = render_in_process(
        template, context, "人民调解协议书（2026）梨调字第0007号", "梨树县", worker=worker,
        observe=lambda fetcher: calls.extend(fetcher.calls),
    )  # fmt: skip
    return rendered.pdf, calls


def _with_names(names: list[str], **person: Any) -> dict[str, Any]:
    parties = [
        {**samples.PARTIES[0], "id": f"p{i}", "name": name, "role_label": "申请人", **person}
        for i, name in enumerate(names)
    ]
    return samples.agreement_context(parties=parties)


def test_rare_name_characters_come_out_with_real_glyphs(worker: Any) -> None:
    pdf, _ = _render(worker, "pdf/agreement.html", _with_names([*RARE, "孙建国"]))
    text = pdfcheck.text(pdf)
    for name in [*RARE, "孙建国"]:
        assert name in text
    glyphs = pdfcheck.glyphs(pdf)
    assert glyphs.notdef() == {}, "characters drawn as .notdef"
    fonts = pdfcheck.font_names(pdf)
    assert {"Wusong-Serif", "Wusong-Serif-Bold"} <= fonts  # the bundled subset
    assert fonts & {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC"}  # the system fallback


def test_the_glyph_check_sees_a_character_no_font_has() -> None:
    # The check above can fail: U+2FFFF is in no font, WeasyPrint draws it as .notdef (with a
    # warning, so only a non-strict render gets this far).
    lenient = render._Worker(TEMPLATES, strict=False)
    pdf, _ = _render(lenient, "pdf/agreement.html", _with_names(["张\U0002ffff"]))
    assert pdfcheck.glyphs(pdf).notdef()
    with pytest.raises(RenderError, match="警告"):
        _render(render._Worker(TEMPLATES, strict=True), "pdf/agreement.html",
                _with_names(["张\U0002ffff"]))  # fmt: skip


def test_hostile_text_is_shown_as_text_and_fetches_nothing(worker: Any) -> None:
    context = _with_names(HOSTILE, address=HOSTILE[0], agent_name=HOSTILE[1])
    context["agreement"]["facts"] = " ".join(HOSTILE)
    context["case"]["committee"] = HOSTILE[3]
    pdf, calls = _render(worker, "pdf/agreement.html", context)
    text = pdfcheck.text(pdf)
    for hostile in HOSTILE:
        assert "".join(hostile.split()) in text
    assets = set(render.bundled_assets(TEMPLATES))
    assert calls, "the fetcher was not consulted"
    assert all(url in assets or url.startswith("data:") for url in calls), calls
    assert not any("passwd" in url for url in calls)


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="file:///etc/passwd">',
        '<link rel="attachment" href="file:///etc/passwd">',
        '<link rel="stylesheet" href="https://example.com/x.css">',
        '<div style="background: url(file:///etc/hostname)">x</div>',
        '<img src="wusong-asset:fonts/../../../etc/passwd">',
    ],
)
def test_a_template_reaching_for_a_forbidden_url_fails(tmp_path: Path, markup: str) -> None:
    (tmp_path / "pdf").mkdir()
    shutil.copy(TEMPLATES / "pdf" / "print.css", tmp_path / "pdf" / "print.css")
    (tmp_path / "pdf" / "bad.html").write_text(
        '<html lang="zh-CN"><head><title>t</title>'
        '<link rel="stylesheet" href="wusong-asset:pdf/print.css"></head>'
        f"<body><p>正文</p>{markup}</body></html>",
        encoding="utf-8",
    )
    with pytest.raises(RenderError, match="不允许访问的地址"):
        render_in_process("pdf/bad.html", {}, "t", "a", worker=render._Worker(tmp_path, True))


def test_template_errors_are_render_errors(worker: Any) -> None:
    with pytest.raises(RenderError, match="文书模板不存在"):
        render_in_process("pdf/none.html", {}, "t", "a", worker=worker)
    with pytest.raises(RenderError, match="文书模板不存在"):
        render_in_process("base.html", {}, "t", "a", worker=worker)
    with pytest.raises(RenderError, match="文书模板错误"):
        render_in_process("pdf/agreement.html", {}, "t", "a", worker=worker)  # no context


def test_pdf_a_metadata_page_numbers_and_running_header(worker: Any) -> None:
    pdf, _ = _render(worker, "pdf/agreement.html", samples.agreement_context())
    reader = pdfcheck.reader(pdf)
    pages = len(reader.pages)
    assert pages >= 3
    assert reader.metadata is not None
    assert reader.metadata.title == "人民调解协议书（2026）梨调字第0007号"
    assert reader.metadata.author == "梨树县"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "zh-CN"
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp
    assert 'pdfaid:conformance="U"' in xmp
    assert "/OutputIntents" in root
    for number, page in enumerate(reader.pages, 1):
        text = "".join((page.extract_text() or "").split())
        assert f"第{number}页共{pages}页" in text
        assert "梨树县（2026）梨调字第0007号" in text  # the running header: tenant, number
        assert "验证码K7QM-4XPD" in text


def test_the_agreement_shows_verification_issue_and_version(worker: Any) -> None:
    context = samples.agreement_context()
    context.update(document_version=2, supersedes="（2026）梨调字第0007号第1版")
    text = pdfcheck.text(_render(worker, "pdf/agreement.html", context)[0])
    assert "文书验证码：K7QM-4XPD" in text
    assert "扫码或登录https://wusong.example.cn/verify输入验证码核验真伪" in text
    assert "出具日期：2026年3月20日" in text
    assert "第2版（取代（2026）梨调字第0007号第1版）" in text
    assert "12,000.00元（大写：壹万贰仟元整）" in text
    assert "合计人民币15,200.50元（大写：壹万伍仟贰佰元伍角）" in text
    assert "本协议一式四份，当事人各执一份，人民调解委员会留存一份" in text
    assert "霍家店村人民调解委员会（印）" in text


def test_a_draft_is_marked(worker: Any) -> None:
    text = pdfcheck.text(
        _render(worker, "pdf/agreement.html", samples.agreement_context(draft=True))[0]
    )
    assert "草稿未生效仅供核对" in text
    assert "尚未签署" in text


@pytest.mark.parametrize(
    ("amount", "capital"),
    [
        ("12000", "壹万贰仟元整"), ("3200.50", "叁仟贰佰元伍角"), ("105.06", "壹佰零伍元零陆分"),
        ("0", "零元整"), ("0.05", "伍分"), ("10", "壹拾元整"), ("1010", "壹仟零壹拾元整"),
        ("100100", "壹拾万零壹佰元整"), ("1000000.05", "壹佰万元零伍分"),
        ("100010000", "壹亿零壹万元整"), ("10005", "壹万零伍元整"),
    ],
)  # fmt: skip
def test_capital_numerals(amount: str, capital: str) -> None:
    assert render.yuan_capital(Decimal(amount)) == capital


def test_small_formatters() -> None:
    assert render.yuan(Decimal("12000")) == "12,000.00元"
    assert render.yuan(None) == ""
    assert render.cn_date(date(2026, 3, 5)) == "2026年3月5日"
    assert [render.cn_number(n) for n in (1, 10, 11, 20, 23, 105)] == [
        "一", "十", "十一", "二十", "二十三", "一百零五"
    ]  # fmt: skip
    assert render.verify_page("https://x.cn/verify/abc") == "https://x.cn/verify"
    assert render.qr_svg_data_uri("https://x.cn/verify/abc").startswith("data:image/svg+xml")


# ---- the pool ---------------------------------------------------------------------------------


@pytest.fixture
def strict_pool() -> Any:
    render.configure(processes=1, strict=True, templates_dir=TEMPLATES)
    yield
    render.configure()


def _scratch() -> Path:
    assert render._pool is not None
    return render._pool.scratch


async def test_the_pool_renders_and_survives_its_time_limit(strict_pool: Any) -> None:
    context = samples.agreement_context()
    first = await render.render_pdf("pdf/agreement.html", context, title="协议", author="梨树县")
    assert first.pdf.startswith(b"%PDF-")
    assert first.pages >= 3
    before = render.render_pid_list()
    killed = _scratch()
    assert any(killed.glob("weasyprint-*/*")), "the process's fonts are in the pool's folder"
    with pytest.raises(RenderError, match="生成超时"):
        await render.render_pdf(
            "pdf/agreement.html", context, title="协议", author="梨树县", timeout=0.001
        )
    again = await render.render_pdf("pdf/case_file.html", samples.case_file_context(),
                                    title="案卷", author="梨树县")  # fmt: skip
    assert again.pages >= 3
    assert render.render_pid_list() != before  # the stuck process was replaced
    assert not killed.exists()  # the killed pool's files went with it
    with pytest.raises(RenderError, match="文书模板错误"):
        await render.render_pdf("pdf/agreement.html", {}, title="t", author="a")


@pytest.fixture
def orphan() -> Any:
    """A pool folder left by a parent that died (no process has an id above pid_max)."""
    never = int(Path("/proc/sys/kernel/pid_max").read_text()) + 1
    folder = Path(render.tempfile.gettempdir()) / f"{render.SCRATCH_PREFIX}{never}-test"
    (folder / "weasyprint-x").mkdir(parents=True)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


async def test_a_pool_leaves_no_files_behind(strict_pool: Any, orphan: Path) -> None:
    """WeasyPrint removes its font folder only when its FontConfiguration is collected, which a
    pool process never does on exit: the pool's folder goes when the pool stops, and a folder
    left by a parent that died is removed when the next pool starts."""
    await render.render_pdf("pdf/agreement.html", samples.agreement_context(), title="协议",
                            author="梨树县")  # fmt: skip
    assert not await asyncio.to_thread(orphan.exists)
    scratch = _scratch()
    assert any(scratch.glob("weasyprint-*/*"))
    render.shutdown()
    assert not await asyncio.to_thread(scratch.exists)


def test_a_render_state_in_this_process_takes_its_font_folder_with_it() -> None:
    import gc

    state = render._Worker(TEMPLATES, strict=True)
    folder = Path(state.font_config._folder)
    assert any(folder.iterdir())
    del state
    gc.collect()
    assert not folder.exists()
