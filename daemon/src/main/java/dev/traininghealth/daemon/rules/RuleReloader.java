package dev.traininghealth.daemon.rules;

import dev.traininghealth.rules.rule.Rule;
import dev.traininghealth.rules.rule.RuleError;
import dev.traininghealth.rules.rule.RuleFileLoader;
import dev.traininghealth.rules.rule.RuleLoadResult;
import dev.traininghealth.rules.rule.RuleSet;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules in force: {@code base} (the shipped defaults) plus every {@code *.yaml}/{@code *.yml}
 * file directly in the configured directories. {@link #check()} looks at the directories (names,
 * sizes and modification times of their rule files) and, when anything changed since the last
 * look, loads them all again: all or nothing, so a file that does not validate is rejected with
 * every error logged (file:line:col) and kept for {@link #status()}, and the old rules stay.
 * Polling rather than a {@code WatchService}: it sees files on network mounts and in
 * directories replaced whole (Kubernetes' ConfigMap symlink swap), and its cost is a few
 * {@code stat}s every few seconds.
 *
 * <p>{@link #check()} does file I/O: call it off the event loop. The status it leaves is an
 * immutable snapshot, safe to read from any thread.
 */
public final class RuleReloader {
  private static final Logger LOG = LoggerFactory.getLogger(RuleReloader.class);
  /** How the shipped rules are named in errors and in the API. */
  public static final String DEFAULTS_SOURCE = "default rules (" + RuleSet.DEFAULTS_RESOURCE + ")";

  private final RuleSet base;
  private final List<Path> dirs;
  private final RuleMetrics metrics;
  private final LongSupplier clock;
  private String fingerprint;
  private volatile RuleSet current;
  private volatile JsonObject status;

  public RuleReloader(RuleSet base, List<Path> dirs, RuleMetrics metrics, LongSupplier clock) {
    this.base = base;
    this.dirs = List.copyOf(dirs);
    this.metrics = metrics;
    this.clock = clock;
    this.current = base;
    this.status = new JsonObject().put("dirs", dirNames()).put("last_reload", (Object) null);
    metrics.loaded(base.rules().size());
  }

  /** The rules in force now. */
  public RuleSet current() {
    return current;
  }

  /** Whether there are directories to watch at all. */
  public boolean watching() {
    return !dirs.isEmpty();
  }

  /**
   * Reloads when the directories changed since the last call (the first call always loads);
   * returns the new rules after a successful reload, else null (nothing changed, or the files
   * do not validate and the old rules stay).
   */
  public synchronized RuleSet check() {
    if (dirs.isEmpty()) {
      return null;
    }
    String now = fingerprint();
    if (now.equals(fingerprint)) {
      return null;
    }
    fingerprint = now;
    RuleLoadResult r = RuleFileLoader.loadDirectories(dirs, base, DEFAULTS_SOURCE);
    metrics.reload(r.ok());
    JsonObject reload = new JsonObject().put("ts", clock.getAsLong()).put("ok", r.ok());
    JsonArray errors = new JsonArray();
    for (RuleError e : r.errors()) {
      errors.add(new JsonObject().put("file", e.source()).put("line", e.line())
          .put("column", e.column()).put("message", e.message()));
    }
    reload.put("errors", errors);
    if (r.ok()) {
      current = r.ruleSet();
      metrics.loaded(current.rules().size());
      LOG.info("rules loaded from {}: {} rules ({} of them from the directories)", dirs,
          current.rules().size(), current.rules().size() - base.rules().size());
    } else {
      LOG.error("rule files in {} rejected, the {} rules in force stay:\n{}", dirs,
          current.rules().size(), r.describe().stripTrailing());
    }
    status = new JsonObject().put("dirs", dirNames()).put("last_reload", reload);
    return r.ok() ? current : null;
  }

  /** The directories and the last reload: when, whether it succeeded, and every error. */
  public JsonObject status() {
    return status.copy();
  }

  /** Where a rule of the current set comes from: the defaults or a directory. */
  public String origin(Rule r) {
    return base.rule(r.name()) != null && base.rule(r.name()).equals(r) ? "default" : "directory";
  }

  private JsonArray dirNames() {
    JsonArray a = new JsonArray();
    dirs.forEach(d -> a.add(d.toString()));
    return a;
  }

  /** Names, sizes and modification times of the rule files; a missing directory says so. */
  private String fingerprint() {
    StringBuilder b = new StringBuilder();
    for (Path dir : dirs) {
      b.append(dir).append('\n');
      List<String> entries = new ArrayList<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.{yaml,yml}")) {
        for (Path p : ds) {
          entries.add(p.getFileName() + " " + Files.size(p) + " "
              + Files.getLastModifiedTime(p).toMillis());
        }
      } catch (IOException e) {
        entries.add("unreadable: " + e);
      }
      entries.sort(null);
      entries.forEach(e -> b.append(e).append('\n'));
    }
    return b.toString();
  }
}
