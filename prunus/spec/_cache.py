"""A process class's memoization settings, declared with ``spec.cacheable(...)``.

Only the declaration lives here; the key is computed by ``prunus.conditions`` and the
cache itself is kept by the runtime. The settings are part of the spec because they
are a promise about the class (same inputs and version, same outputs), not about one
launch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from prunus.errors import _describe

__all__ = ["CacheSettings"]


@dataclass(frozen=True, slots=True)
class CacheSettings:
    """How launches of a cacheable class are keyed.

    Attributes:
        version: part of the key; change it when the class's results change for the
            same inputs (a fixed bug, a new algorithm), and old entries stop matching.
        ignore: dotted input port paths left out of the key (a scratch directory, a
            verbosity flag): inputs that do not change the outputs.
    """

    version: str
    ignore: tuple[str, ...] = ()

    @classmethod
    def build(cls, version: object, ignore: Iterable[str]) -> CacheSettings:
        """Checked settings, with ``ignore`` sorted and deduplicated.

        Raises:
            ValueError: version is not a non-empty str, or ignore is a bare string or
                holds something that is not a non-empty str.
        """
        if not isinstance(version, str) or not version:
            raise ValueError(
                f"spec.cacheable(version=...) takes a non-empty str, got {_describe(version)}"
            )
        if isinstance(ignore, str | bytes):
            raise ValueError(
                f"spec.cacheable(ignore=...) takes a list of port paths, got the string "
                f"{ignore!r}; write ignore=({ignore!r},)"
            )
        paths = tuple(ignore)
        for path in paths:
            if not isinstance(path, str) or not path:
                raise ValueError(
                    "spec.cacheable(ignore=...) takes dotted input port paths, "
                    f"got {_describe(path)}"
                )
        return cls(version, tuple(sorted(set(paths))))
