"""``prunus.Pid``: a pid that is still a plain ``str``, and the root of conditions.

``submit`` returns one, so ``client.submit(Fit, when=model.completed & fetch.finished_ok)``
reads like park's ``when=model.iscompleted & fetch.iscompleted``. Being a ``str``
subclass that adds no data, every older use of a pid (a dict key, ``==`` against the
text, JSON, a CLI argument) keeps working, and the codec stores it as its text.
"""

from __future__ import annotations

from prunus.conditions._expr import Atom, AtomKind, check_pid
from prunus.engine import install_pid_type
from prunus.persistence._codec import store_as_str

__all__ = ["Pid"]


class Pid(str):
    """A process id with the condition atoms of that process.

    ``Pid("3f9a0c1b2d4e")`` wraps a pid from elsewhere (the CLI, a file). Equality and
    hashing are those of the text: ``Pid("x") == "x"`` and both find the same dict entry.

    Raises:
        ConditionError: the text does not look like a pid.
    """

    __slots__ = ()

    def __new__(cls, pid: str) -> Pid:
        return super().__new__(cls, check_pid(pid))

    @property
    def completed(self) -> Atom:
        """Holds once the process ended, whichever way."""
        return Atom(self, AtomKind.COMPLETED)

    @property
    def finished_ok(self) -> Atom:
        """Holds once it FINISHED with exit status 0; never after any other ending."""
        return Atom(self, AtomKind.FINISHED_OK)

    @property
    def failed(self) -> Atom:
        """Holds once it EXCEPTED or FINISHED with a non-zero exit status."""
        return Atom(self, AtomKind.FAILED)

    @property
    def killed(self) -> Atom:
        """Holds once it was KILLED (a cancelled process is KILLED too)."""
        return Atom(self, AtomKind.KILLED)

    def __getnewargs__(self) -> tuple[str]:
        # Pickling (Thespian's multiprocess messages) rebuilds through __new__.
        return (str.__str__(self),)


store_as_str(Pid)
install_pid_type(Pid)  # Process.submit returns a Pid
