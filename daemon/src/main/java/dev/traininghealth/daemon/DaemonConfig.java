package dev.traininghealth.daemon;

import dev.traininghealth.rules.detector.Durations;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The daemon's settings: immutable, built by {@link #builder()} or loaded strictly from keys with
 * the prefix {@value #PREFIX} by {@link #load(Map)}. Every key is documented in {@code
 * daemon/CONFIG.md}; the constants below are the names used there.
 */
public final class DaemonConfig {
  public static final String PREFIX = "th.daemon.";

  public static final String BOOTSTRAP_SERVERS = PREFIX + "bootstrap.servers";
  public static final String KAFKA_DIR = PREFIX + "kafka.dir";
  public static final String KAFKA_PORT = PREFIX + "kafka.port";
  /** Prefix of settings passed unchanged to every Kafka client (security, timeouts...). */
  public static final String KAFKA_CLIENT_PREFIX = PREFIX + "kafka.client.";
  public static final String HTTP_HOST = PREFIX + "http.host";
  public static final String HTTP_PORT = PREFIX + "http.port";
  public static final String GROUP_ID = PREFIX + "group.id";
  public static final String TOPIC_PARTITIONS = PREFIX + "topic.partitions";
  public static final String JOBS_MAX = PREFIX + "jobs.max";
  public static final String METRICS_JOBS_MAX = PREFIX + "metrics.jobs.max";
  public static final String SERIES_POINTS = PREFIX + "series.points";
  public static final String TICK_MS = PREFIX + "tick.ms";
  public static final String API_TOKEN = PREFIX + "api.token";
  public static final String API_INSECURE = PREFIX + "api.insecure";
  public static final String COMMANDS_KEY = PREFIX + "commands.key";
  public static final String COMMANDS_TTL_MS = PREFIX + "commands.ttl.ms";
  public static final String ACTIONS_BUDGET = PREFIX + "actions.budget";
  public static final String ACTIONS_COOLDOWN_MS = PREFIX + "actions.cooldown.ms";
  public static final String ACTIONS_VERIFY_ITERATIONS = PREFIX + "actions.verify.iterations";
  public static final String ACTIONS_HISTORY = PREFIX + "actions.history";
  /** Shortest command key {@link dev.traininghealth.rules.command.CommandSigner} accepts. */
  private static final int MIN_COMMANDS_KEY_BYTES = 16;
  public static final String RULES_DIRS = PREFIX + "rules.dirs";
  public static final String RULES_POLL_MS = PREFIX + "rules.poll.ms";
  public static final String JOBS_IDLE_EVICT = PREFIX + "jobs.idle.evict";
  public static final String INSTANCE_ID = PREFIX + "instance.id";
  public static final String REPLAY_RECORDS = PREFIX + "replay.records";
  public static final String REPLAY_WINDOW = PREFIX + "replay.window";
  public static final String COMMIT_INTERVAL = PREFIX + "commit.interval";

  private final String bootstrapServers;
  private final Path kafkaDir;
  private final int kafkaPort;
  private final Map<String, String> kafkaClient;
  private final String httpHost;
  private final int httpPort;
  private final String groupId;
  private final int topicPartitions;
  private final int jobsMax;
  private final int metricsJobsMax;
  private final int seriesPoints;
  private final long tickMs;
  private final String apiToken;
  private final boolean apiInsecure;
  private final String commandsKey;
  private final long commandsTtlMs;
  private final int actionsBudget;
  private final long actionsCooldownMs;
  private final int actionsVerifyIterations;
  private final int actionsHistory;
  private final List<Path> rulesDirs;
  private final long rulesPollMs;
  private final long jobsIdleEvictMs;
  private final String instanceId;
  private final int replayRecords;
  private final long replayWindowMs;
  private final long commitIntervalMs;

