package dev.traininghealth.rules.event;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A run began: what is being trained, where, and how the agent is configured. */
public final class JobStarted extends Event {
  private final String modelClass;
  private final List<LayerInfo> layers;
  private final long totalParams;
  private final String updater;
  private final double learningRate;
  private final int batchSize;
  private final String backend;
  private final String host;
  private final long pid;
  private final String agentVersion;
  private final Map<String, String> config;

  private JobStarted(Builder b) {
    super(b.header);
    this.modelClass = b.modelClass;
    this.layers = List.copyOf(b.layers);
    this.totalParams = b.totalParams;
    this.updater = b.updater;
    this.learningRate = b.learningRate;
    this.batchSize = b.batchSize;
    this.backend = b.backend;
    this.host = b.host;
    this.pid = b.pid;
    this.agentVersion = b.agentVersion;
    // Sorted so that the encoding is deterministic.
    this.config = java.util.Collections.unmodifiableMap(new TreeMap<>(b.config));
  }

  public static Builder builder(Header header) {
    return new Builder(header);
  }

  @Override
  public EventType type() {
    return EventType.JOB_STARTED;
  }

  /** {@code MultiLayerNetwork} or {@code ComputationGraph}. */
  public String modelClass() {
    return modelClass;
  }

  public List<LayerInfo> layers() {
    return layers;
  }

  public long totalParams() {
    return totalParams;
  }

  /** The updater of the first layer that has one, e.g. {@code Adam}. */
  public String updater() {
    return updater;
  }

  public double learningRate() {
    return learningRate;
  }

  /** Minibatch size when known at start, else 0. */
  public int batchSize() {
    return batchSize;
  }

  /** ND4J backend: {@code CPU} or {@code CUDA}. */
  public String backend() {
    return backend;
  }

  public String host() {
    return host;
  }

  public long pid() {
    return pid;
  }

  public String agentVersion() {
    return agentVersion;
  }

  /** The agent's effective configuration, key to value. */
  public Map<String, String> config() {
    return config;
  }

  /** Collects the fields of a {@link JobStarted}. */
  public static final class Builder {
    private final Header header;
    private String modelClass = "";
    private List<LayerInfo> layers = List.of();
    private long totalParams;
    private String updater = "";
    private double learningRate = Double.NaN;
    private int batchSize;
    private String backend = "";
    private String host = "";
    private long pid;
    private String agentVersion = "";
    private Map<String, String> config = Map.of();

    private Builder(Header header) {
      this.header = header;
    }

    public Builder modelClass(String v) {
      this.modelClass = v == null ? "" : v;
      return this;
    }

    public Builder layers(List<LayerInfo> v) {
      this.layers = v;
      return this;
    }

    public Builder totalParams(long v) {
      this.totalParams = v;
      return this;
    }

    public Builder updater(String v) {
      this.updater = v == null ? "" : v;
      return this;
    }

    public Builder learningRate(double v) {
      this.learningRate = v;
      return this;
    }

    public Builder batchSize(int v) {
      this.batchSize = v;
      return this;
    }

    public Builder backend(String v) {
      this.backend = v == null ? "" : v;
      return this;
    }

    public Builder host(String v) {
      this.host = v == null ? "" : v;
      return this;
    }

    public Builder pid(long v) {
      this.pid = v;
      return this;
    }

    public Builder agentVersion(String v) {
      this.agentVersion = v == null ? "" : v;
      return this;
    }

    public Builder config(Map<String, String> v) {
      this.config = v;
      return this;
    }

    public JobStarted build() {
      return new JobStarted(this);
    }
  }
}
