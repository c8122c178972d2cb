"""Running ``prunus``: in-process through click's runner, or as the installed command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from prunus.cli import main

ROOT = Path(__file__).resolve().parents[2]
PRUNUS = Path(sys.executable).with_name("prunus")  # the installed console script


def invoke(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
    """``prunus ARGS`` in-process through click's runner (stdout and stderr apart)."""
    return CliRunner().invoke(main, list(args), env=env, input=input, prog_name="prunus")


def run_prunus(
    *args: str, home: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """``prunus ARGS`` as a real OS process of the installed entry point."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PRUNUS_HOME", None)
    if home is not None:
        env["PRUNUS_HOME"] = str(home)
    return subprocess.run(
        [str(PRUNUS), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )
