package dev.traininghealth.rules.detector;

import java.util.Locale;

/** Parses the durations of rule files: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}. */
public final class Durations {
  private Durations() {}

  /**
   * Milliseconds in {@code text}; throws {@link IllegalArgumentException} with a sentence a user
   * can act on when it is not a non-negative whole number followed by ms, s, m or h.
   */
  public static long parseMillis(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    int i = 0;
    while (i < t.length() && Character.isDigit(t.charAt(i))) {
      i++;
    }
    if (i == 0 || i > 12) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration like 500ms, 30s, 5m or 2h");
    }
    long n = Long.parseLong(t.substring(0, i));
    String unit = t.substring(i).trim();
    switch (unit) {
      case "ms":
        return n;
      case "s":
        return n * 1000L;
      case "m":
        return n * 60_000L;
      case "h":
        return n * 3_600_000L;
      default:
        throw new IllegalArgumentException(
            "'" + text + "' is not a duration like 500ms, 30s, 5m or 2h");
    }
  }
}
