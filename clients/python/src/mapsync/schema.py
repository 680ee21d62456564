"""Values as the stored schema says: a schema text parsed by libmapsync's mapsync_schema_fields into fields with
their C offsets, and each value packed and unpacked with the struct module.

A schema of fields is a dict (nested structs as nested dicts, in schema order), or, for a handle opened with
``tuples=True``, a named tuple of the schema's type ``value_type`` (nested structs as named tuples too); a schema of
one type is that type's Python value. Scalars are int, float or bool; ``scalar[N]`` a list; ``char[N]`` a str (UTF-8,
up to the first NUL). Writing takes a dict, a named tuple (its ``_asdict``) or any mapping with every field, whichever
way the handle reads. Immutable: thread-safe.
"""
import collections
import ctypes
import keyword
import struct

from . import _native as n
from .errors import InvalidValue, IncompatibleMap

_CODES = {n.I8: "b", n.I16: "h", n.I32: "i", n.I64: "q", n.U8: "B", n.U16: "H", n.U32: "I", n.U64: "Q",
          n.F32: "f", n.F64: "d", n.BOOL: "?"}
_INTEGERS = {n.I8, n.I16, n.I32, n.I64, n.U8, n.U16, n.U32, n.U64}
_SIGNED = {n.I8, n.I16, n.I32, n.I64}


class Leaf:
    """One scalar, scalar array or string of a value: its dotted name, path, kind, offset, and how it is packed."""
    __slots__ = ("name", "path", "kind", "offset", "size", "count", "array", "struct")

    def __init__(self, f):
        self.name = f.name.decode()
        self.path = tuple(self.name.split(".")) if self.name else ()
        self.kind, self.offset, self.size, self.count, self.array = f.kind, f.offset, f.size, f.count, f.array
        code = "%ds" % f.count if f.kind == n.CHARS else "<" + _CODES[f.kind] * f.count
        self.struct = struct.Struct(code)

    @property
    def integer(self):
        return self.kind in _INTEGERS and not self.array

    @property
    def signed(self):
        return self.kind in _SIGNED

    def unpack(self, buf):
        if self.kind == n.CHARS:
            raw = self.struct.unpack_from(buf, self.offset)[0]
            return raw.split(b"\0", 1)[0].decode("utf-8", "replace")
        values = self.struct.unpack_from(buf, self.offset)
        return list(values) if self.array else values[0]

    def pack(self, buf, value):
        try:
            if self.kind == n.CHARS:
                raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
                if len(raw) > self.count:
                    raise InvalidValue("%r is %d bytes, too long for field %s (char[%d])"
                                       % (value, len(raw), self.name or "value", self.count))
                self.struct.pack_into(buf, self.offset, raw)
            elif self.array:
                values = list(value)
                if len(values) != self.count:
                    raise InvalidValue("field %s holds %d values, not %d" % (self.name or "value", self.count, len(values)))
                self.struct.pack_into(buf, self.offset, *values)
            else:
                self.struct.pack_into(buf, self.offset, value)
        except (struct.error, OverflowError, TypeError, AttributeError) as e:
            raise InvalidValue("%r does not fit field %s: %s" % (value, self.name or "value", e)) from None


