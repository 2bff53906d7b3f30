package dev.traininghealth.rules.detector;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/** What a rule file may say about one detector: its name, its parameters, and how to build it. */
public final class DetectorSpec {
  private final String name;
  private final String summary;
  private final Map<String, ParamSpec> params;
  private final Function<Params, Detector> factory;

  private DetectorSpec(
      String name, String summary, List<ParamSpec> params, Function<Params, Detector> factory) {
    this.name = Objects.requireNonNull(name, "name");
    this.summary = Objects.requireNonNull(summary, "summary");
    Map<String, ParamSpec> m = new LinkedHashMap<>();
    for (ParamSpec p : params) {
      m.put(p.name(), p);
    }
    this.params = Collections.unmodifiableMap(m);
    this.factory = Objects.requireNonNull(factory, "factory");
  }

  static DetectorSpec of(
      String name, String summary, List<ParamSpec> params, Function<Params, Detector> factory) {
    return new DetectorSpec(name, summary, params, factory);
  }

  public String name() {
    return name;
  }

  public String summary() {
    return summary;
  }

  public List<ParamSpec> params() {
    return new ArrayList<>(params.values());
  }

  /** The parameter called {@code name}, or {@code null}. */
  public ParamSpec param(String name) {
    return params.get(name);
  }

  public List<String> paramNames() {
    return new ArrayList<>(params.keySet());
  }

  /**
   * A fresh detector with its own state; throws {@link IllegalArgumentException} for an unknown
   * or ill-typed parameter, or values that do not fit together.
   */
  public Detector create(Map<String, ?> rawParams) {
    return factory.apply(Params.resolve(this, rawParams));
  }
}
