package dev.traininghealth.dashboards;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs Prometheus' {@code promtool} (Debian package {@code prometheus}; {@code scripts/prereqs.sh}
 * installs it). Missing, it fails the test on CI ({@code CI=true}), where a skipped check would
 * hide a broken rule file, and skips it with a message elsewhere, so a laptop without Prometheus
 * can still build.
 */
final class Promtool {
  private Promtool() {}

  /** The promtool to use: {@code $PROMTOOL}, else the first on the PATH; fails or skips if none. */
  static Path require() {
    String env = System.getenv("PROMTOOL");
    if (env != null && !env.isBlank()) {
      if (Files.isExecutable(Path.of(env))) {
        return Path.of(env);
      }
      return missing("$PROMTOOL=" + env + " is not an executable");
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir, "promtool");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return missing("promtool not found on the PATH (install Debian's 'prometheus' package, or run"
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

  /** Output and exit status of one run. */
  record Result(int exitCode, String output) {}

  /** Runs {@code promtool args...} in {@code dir} and waits for it (at most a minute). */
  static Result run(Path dir, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(require().toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("promtool " + String.join(" ", args) + " took over a minute");
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
