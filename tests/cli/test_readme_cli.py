"""The README's command-line section: its module runs as shown, its exit table is true."""

from __future__ import annotations

import json
import os
import re
import subprocess

from prunus.cli import _errors
from tests.cli.helpers import PRUNUS, ROOT

README = (ROOT / "README.md").read_text()
SECTION = README.split("## Command line", 1)[1].split("\n## ", 1)[0]


def test_the_readme_module_runs_as_the_session_shows(tmp_path):
    [module] = re.findall(r"```py\n# flows.py\n(.*?)```", SECTION, re.S)
    (tmp_path / "flows.py").write_text(module)
    env = {key: value for key, value in os.environ.items() if key != "PRUNUS_HOME"}
    done = subprocess.run(
        [str(PRUNUS), "run", "flows:SumSquares", "-i", "n=3"],
        cwd=tmp_path,  # imported from the working directory, as the README says
        env={**env, "PYTHONPATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"total": 14}
    session = SECTION.split("```console\n", 1)[1]
    assert session.startswith('$ prunus run flows:SumSquares -i n=3\n{\n  "total": 14\n}\n')


def test_the_exit_status_table_is_the_one_the_code_uses():
    table = dict(re.findall(r"^\| (\d+) \| (.+?) \|$", SECTION, re.M))
    assert set(table) == {"0", "1", "2", "3", "4", "130"}
    assert "internal error" in table[str(_errors.EXIT_INTERNAL)]
    assert "unknown class or pid" in table[str(_errors.EXIT_ERROR)]
    assert "not FINISHED" in table[str(_errors.EXIT_PROCESS_FAILED)]
    assert "--max-wait" in table[str(_errors.EXIT_TIMEOUT)]
    assert "interrupted" in table[str(_errors.EXIT_INTERRUPTED)]
