package dev.traininghealth.rules.event;

import java.util.Objects;

/** One layer of the model as {@code job_started} describes it. */
public final class LayerInfo {
  private final String name;
  private final String kind;
  private final String activation;
  private final long params;

  private LayerInfo(String name, String kind, String activation, long params) {
    this.name = Objects.requireNonNull(name, "name");
    this.kind = kind == null ? "" : kind;
    this.activation = activation == null ? "" : activation;
    if (params < 0) {
      throw new IllegalArgumentException("params must be >= 0, got " + params);
    }
    this.params = params;
  }

  public static LayerInfo of(String name, String kind, String activation, long params) {
    return new LayerInfo(name, kind, activation, params);
  }

  public String name() {
    return name;
  }

  /** DL4J's layer class, e.g. {@code DenseLayer}. */
  public String kind() {
    return kind;
  }

  /** Activation function, e.g. {@code relu}; empty when the layer has none. */
  public String activation() {
    return activation;
  }

  public long params() {
    return params;
  }
}
