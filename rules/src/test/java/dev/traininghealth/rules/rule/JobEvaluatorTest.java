package dev.traininghealth.rules.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.Synthetic;
import dev.traininghealth.rules.detector.Detector;
import dev.traininghealth.rules.detector.Finding;
import dev.traininghealth.rules.event.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobEvaluatorTest {
  private final Synthetic s = new Synthetic("j", 5);

  private static RuleSet rules(String yaml) {
    RuleLoadResult r = RuleFileLoader.parse("test.yaml", yaml);
    assertTrue(r.ok(), r.describe());
    return r.ruleSet();
  }

  /** Loss NaN on the iterations in [from, to), else 1. */
  private List<Event> nanBetween(int n, int from, int to) {
    List<Event> out = new ArrayList<>();
    for (int t = 1; t <= n; t++) {
      out.add(s.iteration(t, t >= from && t < to ? Double.NaN : 1, 1, List.of()));
    }
    return out;
  }

  private static List<String> changes(JobEvaluator ev, List<Event> events) {
    List<String> out = new ArrayList<>();
    for (Event e : events) {
      for (AlertChange c : ev.onEvent(e)) {
        out.add(e.iter() + " " + c.from().wireName() + "->" + c.to().wireName()
            + (c.actions().isEmpty() ? "" : " " + c.actions().get(0).action()));
      }
    }
    return out;
  }

  @Test
  void goesPendingThenFiringAfterForThenResolved() {
    JobEvaluator ev =
        new JobEvaluator("j", rules("- name: nan\n  detector: nonfinite\n  for: 3 iterations\n"));
    assertEquals(
        List.of("10 inactive->pending", "13 pending->firing", "20 firing->resolved"),
        changes(ev, nanBetween(30, 10, 20)));
    assertEquals(AlertState.RESOLVED, ev.alert("nan").state());
  }

  @Test
  void aConditionShorterThanForNeverFires() {
    JobEvaluator ev =
        new JobEvaluator("j", rules("- name: nan\n  detector: nonfinite\n  for: 5 iterations\n"));
    assertEquals(List.of("10 inactive->pending", "12 pending->inactive"),
        changes(ev, nanBetween(30, 10, 12)));
  }

  @Test
  void forAsADurationCountsEventTime() {
    JobEvaluator ev = new JobEvaluator("j", rules("- name: nan\n  detector: nonfinite\n  for: 1s\n"));
    // 100 ms per iteration: 1 s is 10 iterations after onset.
    assertEquals(List.of("10 inactive->pending", "20 pending->firing", "40 firing->resolved"),
        changes(ev, nanBetween(50, 10, 40)));
  }

  @Test
  void cooldownKeepsAResolvedAlertFromFiringAgainTooSoon() {
    JobEvaluator ev = new JobEvaluator("j",
        rules("- name: nan\n  detector: nonfinite\n  cooldown: 20 iterations\n"));
    List<Event> events = new ArrayList<>();
    for (int t = 1; t <= 60; t++) {
      boolean nan = t == 10 || t == 15 || t == 45;
      events.add(s.iteration(t, nan ? Double.NaN : 1, 1, List.of()));
    }
    assertEquals(
        List.of("10 inactive->firing", "11 firing->resolved", "45 resolved->firing",
            "46 firing->resolved"),
        changes(ev, events), "the NaN at 15 fell in the cooldown");
  }

  @Test
  void firingAsksForTheFirstRungAndEscalatesWhenItDidNotHelp() {
    JobEvaluator ev = new JobEvaluator("j", rules(String.join("\n",
        "- name: nan",
        "  detector: nonfinite",
        "  escalate_after: 10 iterations",
        "  actions:",
        "    - { do: rollback }",
        "    - { do: lr_scale, factor: 0.5 }",
        "    - { do: stop }")));
    List<AlertChange> all = new ArrayList<>();
    for (Event e : nanBetween(60, 5, 50)) {
      all.addAll(ev.onEvent(e));
    }
    List<String> got = new ArrayList<>();
    for (AlertChange c : all) {
      got.add(c.alert().sinceIter() + " " + c.to().wireName() + (c.isEscalation() ? " escalate" : "")
          + (c.actions().isEmpty() ? "" : " " + c.actions().get(0).rung() + ":"
              + c.actions().get(0).action()));
    }
    assertEquals(
        List.of("5 firing 0:rollback", "5 firing escalate 1:lr_scale", "5 firing escalate 2:stop",
            "50 resolved"),
        got);
    ActionRequest scale = all.get(1).actions().get(0);
    assertEquals(Map.of("factor", 0.5), scale.params());
    assertEquals("nan", scale.rule());
  }

  @Test
  void aLadderStartsOverAfterTheAlertResolved() {
    JobEvaluator ev = new JobEvaluator("j", rules(String.join("\n",
        "- name: nan",
        "  detector: nonfinite",
        "  actions: [ { do: rollback }, { do: stop } ]")));
    List<String> got = changes(ev, nanBetween(30, 5, 6));
    got.addAll(changes(ev, List.of(s.iteration(31, Double.NaN, 1, List.of()))));
    assertEquals(List.of("5 inactive->firing rollback", "6 firing->resolved",
        "31 resolved->firing rollback"), got);
  }

  @Test
  void aThrowingDetectorMakesItsRuleUnhealthyWithoutStoppingTheOthers() {
    RuleSet rs = rules("- name: flaky\n  detector: nonfinite\n- name: nan\n  detector: nonfinite\n");
    boolean[] fail = {true};
    JobEvaluator ev =
        new JobEvaluator("j", rs, rule -> rule.name().equals("flaky")
            ? new Detector() {
                @Override
                public Finding onEvent(Event e) {
                  if (fail[0]) {
                    throw new IllegalStateException("boom at " + e.iter());
                  }
                  return Finding.clear();
                }
              }
            : RuleSet.newDetector(rule));
    assertEquals(1, ev.onEvent(s.iteration(1, Double.NaN, 1, List.of())).size(),
        "the other rule still fires");
    RuleHealth flaky = ev.health().get(0);
    assertFalse(flaky.healthy());
    assertEquals(1, flaky.errors());
    assertEquals("IllegalStateException: boom at 1", flaky.lastError());
    assertTrue(ev.health().get(1).healthy());
    fail[0] = false;
    ev.onEvent(s.iteration(2, 1, 1, List.of()));
    assertTrue(ev.health().get(0).healthy(), "healthy again after a good evaluation");
    assertEquals(1, ev.health().get(0).errors());
  }

  @Test
  void withRulesKeepsTheStateOfUnchangedRulesAndResetsChangedOnes() {
    String nan = "- name: nan\n  detector: nonfinite\n";
    String spike = "- name: spike\n  detector: loss_spike\n";
    JobEvaluator ev = new JobEvaluator("j", rules(nan + spike));
    changes(ev, nanBetween(12, 10, 13));
    assertEquals(AlertState.FIRING, ev.alert("nan").state());

    JobEvaluator same = ev.withRules(rules(nan + spike + "  severity: critical\n"));
    assertEquals(AlertState.FIRING, same.alert("nan").state(), "unchanged rule keeps its alert");
    assertEquals(Severity.CRITICAL, same.alert("spike").severity());
    assertEquals(AlertState.FIRING, ev.alert("nan").state(), "the old evaluator is untouched");

    JobEvaluator changed = ev.withRules(rules(nan + "  for: 5 iterations\n"));
    assertEquals(AlertState.INACTIVE, changed.alert("nan").state(), "a changed rule starts over");
    assertEquals(null, changed.alert("spike"));
  }
}
