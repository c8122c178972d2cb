"""Daemons on addresses other than 127.0.0.1: each ``--bind`` address stands in for
another machine (127.0.0.2 the leader, 127.0.0.3 a member), and the client reaches the
leader by ``HOST:PORT`` and a copy of its key, without its home.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from prunus import Client
from prunus.cli import main
from prunus.control import daemon_pids, daemon_status
from prunus.control._proc_table import listening_sockets
from tests.conftest import running_daemon
from tests.members.conftest import joined, running_member
from tests.members.workflows import WhereAmI
from tests.modes import eventually

pytestmark = pytest.mark.slow


def test_a_leader_and_a_member_on_their_own_addresses_listen_there_alone_and_run_work(
    tmp_path,
):
    with (
        running_daemon(tmp_path / "leader", workers=1, bind="127.0.0.2") as leader,
        running_member(tmp_path / "member", leader, "site=far", bind="127.0.0.3") as member,
    ):
        assert leader["address"] == f"127.0.0.2:{leader['port']}"
        assert member["address"] == f"127.0.0.3:{member['port']}"
        for info, address in ((leader, "127.0.0.2"), (member, "127.0.0.3")):
            sockets = listening_sockets(daemon_pids(info))
            assert sockets, "a running daemon listens somewhere"
            assert {where for where, _, _ in sockets} == {address}
        eventually(lambda: joined(tmp_path / "leader", member))
        far_hosts = set(joined(tmp_path / "leader", member)["host_pids"])
        key = tmp_path / "leader" / "secret.key"
        # a client that knows the address and holds the key, not the home
        with Client.connect(address=leader["address"], key=key) as client:
            far = client.submit(WhereAmI, placement={"site": "far"})
            near = client.submit(WhereAmI)
            assert client.wait(far, timeout=60)["os_pid"] in far_hosts
            assert client.wait(near, timeout=60).is_finished_ok
        assert daemon_status(tmp_path / "member")["joined"] is True


def test_the_cli_reaches_a_daemon_by_its_address_and_key_file(tmp_path):
    with running_daemon(tmp_path / "leader", workers=1, bind="127.0.0.2") as leader:
        key = str(tmp_path / "leader" / "secret.key")
        runner = CliRunner()
        listed = runner.invoke(
            main, ["--address", leader["address"], "--key-file", key, "process", "list"]
        )
        assert listed.exit_code == 0, listed.output
        wrong_port = runner.invoke(
            main,
            ["--address", f"127.0.0.2:{leader['port'] + 1}", "--key-file", key, "process", "list"],
        )
        assert wrong_port.exit_code != 0
        assert f"127.0.0.2:{leader['port'] + 1}" in wrong_port.output


@pytest.mark.parametrize(
    ("bind", "reason"),
    [
        ("0.0.0.0", "one IPv4 address of this machine"),
        ("192.0.2.7", "not an address of this machine"),
        ("somewhere", "expected an IPv4 address"),
    ],
)
def test_a_bind_address_that_cannot_be_listened_on_is_refused_in_one_line(tmp_path, bind, reason):
    result = CliRunner().invoke(
        main, ["daemon", "start", "--home", str(tmp_path / "h"), "--bind", bind]
    )
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and bind in lines[0] and reason in lines[0], result.output
    assert not (tmp_path / "h" / "daemon.json").exists()
