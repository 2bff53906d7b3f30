package dev.traininghealth.rules.detector;

import dev.traininghealth.rules.event.LayerStats;
import java.util.List;

/**
 * Gradient norms of the first and last layer of an iteration's per-layer list (network order).
 * Entries of one layer (its W, b, ...) are combined as the root of their summed squares.
 * Indexed access only, so nothing is allocated.
 */
final class LayerNorms {
  private LayerNorms() {}

  static double first(List<LayerStats> layers) {
    if (layers.isEmpty()) {
      return Double.NaN;
    }
    String name = layers.get(0).layer();
    double s = 0;
    for (int i = 0; i < layers.size() && layers.get(i).layer().equals(name); i++) {
      double g = layers.get(i).gradNorm();
      s += g * g;
    }
    return Math.sqrt(s);
  }

  static double last(List<LayerStats> layers) {
    if (layers.isEmpty()) {
      return Double.NaN;
    }
    String name = layers.get(layers.size() - 1).layer();
    double s = 0;
    for (int i = layers.size() - 1; i >= 0 && layers.get(i).layer().equals(name); i--) {
      double g = layers.get(i).gradNorm();
      s += g * g;
    }
    return Math.sqrt(s);
  }

  /** Whether the list names at least two distinct layers, so first/last means something. */
  static boolean twoLayers(List<LayerStats> layers) {
    return layers.size() >= 2
        && !layers.get(0).layer().equals(layers.get(layers.size() - 1).layer());
  }
}
