package dev.traininghealth.daemon.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.daemon.Addresses;
import dev.traininghealth.daemon.DaemonConfig;
import dev.traininghealth.daemon.api.HttpVerticle;
import io.prometheus.client.CollectorRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The page's routes and stream on the real HTTP verticle. The evaluate side is a plain
 * event-bus responder with a job list whose iteration the test moves; no Kafka is needed.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class LiveStreamTest {
  private final Addresses addresses = Addresses.unique();
  private final AtomicInteger iteration = new AtomicInteger(3);
  private HttpVerticle http;
  // Held in a field: Vert.x closes a client that is no longer referenced once it is collected,
  // which made this test fail with "Client is closed" under GC pressure.
  private HttpClient client;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext ctx) {
    vertx.eventBus().<JsonObject>localConsumer(addresses.jobQueries(), msg -> msg.reply(
        new JsonObject().put("count", 1).put("jobs", new JsonArray().add(
            new JsonObject().put("job", "job-a").put("iteration", iteration.get())))));
    http = new HttpVerticle(DaemonConfig.builder().httpPort(0).apiToken("test-token").build(), addresses,
        new CollectorRegistry());
    vertx.deployVerticle(http).onComplete(ctx.succeedingThenComplete());
  }

  private Future<HttpClientResponse> get(Vertx vertx, String uri) {
    if (client == null) {
      client = vertx.createHttpClient();
    }
    return client.request(HttpMethod.GET, http.port(), "127.0.0.1", uri)
        .compose(req -> req.send());
  }

  @Test
  void servesThePageAndItsScriptsFromTheDaemonItself(Vertx vertx, VertxTestContext ctx) {
    get(vertx, "/")
        .compose(r -> r.body().map(b -> {
          ctx.verify(() -> {
            assertEquals(200, r.statusCode());
            assertTrue(r.getHeader("Content-Type").startsWith("text/html"));
            assertTrue(r.getHeader("Content-Security-Policy").contains("default-src 'self'"));
            String html = b.toString();
            assertTrue(html.contains("<script src=\"/web/app.js\""), html);
            assertTrue(!html.contains("http://") && !html.contains("https://"),
                "the page must fetch nothing from elsewhere");
          });
          return r;
        }))
        .compose(r -> get(vertx, "/web/app.js"))
        .compose(r -> {
          ctx.verify(() -> {
            assertEquals(200, r.statusCode());
            assertTrue(r.getHeader("Content-Type").startsWith("text/javascript"));
          });
          return get(vertx, "/web/..%2Fsimplelogger.properties");
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(404, r.statusCode());
          ctx.completeNow();
        })));
  }

  @Test
  void streamSendsTheJobsAtOnceThenTheirChangesAndAlertChanges(Vertx vertx,
      VertxTestContext ctx) {
    StringBuilder seen = new StringBuilder();
    get(vertx, "/api/stream").onComplete(ctx.succeeding(r -> {
      ctx.verify(() -> assertTrue(r.getHeader("Content-Type").startsWith("text/event-stream")));
      r.handler(chunk -> {
        seen.append(chunk.toString());
        String s = seen.toString();
        if (s.contains("\"iteration\":3") && !s.contains("\"iteration\":4")) {
          iteration.set(4); // the next poll must send the change
        }
        if (s.contains("\"iteration\":4") && !s.contains("event: alert")) {
          vertx.eventBus().publish(addresses.alertChanges(), new JsonObject()
              .put("type", "alert").put("job", "job-a").put("rule", "nonfinite")
              .put("to", "firing"));
        }
        if (s.contains("event: alert")) {
          ctx.verify(() -> {
            assertTrue(s.startsWith("retry: 2000\n\n"), s);
            assertTrue(s.contains("event: jobs\ndata: {\"count\":1,\"jobs\":[{\"job\":\"job-a\","
                + "\"iteration\":3}]}\n\n"), s);
            assertEquals(2, s.split("event: jobs").length - 1,
                "an unchanged job list must not be sent again: " + s);
            assertTrue(s.contains("event: alert\ndata: {\"type\":\"alert\",\"job\":\"job-a\""), s);
          });
          ctx.completeNow();
        }
      });
    }));
  }
}
