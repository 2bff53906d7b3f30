package dev.traininghealth.demo;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A training program in a JVM of its own, as a user runs it: its class path holds the program and
 * DL4J only, and the agent comes in through {@code -javaagent} alone, its options on the command
 * line and the command key in {@value #KEY_ENV}. The program's output is passed on, prefixed.
 */
public final class AgentJvm {
  /** The environment variable the agent reads the command key from. */
  static final String KEY_ENV = "TRAINING_HEALTH_COMMAND_KEY";
  static final String DEFAULT_AGENT_JAR = "agent/target/training-health-agent.jar";

  private AgentJvm() {}

  /** The agent jar: {@code -Dth.agent.jar}, else where the agent module builds it. */
  static Path agentJar() {
    Path jar = Path.of(System.getProperty("th.agent.jar", DEFAULT_AGENT_JAR));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no agent jar at " + jar.toAbsolutePath() + ": build it with"
          + " 'mvn -DskipTests package -pl demo,agent -am' (scripts/demo.sh does) or pass"
          + " -Dth.agent.jar=...");
    }
    return jar;
  }

  /**
   * The program's class path: {@code -Dth.zoo.classpath}, else this JVM's minus everything of
   * the agent and the daemon (our modules, Kafka, Jackson, ByteBuddy, Vert.x, Netty), which must
   * reach the program through the agent jar alone.
   */
  static String programClassPath() {
    String given = System.getProperty("th.zoo.classpath", "");
    if (!given.isEmpty()) {
      return given;
    }
    String[] all = System.getProperty("java.class.path").split(File.pathSeparator);
    return Arrays.stream(all)
        .filter(e -> !e.contains("/agent/target/") && !e.contains("/rules/target/")
            && !e.contains("/daemon/target/") && !e.contains("/demo/target/")
            && !e.contains("/embedded-kafka/target/")
            && !e.contains("/org/apache/kafka/") && !e.contains("/com/fasterxml/")
            && !e.contains("/net/bytebuddy/") && !e.contains("/io/vertx/")
            && !e.contains("/io/netty/") && !e.contains("/org/scala-lang/"))
        .collect(Collectors.joining(File.pathSeparator));
  }

  /**
   * Starts {@code main} with {@code args} and the agent jar attached with {@code agentOptions}
   * ({@code key=value,...}); its output lines go to {@code out} behind {@code prefix}.
   */
  static Process start(String agentOptions, String commandKey, String main, PrintStream out,
      String prefix, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
    if (cache != null) {
      cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
    }
    cmd.add("-javaagent:" + agentJar().toAbsolutePath() + "=" + agentOptions);
    cmd.add("-cp");
    cmd.add(programClassPath());
    cmd.add(main);
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put(KEY_ENV, commandKey);
    pb.environment().putIfAbsent("OMP_NUM_THREADS", "1");
    Process p = pb.start();
    Thread pump = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          // A program without an SLF4J binding says so on every start; not news here.
          if (!line.isBlank() && !line.startsWith("SLF4J")) {
            out.println(prefix + line);
          }
        }
      } catch (IOException e) {
        out.println(prefix + "(output lost: " + e + ")");
      }
    }, "demo-child-output");
    pump.setDaemon(true);
    pump.start();
    return p;
  }
}
