package dev.traininghealth.rules.event;

import java.util.List;
import java.util.Objects;

/**
 * Sampled activation statistics per layer: dead units and blind examples (ReLU family), saturated
 * units (sigmoid/tanh).
 */
public final class Activations extends Event {
  /** The statistics of one layer's activations on one batch. */
  public static final class LayerActivity {
    private final String layer;
    private final double deadFraction;
    private final double blindFraction;
    private final double saturatedFraction;

    private LayerActivity(String layer, double deadFraction, double blindFraction,
        double saturatedFraction) {
      this.layer = Objects.requireNonNull(layer, "layer");
      this.deadFraction = deadFraction;
      this.blindFraction = blindFraction;
      this.saturatedFraction = saturatedFraction;
    }

    /**
     * Fractions in [0, 1]; NaN when the statistic does not apply to the layer's activation. The
     * blind fraction is not measured (NaN).
     */
    public static LayerActivity of(String layer, double deadFraction, double saturatedFraction) {
      return new LayerActivity(layer, deadFraction, Double.NaN, saturatedFraction);
    }

    /** A ReLU-family layer: dead units and blind examples; saturation does not apply. */
    public static LayerActivity relu(String layer, double deadFraction, double blindFraction) {
      return new LayerActivity(layer, deadFraction, blindFraction, Double.NaN);
    }

    /** All three fractions, each NaN where it does not apply or was not measured. */
    public static LayerActivity of(String layer, double deadFraction, double blindFraction,
        double saturatedFraction) {
      return new LayerActivity(layer, deadFraction, blindFraction, saturatedFraction);
    }

    public String layer() {
      return layer;
    }

    /** Share of units never positive on the batch. */
    public double deadFraction() {
      return deadFraction;
    }

    /**
     * Share of the batch's examples on which no unit of the layer is positive: the layer gives
     * them all the same output, and no gradient flows back through it from them.
     */
    public double blindFraction() {
      return blindFraction;
    }

    /** Share of unit outputs within 1% of the activation's bounds. */
    public double saturatedFraction() {
      return saturatedFraction;
    }
  }

  private final List<LayerActivity> layers;

  private Activations(Header header, List<LayerActivity> layers) {
    super(header);
    this.layers = List.copyOf(layers);
  }

  public static Activations of(Header header, List<LayerActivity> layers) {
    return new Activations(header, layers);
  }

  @Override
  public EventType type() {
    return EventType.ACTIVATIONS;
  }

  public List<LayerActivity> layers() {
    return layers;
  }
}
