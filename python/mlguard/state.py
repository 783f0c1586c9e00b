"""Partial results: the mergeable state of the rows read so far, as ``mlguard eval
--save-state`` writes it and ``mlguard merge`` merges it, for pipelines that read their data
in parts (Spark partitions, daily files, batches of a stream)."""

from __future__ import annotations

from typing import Any, Iterable, Optional

from mlguard import _options
from mlguard._native import merge_states as _merge_states
from mlguard._native import report_of_state as _report_of_state
from mlguard._native import save_state as _save_state
from mlguard.report import Report


class State:
    """The exact, mergeable state of rows read by mlguard: every count the report is finished
    from. ``State.of(data, …)`` reads a file or a table; ``merge`` adds another state's rows;
    ``report(…)`` finishes the report the whole data would give. ``to_bytes()`` is the file
    ``--save-state`` writes, so states move between processes, machines and the command line
    (``mlguard merge``)."""

    __slots__ = ("_bytes",)

    def __init__(self, data: bytes) -> None:
        self._bytes = bytes(data)

    @classmethod
    def of(cls, data: Any, **options: Any) -> "State":
        """The state of ``data`` (a path or a table, as :func:`mlguard.evaluate` takes), read
        with the options of :func:`mlguard.evaluate` that decide how rows are read (columns,
        segments, time windows, score reading)."""
        held: list = []
        path = _options.input_path(data, "data", held)
        return cls(_save_state(path, _options.given(_options.named(options))))

    @classmethod
    def from_bytes(cls, data: bytes) -> "State":
        """A state from the bytes of a state file (checked when it is merged or reported)."""
        return cls(data)

    def to_bytes(self) -> bytes:
        """The bytes of the state file, as ``mlguard eval --save-state`` writes it."""
        return self._bytes

    def merge(self, *others: "State") -> "State":
        """A state holding the rows of this one and of ``others``, in order; raises
        :class:`mlguard.MlguardError` when they were read differently."""
        return State(_merge_states([self._bytes, *(o._bytes for o in others)]))

    @staticmethod
    def merge_all(states: Iterable["State"]) -> "State":
        """The merge of ``states`` (at least one), pairwise as a tree: the order a
        distributed reduction merges in gives the same state."""
        level = list(states)
        if not level:
            raise ValueError("merge_all needs at least one state")
        while len(level) > 1:
            pairs = [level[i : i + 2] for i in range(0, len(level), 2)]
            level = [p[0].merge(p[1]) if len(p) == 2 else p[0] for p in pairs]
        return level[0]

    def report(self, reference: Optional[Any] = None, **options: Any) -> Report:
        """The report of the rows in this state, as ``mlguard merge`` gives it, with the report
        options of :func:`mlguard.evaluate` (rules, checks, a ``reference``)."""
        held: list = []
        rules = options.pop("rules", None)
        named = _options.named(options)
        if rules is not None:
            written = _options.rules(rules)
            for bound in ("min", "max"):
                if written[bound]:
                    named[bound] = {**named.get(bound, {}), **written[bound]}
        if reference is not None:
            named["reference"] = _options.input_path(reference, "reference", held)
        return Report(_report_of_state(self._bytes, _options.given(named)))

    def __len__(self) -> int:
        return len(self._bytes)

    def __repr__(self) -> str:
        return f"<mlguard.State: {len(self._bytes):,} bytes>"
