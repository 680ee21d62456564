"""Values as named tuples (``tuples=True``): read as named tuples of the schema's value_type, nested structs too,
written as named tuples or dicts alike, and what Java reads of them; and a hash map's add on every integer width."""
import unittest

from support import MapFolder, mapsync

SCHEMA = "id:i64,owner:char[8],pos:{x:f32,y:f64},tags:u8[2]"


class TupleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = MapFolder()
        cls.dir.cli("create", "things", "--value", SCHEMA, "--entries", "4")
        cls.dir.cli("create", "pairs", "--value", "a:i64,b:i32", "--entries", "4")
        cls.dir.cli("create", "routes", "--type", "hash", "--key", "src:u32,port:u16",
                    "--value", "b:i8,s:i16,w:u16,i:i32,u:u8,l:i64", "--entries", "16")
        cls.dir.cli("create", "links", "--type", "hash", "--key", "src:u32,port:u16", "--value", "a:i64,l:i64",
                    "--entries", "16")
        cls.dir.cli("set", "things", "1", "id=7,owner=ada,pos.x=1.5,pos.y=2.5,tags=[3,4]")

    @classmethod
    def tearDownClass(cls):
        cls.dir.remove()

    def test_values_read_as_named_tuples_nested_ones_too(self):
        with mapsync.open("things", tuples=True) as m:
            v = m[1]
            self.assertIsInstance(v, m.schema.value_type)
            self.assertEqual(("id", "owner", "pos", "tags"), type(v)._fields)
            self.assertEqual((7, "ada", (1.5, 2.5), [3, 4]), tuple(v))
            self.assertEqual((1.5, 2.5), (v.pos.x, v.pos.y))
            self.assertEqual("Pos", type(v.pos).__name__)
            self.assertIs(m.value_type, type(v))
        with mapsync.open("things") as m:  # dicts unless asked
            self.assertEqual({"id": 7, "owner": "ada", "pos": {"x": 1.5, "y": 2.5}, "tags": [3, 4]}, m[1])

    def test_named_tuples_and_dicts_are_written_alike(self):
        with mapsync.open("things", tuples=True) as m:
            Thing, Pos = m.schema.value_type, type(m[0].pos)
            m[2] = Thing(id=9, owner="bob", pos=Pos(x=-1.0, y=0.5), tags=[1, 2])
            m[3] = {"id": 10, "owner": "cy", "pos": {"x": 2.0, "y": 3.0}, "tags": [5, 6]}
            self.assertEqual(Thing(9, "bob", Pos(-1.0, 0.5), [1, 2]), m[2])
            self.assertEqual(Thing(10, "cy", Pos(2.0, 3.0), [5, 6]), m[3])
        self.assertEqual("id=9,owner=bob,pos.x=-1.0,pos.y=0.5,tags=[1,2]", self.dir.cli("get", "things", "2").stdout.strip())
        with mapsync.open("pairs", tuples=True) as p:  # a record of scalars: one struct for the whole value
            p[0] = p.schema.value_type(a=-5, b=6)
            p[1] = {"a": 1, "b": 2}
            self.assertEqual([(-5, 6), (1, 2)], [tuple(p[0]), tuple(p[1])])
            self.assertEqual("a", p[0]._fields[0])
        self.assertEqual("a=-5,b=6", self.dir.cli("get", "pairs", "0").stdout.strip())

    def test_hash_keys_of_fields_are_named_tuples_that_can_key_a_dict(self):
        with mapsync.open("links", tuples=True) as h:
            Key = h.key_type
            self.assertEqual("Key", Key.__name__)
            h[Key(src=1, port=80)] = {"a": 0, "l": 1}
            h[{"src": 2, "port": 443}] = h.value_type(0, 2)
            found = dict(h.items())
            self.assertEqual({Key(1, 80), Key(2, 443)}, set(found))
            self.assertEqual(2, found[Key(2, 443)].l)
            self.assertEqual(1, h[Key(1, 80)].l)

    def test_a_hash_add_takes_every_integer_width_and_wraps_at_it(self):
        with mapsync.open("routes") as h:
            key = {"src": 9, "port": 9}
            self.assertEqual(0, h.add(key, 127, field="b"))
            self.assertEqual(127, h.add(key, 1, field="b"))          # i8 wraps to -128
            self.assertEqual(0, h.add(key, -32768, field="s"))
            self.assertEqual(-32768, h.add(key, -1, field="s"))      # i16 wraps to 32767
            self.assertEqual(0, h.add(key, 65535, field="w"))
            self.assertEqual(65535, h.add(key, 2, field="w"))        # u16 wraps to 1
            self.assertEqual(0, h.add(key, 300, field="u"))           # u8: 300 is 44
            self.assertEqual(0, h.add(key, -1, field="i"))
            self.assertEqual(0, h.add(key, 1 << 40, field="l"))
            self.assertEqual({"b": -128, "s": 32767, "w": 1, "i": -1, "u": 44, "l": 1 << 40}, h[key])
            with self.assertRaises(mapsync.InvalidValue) as e:
                h.add(key, 1, field="nope")
            self.assertIn("no field 'nope'", str(e.exception))
        out = self.dir.cli("get", "routes", "src=9,port=9").stdout.strip()
        self.assertEqual("b=-128,s=32767,w=1,i=-1,u=44,l=1099511627776", out)

    def test_an_array_add_stays_on_32_and_64_bit_fields(self):
        with mapsync.open("pairs") as p, self.assertRaises(mapsync.InvalidValue) as e:
            p.add(0, 1, field="nope")
        self.assertIn("no field", str(e.exception))
        self.dir.cli("create", "narrow", "--value", "a:i16", "--entries", "1")
        with mapsync.open("narrow") as m, self.assertRaises(mapsync.InvalidValue) as e:
            m.add(0, 1, field="a")
        self.assertEqual("field a of schema a:i16 is not a 32- or 64-bit integer", str(e.exception))


if __name__ == "__main__":
    unittest.main()
