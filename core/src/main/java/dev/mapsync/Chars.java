package dev.mapsync;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives a {@code String} record component its field size: {@code @Chars(16) String owner} is C's
 * {@code char owner[16]}, a UTF-8 string of at most 16 bytes, padded with NUL bytes. A longer string is
 * refused with {@link InvalidValueException}, never cut. {@link Codec#record} reads it when it makes the codec (a
 * {@code String} component without it is refused there, with {@link IllegalArgumentException}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD})
public @interface Chars {
    /** {@return the field size in bytes} */
    int value();
}
