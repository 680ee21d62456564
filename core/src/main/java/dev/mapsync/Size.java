package dev.mapsync;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives an array record component its fixed length: {@code @Size(4) int[] hits} is C's {@code int32_t hits[4]};
 * {@code @Size(32) byte[] key} is {@code uint8_t key[32]}. {@link Codec#record} reads it when it makes the codec (an
 * array component without it is refused there, with {@link IllegalArgumentException}); an array of another length
 * is refused when written, with {@link InvalidValueException}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD})
public @interface Size {
    /** {@return the number of elements} */
    int value();
}
