"""Members: other daemons that joined the leader's Thespian convention, and what they offer.

A member is a Thespian system started with ``prunus daemon start --join HOST:PORT``. It
holds nothing durable; it lends the leader its cores and its capabilities. The leader's
admin tells the supervisor when one registers or is lost (Thespian's convention
notices, kept short by the daemon: see ``_thespian.HEARTBEAT_SECONDS``); this part
keeps the books so the supervisor can show them and match requirements against them.

Capabilities are ``KEY=NUMBER`` (a countable resource: ``gpu=2``) or ``KEY=TEXT`` (a
label: ``site=sns``). A requirement asks for at least that many units still free, or
for exactly that label. Plain code, no Thespian: unit-tested in tests/actors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from prunus.engine import resolve_process_class

__all__ = [
    "MEMBER_CAPABILITY",
    "PRUNUS_CAPABILITIES",
    "UNPLACED",
    "Member",
    "Members",
    "describe_requirements",
    "fits",
    "parse_capabilities",
    "requirements_for",
]

# The Thespian system capabilities a member publishes: its name (host:port) and its
# prunus capabilities (a plain dict, pickled by Thespian along with the rest).
MEMBER_CAPABILITY = "prunus.member"
PRUNUS_CAPABILITIES = "prunus.capabilities"

UNPLACED = -2  # a registry entry's host while no member can take the process

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")

Capabilities = Mapping[str, "int | str"]


def parse_capabilities(pairs: tuple[str, ...] | list[str]) -> dict[str, int | str]:
    """``("gpu=2", "site=sns")`` -> ``{"gpu": 2, "site": "sns"}``.

    Raises:
        ValueError: one line naming the pair at fault and why.
    """
    parsed: dict[str, int | str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not value or not _KEY.match(key):
            raise ValueError(f"bad capability {pair!r}: expected KEY=NUMBER or KEY=TEXT")
        if key in parsed:
            raise ValueError(f"bad capability {pair!r}: {key} is given twice")
        if value.isdigit():
            parsed[key] = int(value)
        else:
            parsed[key] = value
    return parsed


def fits(capabilities: Capabilities, in_use: Mapping[str, int], requirements: Capabilities) -> bool:
    """Whether a member with ``capabilities``, ``in_use`` units already taken, can take
    a process that asks for ``requirements`` (counts free, labels equal)."""
    for key, wanted in requirements.items():
        have = capabilities.get(key)
        if isinstance(wanted, int) and not isinstance(wanted, bool):
            if not isinstance(have, int) or have - in_use.get(key, 0) < wanted:
                return False
        elif have != wanted:
            return False
    return True


def requirements_for(
    process_class: str, placement: Mapping[str, int | str] | None
) -> dict[str, int | str]:
    """What a process asks of its host: the launch's ``placement`` if it gave one, else
    its class's ``spec.requires(...)`` ({} if the class cannot be imported here)."""
    if placement is not None:
        return dict(placement)
    cached = _CLASS_REQUIREMENTS.get(process_class)
    if cached is None:
        try:
            cached = resolve_process_class(process_class).spec().requirements
        except Exception:
            cached = {}
        _CLASS_REQUIREMENTS[process_class] = cached
    return dict(cached)


_CLASS_REQUIREMENTS: dict[str, dict[str, int | str]] = {}


def describe_requirements(requirements: Capabilities) -> str:
    """How a wait for a host is shown: ``gpu>=1, site=sns``."""
    return ", ".join(
        f"{key}>={value}" if isinstance(value, int) else f"{key}={value}"
        for key, value in sorted(requirements.items())
    )


@dataclass
class Member:
    """One member as the leader sees it."""

    name: str  # host:port of its admin
    address: Any  # its Thespian admin address
    capabilities: dict[str, int | str]
    joined: float  # wall-clock seconds
    in_use: dict[str, int] = field(default_factory=dict)
    processes: int = 0
    draining: bool = False  # being stopped: takes nothing new, its processes move
    last_heartbeat: float = 0.0  # wall-clock seconds of its last registration (or join)

    def to_data(self) -> dict[str, Any]:
        return {
            "address": self.name,
            "capabilities": dict(self.capabilities),
            "in_use": dict(self.in_use),
            "processes": self.processes,
            "joined": self.joined,
            "draining": self.draining,
            "last_heartbeat": self.last_heartbeat or self.joined,
        }


class Members:
    """The members now in the convention, by name; and when each was last heard of."""

    def __init__(self) -> None:
        self._members: dict[str, Member] = {}
        self.lost: list[tuple[str, float]] = []  # (name, when), most recent last
        self.draining: set[str] = set()  # names of members being drained

    def __len__(self) -> int:
        return len(self._members)

    def __contains__(self, name: object) -> bool:
        return name in self._members

    def get(self, name: str) -> Member | None:
        return self._members.get(name)

    def names(self) -> list[str]:
        return sorted(self._members)

    def update(
        self, address: Any, system_capabilities: Mapping[str, Any], added: bool, now: float
    ) -> Member | None:
        """A convention notice: a system joined (``added``) or was lost.

        Returns the member it concerns, or None for a system that is not a prunus
        member (another Thespian system in the convention is ignored).
        """
        name = system_capabilities.get(MEMBER_CAPABILITY)
        if not isinstance(name, str):
            return None
        if added:
            capabilities = dict(system_capabilities.get(PRUNUS_CAPABILITIES) or {})
            member = Member(name, address, capabilities, now)
            self._members[name] = member
            self.draining.discard(name)
            return member
        member = self._members.pop(name, None)
        self.draining.discard(name)
        if member is not None:
            self.lost.append((name, now))
            del self.lost[:-20]
        return member

    def heard(self, address: Any, age: float, now: float) -> None:
        """The member whose admin is ``address`` last registered ``age`` seconds
        before ``now`` (wall clock); others in the convention are ignored."""
        for member in self._members.values():
            if member.address == address:
                member.last_heartbeat = max(member.joined, now - age)

    def drain(self, name: str) -> None:
        """``name`` is being stopped: it is offered nothing new from now on."""
        self._members[name].draining = True
        self.draining.add(name)

    def take(self, name: str, requirements: Capabilities) -> None:
        """A process that asked for ``requirements`` was placed on ``name``."""
        member = self._members[name]
        member.processes += 1
        for key, value in requirements.items():
            if isinstance(value, int) and not isinstance(value, bool):
                member.in_use[key] = member.in_use.get(key, 0) + value

    def give_back(self, name: str, requirements: Capabilities) -> None:
        """A process placed on ``name`` ended (or moved away)."""
        member = self._members.get(name)
        if member is None:
            return
        member.processes -= 1
        for key, value in requirements.items():
            if isinstance(value, int) and not isinstance(value, bool):
                member.in_use[key] = member.in_use.get(key, 0) - value

    def candidates(self, requirements: Capabilities) -> list[str]:
        """Members that can take a process asking for ``requirements``, least busy first."""
        able = [
            m
            for m in self._members.values()
            if not m.draining and fits(m.capabilities, m.in_use, requirements)
        ]
        return [m.name for m in sorted(able, key=lambda m: (m.processes, m.name))]

    def status(self) -> list[dict[str, Any]]:
        return [self._members[name].to_data() for name in sorted(self._members)]
