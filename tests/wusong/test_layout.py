"""The source root named platform/ must not shadow the standard library's platform module."""

from __future__ import annotations

import subprocess
import sys

from tests.factories import ROOT_DIR


def test_stdlib_platform_works_in_process() -> None:
    import platform

    assert platform.system() == "Linux"
    assert hasattr(platform, "python_version")


def test_stdlib_platform_and_uuid_work_from_the_repo_root() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import platform, uuid; print(platform.system(), uuid.uuid4().version)",
        ],
        cwd=ROOT_DIR,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Linux", "4"]
    assert not (ROOT_DIR / "platform" / "__init__.py").exists()
