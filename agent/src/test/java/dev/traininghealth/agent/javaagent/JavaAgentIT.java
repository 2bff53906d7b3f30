package dev.traininghealth.agent.javaagent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.kafka.EmbeddedKafka;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.EventType;
import dev.traininghealth.rules.event.Iteration;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The agent jar in separate JVMs that hold no reference to it: {@code -javaagent}, attach to a
 * running job, a host with its own kafka-clients, a JVM without DL4J.
 */
@Tag("e2e")
class JavaAgentIT {
  private static final String AGENT_JAR = System.getProperty("th.agent.jar");
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void broker() {
    kafka = EmbeddedKafka.start();
    kafka.createTopics(3, "th.events", "host.topic");
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  /**
   * The class path of a user's training program: the zoo and DL4J, without anything of the
   * agent (our classes, Kafka, Jackson, ByteBuddy), which must come from the agent jar alone.
   */
  private static List<String> programClassPath() {
    String[] all = System.getProperty("java.class.path").split(File.pathSeparator);
    return Arrays.stream(all)
        .filter(e -> !e.contains("/agent/target/") && !e.contains("/rules/target/")
            && !e.contains("/embedded-kafka/target/") && !e.contains("/org/apache/kafka/")
            && !e.contains("/com/fasterxml/") && !e.contains("/net/bytebuddy/")
            && !e.contains("/org/scala-lang/") && !e.contains("/junit") && !e.contains("opentest4j"))
        .collect(Collectors.toList());
  }

  private static Process java(List<String> jvmArgs, List<String> classPath, String main,
      Path out, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + System.getProperty("org.bytedeco.javacpp.cachedir"));
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(String.join(File.pathSeparator, classPath));
    cmd.add(main);
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile())
        .redirectError(out.resolveSibling(out.getFileName() + ".err").toFile());
    pb.environment().put("OMP_NUM_THREADS", "1");
    return pb.start();
  }

  private static String err(Path out) throws Exception {
    return Files.readString(out.resolveSibling(out.getFileName() + ".err"));
  }

  private static List<Event> events(String job, int atLeast, Duration timeout) throws Exception {
    Map<String, Object> c = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "it-" + job + "-" + System.nanoTime(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    EventCodec codec = new EventCodec();
    List<Event> got = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      consumer.subscribe(List.of("th.events"));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (got.size() < atLeast && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (job.equals(new String(r.key(), StandardCharsets.UTF_8))) {
            got.add(codec.decode(r.value()));
          }
        }
      }
    }
    return got;
  }

  @Test
  void aJobStartedWithTheJavaagentReportsEveryIterationOnce(@org.junit.jupiter.api.io.TempDir
      Path dir) throws Exception {
    Path out = dir.resolve("job.out");
    Process p = java(
        List.of("-javaagent:" + AGENT_JAR + "=job=with-javaagent,bootstrap.servers="
            + kafka.bootstrapServers() + ",heartbeat.interval.ms=0"),
        programClassPath(), "dev.traininghealth.zoo.ZooMain", out, "healthy-mlp", "3", "1");
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "job finished");
    assertEquals(0, p.exitValue(), err(out));
    assertTrue(Files.readString(out).contains("healthy-mlp run 1/1 done"));

    List<Event> events = events("with-javaagent", 62, Duration.ofSeconds(30));
    assertEquals(EventType.JOB_STARTED, events.get(0).type());
    List<Long> iters = events.stream().filter(e -> e instanceof Iteration).map(Event::iter)
        .collect(Collectors.toList());
    assertEquals(60, iters.size(), "3 epochs x 20 batches, each reported once");
    assertEquals(60, new HashSet<>(iters).size(), "no iteration twice: one listener");
    assertTrue(events.stream().anyMatch(e -> e.type() == EventType.JOB_FINISHED),
        "job_finished sent at JVM exit");
    assertEquals(1, countLines(err(out), "[training-health]"), err(out));
  }

  @Test
  void attachedToARunningJobItReportsFromTheNextIteration(@org.junit.jupiter.api.io.TempDir
      Path dir) throws Exception {
    Path out = dir.resolve("job.out");
    Process p = java(List.of(), programClassPath(), "dev.traininghealth.zoo.ZooMain", out,
        "healthy-mlp", "3", "100000");
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.readString(out).contains("run 1/") && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertTrue(Files.readString(out).contains("run 1/"), "the job is training");

      Path cliOut = dir.resolve("cli.out");
      Process cli = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", AGENT_JAR,
          "attach", String.valueOf(p.pid()),
          "job=attached,heartbeat.interval.ms=0,bootstrap.servers=" + kafka.bootstrapServers())
          .redirectErrorStream(true).redirectOutput(cliOut.toFile()).start();
      assertTrue(cli.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, cli.exitValue(), Files.readString(cliOut));

      List<Event> events = events("attached", 20, Duration.ofSeconds(60));
      assertTrue(events.stream().filter(e -> e instanceof Iteration).count() >= 10,
          "iterations arrive after attach: " + events.size());
      assertTrue(p.isAlive(), "the job keeps training");
      assertTrue(err(out).contains("[training-health] attached"), err(out));
    } finally {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aHostWithItsOwnOlderKafkaClientWorksBesideTheAgent(@org.junit.jupiter.api.io.TempDir
      Path dir) throws Exception {
    List<String> cp = new ArrayList<>(programClassPath());
    cp.add(0, System.getProperty("th.host.libs") + "/kafka-clients-3.7.2.jar");
    cp.add(Path.of(AGENT_JAR).getParent().resolve("test-classes").toString());
    cp.addAll(Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> e.contains("slf4j") || e.contains("lz4") || e.contains("snappy")
            || e.contains("zstd"))
        .collect(Collectors.toList()));
    Path out = dir.resolve("host.out");
    Process p = java(
        List.of("-javaagent:" + AGENT_JAR + "=job=host-own-kafka,bootstrap.servers="
            + kafka.bootstrapServers() + ",heartbeat.interval.ms=0"),
        cp, HostWithOwnKafka.class.getName(), out, kafka.bootstrapServers());
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), err(out));
    assertTrue(Files.readString(out).contains("kafka-clients-3.7.2.jar"), Files.readString(out));
    assertTrue(events("host-own-kafka", 62, Duration.ofSeconds(30)).size() >= 62);
  }

  @Test
  void aJvmWithoutDl4jSaysSoOnceAndRunsOn(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    String testClasses = Path.of(AGENT_JAR).getParent().resolve("test-classes").toString();
    Path out = dir.resolve("plain.out");
    Process p = java(List.of("-javaagent:" + AGENT_JAR), List.of(testClasses),
        NoDl4jProgram.class.getName(), out, "3");
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue());
    assertEquals("tick 0\ntick 1\ntick 2\n", Files.readString(out));
    String err = err(out);
    assertEquals(1, countLines(err, "[training-health]"), err);
    assertTrue(err.contains("DeepLearning4J is not on this JVM's class path"), err);

    // and attached to, while it runs
    Path out2 = dir.resolve("plain2.out");
    Process q = java(List.of(), List.of(testClasses), NoDl4jProgram.class.getName(), out2,
        "30", "100");
    Thread.sleep(500);
    Process cli = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", AGENT_JAR,
        "attach", String.valueOf(q.pid())).redirectErrorStream(true).start();
    assertTrue(cli.waitFor(60, TimeUnit.SECONDS));
    assertTrue(q.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, q.exitValue());
    assertEquals(30, Files.readString(out2).lines().count(), "the program ran on");
    assertTrue(err(out2).contains("DeepLearning4J is not on this JVM's class path"), err(out2));
  }

  private static long countLines(String text, String needle) {
    return text.lines().filter(l -> l.contains(needle)).count();
  }

}
