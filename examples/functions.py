"""Functions as processes: aiida's ``add_and_multiply`` (a workfunction calling two
calcfunctions) ported to ``@prunus.function``.

Run it with ``python examples/functions.py``. It calls the workflow from plain Python,
then runs it in a durable home and shows the tree of three processes (the workflow
and its two nested calls, each with its own pid, record, inputs and outputs) with the
``prunus`` CLI.
"""

from __future__ import annotations

import tempfile

import prunus
from prunus.cli import main as prunus_cli


@prunus.function
def add(x: int, y: int) -> int:
    """Add two numbers."""
    return x + y


@prunus.function
def multiply(x: int, y: int) -> int:
    """Multiply two numbers."""
    return x * y


@prunus.function
def add_and_multiply(x: int, y: int, z: int) -> int:
    """(x + y) * z: each nested call is a child process of this one."""
    total = add(x, y)
    return multiply(total, z)


def cli(*args: str) -> None:
    prunus_cli(list(args), standalone_mode=False)


if __name__ == "__main__":
    print("== plain Python ==")
    print("add_and_multiply(1, 2, 3) =", add_and_multiply(1, 2, 3))

    with tempfile.TemporaryDirectory() as home:
        with prunus.Client(home) as client:
            pid = client.submit(add_and_multiply, x=1, y=2, z=3)
            result = client.wait(pid)
            children = client.status(pid).children
        print("== result ==")
        print("result:", result["result"])
        print("children:", ", ".join(child.replace(pid, "PID") for child in children))
        print("== prunus process status ==")
        cli("process", "status", pid, "--home", home)
        for shown in (pid, *children):
            print(f"== prunus process show {shown.replace(pid, 'PID')} ==")
            cli("process", "show", shown, "--home", home)
