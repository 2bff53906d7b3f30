package dev.traininghealth.rules.detector;

import java.util.HashMap;
import java.util.Map;

/** A detector's parameters after checking: every declared one present, in its held form. */
public final class Params {
  private final Map<String, Object> values;

  private Params(Map<String, Object> values) {
    this.values = values;
  }

  /**
   * Checks {@code raw} against {@code spec}: unknown names and wrong types throw
   * {@link IllegalArgumentException} naming the parameter; missing ones take their default.
   */
  static Params resolve(DetectorSpec spec, Map<String, ?> raw) {
    Map<String, Object> v = new HashMap<>();
    for (ParamSpec p : spec.params()) {
      v.put(p.name(), p.defaultValue());
    }
    for (Map.Entry<String, ?> e : raw.entrySet()) {
      ParamSpec p = spec.param(e.getKey());
      if (p == null) {
        throw new IllegalArgumentException(
            "detector '" + spec.name() + "' has no param '" + e.getKey() + "' (it takes "
                + spec.paramNames() + ")");
      }
      v.put(p.name(), p.coerce(e.getValue()));
    }
    return new Params(v);
  }

  public long integer(String name) {
    return (Long) get(name);
  }

  /** An integer parameter that sizes an array. */
  public int size(String name) {
    long v = integer(name);
    if (v > 100_000) {
      throw new IllegalArgumentException("param '" + name + "' must be <= 100000, got " + v);
    }
    return (int) v;
  }

  public double number(String name) {
    return (Double) get(name);
  }

  public boolean bool(String name) {
    return (Boolean) get(name);
  }

  public long millis(String name) {
    return (Long) get(name);
  }

  public String text(String name) {
    return (String) get(name);
  }

  private Object get(String name) {
    Object o = values.get(name);
    if (o == null) {
      throw new IllegalStateException("no param '" + name + "' declared");
    }
    return o;
  }
}
