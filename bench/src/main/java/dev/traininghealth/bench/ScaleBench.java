package dev.traininghealth.bench;

import dev.traininghealth.daemon.Daemon;
import dev.traininghealth.daemon.DaemonConfig;
import dev.traininghealth.daemon.Topics;
import dev.traininghealth.kafka.EmbeddedKafka;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.event.LayerStats;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How the work spreads over several daemons of one consumer group, and what a rebalance costs.
 *
 * <p>An in-process broker and {@code daemons} daemons in this JVM ({@link Daemon#start} with
 * distinct instance ids, one Vert.x each). {@code jobs} simulated jobs send {@code rate}
 * iteration events per second each, round robin, for the whole run. The run:
 *
 * <ol>
 *   <li>{@code daemons - 1} daemons share the partitions, then the load starts; once every job
 *       is tracked and the daemons caught up with the start, a steady window and a baseline lag
 *       window (10 s, no change);
 *   <li><b>join</b>: one more daemon starts; the lag window runs from the call until every
 *       partition has an owner (the new daemon among them) and no job has lagged for 5 s;
 *   <li>a steady window with all daemons: events evaluated per daemon ({@code th_events_total}
 *       deltas), jobs ({@code th_jobs_tracked}) and partitions per daemon, the spread max/min;
 *   <li><b>leave</b>: the first daemon is closed (a clean leave; a killed daemon's partitions move
 *       only after the session timeout, see README), another lag window, a steady window;
 *   <li><b>capacity</b>: the paced load stops, {@code backlog} more events per job are produced
 *       as fast as possible; drain rate and the process CPU it took;
 *   <li>accounting: events read ({@code th_events_total} over every daemon, the closed one
 *       included) against events the broker acknowledged; duplicates dropped, seq gaps, and jobs
 *       whose latest evaluated iteration is not the last one produced.
 * </ol>
 *
 * <p><b>Lag</b>, polled every 100 ms from each daemon's registry: for every job, how long ago the
 * oldest event not yet evaluated was produced (its iteration above the highest {@code
 * th_job_iteration} any daemon has shown for the job). The worst over jobs and the window is the
 * rebalance pause as an event sees it; "evaluated again after" is the last poll at which some job
 * lagged more than the threshold (twice the baseline worst, at least 1 s), from the change;
 * "partitions assigned" is the first poll at which every partition had an owner again (for a
 * join: the new daemon among them), before the new owner's replay.
 *
 * <p>Broker, producer and daemons share this JVM and the machine's cores, so the figures are for
 * this box under its load; process CPU time is printed beside them.
 *
 * <pre>
 * scripts/bench.sh ScaleBench [--jobs 3000] [--rate 1] [--seconds 30] [--daemons 3]
 *                             [--partitions 12] [--backlog 100] [--heartbeat-ms 0]
 *                             [--replay-records -1] [--client key=value,...]
 * </pre>
 *
 * {@code --heartbeat-ms}: the daemons' consumer {@code heartbeat.interval.ms} (0: Kafka's 3 s);
 * a member learns of a rebalance at its next heartbeat, and a join takes two rounds.
 * {@code --replay-records}: {@code th.daemon.replay.records} (-1: the daemon's default); the new
 * owner replays that many records per partition it takes over before it evaluates new ones.
 * {@code --client}: more Kafka client settings of the daemons ({@code th.daemon.kafka.client.*}).
 */
public final class ScaleBench {
  private static final long POLL_MS = 100;
  /** Per job, the produce times of its last RING iterations. */
  private static final int RING = 256;

  private final int jobs;
  private final double rate;
  private final int seconds;
  private final int daemons;
  private final int partitions;
  private final int backlog;
  private final int heartbeatMs;
  private final int replayRecords;
  private final String client;
  private final List<String[]> table = new ArrayList<>();
  private final List<Daemon> live = new CopyOnWriteArrayList<>();
  private final List<Daemon> all = new ArrayList<>();
  private Load load;
  private DaemonConfig base;

  private ScaleBench(Map<String, String> o) {
    jobs = Integer.parseInt(o.getOrDefault("jobs", "3000"));
    rate = Double.parseDouble(o.getOrDefault("rate", "1"));
    seconds = Integer.parseInt(o.getOrDefault("seconds", "30"));
    daemons = Integer.parseInt(o.getOrDefault("daemons", "3"));
    partitions = Integer.parseInt(o.getOrDefault("partitions", "12"));
    backlog = Integer.parseInt(o.getOrDefault("backlog", "100"));
    heartbeatMs = Integer.parseInt(o.getOrDefault("heartbeat-ms", "0"));
    replayRecords = Integer.parseInt(o.getOrDefault("replay-records", "-1"));
    client = o.getOrDefault("client", "");
    if (daemons < 2) {
      throw new IllegalArgumentException("--daemons must be at least 2 (one joins, one leaves)");
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --name value, got " + args[i]);
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    new ScaleBench(o).run();
    System.exit(0); // the broker's and Vert.x's non-daemon threads
  }

  private void run() throws Exception {
    System.out.printf(Locale.ROOT, "scale: %,d jobs x %s events/s = %,.0f events/s, %d daemons"
            + " (%d, then %d joins, then one leaves), %d partitions, steady windows %d s,"
            + " backlog %d events/job, heartbeat %s, replay.records %s, client settings [%s];"
            + " %d cores, load average %s%n",
        jobs, rate, jobs * rate, daemons, daemons - 1, daemons, partitions, seconds, backlog,
        heartbeatMs > 0 ? heartbeatMs + " ms" : "default",
        replayRecords >= 0 ? String.valueOf(replayRecords) : "default", client,
        Runtime.getRuntime().availableProcessors(), loadAverage());
    long wall0 = System.nanoTime();
    Path dir = Files.createTempDirectory("scale-bench");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
      kafka.createTopics(partitions, Topics.EVENTS);
      DaemonConfig.Builder b = DaemonConfig.builder()
          .bootstrapServers(kafka.bootstrapServers())
          .httpPort(0)
          .apiToken("bench-token")
          .topicPartitions(partitions)
          .jobsMax(jobs + 1_000)
          .metricsJobsMax(jobs + 1_000); // every job on /metrics: the lag is read from there
      if (heartbeatMs > 0) {
        b.kafkaClient("heartbeat.interval.ms", String.valueOf(heartbeatMs));
      }
      if (replayRecords >= 0) {
        b.replayRecords(replayRecords);
      }
      for (String kv : client.split(",")) {
        if (!kv.isBlank()) {
          b.kafkaClient(kv.substring(0, kv.indexOf('=')).trim(),
              kv.substring(kv.indexOf('=') + 1).trim());
        }
      }
      base = b.build();
      for (int i = 1; i < daemons; i++) {
        startDaemon(i);
      }
      // The first daemons share the partitions before any event flows, so that the counts
      // below hold only the join's and the leave's rebalances.
      awaitAssigned(120);
      load = new Load(kafka.bootstrapServers(), jobs, rate);
      Thread pacer = new Thread(load::pace, "scale-pacer");
      pacer.start();
      awaitAllTracked(120);
      awaitCaughtUp(60); // the start's backlog (JIT, first fetches) would swell the first window

      steady(String.format(Locale.ROOT, "%d daemons", daemons - 1), seconds);
      Window baseline = watch("no change (baseline)", null, 0);
      long threshold = Math.max(1_000, 2 * baseline.worstMs);
      table.add(row("lag threshold for 'evaluated again'", threshold + " ms"));

      Window join = watch("daemon-" + daemons + " joins", () -> startDaemon(daemons), threshold);
      steady(String.format(Locale.ROOT, "%d daemons", daemons), seconds);

      Daemon leaving = live.get(0);
      Window leave = watch(leaving.config().instanceId() + " leaves (closed)", () -> {
        live.remove(leaving);
        leaving.close();
      }, threshold);
      steady(String.format(Locale.ROOT, "%d daemons after the leave", daemons - 1), seconds / 2);

      load.stop();
      pacer.join();
      capacity();
      account();
      printRebalance(baseline, join, leave);
    } finally {
      for (Daemon d : live) {
        d.close();
      }
    }
    System.out.printf(Locale.ROOT, "%n| measurement | value |%n|---|---|%n");
    for (String[] r : table) {
      System.out.printf(Locale.ROOT, "| %s | %s |%n", r[0], r[1]);
    }
    System.out.printf(Locale.ROOT, "wall %.0f s, process CPU %.0f s, load average at the end %s%n",
        (System.nanoTime() - wall0) / 1e9, cpuSeconds(), loadAverage());
  }

  private void startDaemon(int i) {
    Daemon d = Daemon.start(base.toBuilder().instanceId("daemon-" + i).build());
    all.add(d);
    live.add(d);
  }

  private void awaitAssigned(int timeoutS) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
    while (!assigned()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("partitions not assigned after " + timeoutS + " s");
      }
      Thread.sleep(100);
    }
  }

  /** Waits until the daemons have read all but a second's worth of what was acknowledged. */
  private void awaitCaughtUp(int timeoutS) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
    while (System.nanoTime() < deadline) {
      double read = 0;
      for (Daemon d : live) {
        read += sum(d.registry(), "th_events_total");
      }
      if (read >= load.acked.get() - jobs * rate) {
        Thread.sleep(2_000);
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("daemons not caught up after " + timeoutS + " s");
  }

  private void awaitAllTracked(int timeoutS) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
    while (System.nanoTime() < deadline) {
      double tracked = 0;
      for (Daemon d : live) {
        tracked += sum(d.registry(), "th_jobs_tracked");
      }
      if (tracked >= jobs) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("not every job tracked after " + timeoutS + " s");
  }

  // ------------------------------------------------------------------ steady windows

  /** Events each live daemon read in {@code s} seconds, its jobs and partitions at the end. */
  private void steady(String label, int s) throws InterruptedException {
    List<Daemon> ds = new ArrayList<>(live);
    double[] before = new double[ds.size()];
    for (int i = 0; i < ds.size(); i++) {
      before[i] = sum(ds.get(i).registry(), "th_events_total");
    }
    long produced0 = load.acked.get();
    double cpu0 = cpuSeconds();
    long t0 = System.nanoTime();
    Thread.sleep(s * 1_000L);
    double dt = (System.nanoTime() - t0) / 1e9;
    double cpu = cpuSeconds() - cpu0;
    long produced = load.acked.get() - produced0;
    double min = Double.MAX_VALUE;
    double max = 0;
    double total = 0;
    StringBuilder per = new StringBuilder();
    for (int i = 0; i < ds.size(); i++) {
      CollectorRegistry r = ds.get(i).registry();
      double rateI = (sum(r, "th_events_total") - before[i]) / dt;
      total += rateI;
      min = Math.min(min, rateI);
      max = Math.max(max, rateI);
      per.append(String.format(Locale.ROOT, "%s%s: %,.0f events/s, %,.0f jobs, %.0f partitions",
          i == 0 ? "" : "; ", ds.get(i).config().instanceId(), rateI,
          sum(r, "th_jobs_tracked"), sum(r, "th_partitions_assigned")));
    }
    table.add(row("steady, " + label + ": per daemon", per.toString()));
    table.add(row("steady, " + label + ": total, spread max/min", String.format(Locale.ROOT,
        "%,.0f events/s evaluated (%,.0f produced), spread %.2f", total, produced / dt,
        max / Math.max(min, 1e-9))));
    table.add(row("steady, " + label + ": process CPU", String.format(Locale.ROOT,
        "%.2f cores (broker, producer, daemons), %.0f us per event", cpu / dt,
        produced == 0 ? 0 : cpu / produced * 1e6)));
  }

  // ------------------------------------------------------------------ lag windows

  /**
   * The lag seen from just before {@code change} until the group settled and caught up; with no
   * change, over 10 s (the baseline).
   */
  private Window watch(String label, Change change, long thresholdMs) throws Exception {
    Window w = new Window(label, thresholdMs);
    Thread t = new Thread(w::poll, "scale-lag");
    t.start();
    Thread.sleep(2 * POLL_MS);
    w.t0 = System.nanoTime();
    if (change == null) {
      Thread.sleep(10_000);
    } else {
      change.run();
      w.changeMs = (System.nanoTime() - w.t0) / 1_000_000;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      // Settled: every partition owned, every live daemon owning some, nothing lagging, for 5 s.
      long calmSince = 0;
      while (System.nanoTime() < deadline) {
        Thread.sleep(POLL_MS);
        boolean assigned = assigned();
        if (assigned && w.assignedMs < 0) {
          w.assignedMs = (System.nanoTime() - w.t0) / 1_000_000;
        }
        boolean calm = assigned && w.lastMaxMs < thresholdMs;
        if (!calm) {
          calmSince = 0;
        } else if (calmSince == 0) {
          calmSince = System.nanoTime();
        } else if (System.nanoTime() - calmSince > TimeUnit.SECONDS.toNanos(5)) {
          break;
        }
      }
    }
    w.running = false;
    t.join();
    return w;
  }

  /** Every partition owned, and every live daemon owning some (unless they outnumber them). */
  private boolean assigned() {
    double owned = 0;
    for (Daemon d : live) {
      double p = sum(d.registry(), "th_partitions_assigned");
      if (p < 1 && live.size() <= partitions) {
        return false;
      }
      owned += p;
    }
    return owned == partitions;
  }

  private interface Change {
    void run() throws Exception;
  }

  /** Polls the lag of every job while a change happens. */
  private final class Window {
    final String label;
    final long thresholdMs;
    final long[] evaluated = new long[jobs];
    volatile boolean running = true;
    volatile long t0;
    volatile long lastMaxMs;
    long changeMs;
    long assignedMs = -1;
    long worstMs;
    long lastOverMs = -1;
    int jobsOver;
    final boolean[] over = new boolean[jobs];

    Window(String label, long thresholdMs) {
      this.label = label;
      this.thresholdMs = thresholdMs;
    }

    void poll() {
      while (running) {
        for (Daemon d : live) {
          iterations(d.registry(), evaluated);
        }
        long now = System.nanoTime();
        long maxNs = 0;
        for (int j = 0; j < jobs; j++) {
          long last = load.lastIter.get(j);
          if (last > evaluated[j]) {
            long oldest = Math.max(evaluated[j] + 1, last - RING + 1);
            long lagNs = now - load.sentAt.get(j * RING + (int) (oldest % RING));
            maxNs = Math.max(maxNs, lagNs);
            if (lagNs / 1_000_000 > thresholdMs && !over[j]) {
              over[j] = true;
              jobsOver++;
            }
          }
        }
        long maxMs = maxNs / 1_000_000;
        lastMaxMs = maxMs;
        worstMs = Math.max(worstMs, maxMs);
        if (maxMs > thresholdMs && t0 != 0) {
          lastOverMs = (now - t0) / 1_000_000;
        }
        try {
          Thread.sleep(POLL_MS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void printRebalance(Window baseline, Window join, Window leave) {
    table.add(row("lag, " + baseline.label, String.format(Locale.ROOT,
        "worst %,d ms over 10 s", baseline.worstMs)));
    for (Window w : new Window[] {join, leave}) {
      table.add(row("rebalance, " + w.label, String.format(Locale.ROOT,
          "call took %,d ms; partitions assigned after %,d ms; every job evaluated again after"
              + " %,d ms;"
              + " worst event waited %,d ms; %,d of %,d jobs waited > %,d ms",
          w.changeMs, w.assignedMs, Math.max(0, w.lastOverMs), w.worstMs, w.jobsOver, jobs,
          w.thresholdMs)));
    }
  }

  // ------------------------------------------------------------------ capacity

  /** Drains a backlog as fast as it can: events/s of the daemons left, and the CPU it took. */
  private void capacity() throws Exception {
    List<String> keys = new ArrayList<>(jobs * backlog);
    List<byte[]> values = new ArrayList<>(jobs * backlog);
    for (int i = 0; i < backlog; i++) {
      for (int j = 0; j < jobs; j++) {
        keys.add(load.names[j]);
        values.add(load.next(j));
      }
    }
    List<Daemon> ds = new ArrayList<>(live);
    double before = 0;
    for (Daemon d : ds) {
      before += sum(d.registry(), "th_events_total");
    }
    long total = values.size();
    double cpu0 = cpuSeconds();
    long t0 = System.nanoTime();
    for (int i = 0; i < total; i++) {
      load.send(keys.get(i), values.get(i));
    }
    keys = null;
    values = null;
    load.producer.flush();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    double read = 0;
    while (System.nanoTime() < deadline) {
      read = -before;
      for (Daemon d : ds) {
        read += sum(d.registry(), "th_events_total");
      }
      if (read >= total) {
        break;
      }
      Thread.sleep(20);
    }
    double dt = (System.nanoTime() - t0) / 1e9;
    double cpu = cpuSeconds() - cpu0;
    table.add(row(String.format(Locale.ROOT, "capacity: backlog of %,d events, %d daemons",
        total, ds.size()), String.format(Locale.ROOT, "%,.0f events/s (%,.0f read in %.1f s),"
            + " %,.0f events/s per daemon; process CPU %.2f cores, %,.0f events per CPU-second",
        read / dt, read, dt, read / dt / ds.size(), cpu / dt, read / cpu)));
  }

  // ------------------------------------------------------------------ accounting

  private void account() throws InterruptedException {
    // The last events reach their daemon: wait until no job is behind, or 60 s.
    long[] evaluated = new long[jobs];
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int behind = jobs;
    while (System.nanoTime() < deadline && behind > 0) {
      java.util.Arrays.fill(evaluated, 0);
      for (Daemon d : live) {
        iterations(d.registry(), evaluated);
      }
      behind = 0;
      for (int j = 0; j < jobs; j++) {
        if (evaluated[j] != load.lastIter.get(j)) {
          behind++;
        }
      }
      Thread.sleep(200);
    }
    double read = 0;
    for (Daemon d : all) {
      read += sum(d.registry(), "th_events_total"); // the closed daemon's registry keeps its count
    }
    double dups = 0;
    double gaps = 0;
    double replayed = 0;
    for (Daemon d : all) {
      dups += sum(d.registry(), "th_event_duplicates_total");
      gaps += sum(d.registry(), "th_event_seq_gaps_total");
      replayed += sum(d.registry(), "th_replayed_events_total");
    }
    long acked = load.acked.get();
    table.add(row("end to end: produced (acked) / read by the daemons", String.format(
        Locale.ROOT, "%,d / %,.0f: read twice %,.0f, not read %,.0f; send failures %,d", acked,
        read, Math.max(0, read - acked), Math.max(0, acked - read), load.failed.get())));
    table.add(row("end to end: dropped as duplicates / seq gaps / replayed on takeover",
        String.format(Locale.ROOT, "%,.0f / %,.0f / %,.0f (duplicates and gaps: counters of"
            + " the jobs' current owners)", dups, gaps, replayed)));
    table.add(row("end to end: jobs whose last event was not evaluated",
        String.format(Locale.ROOT, "%,d of %,d", behind, jobs)));
  }

  // ------------------------------------------------------------------ registry reads

  /** The sum of every sample named {@code sample} in the registry. */
  static double sum(CollectorRegistry registry, String sample) {
    double s = 0;
    for (Collector.MetricFamilySamples f : Collections.list(
        registry.filteredMetricFamilySamples(Set.of(sample)))) {
      for (Collector.MetricFamilySamples.Sample x : f.samples) {
        if (x.name.equals(sample)) {
          s += x.value;
        }
      }
    }
    return s;
  }

  /** Raises {@code into[j]} to job {@code job-j}'s {@code th_job_iteration} in the registry. */
  static void iterations(CollectorRegistry registry, long[] into) {
    for (Collector.MetricFamilySamples f : Collections.list(
        registry.filteredMetricFamilySamples(Set.of("th_job_iteration")))) {
      for (Collector.MetricFamilySamples.Sample x : f.samples) {
        int at = x.labelNames.indexOf("job");
        if (!x.name.equals("th_job_iteration") || at < 0) {
          continue;
        }
        String job = x.labelValues.get(at);
        if (job.startsWith("job-")) {
          int j = Integer.parseInt(job, 4, job.length(), 10);
          if (j < into.length) {
            into[j] = Math.max(into[j], (long) x.value);
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  private static String[] row(String what, String value) {
    return new String[] {what, value};
  }

  private static double cpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
  }

  private static String loadAverage() {
    return String.format(Locale.ROOT, "%.1f",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  /** The simulated jobs: one run each, iteration events with consecutive seq, paced. */
  private static final class Load {
    final String[] names;
    final String[] runs;
    final AtomicLongArray lastIter;
    final AtomicLongArray sentAt;
    final AtomicLong acked = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final KafkaProducer<String, byte[]> producer;
    private final EventCodec codec = new EventCodec();
    private final Random random = new Random(11);
    private final double perSecond;
    private volatile boolean running = true;

    Load(String bootstrap, int jobs, double ratePerJob) {
      names = new String[jobs];
      runs = new String[jobs];
      for (int j = 0; j < jobs; j++) {
        names[j] = "job-" + j;
        runs[j] = UUID.randomUUID().toString();
      }
      lastIter = new AtomicLongArray(jobs);
      sentAt = new AtomicLongArray(jobs * RING);
      perSecond = jobs * ratePerJob;
      Properties p = new Properties();
      p.put("bootstrap.servers", bootstrap);
      p.put("acks", "1");
      p.put("compression.type", "lz4");
      p.put("linger.ms", "5");
      p.put("batch.size", "65536");
      p.put("buffer.memory", String.valueOf(256L << 20));
      producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Job j's next iteration, encoded; its seq is its iteration (from 1), so none repeats. */
    byte[] next(int j) {
      long it = lastIter.get(j) + 1;
      long now = System.currentTimeMillis();
      double loss = 2.3 / (1 + it / 200.0) * Math.exp(0.02 * random.nextGaussian());
      Iteration e = Iteration.builder(Header.of(names[j], runs[j], it, now, it, 0, null))
          .loss(loss).learningRate(0.01).gradNorm(1 + 0.1 * random.nextGaussian())
          .paramNorm(30).updateNorm(0.03).stepMs(8).batchSize(32)
          .layers(List.of(
              LayerStats.of("0", "W", 0.7, 20, 0.02),
              LayerStats.of("1", "W", 0.5, 15, 0.015)))
          .build();
      byte[] bytes = codec.encode(e);
      sentAt.set(j * RING + (int) (it % RING), System.nanoTime());
      lastIter.set(j, it);
      return bytes;
    }

    void send(String key, byte[] value) {
      producer.send(new ProducerRecord<>(Topics.EVENTS, key, value), (md, err) -> {
        if (err == null) {
          acked.incrementAndGet();
        } else {
          failed.incrementAndGet();
        }
      });
    }

    /** Round robin over the jobs at {@code jobs x rate} events/s until stopped. */
    void pace() {
      long start = System.nanoTime();
      long done = 0;
      int j = 0;
      while (running) {
        long due = (long) ((System.nanoTime() - start) / 1e9 * perSecond);
        while (done < due && running) {
          send(names[j], next(j));
          j = (j + 1) % names.length;
          done++;
        }
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      producer.flush();
    }

    void stop() {
      running = false;
    }
  }
}
