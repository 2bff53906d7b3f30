package dev.traininghealth.daemon.evaluate;

import dev.traininghealth.daemon.rules.RuleReloader;
import dev.traininghealth.rules.rule.Rule;
import dev.traininghealth.rules.rule.RuleHealth;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /api/rules}: the rules in force, their health over all jobs, the last reload. */
final class RulesJson {
  private RulesJson() {}

  static JsonObject of(RuleReloader reloader, List<JobState> jobs) {
    // A rule is unhealthy when its detector threw on the last evaluation of any job.
    Map<String, long[]> counts = new HashMap<>(); // {unhealthy jobs, errors}
    Map<String, String> lastError = new HashMap<>();
    for (JobState s : jobs) {
      for (RuleHealth h : s.health()) {
        long[] c = counts.computeIfAbsent(h.rule(), k -> new long[2]);
        c[0] += h.healthy() ? 0 : 1;
        c[1] += h.errors();
        if (!h.lastError().isEmpty()) {
          lastError.put(h.rule(), s.job() + ": " + h.lastError());
        }
      }
    }
    JsonArray rules = new JsonArray();
    for (Rule r : reloader.current().rules()) {
      long[] c = counts.getOrDefault(r.name(), new long[2]);
      JsonArray actions = new JsonArray();
      r.actions().forEach(a -> actions.add(new JsonObject(new HashMap<>(a))));
      rules.add(new JsonObject()
          .put("name", r.name())
          .put("detector", r.detector())
          .put("params", new JsonObject(new HashMap<>(r.params())))
          .put("severity", r.severity().wireName())
          .put("for", span(r.forIterations(), r.forMillis()))
          .put("cooldown", span(r.cooldownIterations(), r.cooldownMillis()))
          .put("escalate_after", r.escalateAfterIterations() + " iterations")
          .put("actions", actions)
          .put("description", r.description())
          .put("origin", reloader.origin(r))
          .put("health", new JsonObject()
              .put("healthy", c[0] == 0)
              .put("unhealthy_jobs", c[0])
              .put("errors", c[1])
              .put("last_error", lastError.getOrDefault(r.name(), ""))));
    }
    return new JsonObject().put("count", rules.size()).put("rules", rules)
        .put("reload", reloader.status());
  }

  private static String span(long iterations, long millis) {
    return millis > 0 ? millis + "ms" : iterations + " iterations";
  }
}
