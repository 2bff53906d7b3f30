package dev.traininghealth.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Grafana dashboard parses and shows what on-call needs, for the chosen job. */
class GrafanaDashboardTest {
  @Test
  void dashboardHasAJobVariableFromTheDaemonsSeries() throws Exception {
    JsonNode d = Files2.json(Queries.DASHBOARD);
    JsonNode job = null;
    for (JsonNode v : d.path("templating").path("list")) {
      if (v.path("name").asText().equals("job")) {
        job = v;
      }
    }
    assertTrue(job != null, "no 'job' variable");
    assertEquals("query", job.path("type").asText());
    assertTrue(job.path("definition").asText().startsWith("label_values(th_"));
  }

  @Test
  void everyPanelQueryIsFilteredByTheJobVariable() throws Exception {
    JsonNode d = Files2.json(Queries.DASHBOARD);
    List<String> titles = new ArrayList<>();
    for (JsonNode p : d.path("panels")) {
      titles.add(p.path("title").asText());
      for (JsonNode t : p.path("targets")) {
        String expr = t.path("expr").asText();
        assertTrue(expr.contains("job=~\"$job\""), p.path("title").asText() + ": " + expr);
      }
    }
    for (String wanted : List.of("Loss", "Gradient norm", "Learning rate")) {
      assertTrue(titles.contains(wanted), wanted + " missing from " + titles);
    }
  }

  @Test
  void curvaturePanelDrawsTheEdgeOfStabilityFromTheLearningRate() throws Exception {
    List<String> exprs = Queries.dashboard();
    assertTrue(exprs.stream().anyMatch(e -> e.contains("(th_job_lambda_max{")), exprs.toString());
    assertTrue(exprs.stream().anyMatch(e -> e.contains("(th_job_lambda_min{")), exprs.toString());
    assertTrue(exprs.contains("2 / max by (job) (th_job_learning_rate{job=~\"$job\"})"),
        exprs.toString());
  }

  /**
   * Several daemons share the jobs and label their series with {@code instance}; a panel that
   * showed raw series would draw a job twice (or with a break) when it moves between daemons.
   */
  @Test
  void everyPanelAggregatesAwayTheDaemonInstance() throws Exception {
    JsonNode d = Files2.json(Queries.DASHBOARD);
    for (JsonNode p : d.path("panels")) {
      for (JsonNode t : p.path("targets")) {
        String expr = t.path("expr").asText();
        assertTrue(expr.contains(" by (job") || expr.startsWith("sum(")
            || expr.contains(" by (rule"), p.path("title").asText() + ": " + expr);
        assertFalse(expr.contains("instance"), expr);
      }
    }
  }

  @Test
  void alertsAndActionsAreAnnotations() throws Exception {
    JsonNode list = Files2.json(Queries.DASHBOARD).path("annotations").path("list");
    List<String> names = new ArrayList<>();
    list.forEach(a -> names.add(a.path("name").asText()));
    assertEquals(List.of("Alerts firing", "Actions sent"), names);
    list.forEach(a -> assertFalse(a.path("expr").asText().isBlank()));
  }
}
