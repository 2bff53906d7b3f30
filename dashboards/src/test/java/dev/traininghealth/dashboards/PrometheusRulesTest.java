package dev.traininghealth.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The alerting rules and the sample Prometheus configuration, checked by promtool and by us. */
class PrometheusRulesTest {
  static final Path DIR = Path.of("prometheus");
  static final String RULES = "training-health.rules.yml";

  @Test
  void rulesPassPromtoolCheck() throws Exception {
    Promtool.Result r = Promtool.run(DIR, "check", "rules", RULES);
    assertEquals(0, r.exitCode(), r.output());
  }

  @Test
  void rulesPassTheirPromtoolUnitTests() throws Exception {
    Promtool.Result r = Promtool.run(DIR, "test", "rules", "training-health.rules.test.yml");
    assertEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains("SUCCESS"), r.output());
  }

  @Test
  void samplePrometheusConfigIsValid() throws Exception {
    Promtool.Result r = Promtool.run(DIR, "check", "config", "prometheus.yml");
    assertEquals(0, r.exitCode(), r.output());
  }

  @Test
  void everyAlertIsNamedForTheComponentAndHasForSeveritySummaryAndDescription()
      throws Exception {
    List<String> names = new ArrayList<>();
    for (JsonNode group : Files2.yaml(DIR.resolve(RULES)).get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        String name = rule.path("alert").asText();
        names.add(name);
        assertTrue(name.matches("TrainingHealth[A-Z][A-Za-z]*"), name);
        assertNotNull(rule.get("for"), name + " has no 'for'");
        assertTrue(rule.path("labels").path("severity").asText()
            .matches("critical|warning|info"), name + " has no valid severity");
        assertFalse(rule.path("annotations").path("summary").asText().isBlank(), name);
        assertFalse(rule.path("annotations").path("description").asText().isBlank(), name);
      }
    }
    assertTrue(names.containsAll(List.of("TrainingHealthNonFinite",
        "TrainingHealthAlertFiringCritical", "TrainingHealthAlertFiringWarning",
        "TrainingHealthAgentDroppingEvents", "TrainingHealthDeadLetters",
        "TrainingHealthDaemonDown", "TrainingHealthJobSilent")), names.toString());
  }

  @Test
  void everyAlertHasARunbookEntryInTheReadme() throws Exception {
    String readme = java.nio.file.Files.readString(Path.of("..", "README.md"));
    for (JsonNode group : Files2.yaml(DIR.resolve(RULES)).get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        String name = rule.path("alert").asText();
        assertTrue(readme.contains("#### " + name), "README.md has no runbook entry '#### "
            + name + "'");
      }
    }
  }
}