class Schema:
    """A value schema text parsed into leaves; ``size`` is the value's size in bytes. With ``tuples`` a value of fields
    decodes to a named tuple of ``value_type`` (None for a schema of one type) instead of a dict."""

    def __init__(self, text, tuples=False, type_name="Value"):
        self.text = text
        self._type_name = type_name
        self.tuples = tuples
        cap = n.SCHEMA_TEXT_MAX // 2 + 1
        fields = (n.Field * cap)()
        size = ctypes.c_uint32()
        count = n.LIB.mapsync_schema_fields(text.encode(), fields, cap, ctypes.byref(size))
        if count < 0:
            raise IncompatibleMap("schema %r is not a schema this library reads (errno %d)" % (text, -count), -count)
        self.size = size.value
        self.leaves = [Leaf(fields[i]) for i in range(count)]
        self.by_name = {leaf.name: leaf for leaf in self.leaves}
        self._integers = {}
        self.single = len(self.leaves) == 1 and self.leaves[0].name == ""
        self._flat = self._flat_struct()
        self._types = {} if self.single else self._tuple_types()
        self.value_type = self._types.get(())

    def _tuple_types(self):
        """A named tuple type for the value and for each nested struct, by path: fields in schema order."""
        names = {}
        for leaf in self.leaves:
            for i, part in enumerate(leaf.path):
                fields = names.setdefault(leaf.path[:i], [])
                if part not in fields:
                    fields.append(part)
        types = {}
        for path, fields in names.items():
            unusable = [f for f in fields if not f.isidentifier() or keyword.iskeyword(f) or f.startswith("_")]
            if unusable:  # such a schema reads as dicts only
                return {}
            name = path[-1][:1].upper() + path[-1][1:] if path else self._type_name
            types[path] = collections.namedtuple(name if name.isidentifier() else "Struct", fields)
        return types

    def _as_tuple(self, d, path=()):
        return self._types[path]._make(self._as_tuple(v, path + (k,)) if isinstance(v, dict) else v
                                       for k, v in d.items())

    def _flat_struct(self):
        """One struct.Struct for a record of top-level scalars (no strings, arrays or nested structs), else None."""
        if self.single or any(len(l.path) != 1 or l.array or l.kind == n.CHARS for l in self.leaves):
            return None
        fmt, pos = "<", 0
        for leaf in self.leaves:
            fmt += "x" * (leaf.offset - pos) + _CODES[leaf.kind]
            pos = leaf.offset + leaf.size
        return struct.Struct(fmt), tuple(leaf.name for leaf in self.leaves)

    def field(self, name, widths=(4, 8)):
        """The integer leaf an add works on: ``name`` (dotted for nested ones), or the value itself for None; its size
        one of ``widths`` (an array's atomics take 4 and 8 bytes; a hash map's add every width, under the key's lock)."""
        leaf = self._integers.get((name, widths))
        if leaf is None:
            leaf = self._integers.setdefault((name, widths), self._field(name, widths))
        return leaf

    def _field(self, name, widths):
        leaf = self.leaves[0] if name is None and self.single else self.by_name.get(name)
        if leaf is None:
            raise InvalidValue("no field %r in schema %s" % (name, self.text) if name is not None
                               else "the values of schema %s are records: name a field" % self.text)
        if not leaf.integer or leaf.size not in widths:
            bits = ["%d-" % (8 * w) for w in widths]
            sizes = ", ".join(bits[:-1]) + " or " + bits[-1] if len(bits) > 1 else bits[0]
            raise InvalidValue("field %s of schema %s is not %s %sbit integer"
                               % (name or "value", self.text, "an" if sizes.startswith("8") else "a", sizes))
        return leaf

    def decode(self, buf):
        """The Python value of the bytes ``buf``: a dict, or a named tuple when the schema reads as tuples."""
        if self.single:
            return self.leaves[0].unpack(buf)
        tuples = self.tuples and self.value_type is not None
        if self._flat is not None:
            values = self._flat[0].unpack_from(buf)
            return self.value_type._make(values) if tuples else dict(zip(self._flat[1], values))
        out = {}
        for leaf in self.leaves:
            d = out
            for part in leaf.path[:-1]:
                d = d.setdefault(part, {})
            d[leaf.path[-1]] = leaf.unpack(buf)
        return self._as_tuple(out) if tuples else out

    def encode(self, value):
        """The bytes of ``value`` (a ctypes buffer of ``size`` bytes). Raises InvalidValue naming the field."""
        buf = ctypes.create_string_buffer(max(self.size, 1))
        if self.single:
            self.leaves[0].pack(buf, value)
            return buf
        if self._flat is not None and (isinstance(value, dict) or type(value) is self.value_type):
            try:
                fields = value if type(value) is self.value_type else [value[name] for name in self._flat[1]]
                self._flat[0].pack_into(buf, 0, *fields)
                return buf
            except (KeyError, struct.error, OverflowError, TypeError):
                pass  # the field by field path below says which field is wrong
        for leaf in self.leaves:
            leaf.pack(buf, _lookup(value, leaf))
        return buf


def _lookup(value, leaf):
    v = value
    for i, part in enumerate(leaf.path):
        if hasattr(v, "_asdict"):
            v = v._asdict()
        try:
            v = v[part]
        except (KeyError, TypeError, IndexError):
            raise InvalidValue("no value for field %s in %r" % (".".join(leaf.path[:i + 1]), value)) from None
    return v


def wrap(v, bits, signed):
    """``v`` as an integer of ``bits`` bits wraps it, signed or not: what an atomic add leaves in such a field."""
    v &= (1 << bits) - 1
    if signed and v >= 1 << (bits - 1):
        v -= 1 << bits
    return v


def as_field(leaf, v):
    """``v`` wrapped to the width and signedness of the integer field ``leaf``."""
    return wrap(v, leaf.size * 8, leaf.signed)
