"""A host actor created on one chosen member, by an exact requirement.

Thespian places an actor whose class has ``actorSystemCapabilityCheck`` on a system of
the convention whose capabilities that check accepts. Prunus decides where each host
goes, so the check accepts exactly one system: the member whose name the supervisor
asked for (the leader, which publishes no member name, never accepts it).
"""

from __future__ import annotations

from typing import Any

from prunus.actors._host import HostActor
from prunus.actors._members import MEMBER_CAPABILITY

__all__ = ["MemberHost", "on_member"]


def on_member(name: str) -> dict[str, str]:
    """The requirement that puts an actor on member ``name`` and nowhere else."""
    return {MEMBER_CAPABILITY: name}


class MemberHost(HostActor):
    """A :class:`HostActor` that runs only on the member it was asked for."""

    @staticmethod
    def actorSystemCapabilityCheck(
        capabilities: dict[str, Any], requirements: dict[str, Any]
    ) -> bool:
        wanted = requirements.get(MEMBER_CAPABILITY)
        return wanted is not None and capabilities.get(MEMBER_CAPABILITY) == wanted
