package dev.traininghealth.daemon.act;

/**
 * What "the action helped" means for one command, fixed when it is sent: a run whose loss was
 * not finite must get a finite loss again; any other run must get below the lowest loss of its
 * recent iterations, the level it stalled at. Immutable.
 */
final class Recovery {
  private final boolean needsFinite;
  private final double level;

  private Recovery(boolean needsFinite, double level) {
    this.needsFinite = needsFinite;
    this.level = level;
  }

  static Recovery finiteLoss(double lossWhenSent) {
    return new Recovery(true, lossWhenSent);
  }

  static Recovery below(double level) {
    return new Recovery(false, level);
  }

  boolean reachedBy(double loss) {
    return needsFinite ? Double.isFinite(loss) : loss < level;
  }

  /** The criterion in words, for the record. */
  String describe() {
    return needsFinite ? "a finite loss (was " + level + ")" : "a loss below " + level;
  }
}