  private DaemonConfig(Builder b) {
    this.bootstrapServers = b.bootstrapServers.trim();
    this.kafkaDir = Objects.requireNonNull(b.kafkaDir, "kafkaDir");
    this.kafkaPort = port(KAFKA_PORT, b.kafkaPort);
    this.kafkaClient = Collections.unmodifiableMap(new TreeMap<>(b.kafkaClient));
    this.httpHost = requireText(HTTP_HOST, b.httpHost);
    this.httpPort = port(HTTP_PORT, b.httpPort);
    this.groupId = requireText(GROUP_ID, b.groupId);
    this.topicPartitions = atLeast(TOPIC_PARTITIONS, b.topicPartitions, 1);
    this.jobsMax = atLeast(JOBS_MAX, b.jobsMax, 1);
    this.metricsJobsMax = atLeast(METRICS_JOBS_MAX, b.metricsJobsMax, 0);
    this.seriesPoints = atLeast(SERIES_POINTS, b.seriesPoints, 1);
    this.tickMs = atLeast(TICK_MS, b.tickMs, 10);
    this.apiToken = b.apiToken == null ? "" : b.apiToken;
    this.apiInsecure = b.apiInsecure;
    this.commandsKey = b.commandsKey == null ? "" : b.commandsKey;
    if (!commandsKey.isEmpty()
        && commandsKey.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
            < MIN_COMMANDS_KEY_BYTES) {
      throw new IllegalArgumentException(
          COMMANDS_KEY + " must be at least " + MIN_COMMANDS_KEY_BYTES + " bytes");
    }
    this.commandsTtlMs = atLeast(COMMANDS_TTL_MS, b.commandsTtlMs, 1000);
    this.actionsBudget = atLeast(ACTIONS_BUDGET, b.actionsBudget, 0);
    this.actionsCooldownMs = atLeast(ACTIONS_COOLDOWN_MS, b.actionsCooldownMs, 0);
    this.actionsVerifyIterations =
        atLeast(ACTIONS_VERIFY_ITERATIONS, b.actionsVerifyIterations, 1);
    this.actionsHistory = atLeast(ACTIONS_HISTORY, b.actionsHistory, 1);
    this.rulesDirs = List.copyOf(b.rulesDirs);
    this.rulesPollMs = atLeast(RULES_POLL_MS, b.rulesPollMs, 100);
    this.jobsIdleEvictMs = atLeast(JOBS_IDLE_EVICT, b.jobsIdleEvictMs, 0);
    this.instanceId = b.instanceId == null || b.instanceId.isBlank() ? defaultInstanceId()
        : b.instanceId.trim();
    this.replayRecords = atLeast(REPLAY_RECORDS, b.replayRecords, 0);
    this.replayWindowMs = atLeast(REPLAY_WINDOW, b.replayWindowMs, 0);
    this.commitIntervalMs = atLeast(COMMIT_INTERVAL, b.commitIntervalMs, 0);
  }

