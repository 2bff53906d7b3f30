package dev.traininghealth.bench;

import dev.traininghealth.daemon.Daemon;
import dev.traininghealth.daemon.DaemonConfig;
import dev.traininghealth.kafka.EmbeddedKafka;
import dev.traininghealth.rules.event.Activations;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.event.JobFinished;
import dev.traininghealth.rules.event.LayerStats;
import dev.traininghealth.rules.rule.JobEvaluator;
import dev.traininghealth.rules.rule.RuleSet;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The daemon's throughput, memory and latency:
 *
 * <ol>
 *   <li><b>in-process</b>: events per second through a {@link JobEvaluator} with the default
 *       rules, one job, and 1,000 jobs interleaved, on the calling thread (one core);
 *   <li><b>end to end</b>: a started {@link Daemon} on an in-process broker (12 partitions);
 *       after a warm-up with a tenth as many jobs, {@code jobs x perJob} pre-encoded events
 *       (iterations with two layers, activations every 25th, a {@code job_finished} last) are
 *       produced (acks=1, lz4, linger 5 ms) while it reads them, and the clock runs from the
 *       first send until it has evaluated them all ({@code th_events_evaluated_total}); then
 *       again with as many other jobs, JIT warm;
 *   <li><b>heap per job</b>: used heap after full GCs with every job tracked, minus before, over
 *       the job count: the daemon's per-job state plus whatever the in-process broker kept, so
 *       an upper bound;
 *   <li><b>latency</b>: while healthy events flow at a steady rate, a NaN loss for a fresh job
 *       every 10 ms with the produce time as {@code ts}; the time from that to the nonfinite
 *       alert's arrival on {@code th.alerts};
 *   <li><b>drain</b>: with that daemon stopped, as many events of new jobs are produced; then a
 *       daemon of a fresh consumer group reads all of {@code th.events} from the start, and the
 *       clock runs from its first evaluated event to its last: its capacity, warm, with no
 *       producer competing for the cores.
 * </ol>
 *
 * Arguments: {@code [jobs] [perJob]}, defaults 10,000 and 100, or {@code in-process} alone for
 * the in-process measurement only, printed both per second of wall time and per second of the
 * evaluating thread's CPU time (the latter is what one core does on a machine other work shares).
 */
public final class DaemonBench {
  private static final Random RANDOM = new Random(7);
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
  /** Alert changes seen in-process, printed so the JIT cannot drop the evaluation. */
  private static long sink;

