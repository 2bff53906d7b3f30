package dev.traininghealth.rules.event;

import java.util.List;

/**
 * What one training iteration measured. Norms are L2 norms accumulated in double; a value that
 * was not measured is {@code NaN} and is left out on the wire.
 */
public final class Iteration extends Event {
  private final double loss;
  private final double learningRate;
  private final double gradNorm;
  private final double paramNorm;
  private final double updateNorm;
  private final double stepMs;
  private final int batchSize;
  private final long dropped;
  private final List<LayerStats> layers;

  private Iteration(Builder b) {
    super(b.header);
    this.loss = b.loss;
    this.learningRate = b.learningRate;
    this.gradNorm = b.gradNorm;
    this.paramNorm = b.paramNorm;
    this.updateNorm = b.updateNorm;
    this.stepMs = b.stepMs;
    this.batchSize = b.batchSize;
    this.dropped = b.dropped;
    this.layers = List.copyOf(b.layers);
  }

  public static Builder builder(Header header) {
    return new Builder(header);
  }

  @Override
  public EventType type() {
    return EventType.ITERATION;
  }

  /** Mean loss per example of the minibatch, as DL4J's {@code score()} reports it. */
  public double loss() {
    return loss;
  }

  /** Learning rate in use at this iteration (of the first layer that has one). */
  public double learningRate() {
    return learningRate;
  }

  /** L2 norm of the whole gradient of the mean loss over the minibatch, before the updater. */
  public double gradNorm() {
    return gradNorm;
  }

  public double paramNorm() {
    return paramNorm;
  }

  /** L2 norm of the step the updater applied. */
  public double updateNorm() {
    return updateNorm;
  }

  /** Wall time of this iteration, in milliseconds; NaN when unknown. */
  public double stepMs() {
    return stepMs;
  }

  /** Examples in the minibatch; 0 when unknown. */
  public int batchSize() {
    return batchSize;
  }

  /** Events the agent dropped so far in this run (queue full or broker unreachable). */
  public long dropped() {
    return dropped;
  }

  /** Per layer and parameter norms; empty when the probe is off. */
  public List<LayerStats> layers() {
    return layers;
  }

  /** Collects the fields of an {@link Iteration}; everything but the header is optional. */
  public static final class Builder {
    private final Header header;
    private double loss = Double.NaN;
    private double learningRate = Double.NaN;
    private double gradNorm = Double.NaN;
    private double paramNorm = Double.NaN;
    private double updateNorm = Double.NaN;
    private double stepMs = Double.NaN;
    private int batchSize;
    private long dropped;
    private List<LayerStats> layers = List.of();

    private Builder(Header header) {
      this.header = header;
    }

    public Builder loss(double v) {
      this.loss = v;
      return this;
    }

    public Builder learningRate(double v) {
      this.learningRate = v;
      return this;
    }

    public Builder gradNorm(double v) {
      this.gradNorm = v;
      return this;
    }

    public Builder paramNorm(double v) {
      this.paramNorm = v;
      return this;
    }

    public Builder updateNorm(double v) {
      this.updateNorm = v;
      return this;
    }

    public Builder stepMs(double v) {
      this.stepMs = v;
      return this;
    }

    public Builder batchSize(int v) {
      if (v < 0) {
        throw new IllegalArgumentException("batchSize must be >= 0, got " + v);
      }
      this.batchSize = v;
      return this;
    }

    public Builder dropped(long v) {
      if (v < 0) {
        throw new IllegalArgumentException("dropped must be >= 0, got " + v);
      }
      this.dropped = v;
      return this;
    }

    public Builder layers(List<LayerStats> v) {
      this.layers = v;
      return this;
    }

    public Iteration build() {
      return new Iteration(this);
    }
  }
}
