package dev.traininghealth.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A daemon ({@link DaemonMain}) in a JVM of its own, on this test's class path, so that a test
 * can kill it as a crash would: {@link #kill()} is SIGKILL, no shutdown hook runs.
 */
final class DaemonProcess implements AutoCloseable {
  private static final Pattern METRICS = Pattern.compile("th-daemon: metrics at (\\S+)");

  private final Process process;
  private final Path log;
  private final String name;

  private DaemonProcess(Process process, Path log, String name) {
    this.process = process;
    this.log = log;
    this.name = name;
  }

  /** Starts a daemon with these {@code th.daemon.*} settings; output goes to {@code log}. */
  static DaemonProcess start(String name, Map<String, String> settings, Path log)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1"); // starts faster; these daemons live seconds
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
    settings.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add(DaemonMain.class.getName());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    // A test JVM that dies or times out must not leave daemons behind.
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, name + "-reaper"));
    return new DaemonProcess(p, log, name);
  }

  /** Waits until the daemon serves; returns its /metrics URL. */
  String awaitUp(long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      Matcher m = METRICS.matcher(Files.exists(log) ? Files.readString(log) : "");
      if (m.find()) {
        return m.group(1);
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n"
            + Files.readString(log));
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException(name + " not up in " + timeoutMs + " ms:\n"
        + Files.readString(log));
  }

  /** Waits until the log holds {@code text}. */
  void awaitLog(String text, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      if (Files.readString(log).contains(text)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException(name + ": no '" + text + "' in " + timeoutMs + " ms:\n"
        + Files.readString(log));
  }

  String log() throws IOException {
    return Files.readString(log);
  }

  /** SIGKILL: no shutdown hook, no consumer leaving its group, no offsets committed on close. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          kill();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly(); // the test timed out: do not wait, but do not leak it
        throw e;
      }
    }
  }
}
