package dev.traininghealth.rules.event;

import java.util.Locale;
import java.util.Objects;

/**
 * A record that is not a valid event: {@link #kind()} says which class of problem (a bounded set,
 * fit for a metric label), the message names exactly what is wrong.
 */
public final class MalformedEventException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why a record was rejected, in few enough classes to label a counter with. */
  public enum Kind {
    /** No value at all (a tombstone or an empty record). */
    EMPTY,
    /** Over {@link EventCodec#MAX_RECORD_BYTES}. */
    TOO_LARGE,
    /** Not JSON, or JSON but not an object. */
    NOT_JSON,
    /** A {@code v} this codec does not speak. */
    UNSUPPORTED_VERSION,
    /** A {@code type} this codec does not know. */
    UNKNOWN_TYPE,
    /** A required field is absent or null. */
    MISSING_FIELD,
    /** A field of the wrong type, out of range, or with an unknown enumerated value. */
    INVALID_FIELD;

    /** The kind in snake case, as in metric labels: {@code unsupported_version}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Kind kind;

  public MalformedEventException(Kind kind, String message) {
    super(message);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public MalformedEventException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /** A rejection of kind {@link Kind#INVALID_FIELD}. */
  public MalformedEventException(String message) {
    this(Kind.INVALID_FIELD, message);
  }

  /** A rejection of kind {@link Kind#INVALID_FIELD}. */
  public MalformedEventException(String message, Throwable cause) {
    this(Kind.INVALID_FIELD, message, cause);
  }

  public Kind kind() {
    return kind;
  }
}
