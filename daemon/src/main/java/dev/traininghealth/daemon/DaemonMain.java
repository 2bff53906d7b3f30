package dev.traininghealth.daemon;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the daemon until SIGTERM or Ctrl-C. Configuration, later sources overriding earlier ones:
 * the properties file given as the only argument (if any), then {@code TH_DAEMON_*} environment
 * variables, then {@code -Dth.daemon.*} system properties. See {@code daemon/CONFIG.md}.
 */
public final class DaemonMain {
  private DaemonMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 1) {
      System.err.println("usage: DaemonMain [daemon.properties]");
      System.exit(2);
    }
    DaemonConfig config;
    try {
      config = DaemonConfig.load(sources(args.length == 1 ? Path.of(args[0]) : null));
      config.requireApiSecurity();
    } catch (IllegalArgumentException | IllegalStateException | IOException e) {
      System.err.println("th-daemon: " + e.getMessage());
      System.exit(2);
      return;
    }
    Daemon daemon = Daemon.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("th-daemon: stopping");
      daemon.close();
      stopped.countDown();
    }, "th-daemon-shutdown"));
    System.out.println("th-daemon: metrics at " + daemon.metricsUrl());
    System.out.println("th-daemon: API at     " + daemon.apiUrl());
    System.out.println("th-daemon: Kafka at   " + daemon.bootstrapServers());
    stopped.await();
  }

  static Map<String, String> sources(Path file) throws IOException {
    Map<String, String> merged = new LinkedHashMap<>();
    if (file != null) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file)) {
        p.load(r);
      }
      for (String k : p.stringPropertyNames()) {
        merged.put(k, p.getProperty(k));
      }
    }
    merged.putAll(DaemonConfig.keysFromEnvironment(System.getenv()));
    Properties sys = System.getProperties();
    for (String k : sys.stringPropertyNames()) {
      merged.put(k, sys.getProperty(k));
    }
    return merged;
  }
}
