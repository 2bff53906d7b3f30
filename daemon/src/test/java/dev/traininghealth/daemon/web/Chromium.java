package dev.traininghealth.daemon.web;

import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A headless Chromium (Debian's {@code chromium}) with its DevTools port open, in a fresh
 * profile directory; {@link #page()} connects to its one tab. Missing, it skips the test with a
 * message, or fails it on CI ({@code CI=true}), where {@code scripts/prereqs.sh} installs it.
 */
final class Chromium implements AutoCloseable {
  private final Process process;
  private final Path profile;
  private final int port;

  private Chromium(Process process, Path profile, int port) {
    this.process = process;
    this.profile = profile;
    this.port = port;
  }

  /** {@code $CHROMIUM}, else chromium or chromium-browser on the PATH; skips or fails if none. */
  static Path require() {
    String env = System.getenv("CHROMIUM");
    if (env != null && !env.isBlank()) {
      if (Files.isExecutable(Path.of(env))) {
        return Path.of(env);
      }
      return missing("$CHROMIUM=" + env + " is not an executable");
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : List.of("chromium", "chromium-browser")) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    return missing("chromium not found on the PATH (install Debian's 'chromium' package, or run"
        + " scripts/prereqs.sh)");
  }

  /** Fails on CI, where the tool must be there; elsewhere skips with a visible message. */
  private static Path missing(String why) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(why + "; CI=true, so this is a failure, not a skip");
    }
    System.err.println("SKIPPED: " + why);
    Assumptions.abort(why);
    return null;
  }

  static Chromium launch(int width, int height) throws Exception {
    Path exe = require();
    Path profile = Files.createTempDirectory("th-chromium-");
    Process p = new ProcessBuilder(exe.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-extensions",
        "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--remote-debugging-port=0",
        "--remote-allow-origins=*", "--window-size=" + width + "," + height, "about:blank")
        .redirectErrorStream(true)
        .redirectOutput(profile.resolve("chromium.log").toFile())
        .start();
    // Chromium writes the port it picked to DevToolsActivePort in the profile directory.
    Path portFile = profile.resolve("DevToolsActivePort");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.exists(portFile) || Files.readAllLines(portFile).isEmpty()) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        String log = Files.readString(profile.resolve("chromium.log"));
        p.destroyForcibly();
        fail("chromium did not open its DevTools port: " + log);
      }
      Thread.sleep(50);
    }
    int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
    return new Chromium(p, profile, port);
  }

  /** A DevTools session on the browser's page. */
  Cdp page() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      String body = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      for (Object o : new JsonArray(body)) {
        JsonObject t = (JsonObject) o;
        if ("page".equals(t.getString("type"))) {
          return Cdp.connect(URI.create(t.getString("webSocketDebuggerUrl")));
        }
      }
      if (System.nanoTime() > deadline) {
        fail("no page target in " + body);
      }
      Thread.sleep(100);
    }
  }

  @Override
  public void close() throws IOException {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
