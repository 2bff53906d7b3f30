package dev.traininghealth.rules.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.MixedStream;
import dev.traininghealth.rules.detector.Detector;
import dev.traininghealth.rules.detector.Finding;
import dev.traininghealth.rules.event.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link JobEvaluator} changes the same alerts, asks for the same actions and reports the same
 * health as it did before it kept its per-event state in arrays and skipped ignored event types
 * ({@link ReferenceJobEvaluator}): under the default and the rescue rules, a rule whose detector
 * throws now and then, ticks that let silence detectors fire, and a rules reload half-way.
 */
class JobEvaluatorEquivalenceTest {
  private static RuleSet load(String resource) {
    RuleLoadResult r = RuleFileLoader.loadResource(resource);
    assertTrue(r.ok(), r.errors().toString());
    return r.ruleSet();
  }

  /** The rules of all {@code sets}; of rules with the same name, the first. */
  private static RuleSet rules(RuleSet... sets) {
    List<Rule> all = new ArrayList<>();
    for (RuleSet s : sets) {
      for (Rule r : s.rules()) {
        if (all.stream().noneMatch(x -> x.name().equals(r.name()))) {
          all.add(r);
        }
      }
    }
    return RuleSet.of(all);
  }

  /**
   * Detectors as the rule set says, but two that throw now and then: the nonfinite rule's on
   * every 7th event, the heartbeat-lost rule's on every 5th, just before each tick (its silence
   * alerts then carry the iteration of the last event it did not throw on).
   */
  private static Function<Rule, Detector> withFlakyOnes() {
    return rule -> {
      Detector real = RuleSet.newDetector(rule);
      int period = rule.name().equals("nonfinite") ? 7
          : rule.name().equals("heartbeat-lost") ? 5 : 0;
      if (period == 0) {
        return real;
      }
      return new Detector() {
        private int calls;

        @Override
        public Finding onEvent(Event e) {
          if (++calls % period == 0) {
            throw new IllegalStateException("flaky " + calls);
          }
          return real.onEvent(e);
        }

        @Override
        public Finding onTick(long nowMs) {
          return real.onTick(nowMs);
        }
      };
    };
  }

  private static String describe(List<AlertChange> changes) {
    StringBuilder s = new StringBuilder();
    for (AlertChange c : changes) {
      Alert a = c.alert();
      s.append(c).append(" value=").append(a.value()).append(" iter=").append(a.sinceIter())
          .append(" ts=").append(a.sinceTs())
          .append(" evidence=").append(a.evidence()).append('\n');
    }
    return s.toString();
  }

  @Test
  void changesTheSameAlertsAsTheEvaluatorBefore() {
    RuleSet defaults = load(RuleSet.DEFAULTS_RESOURCE);
    RuleSet both = rules(defaults, load("dev/traininghealth/rules/rescue-rules.yaml"));
    List<Event> events = MixedStream.events(11);
    JobEvaluator now = new JobEvaluator("j", both, withFlakyOnes());
    ReferenceJobEvaluator before = new ReferenceJobEvaluator("j", both, withFlakyOnes());
    int changes = 0;
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      String expected = describe(before.onEvent(e));
      assertEquals(expected, describe(now.onEvent(e)), "event " + i + ": " + e);
      changes += expected.isEmpty() ? 0 : 1;
      if (i % 100 == 99) {
        // Minutes of silence now and then: the silence detectors fire, then the stream resumes.
        long later = e.header().ts() + 6 * 60_000;
        assertEquals(describe(before.onTick(later)), describe(now.onTick(later)), "tick " + i);
      }
      if (i == events.size() / 2) {
        // A reload that keeps the default rules and drops the rescue ones.
        ReferenceJobEvaluator beforeNext = before.withRules(defaults);
        JobEvaluator nowNext = now.withRules(defaults);
        assertEquals(before.alerts().toString(), now.alerts().toString());
        before = beforeNext;
        now = nowNext;
      }
      assertEquals(before.health().toString(), now.health().toString(), "health at " + i);
    }
    assertEquals(before.alerts().toString(), now.alerts().toString());
    assertTrue(changes > 100, changes + " events changed alerts");
  }
}
