package dev.traininghealth.bench;

import dev.traininghealth.daemon.Daemon;
import dev.traininghealth.daemon.DaemonConfig;
import dev.traininghealth.daemon.DaemonMain;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The daemon a bench talks to: either started in the bench's own JVM, or as its own process
 * ({@link DaemonMain} on the bench's class path, with its embedded broker), as it runs in
 * production. In one JVM the daemon's and the broker's garbage is collected on the training's
 * heap, and their collections pause the training thread: the rescue bench's end-to-end CPU ratio
 * moved by ±15 % with it (see the README's rescue section).
 */
interface DaemonProcess extends AutoCloseable {
  /** {@code bootstrap.servers} of the daemon's broker, for the agents. */
  String bootstrapServers();

  /** Base URL of {@code /api/jobs}. */
  String apiUrl();

  @Override
  void close();

  /** The daemon in this JVM. */
  static DaemonProcess inThisJvm(DaemonConfig config) {
    Daemon d = Daemon.start(config);
    return new DaemonProcess() {
      @Override
      public String bootstrapServers() {
        return d.bootstrapServers();
      }

      @Override
      public String apiUrl() {
        return d.apiUrl();
      }

      @Override
      public void close() {
        d.close();
      }
    };
  }

  /**
   * {@link DaemonMain} in a child JVM with {@code heap} as its {@code -Xmx}, configured by a
   * properties file written from {@code config} under {@code dir}; its output goes to {@code
   * dir/daemon.log}. Returns once it has printed its API and broker addresses; fails with the
   * log's tail if it exits or takes over two minutes.
   */
  static DaemonProcess child(Map<String, String> config, Path dir, String heap)
      throws IOException, InterruptedException {
    Path props = dir.resolve("daemon.properties");
    Properties p = new Properties();
    p.putAll(new TreeMap<>(config));
    try (Writer w = Files.newBufferedWriter(props)) {
      p.store(w, "written by the bench");
    }
    Path log = dir.resolve("daemon.log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + heap);
    for (String k : System.getProperties().stringPropertyNames()) {
      if (k.startsWith("org.slf4j.")) { // the same log level as the bench's
        cmd.add("-D" + k + "=" + System.getProperty(k));
      }
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(DaemonMain.class.getName());
    cmd.add(props.toString());
    Process proc = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    String api = null;
    String kafka = null;
    while (api == null || kafka == null) {
      if (!proc.isAlive() || System.nanoTime() > deadline) {
        proc.destroyForcibly();
        throw new IOException("the daemon's process did not start (exit "
            + (proc.isAlive() ? "none, timed out" : proc.exitValue()) + "); " + log + " ends:\n"
            + tail(log));
      }
      Thread.sleep(100);
      for (String line : Files.readAllLines(log)) {
        if (line.startsWith("th-daemon: API at")) {
          api = line.substring(line.indexOf(" at") + 3).trim();
        } else if (line.startsWith("th-daemon: Kafka at")) {
          kafka = line.substring(line.indexOf(" at") + 3).trim();
        }
      }
    }
    String apiUrl = api;
    String bootstrap = kafka;
    return new DaemonProcess() {
      @Override
      public String bootstrapServers() {
        return bootstrap;
      }

      @Override
      public String apiUrl() {
        return apiUrl;
      }

      @Override
      public void close() {
        proc.destroy(); // SIGTERM: DaemonMain's shutdown hook closes the daemon and its broker
        try {
          if (!proc.waitFor(30, TimeUnit.SECONDS)) {
            proc.destroyForcibly();
          }
        } catch (InterruptedException e) {
          proc.destroyForcibly();
          Thread.currentThread().interrupt();
        }
      }
    };
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }
}
