"""The README's "Coming from plumpy" table names every public name of plumpy 0.26."""

from __future__ import annotations

import re
from pathlib import Path

import prunus

ROOT = Path(__file__).resolve().parents[1]

# plumpy 0.26.1's ``plumpy.__all__`` (the union of its modules' ``__all__``).
PLUMPY_ALL = [
    "ClosedError",
    "InvalidStateError",
    "KilledError",
    "PersistenceError",
    "UnsuccessfulResult",
    "BundleKeys",
    "Process",
    "ProcessSpec",
    "TransitionFailed",
    "AttributesDict",
    "CancelledError",
    "Future",
    "chain",
    "copy_future",
    "create_task",
    "gather",
    "ContextMixin",
    "Bundle",
    "InMemoryPersister",
    "LoadSaveContext",
    "PersistedCheckpoint",
    "Persister",
    "PicklePersister",
    "Savable",
    "SavableFuture",
    "auto_persist",
    "Communicator",
    "DeliveryFailed",
    "RemoteException",
    "TaskRejected",
    "plum_to_kiwi_future",
    "wrap_communicator",
    "MessageBuilder",
    "ProcessLauncher",
    "RemoteProcessController",
    "RemoteProcessThreadController",
    "create_continue_body",
    "create_launch_body",
    "ProcessListener",
    "ToContext",
    "WorkChain",
    "WorkChainSpec",
    "if_",
    "return_",
    "while_",
    "DefaultObjectLoader",
    "ObjectLoader",
    "get_object_loader",
    "set_object_loader",
    "UNSPECIFIED",
    "InputPort",
    "OutputPort",
    "Port",
    "PortNamespace",
    "PortValidationError",
    "Continue",
    "Created",
    "Excepted",
    "Finished",
    "Interruption",
    "Kill",
    "KillInterruption",
    "Killed",
    "PauseInterruption",
    "ProcessState",
    "Running",
    "Stop",
    "Wait",
    "Waiting",
    "get_or_create_event_loop",
    "ensure_portal",
    "has_portal",
    "run_until_complete",
    "run_with_portal",
    "sync_await",
]


def _section() -> str:
    text = (ROOT / "README.md").read_text()
    return text.split("## Coming from plumpy", 1)[1].split("\n## ", 1)[0]


def test_every_public_plumpy_name_has_a_row_in_the_readme_table():
    named = set(re.findall(r"`([A-Za-z_]+)", _section()))
    assert [name for name in PLUMPY_ALL if name not in named] == []


def test_names_the_table_says_are_the_same_exist_in_prunus():
    same = {
        "Process",
        "WorkChain",
        "ProcessSpec",
        "WorkChainSpec",
        "ProcessListener",
        "Continue",
        "Wait",
        "Stop",
        "Kill",
        "UnsuccessfulResult",
        "if_",
        "while_",
        "return_",
        "ToContext",
        "ProcessState",
        "Port",
        "InputPort",
        "OutputPort",
        "PortNamespace",
        "PortValidationError",
        "AttributesDict",
        "ClosedError",
        "InvalidStateError",
        "KilledError",
    }
    assert [name for name in same if not hasattr(prunus, name)] == []
    process_api = [
        "raw_inputs",
        "logger",
        "status",
        "set_status",
        "paused",
        "pause",
        "play",
        "kill",
        "resume",
        "result",
        "successful",
        "is_successful",
        "killed",
        "killed_msg",
        "exception",
        "is_excepted",
        "has_terminated",
        "execute",
        "launch",
        "current",
        "get_description",
        "out",
        "exposed_inputs",
        "add_process_listener",
        "init",
        "on_create",
        "on_run",
        "on_finish",
        "on_except",
        "on_kill",
        "on_entered",
        "on_output_emitting",
    ]
    assert [name for name in process_api if not hasattr(prunus.Process, name)] == []
