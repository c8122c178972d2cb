"""Every script in ``examples/`` runs as a real program; the tutorial prints what it says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
TUTORIAL_SECTIONS = [
    "Simple process",
    "Defining inputs and outputs",
    "Commands and actions",
    "Listeners",
    "Asynchronicity",
    "Pausing and playing",
    "WorkChains",
    "Conditionals",
    "The context and while conditional",
    "Interstep processes",
    "Persistence",
    "Control",
]


def run_example(path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def tutorial() -> dict[str, list[str]]:
    """The tutorial's output lines, split by section heading."""
    completed = run_example(ROOT / "examples" / "tutorial.py")
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == "", "the tutorial logs no warnings"
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in completed.stdout.splitlines():
        if line.startswith("== ") and line.endswith(" =="):
            current = sections.setdefault(line[3:-3], [])
        elif line:
            current.append(line)
    return sections


def follows(lines: list[str], expected: list[str]) -> bool:
    """Whether ``expected`` occurs in ``lines`` as a consecutive run."""
    return any(lines[i : i + len(expected)] == expected for i in range(len(lines)))


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_every_example_runs_to_the_end_without_errors(path):
    completed = run_example(path)
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr


def test_the_tutorial_prints_every_section_heading_in_order(tutorial):
    assert list(tutorial) == TUTORIAL_SECTIONS


def test_a_simple_process_goes_from_created_to_finished(tutorial):
    assert tutorial["Simple process"] == [
        "CREATED",
        "RUNNING",
        "FINISHED",
        "Success True",
        "Result None",
    ]


def test_a_spec_process_emits_its_nested_outputs(tutorial):
    lines = tutorial["Defining inputs and outputs"]
    assert lines[-1] == (
        "outputs: {'output1': 'my input', "
        "'output2': {'output2a': 'other input', 'output2b': 'default'}}"
    )
    description = "\n".join(lines)
    assert "'help': 'A help string'" in description
    assert "'default': \"'default'\"" in description


def test_a_process_killed_by_its_own_command_is_killed_with_its_message(tutorial):
    assert tutorial["Commands and actions"] == [
        "running",
        "continuing",
        "execute() raised KilledError: I was killed",
        "ProcessState.KILLED",
        "I was killed",
        "Success False",
    ]


def test_a_listener_sees_waiting_and_resumes_the_process(tutorial):
    assert tutorial["Listeners"] == ["CREATED", "RUNNING", "WAITING", "RUNNING", "FINISHED"]


def test_two_submitted_processes_interleave_their_steps(tutorial):
    lines = tutorial["Asynchronicity"]
    for name in ("process1", "process2"):
        steps = [line for line in lines if line.startswith(name)]
        assert steps == [f"{name} run"] + [f"{name} continued {i}" for i in range(1, 6)]
    # process2 starts before process1 has taken its last step, then they take turns
    assert lines.index("process2 run") < lines.index("process1 continued 5")
    assert lines.index("process1 continued 5") < lines.index("process2 continued 5")
    assert lines.count("-- waited: FINISHED") == 2


def test_a_self_paused_process_finishes_its_step_and_waits_to_be_played(tutorial):
    lines = tutorial["Pausing and playing"]
    assert follows(
        lines,
        [
            "PauseProcess: pausing",
            "PauseProcess: continue step",
            "QuickProcess",
            "PauseProcess: playing (state=RUNNING)",
            "PauseProcess: next step",
            "PauseProcess ended FINISHED",
        ],
    )


def test_a_process_paused_from_outside_takes_no_steps_until_killed(tutorial):
    lines = tutorial["Pausing and playing"]
    assert follows(
        lines,
        [
            "pause from outside: True",
            "TickProcess: paused=True state=RUNNING",
            "no tick while paused: True",
            "wait() on a paused process: WaitTimeoutError (nothing can play it)",
            "play: True",
            "kill: True",
            "TickProcess: state=KILLED status='enough ticking'",
            "kill again: False",
        ],
    )


def test_workchain_steps_and_conditionals_run_in_outline_order(tutorial):
    assert tutorial["WorkChains"] == ["step1", "step2"]
    assert tutorial["Conditionals"] == [
        "execute False",
        "  if",
        "execute True",
        "  if",
        "  conditional",
        "sign of 5: positive",
        "sign of -5: negative",
        "sign of 0: zero",
    ]
    assert tutorial["The context and while conditional"] == ["step 1", "step 2", "step 3"]


