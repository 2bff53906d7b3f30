package dev.traininghealth.rules.event;

import java.util.List;
import java.util.Objects;

/** Sampled activation statistics per layer: dead (ReLU family) and saturated (sigmoid/tanh). */
public final class Activations extends Event {
  /** The statistics of one layer's activations on one batch. */
  public static final class LayerActivity {
    private final String layer;
    private final double deadFraction;
    private final double saturatedFraction;

    private LayerActivity(String layer, double deadFraction, double saturatedFraction) {
      this.layer = Objects.requireNonNull(layer, "layer");
      this.deadFraction = deadFraction;
      this.saturatedFraction = saturatedFraction;
    }

    /** Fractions in [0, 1]; NaN when the statistic does not apply to the layer's activation. */
    public static LayerActivity of(String layer, double deadFraction, double saturatedFraction) {
      return new LayerActivity(layer, deadFraction, saturatedFraction);
    }

    public String layer() {
      return layer;
    }

    /** Share of units never positive on the batch. */
    public double deadFraction() {
      return deadFraction;
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
