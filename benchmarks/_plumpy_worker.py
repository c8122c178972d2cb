"""A plumpy daemon worker: a ``ProcessLauncher`` serving a RabbitMQ task queue.

Run by ``_plumpy_side.py`` in the plumpy virtualenv, one OS process per worker, the
way an aiida daemon worker hosts plumpy processes: one asyncio loop, a kiwipy
``RmqThreadCommunicator`` (its own I/O thread) and a ``PicklePersister``. Launch tasks
reach the ``ProcessLauncher`` through ``plumpy.wrap_communicator``, so processes are
created and stepped on the worker's loop.

Processes made by ``ProcessLauncher`` get their constructor arguments from the task
message, which cannot carry a communicator; the object loader below hands the
launcher the process class with the communicator bound, so every process registers
for RPCs (status, pause, play, kill) and broadcasts. Processes get the thread
communicator itself, as in plumpy's own RabbitMQ tests: through the loop wrapper,
about a third of the RPC replies never arrived (measured: 135 of 400 timed out).

Prints ``ready`` on stdout once subscribed; stops on SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import signal
import sys
from typing import Any

import _plumpy_workloads as workloads
import plumpy
from kiwipy import rmq


class _CommunicatorLoader(plumpy.DefaultObjectLoader):
    """Loads process classes with this worker's communicator bound to the constructor."""

    def __init__(self, communicator: Any) -> None:
        self._communicator = communicator

    def load_object(self, identifier: str) -> Any:
        obj = super().load_object(identifier)
        if isinstance(obj, type) and issubclass(obj, plumpy.Process):
            return functools.partial(obj, communicator=self._communicator)
        return obj


def connect(url: str, prefix: str, prefetch: int = 0) -> rmq.RmqThreadCommunicator:
    """A thread communicator on this run's private exchanges and task queue."""
    return rmq.RmqThreadCommunicator.connect(
        connection_params={"url": url},
        message_exchange=f"{prefix}.messages",
        task_exchange=f"{prefix}.tasks",
        task_queue=f"{prefix}.tasks",
        task_prefetch_count=prefetch,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--persist-dir", required=True)
    parser.add_argument("--prefetch", type=int, default=200)
    args = parser.parse_args()

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    communicator = connect(args.url, args.prefix, args.prefetch)
    loop_communicator = plumpy.wrap_communicator(communicator, loop)
    persister = plumpy.PicklePersister(args.persist_dir)
    workloads.PERSISTER = persister
    launcher = plumpy.ProcessLauncher(
        loop=loop, persister=persister, loader=_CommunicatorLoader(communicator)
    )
    loop_communicator.add_task_subscriber(launcher)
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    print("ready", flush=True)
    try:
        loop.run_forever()
    finally:
        communicator.close()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
