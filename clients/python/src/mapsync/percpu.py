"""Per-CPU kernel maps (BPF_MAP_TYPE_PERCPU_ARRAY, PERCPU_HASH, LRU_PERCPU_HASH; FORMAT.md §6, §10.8): one value per
possible CPU for each element, which BPF programs update on their own CPU without atomics.

``m[i]`` / ``m.get(i)`` / ``h[key]`` read the sum of the CPUs' values, as Java's get does; ``m.get_per_cpu(i)`` /
``h.get_per_cpu(key)`` read every CPU's value and their sum from one lookup, as Java's getPerCpu does. The sum adds
every numeric field (integers wrap around at their width, as the kernel's counters do; floats add in their precision,
CPU 0 first); a field that is not a number (bool, char[N]) is CPU 0's. A write sets every CPU's value.
"""


class PerCpu(list):
    """Each possible CPU's value of one element, in CPU order (index ``c`` is the ``c``-th CPU of
    /sys/devices/system/cpu/possible), and ``sum``, their sum field by field (what ``get`` returns). A list: compare it
    with one, index it, iterate it."""

    def __init__(self, values, sum):
        super().__init__(values)
        self.sum = sum

    @property
    def values(self):
        """The values as a plain list."""
        return list(self)

    @property
    def cpus(self):
        """The number of values: the CPUs the kernel may ever bring online."""
        return len(self)

    def __eq__(self, other):
        if isinstance(other, PerCpu):
            return list(self) == list(other) and self.sum == other.sum
        return list.__eq__(self, other)

    __hash__ = None

    def __repr__(self):
        return "PerCpu(%s, sum=%r)" % (list.__repr__(self), self.sum)