  private DaemonBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("in-process")) {
      double[] r = inProcess();
      System.out.printf(Locale.ROOT, "%n| in-process rule evaluation | wall events/s | CPU events/s |"
          + "%n|---|---|---|%n| 1 job | %,.0f | %,.0f |%n| 1,000 jobs | %,.0f | %,.0f |%n",
          r[0], r[2], r[1], r[3]);
      System.out.println("(alert changes in-process: " + sink + ")");
      return;
    }
    int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int perJob = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    if (Boolean.getBoolean("bench.drainOnly")) {
      drainOnly(jobs, perJob, Integer.getInteger("bench.drainRounds", 3));
      System.exit(0);
    }
    List<String[]> table = new ArrayList<>();

    if (!Boolean.getBoolean("bench.endToEndOnly")) {
      double[] inProcess = inProcess();
      table.add(row("rule evaluation, 1 job, in-process", inProcess[0], "events/s", ">= 2M/s"));
      table.add(row("rule evaluation, 1,000 jobs, in-process", inProcess[1], "events/s",
          ">= 2M/s"));
    }

    Path dir = Files.createTempDirectory("daemon-bench");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
      String bootstrap = kafka.bootstrapServers();
      createEventsTopic(bootstrap, 12);
      try (Daemon daemon = Daemon.start(benchDaemon(bootstrap, "th-daemon", jobs))) {
        CollectorRegistry registry = daemon.registry();
        // Warm-up, not reported: a tenth of the work, so the JIT has compiled the hot paths.
        endToEnd(bootstrap, registry, "warm-up-", Math.max(1, jobs / 10), perJob);
        long before = usedAfterGc();
        double[] e2e = endToEnd(bootstrap, registry, "live-", jobs, perJob);
        table.add(row(String.format(Locale.ROOT,
            "end to end: produced while read, %,d jobs x %d events", jobs, perJob),
            e2e[0], "events/s", ">= 200k/s"));
        table.add(row("end to end: process CPU per event (broker, producer and daemon)", e2e[1],
            "us", ""));
        long after = usedAfterGc();
        table.add(row(String.format(Locale.ROOT, "heap per tracked job (%,d jobs)", jobs),
            (after - before) / (double) jobs / 1024, "KB", "<= 100 KB"));
        // The same again with other jobs: the first live run still spends 3-5 us per event in
        // the C2 compiler (the warm-up is a tenth of the work), which a daemon running for days
        // paid once.
        double[] warm = endToEnd(bootstrap, registry, "live-2-", jobs, perJob);
        table.add(row(String.format(Locale.ROOT,
            "end to end: produced while read, %,d more jobs x %d events, JIT warm", jobs,
            perJob), warm[0], "events/s", ">= 200k/s"));
        table.add(row("end to end, JIT warm: process CPU per event (broker, producer and daemon)",
            warm[1], "us", ""));
        double[] lat = latency(bootstrap, 500);
        table.add(row("event produced -> alert on th.alerts, p50", lat[0], "ms", ""));
        table.add(row("event produced -> alert on th.alerts, p99", lat[1], "ms", ""));
      }
      // Capacity: a backlog written while no daemon runs, then read from the start of th.events
      // (the phases above and the backlog) by a daemon of a fresh consumer group, in the same
      // JVM, with no producer competing for the two cores. Twice: the first drain still spent
      // about 2 us of C2 compilation per event (CPU of the compiler threads from /proc), so
      // the second, by a daemon of another fresh group, is the steady capacity.
      produce(bootstrap, encode("backlog-", jobs, perJob));
      long total = eventsInTopic(bootstrap);
      for (int round = 1; round <= 2; round++) {
        cleanHeap();
        try (Daemon daemon =
            Daemon.start(benchDaemon(bootstrap, "th-daemon-drain-" + round, 3 * jobs))) {
          Map<String, Long> threads0 = new HashMap<>();
          Map<String, Long> threads1 = new HashMap<>();
          double[] drain = drain(daemon.registry(), total, () -> threadCpu(threads0),
              () -> threadCpu(threads1));
          String which = round == 1 ? "first daemon" : "second daemon, JIT warm";
          System.out.println("drain of the backlog, " + which + ":");
          printSplit(threads0, threads1, total, drain[1]);
          table.add(row(String.format(Locale.ROOT,
              "from Kafka: drain of a backlog, all %,d events of th.events, %s", total, which),
              drain[0], "events/s", ">= 200k/s"));
          table.add(row("drain: process CPU per event (broker and daemon), " + which, drain[1],
              "us", ""));
        }
      }
    }

    System.out.printf(Locale.ROOT, "%n| measurement | value | goal |%n|---|---|---|%n");
    for (String[] r : table) {
      System.out.printf(Locale.ROOT, "| %s | %s | %s |%n", r[0], r[1], r[2]);
    }
    System.out.println("(alert changes in-process: " + sink + ")");
    System.exit(0); // the broker's and Vert.x's non-daemon threads
  }

  private static String[] row(String what, double value, String unit, String goal) {
    String v = unit.equals("events/s")
        ? String.format(Locale.ROOT, "%,.0f events/s", value)
        : String.format(Locale.ROOT, "%.1f %s", value, unit);
    return new String[] {what, v, goal};
  }

  // ------------------------------------------------------------------ events

  /** A healthy-looking iteration of {@code job}'s run with a falling, noisy loss. */
  private static Iteration iteration(String job, String run, long seq, long iter, long ts,
      double loss) {
    return Iteration.builder(Header.of(job, run, seq, ts, iter, 0, null))
        .loss(loss).learningRate(0.01).gradNorm(1 + 0.1 * RANDOM.nextGaussian())
        .paramNorm(30).updateNorm(0.03).stepMs(8).batchSize(32)
        .layers(List.of(
            LayerStats.of("0", "W", 0.7, 20, 0.02),
            LayerStats.of("1", "W", 0.5, 15, 0.015)))
        .build();
  }

  private static double healthyLoss(long t) {
    return 2.3 / (1 + t / 200.0) * Math.exp(0.02 * RANDOM.nextGaussian());
  }

  /** The events of one job: iterations from 1, activations every 25th. */
  private static List<Event> jobStream(String job, int n, long ts) {
    String run = UUID.randomUUID().toString();
    List<Event> out = new ArrayList<>(n);
    long seq = 0;
    for (int t = 1; out.size() < n; t++) {
      out.add(iteration(job, run, seq++, t, ts + t, healthyLoss(t)));
      if (t % 25 == 0 && out.size() < n) {
        out.add(Activations.of(Header.of(job, run, seq++, ts + t, t, 0, null),
            List.of(Activations.LayerActivity.of("0", 0.1, 0.05))));
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ in-process

  private static double[] inProcess() {
    RuleSet rules = RuleSet.defaults();
    List<Event> one = jobStream("bench", 50_000, 0);
    double[] rates = new double[7];
    double[] cpuRates = new double[rates.length];
    for (int pass = -8; pass < rates.length; pass++) {
      JobEvaluator ev = new JobEvaluator("bench", rules);
      long c0 = CPU.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      sink += feed(ev, one);
      long dt = System.nanoTime() - t0;
      long dc = CPU.getCurrentThreadCpuTime() - c0;
      if (pass >= 0) {
        rates[pass] = one.size() / (dt / 1e9);
        cpuRates[pass] = one.size() / (dc / 1e9);
      }
    }
    Arrays.sort(rates);
    Arrays.sort(cpuRates);
    int jobs = 1_000;
    List<Event> perJob = one.subList(0, 2_000);
    double[] multi = new double[5];
    double[] cpuMulti = new double[multi.length];
    for (int pass = -3; pass < multi.length; pass++) {
      JobEvaluator[] evs = new JobEvaluator[jobs];
      for (int j = 0; j < jobs; j++) {
        evs[j] = new JobEvaluator("job-" + j, rules);
      }
      long c0 = CPU.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      for (Event e : perJob) {
        for (JobEvaluator ev : evs) {
          sink += ev.onEvent(e).size();
        }
      }
      long dt = System.nanoTime() - t0;
      long dc = CPU.getCurrentThreadCpuTime() - c0;
      if (pass >= 0) {
        multi[pass] = (double) jobs * perJob.size() / (dt / 1e9);
        cpuMulti[pass] = (double) jobs * perJob.size() / (dc / 1e9);
      }
    }
    Arrays.sort(multi);
    Arrays.sort(cpuMulti);
    return new double[] {rates[rates.length / 2], multi[multi.length / 2],
        cpuRates[cpuRates.length / 2], cpuMulti[cpuMulti.length / 2]};
  }

  private static long feed(JobEvaluator ev, List<Event> events) {
    long changes = 0;
    for (int i = 0; i < events.size(); i++) {
      changes += ev.onEvent(events.get(i)).size();
    }
    return changes;
  }

  // ------------------------------------------------------------------ end to end

  private static KafkaProducer<String, byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("acks", "1");
    p.put("compression.type", System.getProperty("bench.compression", "lz4")); // as the agent
    p.put("linger.ms", "5");
    p.put("batch.size", "65536");
    p.put("buffer.memory", String.valueOf(256L << 20));
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  /** Pre-encoded records, interleaved round-robin over the jobs as many jobs training send. */
  private record Encoded(List<String> keys, List<byte[]> values) {
    int size() {
      return values.size();
    }
  }

  private static Encoded encode(String prefix, int jobs, int perJob) {
    EventCodec codec = new EventCodec();
    List<String> keys = new ArrayList<>(jobs * perJob);
    List<byte[]> values = new ArrayList<>(jobs * perJob);
    List<List<Event>> streams = new ArrayList<>(jobs);
    long ts = System.currentTimeMillis();
    for (int j = 0; j < jobs; j++) {
      List<Event> stream = jobStream(prefix + "job-" + j, perJob - 1, ts);
      // Each job ends as a finished job, so its silence afterwards fires no heartbeat-lost
      // alert while a later phase is measured.
      Event last = stream.get(stream.size() - 1);
      stream.add(JobFinished.of(Header.of(last.job(), last.header().run(),
          last.header().seq() + 1, last.header().ts() + 1, last.iter(), 0, null),
          "completed", "", 0));
      streams.add(stream);
    }
    for (int i = 0; i < perJob; i++) {
      for (int j = 0; j < jobs; j++) {
        Event e = streams.get(j).get(i);
        keys.add(e.job());
        values.add(codec.encode(e));
      }
    }
    return new Encoded(keys, values);
  }

  private static void send(KafkaProducer<String, byte[]> producer, Encoded records) {
    for (int i = 0; i < records.size(); i++) {
      producer.send(new ProducerRecord<>("th.events", records.keys().get(i),
          records.values().get(i)));
    }
    producer.flush();
  }

  private static void produce(String bootstrap, Encoded records) {
    try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
      send(producer, records);
    }
  }

  private static DaemonConfig benchDaemon(String bootstrap, String group, int jobs) {
    DaemonConfig.Builder b = DaemonConfig.builder();
    // -Dbench.kafka.client.<key>=<value>: th.daemon.kafka.client.<key>, for trying client settings.
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith("bench.kafka.client.")) {
        b.kafkaClient(name.substring("bench.kafka.client.".length()), System.getProperty(name));
      }
    }
    return b
        .bootstrapServers(bootstrap)
        .groupId(group)
        .httpPort(0)
        .apiToken("bench-token")
        .topicPartitions(12)
        // Room for every job of every phase.
        .jobsMax(2 * jobs + 10_000)
        .metricsJobsMax(2 * jobs + 10_000)
        .build();
  }

  private static long eventsInTopic(String bootstrap) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      Map<TopicPartition, OffsetSpec> q = new HashMap<>();
      for (int p = 0; p < 12; p++) {
        q.put(new TopicPartition("th.events", p), OffsetSpec.latest());
      }
      long n = 0;
      for (var o : admin.listOffsets(q).all().get().values()) {
        n += o.offset();
      }
      return n;
    }
  }

  private static void createEventsTopic(String bootstrap, int partitions) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic("th.events", partitions, (short) 1))).all().get();
    }
  }

  /**
   * Events/s and process CPU microseconds per event from the first evaluated event of a backlog
   * to the last, so the daemon's start and its group join are not counted.
   */
  private static double[] drain(CollectorRegistry registry, long total, Runnable atStart,
      Runnable atEnd) throws Exception {
    double first;
    while ((first = evaluated(registry)) == 0) {
      Thread.sleep(5);
    }
    atStart.run();
    long cpu0 = processCpuNanos();
    long t0 = System.nanoTime();
    double seen = first;
    long progressAt = t0;
    double now;
    while ((now = evaluated(registry)) < total) {
      if (now > seen) {
        seen = now;
        progressAt = System.nanoTime();
      } else if (System.nanoTime() - progressAt > 60_000_000_000L) {
        throw new IllegalStateException("the drain stopped at " + now + " of " + total
            + " events evaluated");
      }
      Thread.sleep(50);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    double n = total - first;
    long cpu = processCpuNanos() - cpu0;
    atEnd.run();
    return new double[] {n / seconds, cpu / 1e3 / n};
  }

  /**
   * The drain alone, for profiling and A/B runs: a backlog of {@code jobs x perJob} events, then
   * {@code rounds} daemons of fresh groups read it whole one after the other; the first warms the
   * JIT and is not printed.
   */
  private static void drainOnly(int jobs, int perJob, int rounds) throws Exception {
    Path dir = Files.createTempDirectory("daemon-bench");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
      String bootstrap = kafka.bootstrapServers();
      createEventsTopic(bootstrap, 12);
      produce(bootstrap, encode("backlog-", jobs, perJob));
      long total = eventsInTopic(bootstrap);
      for (int round = 0; round <= rounds; round++) {
        cleanHeap();
        System.out.println("drain " + round + " starts");
        System.out.flush();
        try (Daemon daemon = Daemon.start(benchDaemon(bootstrap, "th-drain-" + round, jobs))) {
          Map<String, Long> threads0 = new HashMap<>();
          Map<String, Long> threads1 = new HashMap<>();
          double[] drain = drain(daemon.registry(), total, () -> threadCpu(threads0),
              () -> threadCpu(threads1));
          if (round > 0) {
            printSplit(threads0, threads1, total, drain[1]);
            System.out.printf(Locale.ROOT,
                "drain %d: %,d events, %,.0f events/s, %.2f us CPU per event%n", round, total,
                drain[0], drain[1]);
            System.out.flush();
          }
        }
      }
    }
  }

  /**
   * Prints, per event of a drain, each thread's CPU time, the rest of the process's (the JVM's
   * own threads), the bytes each thread allocated and the JVM threads' CPU from /proc.
   */
  private static void printSplit(Map<String, Long> threads0, Map<String, Long> threads1,
      long total, double processUsPerEvent) {
    StringBuilder b = new StringBuilder("  CPU us/event by thread:");
    StringBuilder alloc = new StringBuilder("  allocated bytes/event by thread:");
    StringBuilder jvm = new StringBuilder("  CPU ms of the JVM's own threads (/proc):");
    double java = 0;
    for (Map.Entry<String, Long> e : threads1.entrySet()) {
      double delta = e.getValue() - threads0.getOrDefault(e.getKey(), 0L);
      if (e.getKey().startsWith(NATIVE)) {
        double ms = delta / 1e6;
        if (ms >= 20) {
          jvm.append(String.format(Locale.ROOT, " %s %.0f,",
              e.getKey().substring(NATIVE.length()), ms));
        }
        continue;
      }
      if (e.getKey().startsWith(ALLOCATED)) {
        if (delta / total >= 10) {
          alloc.append(String.format(Locale.ROOT, " %s %.0f,",
              e.getKey().substring(ALLOCATED.length()), delta / total));
        }
        continue;
      }
      double us = delta / 1e3 / total;
      java += us;
      if (us >= 0.05) {
        b.append(String.format(Locale.ROOT, " %s %.2f,", e.getKey(), us));
      }
    }
    b.append(String.format(Locale.ROOT, " not Java threads (GC, JIT) %.2f",
        processUsPerEvent - java));
    System.out.println(b);
    System.out.println(alloc);
    System.out.println(jvm);
  }

  /** Events/s, and the whole process's CPU microseconds per event over the same time. */
  private static double[] endToEnd(String bootstrap, CollectorRegistry registry, String prefix,
      int jobs, int perJob) throws Exception {
    Encoded records = encode(prefix, jobs, perJob);
    // The encoded records (about 570 MB for a million) stand for what the training jobs hold, not
    // the daemon: collected into the old generation now, rather than copied by young collections
    // on the clock (they were 2 of the 8 us per event the JVM's own threads took).
    cleanHeap();
    long total = records.size();
    double before = evaluated(registry);
    try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
      Map<String, Long> threads0 = new HashMap<>();
      Map<String, Long> threads1 = new HashMap<>();
      threadCpu(threads0);
      long cpu0 = processCpuNanos();
      long t0 = System.nanoTime();
      send(producer, records);
      records = null;
      while (evaluated(registry) - before < total) {
        Thread.sleep(50);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      double usPerEvent = (processCpuNanos() - cpu0) / 1e3 / total;
      threadCpu(threads1);
      System.out.println("end to end, " + prefix + ":");
      printSplit(threads0, threads1, total, usPerEvent);
      return new double[] {total / seconds, usPerEvent};
    }
  }

  /** Events the daemon's rules have evaluated, over all jobs. */
  private static double evaluated(CollectorRegistry registry) {
    // One unlabelled series: th_job_events_total has one per job, and collecting 30,000 of them
    // every 50 ms took as much CPU as the daemon's evaluation.
    // Not getSampleValue: that collects every family, the per-job gauges too.
    for (Collector.MetricFamilySamples f : Collections.list(
        registry.filteredMetricFamilySamples(Set.of("th_events_evaluated_total")))) {
      for (Collector.MetricFamilySamples.Sample s : f.samples) {
        if (s.name.equals("th_events_evaluated_total")) {
          return s.value;
        }
      }
    }
    return 0;
  }

  // ------------------------------------------------------------------ latency

  private static double[] latency(String bootstrap, int samples) throws Exception {
    Properties c = new Properties();
    c.put("bootstrap.servers", bootstrap);
    c.put("group.id", "bench-" + UUID.randomUUID());
    c.put("auto.offset.reset", "latest");
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    AtomicBoolean running = new AtomicBoolean(true);
    KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
    consumer.subscribe(List.of("th.alerts"));
    while (consumer.assignment().isEmpty()) {
      consumer.poll(Duration.ofMillis(100));
    }
    Thread reader = new Thread(() -> {
      while (running.get()) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(50))) {
          long now = System.currentTimeMillis();
          JsonObject a = new JsonObject(r.value());
          if (r.key().startsWith("lat-") && "firing".equals(a.getString("to"))) {
            latencies.add(now - a.getLong("since_ts"));
          }
        }
      }
      consumer.close();
    }, "alert-reader");
    reader.start();
    EventCodec codec = new EventCodec();
    try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
      String run = UUID.randomUUID().toString();
      long seq = 0;
      // Background: 100 healthy events per 10 ms tick (10,000/s) over 200 jobs.
      for (int i = 0; i < samples; i++) {
        long tick = System.nanoTime();
        for (int k = 0; k < 100; k++) {
          String job = "bg-" + (k + 100 * (i % 2));
          producer.send(new ProducerRecord<>("th.events", job, codec.encode(
              iteration(job, run, seq, i, System.currentTimeMillis(), healthyLoss(i)))));
        }
        seq++;
        String job = "lat-" + i;
        long now = System.currentTimeMillis();
        producer.send(new ProducerRecord<>("th.events", job, codec.encode(
            iteration(job, run, 0, 1, now, Double.NaN))));
        long sleepNs = 10_000_000 - (System.nanoTime() - tick);
        if (sleepNs > 0) {
          Thread.sleep(sleepNs / 1_000_000, (int) (sleepNs % 1_000_000));
        }
      }
    }
    long deadline = System.currentTimeMillis() + 10_000;
    while (latencies.size() < samples && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    running.set(false);
    reader.join();
    long[] l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    if (l.length == 0) {
      return new double[] {Double.NaN, Double.NaN};
    }
    return new double[] {l[l.length / 2], l[Math.min(l.length - 1, (int) (l.length * 0.99))]};
  }

  /** Prefixes the keys of {@link #threadCpu}'s allocated-bytes entries. */
  private static final String ALLOCATED = "allocated:";

  /**
   * The CPU time and allocated bytes (keys prefixed {@link #ALLOCATED}) of every live thread,
   * summed by name with digits dropped.
   */
  private static void threadCpu(Map<String, Long> into) {
    Set<String> javaThreads = new java.util.HashSet<>();
    for (java.lang.management.ThreadInfo t : CPU.getThreadInfo(CPU.getAllThreadIds())) {
      if (t != null) {
        long ns = CPU.getThreadCpuTime(t.getThreadId());
        String full = t.getThreadName();
        // Linux keeps the first 15 bytes of a thread's name in /proc's comm.
        javaThreads.add(full.substring(0, Math.min(15, full.length())));
        String name = full.replaceAll("[0-9]+", "N");
        if (ns > 0) {
          into.merge(name, ns, Long::sum);
        }
        long bytes = ((com.sun.management.ThreadMXBean) CPU).getThreadAllocatedBytes(
            t.getThreadId());
        if (bytes > 0) {
          into.merge(ALLOCATED + name, bytes, Long::sum);
        }
      }
    }
    nativeThreadCpu(into, javaThreads);
  }

  /** Prefixes the keys of {@link #nativeThreadCpu}'s entries. */
  private static final String NATIVE = "native:";

  /**
   * On Linux, the CPU time of the JVM's own threads (GC, JIT, ...: the threads whose /proc name
   * is not one of {@code javaThreads}) by their names with digits dropped, in clock ticks of
   * 10 ms converted to nanoseconds; nothing elsewhere.
   */
  private static void nativeThreadCpu(Map<String, Long> into, Set<String> javaThreads) {
    Path tasks = Path.of("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return;
    }
    try (java.util.stream.Stream<Path> list = Files.list(tasks)) {
      for (Path task : (Iterable<Path>) list::iterator) {
        try {
          String comm = Files.readString(task.resolve("comm")).trim();
          if (javaThreads.contains(comm)) {
            continue;
          }
          String stat = Files.readString(task.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
          into.merge(NATIVE + comm.replaceAll("[0-9]+", "N"), ticks * 10_000_000L, Long::sum);
        } catch (IOException | RuntimeException gone) {
          // the thread ended between the listing and the read
        }
      }
    } catch (IOException e) {
      // no /proc: the split stays unknown
    }
  }

  /**
   * Collects what the bench left before a drain (the encoded backlog, the stopped daemons' job
   * states), so that the drain's daemon starts on a heap like a freshly started daemon's, not
   * one with 20,000 dead job states of its predecessor in the same JVM to collect.
   */
  private static void cleanHeap() throws InterruptedException {
    System.gc();
    Thread.sleep(200);
    System.gc();
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static long usedAfterGc() {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }
}
