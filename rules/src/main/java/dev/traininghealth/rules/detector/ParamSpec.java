package dev.traininghealth.rules.detector;

import java.util.Objects;

/**
 * One parameter a detector accepts: its name as written in rule files, its kind, its default and
 * a sentence saying what it means (and where the default comes from).
 */
public final class ParamSpec {
  /** What values a parameter takes. */
  public enum Kind {
    /** A whole number, e.g. a window in iterations. */
    INTEGER,
    /** Any finite number. */
    NUMBER,
    BOOLEAN,
    /** A duration written {@code 30s}, {@code 5m}, ...; held as milliseconds. */
    DURATION,
    TEXT;

    String describe() {
      switch (this) {
        case INTEGER:
          return "a whole number";
        case NUMBER:
          return "a number";
        case BOOLEAN:
          return "true or false";
        case DURATION:
          return "a duration like 30s or 5m";
        default:
          return "a string";
      }
    }
  }

  private final String name;
  private final Kind kind;
  private final Object defaultValue;
  private final double min;
  private final String doc;

  private ParamSpec(String name, Kind kind, Object defaultValue, double min, String doc) {
    this.name = Objects.requireNonNull(name, "name");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.min = min;
    this.doc = Objects.requireNonNull(doc, "doc");
    this.defaultValue = coerce(defaultValue);
  }

  public static ParamSpec integer(String name, long defaultValue, long min, String doc) {
    return new ParamSpec(name, Kind.INTEGER, defaultValue, min, doc);
  }

  public static ParamSpec number(String name, double defaultValue, double min, String doc) {
    return new ParamSpec(name, Kind.NUMBER, defaultValue, min, doc);
  }

  public static ParamSpec bool(String name, boolean defaultValue, String doc) {
    return new ParamSpec(name, Kind.BOOLEAN, defaultValue, Double.NEGATIVE_INFINITY, doc);
  }

  public static ParamSpec duration(String name, String defaultValue, String doc) {
    return new ParamSpec(name, Kind.DURATION, defaultValue, 0, doc);
  }

  public static ParamSpec text(String name, String defaultValue, String doc) {
    return new ParamSpec(name, Kind.TEXT, defaultValue, Double.NEGATIVE_INFINITY, doc);
  }

  public String name() {
    return name;
  }

  public Kind kind() {
    return kind;
  }

  /** The default, already in its held form (Long, Double, Boolean, Long millis, String). */
  public Object defaultValue() {
    return defaultValue;
  }

  public String doc() {
    return doc;
  }

  /**
   * {@code raw} (as YAML or a caller gave it) in its held form; throws
   * {@link IllegalArgumentException} saying what was expected when it does not fit.
   */
  public Object coerce(Object raw) {
    switch (kind) {
      case INTEGER:
        if (raw instanceof Integer || raw instanceof Long || raw instanceof Short) {
          long v = ((Number) raw).longValue();
          checkMin(v);
          return v;
        }
        throw wrong(raw);
      case NUMBER:
        if (raw instanceof Number && Double.isFinite(((Number) raw).doubleValue())) {
          double v = ((Number) raw).doubleValue();
          checkMin(v);
          return v;
        }
        throw wrong(raw);
      case BOOLEAN:
        if (raw instanceof Boolean) {
          return raw;
        }
        throw wrong(raw);
      case DURATION:
        if (raw instanceof String) {
          return Durations.parseMillis((String) raw);
        }
        throw wrong(raw);
      default:
        if (raw instanceof String) {
          return raw;
        }
        throw wrong(raw);
    }
  }

  private void checkMin(double v) {
    if (v < min) {
      throw new IllegalArgumentException(
          "param '" + name + "' must be >= " + (kind == Kind.INTEGER ? (long) min : min)
              + ", got " + (kind == Kind.INTEGER ? (long) v : v));
    }
  }

  private IllegalArgumentException wrong(Object raw) {
    return new IllegalArgumentException(
        "param '" + name + "' must be " + kind.describe() + ", got "
            + (raw instanceof String ? "'" + raw + "'" : String.valueOf(raw)));
  }
}
