/**
 * The codecs behind {@link dev.mapsync.Codec}'s factories: scalars, fixed-size UTF-8 strings, Java records laid out
 * as C structs (compiled into a hidden class when every component is a primitive), and values driven by a schema
 * alone. Each reads and writes one value at an offset of a segment, little-endian, with C's layout (docs/FORMAT.md
 * §3 Data region and values). It may use {@code sys} and the public package's value types ({@code Codec},
 * {@code Schema} and the layout annotations).
 */
package dev.mapsync.internal.codec;
