package dev.traininghealth.daemon.evaluate;

/** JSON helpers shared by what the evaluate verticle publishes and answers. */
final class Json {
  private Json() {}

  /**
   * A double as JSON: a number, or the strings {@code "NaN"}, {@code "Infinity"}, {@code
   * "-Infinity"} as in the wire format, since a NaN loss is exactly what must get through.
   */
  static Object number(double v) {
    if (Double.isFinite(v)) {
      return v;
    }
    return Double.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
  }
}
