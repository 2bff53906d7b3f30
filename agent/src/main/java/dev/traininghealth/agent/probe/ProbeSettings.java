package dev.traininghealth.agent.probe;

/**
 * Which probes run how often. Two tiers: {@code cheap} (the default) measures the loss, the
 * per-layer gradient norms and every non-finite check each iteration, parameter and update norms
 * every 10th iteration (and at once when anything turns non-finite), activations every 100th;
 * {@code thorough} measures all norms every iteration and activations every 10th.
 */
public final class ProbeSettings {
  private final String tier;
  private final int normsEvery;
  private final int activationsEvery;
  private final boolean background;

  private ProbeSettings(String tier, int normsEvery, int activationsEvery, boolean background) {
    if (normsEvery < 0 || activationsEvery < 0) {
      throw new IllegalArgumentException("probe cadences must be >= 0");
    }
    this.tier = tier;
    this.normsEvery = normsEvery;
    this.activationsEvery = activationsEvery;
    this.background = background;
  }

  /** The settings of a tier: {@code cheap} or {@code thorough}. */
  public static ProbeSettings tier(String name) {
    switch (name) {
      case "cheap":
        return new ProbeSettings(name, 10, 100, true);
      case "thorough":
        return new ProbeSettings(name, 1, 10, true);
      default:
        throw new IllegalArgumentException(
            "option 'probes' must be cheap or thorough, got '" + name + "'");
    }
  }

  /** This tier with other cadences; 0 switches that probe off. */
  public ProbeSettings withCadences(int normsEvery, int activationsEvery) {
    return new ProbeSettings(tier, normsEvery, activationsEvery, background);
  }

  /** These settings, with the update and parameter passes on a helper thread or not. */
  public ProbeSettings withBackground(boolean background) {
    return new ProbeSettings(tier, normsEvery, activationsEvery, background);
  }

  /**
   * Whether the update and parameter norms are measured on a helper thread while the next
   * forward pass runs (host memory only), rather than on the training thread at the boundary.
   */
  public boolean background() {
    return background;
  }

  public String tierName() {
    return tier;
  }

  /** Parameter and update norms every this many iterations; 0 = never (but on non-finite). */
  public int normsEvery() {
    return normsEvery;
  }

  /** Activation statistics every this many iterations; 0 = never. */
  public int activationsEvery() {
    return activationsEvery;
  }
}
