"""ProcessWriter: a step's new children are stored with it, and remembered with the
very status stored (the host reports that one, not a second one built again)."""

from __future__ import annotations

from prunus.actors._persisting import ProcessWriter, record_status
from prunus.engine import ProcessDriver
from prunus.persistence import MemoryStore
from tests.actors.helpers import Gate


def test_a_steps_new_children_are_remembered_with_the_status_stored_for_them():
    store, parent, child = MemoryStore(), Gate(), Gate()
    writer = ProcessWriter(store)
    writer.write(parent, ProcessDriver(parent).status(), None, [child], [])
    assert list(writer.first_written) == [child.pid]
    status = writer.first_written[child.pid]
    assert status == ProcessDriver(child).status()
    assert record_status(store.get_record(child.pid)) == status


def test_a_child_stored_before_is_not_written_again_nor_remembered():
    store, parent, child = MemoryStore(), Gate(), Gate()
    writer = ProcessWriter(store)
    writer.write(parent, ProcessDriver(parent).status(), None, [child], [])
    stored = store.get_record(child.pid)
    writer.write(parent, ProcessDriver(parent).status(), None, [child], [])  # a replay
    assert writer.first_written == {}
    assert store.get_record(child.pid) == stored
    writer.write(parent, ProcessDriver(parent).status(), None, [], [])
    assert writer.first_written == {}
