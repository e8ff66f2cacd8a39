"""scripts/dev waits for another apt holding the dpkg lock instead of failing at once."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.factories import ROOT_DIR


def _functions(*names: str) -> str:
    """The named shell functions of scripts/dev (and its globals), to run them alone."""
    lines = (ROOT_DIR / "scripts" / "dev").read_text().splitlines()
    picked: list[str] = [line for line in lines if line.startswith("apt_updated=")]
    for name in names:
        start = next(i for i, line in enumerate(lines) if line.startswith(f"{name}()"))
        end = start
        while lines[end].rstrip() != "}" and not lines[end].rstrip().endswith("; }"):
            end += 1
        picked += lines[start : end + 1]
    return "\n".join(picked)


def test_apt_waits_for_the_dpkg_lock(tmp_path: Path) -> None:
    """Every apt-get that takes the dpkg lock (update, install) waits up to 10 minutes for it."""
    calls = tmp_path / "calls"
    fake = tmp_path / "bin"
    fake.mkdir()
    for name, body in {
        "dpkg-query": "exit 1",  # nothing installed
        "apt-get": f'echo "$*" >> {calls}',
        "sudo": 'exec "$@"',
        "id": "echo 1000",
    }.items():
        (fake / name).write_text(f"#!/bin/sh\n{body}\n")
        (fake / name).chmod(0o755)
    script = _functions("log", "as_root", "ensure_debian") + "\nensure_debian some-package\n"
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "-c", script], env=env, capture_output=True, text=True, check=False, timeout=30
    )
    assert done.returncode == 0, done.stderr
    invoked = calls.read_text().splitlines()
    assert [line.split()[-1] for line in invoked] == ["-qq", "some-package"]  # update, install
    assert all("-o DPkg::Lock::Timeout=600" in line for line in invoked), invoked


def test_the_readme_says_how_the_demo_runs_and_what_is_not_built() -> None:
    readme = (ROOT_DIR / "README.md").read_text()
    assert "runs in the foreground" in readme
    assert "Ctrl+C" in readme
    assert "## Not built yet" in readme
