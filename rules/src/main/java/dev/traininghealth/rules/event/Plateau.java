package dev.traininghealth.rules.event;

/** The loss stopped improving: over {@code window} iterations it fell by less than a threshold. */
public final class Plateau extends Event {
  private final int window;
  private final double relativeImprovement;
  private final long since;
  private final double statistic;

  private Plateau(Header header, int window, double relativeImprovement, long since,
      double statistic) {
    super(header);
    if (window <= 0) {
      throw new IllegalArgumentException("window must be > 0, got " + window);
    }
    this.window = window;
    this.relativeImprovement = relativeImprovement;
    this.since = since;
    this.statistic = statistic;
  }

  /**
   * @param window iterations the test looked at
   * @param relativeImprovement (first - last) / first of the smoothed loss over the window
   * @param since iteration from which the loss has been flat
   * @param statistic the trend test's statistic (e.g. a Mann-Kendall z), NaN if none
   */
  public static Plateau of(Header header, int window, double relativeImprovement, long since,
      double statistic) {
    return new Plateau(header, window, relativeImprovement, since, statistic);
  }

  @Override
  public EventType type() {
    return EventType.PLATEAU;
  }

  public int window() {
    return window;
  }

  public double relativeImprovement() {
    return relativeImprovement;
  }

  public long since() {
    return since;
  }

  public double statistic() {
    return statistic;
  }
}
