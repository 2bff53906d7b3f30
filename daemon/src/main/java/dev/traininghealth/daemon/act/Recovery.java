package dev.traininghealth.daemon.act;

/**
 * What "the action helped" means for one command, fixed when it is sent: a run whose loss was
 * not finite must get a finite loss again; any other run must get clearly below the lowest loss of
 * its recent iterations, the level it stalled at. "Clearly" is a 1% margin: a plateau's loss drifts
 * down by noise-sized amounts, and a kick that only wobbles the loss must not count as a rescue.
 * Immutable.
 */
final class Recovery {
  private final boolean needsFinite;
  /** How far below the stalled level, relative to it, the loss must get. */
  static final double MARGIN = 0.01;

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
    return needsFinite ? Double.isFinite(loss) : loss < target();
  }

  private double target() {
    return level - MARGIN * Math.abs(level);
  }

  /** The criterion in words, for the record. */
  String describe() {
    return needsFinite ? "a finite loss (was " + level + ")" : "a loss below " + target() + " (1% under the stalled " + level + ")";
  }
}
