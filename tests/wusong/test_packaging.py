"""The wheel carries everything the product needs: packages, migrations, static files and
every template (installed under <prefix>/share/wusong/templates, where settings look)."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

from tests.factories import ROOT_DIR


def test_the_wheel_ships_every_template_static_file_and_migration(tmp_path: Path) -> None:
    from wusong.core.settings import INSTALLED_TEMPLATES

    uv = shutil.which("uv") or str(ROOT_DIR / "var" / "bootstrap" / "bin" / "uv")
    # sdist first, then the wheel from it: nothing is built inside the checkout.
    built = subprocess.run(
        [uv, "build", "--quiet", "--out-dir", str(tmp_path / "dist")],
        cwd=ROOT_DIR,
        env={**os.environ, "TMPDIR": str(tmp_path)},  # uv leaves lock files in the temp folder
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    data = (
        f"wusong-0.1.0.data/data/{INSTALLED_TEMPLATES.relative_to(INSTALLED_TEMPLATES.parents[2])}"
    )
    templates = {
        p.relative_to(ROOT_DIR / "templates").as_posix()
        for suffix in ("*.html", "*.css")  # the PDF stylesheet sits beside its templates
        for p in (ROOT_DIR / "templates").rglob(suffix)
    }
    missing = {t for t in templates if f"{data}/{t}" not in names}
    assert not missing, f"templates left out of the wheel (pyproject data-files): {sorted(missing)}"
    platform = ROOT_DIR / "platform"
    for pattern in (
        "*/piccolo_migrations/*.py",
        "wusong/static/**/*",
        "*/*.py",
        "wusong/core/*.py",
        "*/*/*.py",
        "reports/documents/fonts/*",  # the bundled PDF fonts and their licence
    ):
        for path in platform.glob(pattern):
            if path.is_file():
                assert path.relative_to(platform).as_posix() in names, path
    assert "wusong/static/swagger-ui/swagger-ui-bundle.js" in names  # /schema works offline