def test_workchains_waiting_for_a_child_let_the_other_workchain_run(tutorial):
    lines = tutorial["Interstep processes"]
    with_child = lines[lines.index("-- with a child process in step2") + 1 :]
    # each WorkChain reaches step2 and waits; the other one runs meanwhile
    assert with_child.index("wkchain2 step2") < with_child.index("wkchain1 step3")
    assert with_child.index("wkchain1 step2 process") < with_child.index("wkchain1 step3")
    ctx_line = "  ctx.process['value']='value' state=FINISHED is_finished_ok=True"
    assert with_child.count(ctx_line) == 2
    assert lines.count("  ctx=AttributesDict({})") == 2


def test_reports_and_a_failed_child_end_the_parent_with_its_exit_code(tutorial):
    assert tutorial["Persistence"] == [
        "report: init: ctx.step=1",
        "report: step2: ctx.step=2",
        "report: step3: ctx.step=3",
        "report: child ended EXCEPTED: ValueError: this child always fails",
        "CarefulWorkChain: state=FINISHED exit_status=400",
        "  label=ERROR_CHILD_FAILED message='the child process failed'",
        "  is_finished_ok: False",
    ]


def test_the_client_runs_and_controls_a_workchain(tutorial):
    assert tutorial["Control"] == [
        "run: {'result': 11}",
        "submit returned a pid: True",
        "status: ControlledWorkChain paused=True ended=False",
        "wait: state=FINISHED outputs={'result': 11}",
        "status: state=FINISHED step=final_step paused=False",
        "list: ControlledWorkChain FINISHED",
        "list: ControlledWorkChain FINISHED",
    ]


NEVER = "can never hold"


def test_park_fit_reuses_every_job_on_a_rerun_and_cancels_the_chain_of_a_failed_reduction():
    completed = run_example(ROOT / "examples" / "park_fit.py")
    assert completed.returncode == 0, completed.stderr
    sections: dict[str, list[list[str]]] = {}
    for line in completed.stdout.splitlines():
        if line.startswith("== "):
            current = sections.setdefault(line.strip("= "), [])
        else:
            current.append(line.split(None, 2))
    assert [row[2] for row in sections["first campaign"]] == ["ran"] * 5
    again = sections["same campaign again"]
    assert all(state == "FINISHED" and how.startswith("reused from ") for _, state, how in again)
    assert sections["a campaign whose reduction fails"] == [
        ["reduction", "EXCEPTED", "RuntimeError: cannot reduce badfile.nxs: corrupt run file"],
        [
            "fetch",
            "KILLED",
            "cancelled: reduction EXCEPTED, so reduction.finished_ok can never hold",
        ],
        ["upload", "FINISHED", again[2][2]],
        ["model", "FINISHED", again[3][2]],
        ["fit", "KILLED", "cancelled: fetch KILLED, so fetch.finished_ok " + NEVER],
    ]
    # every job's step ran exactly once over the three campaigns
    assert sections["files written"] == [
        [name, "1"]
        for name in ("fetched.refl", "fit.out", "model.egg", "model.sim", "reduced.refl")
    ]


def test_the_functions_example_shows_the_workflow_and_its_two_nested_calls():
    completed = run_example(ROOT / "examples" / "functions.py")
    assert completed.returncode == 0, completed.stderr
    out = completed.stdout
    assert "add_and_multiply(1, 2, 3) = 9" in out
    assert "result: 9" in out and "children: PID.0, PID.1" in out
    shows = out.split("== prunus process show ")[1:]
    assert [show.splitlines()[0] for show in shows] == ["PID ==", "PID.0 ==", "PID.1 =="]
    expected = [
        ("__main__:add_and_multiply", ["x  1", "y  2", "z  3"], "result  9"),
        ("__main__:add", ["x  1", "y  2"], "result  3"),
        ("__main__:multiply", ["x  3", "y  3"], "result  9"),
    ]
    for show, (cls, inputs, output) in zip(shows, expected, strict=True):
        lines = [line.strip() for line in show.splitlines()]
        assert f"class      {cls}".strip() in lines
        assert "state      FINISHED".strip() in lines
        block = lines[lines.index("Inputs:") + 1 : lines.index("Outputs:")]
        assert block == inputs
        assert lines[lines.index("Outputs:") + 1] == output
    status = out.split("== prunus process status ==")[1].splitlines()[1:4]
    assert [line.split()[1:] for line in status] == [
        ["add_and_multiply", "FINISHED"],
        ["add", "FINISHED"],
        ["multiply", "FINISHED"],
    ]