  /** host:pid, unique among daemons on one machine and readable on a dashboard. */
  static String defaultInstanceId() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException | SecurityException e) {
      host = "localhost";
    }
    return host + ":" + ProcessHandle.current().pid();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from this configuration's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.bootstrapServers = bootstrapServers;
    b.kafkaDir = kafkaDir;
    b.kafkaPort = kafkaPort;
    b.kafkaClient = new LinkedHashMap<>(kafkaClient);
    b.httpHost = httpHost;
    b.httpPort = httpPort;
    b.groupId = groupId;
    b.topicPartitions = topicPartitions;
    b.jobsMax = jobsMax;
    b.metricsJobsMax = metricsJobsMax;
    b.seriesPoints = seriesPoints;
    b.tickMs = tickMs;
    b.apiToken = apiToken;
    b.apiInsecure = apiInsecure;
    b.commandsKey = commandsKey;
    b.commandsTtlMs = commandsTtlMs;
    b.actionsBudget = actionsBudget;
    b.actionsCooldownMs = actionsCooldownMs;
    b.actionsVerifyIterations = actionsVerifyIterations;
    b.actionsHistory = actionsHistory;
    b.rulesDirs = new ArrayList<>(rulesDirs);
    b.rulesPollMs = rulesPollMs;
    b.jobsIdleEvictMs = jobsIdleEvictMs;
    b.instanceId = instanceId;
    b.replayRecords = replayRecords;
    b.replayWindowMs = replayWindowMs;
    b.commitIntervalMs = commitIntervalMs;
    return b;
  }

  /** Loads the {@value #PREFIX} keys of {@code props}; other keys are ignored. */
  public static DaemonConfig load(Properties props) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String name : props.stringPropertyNames()) {
      m.put(name, props.getProperty(name));
    }
    return load(m);
  }

  /**
   * Loads the keys that start with {@value #PREFIX}; keys without the prefix are ignored, so the
   * system properties can be passed whole. Fails with an {@link IllegalArgumentException} naming
   * the key on any unknown key of the prefix or any value that does not parse or is out of range.
   */
  public static DaemonConfig load(Map<String, String> source) {
    Builder b = builder();
    for (Map.Entry<String, String> e : new TreeMap<>(source).entrySet()) {
      String key = e.getKey();
      if (!key.startsWith(PREFIX)) {
        continue;
      }
      String value = e.getValue() == null ? "" : e.getValue().trim();
      if (key.startsWith(KAFKA_CLIENT_PREFIX) && key.length() > KAFKA_CLIENT_PREFIX.length()) {
        b.kafkaClient(key.substring(KAFKA_CLIENT_PREFIX.length()), value);
        continue;
      }
      switch (key) {
        case BOOTSTRAP_SERVERS -> b.bootstrapServers(value);
        case KAFKA_DIR -> b.kafkaDir(Path.of(value.isEmpty() ? "." : value));
        case KAFKA_PORT -> b.kafkaPort(parseInt(key, value));
        case HTTP_HOST -> b.httpHost(value);
        case HTTP_PORT -> b.httpPort(parseInt(key, value));
        case GROUP_ID -> b.groupId(value);
        case TOPIC_PARTITIONS -> b.topicPartitions(parseInt(key, value));
        case JOBS_MAX -> b.jobsMax(parseInt(key, value));
        case METRICS_JOBS_MAX -> b.metricsJobsMax(parseInt(key, value));
        case SERIES_POINTS -> b.seriesPoints(parseInt(key, value));
        case TICK_MS -> b.tickMs(parseInt(key, value));
        case API_TOKEN -> b.apiToken(value);
        case API_INSECURE -> b.apiInsecure(parseBoolean(key, value));
        case COMMANDS_KEY -> b.commandsKey(value);
        case COMMANDS_TTL_MS -> b.commandsTtlMs(parseInt(key, value));
        case ACTIONS_BUDGET -> b.actionsBudget(parseInt(key, value));
        case ACTIONS_COOLDOWN_MS -> b.actionsCooldownMs(parseInt(key, value));
        case ACTIONS_VERIFY_ITERATIONS -> b.actionsVerifyIterations(parseInt(key, value));
        case ACTIONS_HISTORY -> b.actionsHistory(parseInt(key, value));
        case RULES_DIRS -> b.rulesDirs(parsePaths(value));
        case RULES_POLL_MS -> b.rulesPollMs(parseInt(key, value));
        case JOBS_IDLE_EVICT -> b.jobsIdleEvictMs(parseDuration(key, value));
        case INSTANCE_ID -> b.instanceId(value);
        case REPLAY_RECORDS -> b.replayRecords(parseInt(key, value));
        case REPLAY_WINDOW -> b.replayWindowMs(parseDuration(key, value));
        case COMMIT_INTERVAL -> b.commitIntervalMs(parseDuration(key, value));
        default -> throw new IllegalArgumentException(
            "unknown configuration key '" + key + "' (see daemon/CONFIG.md for the known keys)");
      }
    }
    try {
      return b.build();
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException("invalid configuration: " + ex.getMessage(), ex);
    }
  }

  /**
   * The {@code TH_DAEMON_*} variables of an environment as configuration keys: {@code
   * TH_DAEMON_HTTP_PORT} becomes {@value #HTTP_PORT}. Other variables are left out.
   */
  public static Map<String, String> keysFromEnvironment(Map<String, String> env) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (e.getKey().startsWith("TH_DAEMON_")) {
        out.put(e.getKey().toLowerCase(Locale.ROOT).replace('_', '.'), e.getValue());
      }
    }
    return out;
  }

  private static int parseInt(String key, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException ex) {
      throw new IllegalArgumentException(key + " must be an integer, got '" + value + "'", ex);
    }
  }

  private static boolean parseBoolean(String key, String value) {
    if (value.equals("true") || value.equals("false")) {
      return Boolean.parseBoolean(value);
    }
    throw new IllegalArgumentException(key + " must be true or false, got '" + value + "'");
  }

  private static List<Path> parsePaths(String value) {
    List<Path> out = new ArrayList<>();
    for (String p : value.split(",")) {
      if (!p.isBlank()) {
        out.add(Path.of(p.trim()));
      }
    }
    return out;
  }

  /** A duration like 30s, 5m or 1h; a bare 0 turns the feature off. */
  private static long parseDuration(String key, String value) {
    if (value.equals("0")) {
      return 0;
    }
    try {
      return Durations.parseMillis(value);
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException(key + ": " + ex.getMessage() + ", or 0 for never", ex);
    }
  }

  private static int port(String key, int v) {
    if (v < 0 || v > 65535) {
      throw new IllegalArgumentException(key + " must be a port in [0, 65535], got " + v);
    }
    return v;
  }

  private static <N extends Number & Comparable<N>> N atLeast(String key, N v, long min) {
    if (v.longValue() < min) {
      throw new IllegalArgumentException(key + " must be >= " + min + ", got " + v);
    }
    return v;
  }

  private static String requireText(String key, String v) {
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(key + " must not be empty");
    }
    return v.trim();
  }

  /** Kafka's {@code bootstrap.servers}; empty means the daemon starts an embedded broker. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  public boolean embeddedKafka() {
    return bootstrapServers.isEmpty();
  }

  /** Data directory of the embedded broker. */
  public Path kafkaDir() {
    return kafkaDir;
  }

  /** Port of the embedded broker; 0 picks a free one. */
  public int kafkaPort() {
    return kafkaPort;
  }

  /** Extra settings for every Kafka client, without the prefix; sorted. */
  public Map<String, String> kafkaClient() {
    return kafkaClient;
  }

  public String httpHost() {
    return httpHost;
  }

  /** Port of the HTTP server; 0 picks a free one. */
  public int httpPort() {
    return httpPort;
  }

  public String groupId() {
    return groupId;
  }

  public int topicPartitions() {
    return topicPartitions;
  }

  /** Jobs held in memory; beyond it the least recently seen job is evicted. */
  public int jobsMax() {
    return jobsMax;
  }

  /** Jobs with per-job series on /metrics; later jobs are tracked but not exported. */
  public int metricsJobsMax() {
    return metricsJobsMax;
  }

  /** Recent points kept per job for the API. */
  public int seriesPoints() {
    return seriesPoints;
  }

  /** How often the rules see time pass without events (silence detectors). */
  public long tickMs() {
    return tickMs;
  }

  /** Bearer token the write endpoints require; empty only in {@link #apiInsecure()} mode. */
  public String apiToken() {
    return apiToken;
  }

  /** Whether the daemon may run without {@link #apiToken()}, its write API then open to all. */
  public boolean apiInsecure() {
    return apiInsecure;
  }

  /**
   * Fails, saying what to set, when there is no API token and insecure mode was not asked for
   * explicitly; the daemon calls it before starting anything.
   */
  public void requireApiSecurity() {
    if (apiToken.isEmpty() && !apiInsecure) {
      throw new IllegalStateException(
          API_TOKEN + " is not set: the write API (POST /api/jobs/{id}/actions) needs a bearer "
              + "token. Set " + API_TOKEN + ", or " + API_INSECURE + "=true to run a local "
              + "daemon whose write API anyone can use");
    }
  }

  /** Shared HMAC key that signs commands; empty: automated actions are logged, not sent. */
  public String commandsKey() {
    return commandsKey;
  }

  /** How long a command stays valid after it is issued. */
  public long commandsTtlMs() {
    return commandsTtlMs;
  }

  /** Commands per job per rolling hour, from rules and the API together. */
  public int actionsBudget() {
    return actionsBudget;
  }

  /** Least time between two automated commands of the same action to the same job. */
  public long actionsCooldownMs() {
    return actionsCooldownMs;
  }

  /** Iterations after an action is applied within which it must have helped. */
  public int actionsVerifyIterations() {
    return actionsVerifyIterations;
  }

  /** Action records kept per job for {@code GET /api/jobs/{id}/actions}. */
  public int actionsHistory() {
    return actionsHistory;
  }

  /** Directories whose rule files are loaded on top of the defaults and watched; may be empty. */
  public List<Path> rulesDirs() {
    return rulesDirs;
  }

  /** How often the rule directories are checked for changes. */
  public long rulesPollMs() {
    return rulesPollMs;
  }

  /** Jobs without events for this long are evicted; 0: never. */
  public long jobsIdleEvictMs() {
    return jobsIdleEvictMs;
  }

  /**
   * This daemon's name among the daemons of its group: the {@code instance} label of every
   * series on /metrics, and the Kafka client ids.
   */
  public String instanceId() {
    return instanceId;
  }

  /**
   * At most this many records per partition of {@code th.events} are replayed, before the
   * committed offset, to rebuild the jobs' rule state when partitions are assigned; 0: none.
   */
  public int replayRecords() {
    return replayRecords;
  }

  /** Replayed records are at most this old (by record time); 0: no limit by age. */
  public long replayWindowMs() {
    return replayWindowMs;
  }

  /**
   * Offsets of evaluated records are committed at most this often while records flow (and
   * always on a rebalance and a graceful stop); 0: after every poll.
   */
  public long commitIntervalMs() {
    return commitIntervalMs;
  }

  @Override
  public String toString() {
    return "DaemonConfig{bootstrap=" + (embeddedKafka() ? "<embedded " + kafkaDir + ">"
        : bootstrapServers) + ", http=" + httpHost + ":" + httpPort + ", group=" + groupId
        + ", partitions=" + topicPartitions + ", jobs.max=" + jobsMax + ", metrics.jobs.max="
        + metricsJobsMax + ", series.points=" + seriesPoints + ", tick.ms=" + tickMs
        + ", api.token=" + (apiToken.isEmpty() ? "<none>" : "<set>")
        + (apiInsecure ? ", api.insecure=true" : "")
        + ", commands.key=" + (commandsKey.isEmpty() ? "<none>" : "<set>")
        + ", commands.ttl.ms=" + commandsTtlMs + ", actions.budget=" + actionsBudget
        + ", actions.cooldown.ms=" + actionsCooldownMs + ", actions.verify.iterations="
        + actionsVerifyIterations + ", actions.history=" + actionsHistory + ", rules.dirs="
        + rulesDirs + ", jobs.idle.evict=" + jobsIdleEvictMs + "ms, instance.id=" + instanceId
        + ", replay.records=" + replayRecords + ", replay.window=" + replayWindowMs + "ms, commit.interval=" + commitIntervalMs + "ms}";
  }

  /** Collects the settings; every one has a default. */
  public static final class Builder {
    private String bootstrapServers = "";
    private Path kafkaDir = Path.of("th-data", "kafka");
    private int kafkaPort = 0;
    private Map<String, String> kafkaClient = new LinkedHashMap<>();
    private String httpHost = "127.0.0.1";
    private int httpPort = 8080;
    private String groupId = "th-daemon";
    private int topicPartitions = 12;
    private int jobsMax = 10_000;
    private int metricsJobsMax = 2_000;
    private int seriesPoints = 256;
    private long tickMs = 1_000;
    private String apiToken = "";
    private boolean apiInsecure = false;
    private String commandsKey = "";
    private long commandsTtlMs = 300_000;
    private int actionsBudget = 10;
    private long actionsCooldownMs = 60_000;
    private int actionsVerifyIterations = 20;
    private int actionsHistory = 50;
    private List<Path> rulesDirs = new ArrayList<>();
    private long rulesPollMs = 2_000;
    private long jobsIdleEvictMs = 3_600_000;
    private String instanceId = "";
    private int replayRecords = 20_000;
    private long replayWindowMs = 3_600_000;
    // Committing after every poll (up to 2,000 records) cost the broker's group coordinator
    // 0.3 us per event and the ingest thread a round trip per poll: a sixth of the drain rate.
    private long commitIntervalMs = 1_000;

    private Builder() {}

    public Builder bootstrapServers(String v) {
      this.bootstrapServers = v == null ? "" : v;
      return this;
    }

    public Builder kafkaDir(Path v) {
      this.kafkaDir = v;
      return this;
    }

    public Builder kafkaPort(int v) {
      this.kafkaPort = v;
      return this;
    }

    public Builder kafkaClient(String kafkaKey, String value) {
      this.kafkaClient.put(kafkaKey, value);
      return this;
    }

    public Builder httpHost(String v) {
      this.httpHost = v;
      return this;
    }

    public Builder httpPort(int v) {
      this.httpPort = v;
      return this;
    }

    public Builder groupId(String v) {
      this.groupId = v;
      return this;
    }

    public Builder topicPartitions(int v) {
      this.topicPartitions = v;
      return this;
    }

    public Builder jobsMax(int v) {
      this.jobsMax = v;
      return this;
    }

    public Builder metricsJobsMax(int v) {
      this.metricsJobsMax = v;
      return this;
    }

    public Builder seriesPoints(int v) {
      this.seriesPoints = v;
      return this;
    }

    public Builder tickMs(long v) {
      this.tickMs = v;
      return this;
    }

    public Builder apiToken(String v) {
      this.apiToken = v;
      return this;
    }

    public Builder apiInsecure(boolean v) {
      this.apiInsecure = v;
      return this;
    }

    public Builder commandsKey(String v) {
      this.commandsKey = v;
      return this;
    }

    public Builder commandsTtlMs(long v) {
      this.commandsTtlMs = v;
      return this;
    }

    public Builder actionsBudget(int v) {
      this.actionsBudget = v;
      return this;
    }

    public Builder actionsCooldownMs(long v) {
      this.actionsCooldownMs = v;
      return this;
    }

    public Builder actionsVerifyIterations(int v) {
      this.actionsVerifyIterations = v;
      return this;
    }

    public Builder actionsHistory(int v) {
      this.actionsHistory = v;
      return this;
    }

    public Builder rulesDirs(List<Path> v) {
      this.rulesDirs = new ArrayList<>(v);
      return this;
    }

    public Builder rulesPollMs(long v) {
      this.rulesPollMs = v;
      return this;
    }

    public Builder jobsIdleEvictMs(long v) {
      this.jobsIdleEvictMs = v;
      return this;
    }

    /** Blank: host:pid. */
    public Builder instanceId(String v) {
      this.instanceId = v;
      return this;
    }

    public Builder replayRecords(int v) {
      this.replayRecords = v;
      return this;
    }

    public Builder replayWindowMs(long v) {
      this.replayWindowMs = v;
      return this;
    }

    public Builder commitIntervalMs(long v) {
      this.commitIntervalMs = v;
      return this;
    }

    public DaemonConfig build() {
      return new DaemonConfig(this);
    }
  }
}
