package dev.traininghealth.daemon.report;

import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.rule.RuleSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The jobs of a log, in the order they first appear, each replayed through the rules. */
final class PostMortem {
  private final RuleSet rules;
  private final Map<String, JobHistory> jobs = new LinkedHashMap<>();

  PostMortem(RuleSet rules) {
    this.rules = rules;
  }

  void accept(Event e) {
    jobs.computeIfAbsent(e.job(), j -> new JobHistory(j, rules)).accept(e);
  }

  List<JobHistory> jobs() {
    return new ArrayList<>(jobs.values());
  }
}
