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

  /**
   * The class of a codec rejection. The codec reports only a message, so this reads its
   * wording; a message it does not recognise is {@link #INVALID_FIELD}.
   */
  public static DeadLetterReason of(MalformedEventException e) {
    String m = e.getMessage() == null ? "" : e.getMessage();
    if (m.startsWith("record is null")) {
      return EMPTY;
    }
    if (m.contains("exceeds the limit")) {
      return TOO_LARGE;
    }
    if (m.startsWith("not valid JSON") || m.startsWith("an event must be a JSON object")) {
      return NOT_JSON;
    }
    if (m.startsWith("unsupported version")) {
      return UNSUPPORTED_VERSION;
    }
    if (m.startsWith("unknown event type")) {
      return UNKNOWN_TYPE;
    }
    if (m.startsWith("missing required field")) {
      return MISSING_FIELD;
    }
    return INVALID_FIELD;
  }
}
