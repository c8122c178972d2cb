"""A private RabbitMQ broker for the plumpy side: installed from Debian, bound to loopback.

``Broker.start()`` runs Debian's ``rabbitmq-server`` as this user with everything in a
temporary directory (node data, logs, config, Erlang cookie), no plugins, and every
listener on 127.0.0.1: AMQP, Erlang distribution and the port mapper (``epmd``, which
we start ourselves so that Erlang does not start a daemonised one we could not stop).
``stop()`` ends exactly the processes it started, by pid.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import _procfs

__all__ = ["Broker", "BrokerUnavailable", "ensure_installed"]

SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
POLICY = Path("/usr/sbin/policy-rc.d")


class BrokerUnavailable(Exception):
    """RabbitMQ cannot be installed or started here; the message says why."""


def ensure_installed(say) -> None:
    """Install ``rabbitmq-server`` with apt-get if it is missing (needs root).

    Services are kept from starting during the install (``policy-rc.d``): the package
    would otherwise start a broker listening on every interface.
    """
    if SERVER.exists() and shutil.which("epmd"):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise BrokerUnavailable("rabbitmq-server is not installed and apt-get needs root")
    say("installing rabbitmq-server from Debian (apt-get)...")
    installed_policy = not POLICY.exists()
    if installed_policy:
        POLICY.write_text("#!/bin/sh\n# written by prunus benchmarks/compare.py\nexit 101\n")
        POLICY.chmod(0o755)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "--no-install-recommends", "rabbitmq-server"]
    try:
        done = subprocess.run(install, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            subprocess.run(["apt-get", "update"], env=env, capture_output=True)
            done = subprocess.run(install, env=env, capture_output=True, text=True)
    finally:
        if installed_policy:
            POLICY.unlink()
    if done.returncode != 0 or not SERVER.exists():
        raise BrokerUnavailable(f"apt-get install rabbitmq-server failed: {done.stderr[-300:]}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _accepts(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class Broker:
    """One private RabbitMQ node on 127.0.0.1; use as a context manager."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}/"
        self.pid: int | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._server: subprocess.Popen[bytes] | None = None
        self._epmd: subprocess.Popen[bytes] | None = None
        self._seen: set[int] = set()

    def start(self, timeout: float = 90.0) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="prunus-bench-rmq-")
        tmp = Path(self._tmp.name)
        (tmp / "enabled_plugins").write_text("[].\n")
        (tmp / "rabbitmq.conf").write_text("")
        (tmp / "rabbitmq-env.conf").write_text("")
        epmd_port, dist_port = _free_port(), _free_port()
        env = dict(
            os.environ,
            HOME=str(tmp),
            ERL_EPMD_ADDRESS="127.0.0.1",
            ERL_EPMD_PORT=str(epmd_port),
            RABBITMQ_CONF_ENV_FILE=str(tmp / "rabbitmq-env.conf"),
            RABBITMQ_CONFIG_FILE=str(tmp / "rabbitmq"),
            RABBITMQ_ADVANCED_CONFIG_FILE=str(tmp / "advanced.config"),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(tmp / "enabled_plugins"),
            RABBITMQ_MNESIA_BASE=str(tmp / "mnesia"),
            RABBITMQ_LOG_BASE=str(tmp / "log"),
            RABBITMQ_PID_FILE=str(tmp / "rabbit.pid"),
            RABBITMQ_NODENAME=f"prunusbench{self.port}@localhost",
            RABBITMQ_NODE_IP_ADDRESS="127.0.0.1",
            RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_DIST_PORT=str(dist_port),
            RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}",
        )
        log = open(tmp / "server.out", "wb")  # noqa: SIM115 - closed right after the spawn
        try:
            self._epmd = subprocess.Popen(
                ["epmd", "-address", "127.0.0.1", "-port", str(epmd_port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            deadline = time.monotonic() + 10
            while not _accepts(epmd_port):
                if time.monotonic() > deadline or self._epmd.poll() is not None:
                    raise BrokerUnavailable("epmd did not start")
                time.sleep(0.05)
            self._server = subprocess.Popen(
                [str(SERVER)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            log.close()
        self.pid = self._server.pid
        deadline = time.monotonic() + timeout
        while not _accepts(self.port):
            self._seen |= _procfs.descendants(self.pid)
            if self._server.poll() is not None or time.monotonic() > deadline:
                tail = (tmp / "server.out").read_text(errors="replace")[-600:]
                self.stop()
                raise BrokerUnavailable(f"rabbitmq-server did not start:\n{tail}")
            time.sleep(0.25)
        self._seen |= _procfs.descendants(self.pid)

    def stop(self) -> list[int]:
        """Stop the broker and epmd; returns pids that had to be killed (should be [])."""
        killed: list[int] = []
        if self._server is not None:
            self._seen |= _procfs.descendants(self._server.pid)
            if self._server.poll() is None:
                self._server.send_signal(signal.SIGTERM)
            try:
                self._server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self._server.pid, signal.SIGKILL)
                self._server.wait()
        for pid in _procfs.wait_gone(self._seen, timeout=20):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
        if self._epmd is not None:
            if self._epmd.poll() is None:
                self._epmd.terminate()
            try:
                self._epmd.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._epmd.kill()
                self._epmd.wait()
        if self._tmp is not None:
            self._tmp.cleanup()
        self._server = self._epmd = self._tmp = None
        return killed

    def __enter__(self) -> Broker:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
