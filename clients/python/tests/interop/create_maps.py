"""create_maps.py PREFIX: creates PREFIX-array (8 values of "a:i64,b:i64", value i set to {a: i, b: -i}) and
PREFIX-hash ("u64" keys to "i64" values, capacity 100; keys 1..5 put to key * 11), closes both, prints "made"."""
import sys

import mapsync

prefix = sys.argv[1]
with mapsync.create_array(prefix + "-array", "a:i64,b:i64", 8) as array:
    for i in range(8):
        array[i] = {"a": i, "b": -i}
with mapsync.create_hash(prefix + "-hash", "u64", "i64", 100) as h:
    for k in range(1, 6):
        h[k] = k * 11
print("made")
