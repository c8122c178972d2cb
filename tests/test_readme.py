"""The README's Python examples run, in order, and print what their comments promise."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_python_blocks_run_and_print_what_they_promise(tmp_path):
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert len(blocks) >= 2
    script = tmp_path / "readme.py"
    script.write_text("\n".join(blocks))
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,  # the durability example writes ./.prunus here, not in the repo
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "{'total': 10}"
    assert "6 True" in lines
    assert lines[-1] == "500500"  # SumTo(n=1000) resumed from ./.prunus
    assert (tmp_path / ".prunus" / "data.mdb").exists()
