package dev.traininghealth.daemon.ingest;

import dev.traininghealth.rules.event.MalformedEventException;
import java.util.Locale;

/**
 * Why a record was dead-lettered, in a few classes so that the {@code reason} label of {@code
 * th_dead_letters_total} stays bounded; the full message travels with the record.
 */
public enum DeadLetterReason {
  /** No value at all (a tombstone or an empty record). */
  EMPTY,
  TOO_LARGE,
  /** Not JSON, or JSON but not an object. */
  NOT_JSON,
  UNSUPPORTED_VERSION,
  UNKNOWN_TYPE,
  MISSING_FIELD,
  /** A field of the wrong type, out of range, or with an unknown enumerated value. */
  INVALID_FIELD,
  /** The record's key is not the event's job, which would break per-job ordering. */
  KEY_MISMATCH;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The class of a codec rejection: the codec's own {@link MalformedEventException#kind()}. */
  public static DeadLetterReason of(MalformedEventException e) {
    return switch (e.kind()) {
      case EMPTY -> EMPTY;
      case TOO_LARGE -> TOO_LARGE;
      case NOT_JSON -> NOT_JSON;
      case UNSUPPORTED_VERSION -> UNSUPPORTED_VERSION;
      case UNKNOWN_TYPE -> UNKNOWN_TYPE;
      case MISSING_FIELD -> MISSING_FIELD;
      case INVALID_FIELD -> INVALID_FIELD;
    };
  }
}
