package dev.mapsync;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an integer record component (or an integer array) as unsigned, so its schema says {@code u8},
 * {@code u16}, {@code u32} or {@code u64} instead of {@code i8} .. {@code i64}. The Java value keeps its bits:
 * read it with {@link Byte#toUnsignedInt}, {@link Integer#toUnsignedLong} or {@link Long#toUnsignedString}.
 * {@link Codec#record} reads it when it makes the codec, and refuses it on a component that is not an integer (or an
 * array of integers) with {@link IllegalArgumentException}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD})
public @interface Unsigned {}
