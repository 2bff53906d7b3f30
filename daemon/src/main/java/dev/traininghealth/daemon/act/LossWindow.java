package dev.traininghealth.daemon.act;

/**
 * A job's recent losses as the act verticle saw them: the last iteration, its loss, and the
 * lowest finite loss of the last {@value #SIZE} iterations (the level a stalled run sits at).
 * Fixed size; not thread-safe.
 */
final class LossWindow {
  static final int SIZE = 32;

  private final double[] recent = new double[SIZE];
  private int next;
  private int count;
  private long lastIter = -1;
  private double lastLoss = Double.NaN;

  void add(long iter, double loss) {
    lastIter = Math.max(lastIter, iter);
    lastLoss = loss;
    if (Double.isFinite(loss)) {
      recent[next] = loss;
      next = (next + 1) % SIZE;
      count = Math.min(count + 1, SIZE);
    }
  }

  /** The highest iteration seen, or -1. */
  long lastIter() {
    return lastIter;
  }

  /** What a command sent now must achieve to count as having helped. */
  Recovery recovery() {
    if (!Double.isFinite(lastLoss)) {
      return Recovery.finiteLoss(lastLoss);
    }
    double best = Double.POSITIVE_INFINITY;
    for (int i = 0; i < count; i++) {
      best = Math.min(best, recent[i]);
    }
    return Recovery.below(best);
  }
}
