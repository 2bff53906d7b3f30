package dev.traininghealth.rules.event;

import java.util.Objects;

/**
 * L2 norms of one parameter of one layer (or of a whole layer when {@code param} is empty) at one
 * iteration. A norm that was not measured is {@code NaN}.
 */
public final class LayerStats {
  private final String layer;
  private final String param;
  private final double gradNorm;
  private final double paramNorm;
  private final double updateNorm;

  private LayerStats(
      String layer, String param, double gradNorm, double paramNorm, double updateNorm) {
    this.layer = Objects.requireNonNull(layer, "layer");
    this.param = param == null ? "" : param;
    this.gradNorm = gradNorm;
    this.paramNorm = paramNorm;
    this.updateNorm = updateNorm;
  }

  public static LayerStats of(
      String layer, String param, double gradNorm, double paramNorm, double updateNorm) {
    return new LayerStats(layer, param, gradNorm, paramNorm, updateNorm);
  }

  /** The layer's name or index as DL4J knows it. */
  public String layer() {
    return layer;
  }

  /** The parameter key within the layer ({@code W}, {@code b}, ...), or empty for the layer. */
  public String param() {
    return param;
  }

  public double gradNorm() {
    return gradNorm;
  }

  public double paramNorm() {
    return paramNorm;
  }

  public double updateNorm() {
    return updateNorm;
  }

  /** update / parameter norm: the relative size of the step; NaN when either is unknown. */
  public double updateRatio() {
    return paramNorm > 0 ? updateNorm / paramNorm : Double.NaN;
  }
}
