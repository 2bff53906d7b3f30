package dev.traininghealth.demo;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** Reads the daemon's read API over HTTP, as any client would. */
public final class DaemonApi {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .build();
  private final String base;

  public DaemonApi(String baseUrl) {
    this.base = baseUrl;
  }

  /**
   * {@code GET /api/jobs/{id}?points=n}: the job's latest values, its last {@code points}
   * iterations, its alerts and its actions; empty while the daemon does not know the job yet.
   */
  public Optional<JsonObject> job(String id, int points) throws IOException, InterruptedException {
    URI uri = URI.create(base + "/api/jobs/" + URLEncoder.encode(id, StandardCharsets.UTF_8)
        + "?points=" + points);
    HttpRequest req = HttpRequest.newBuilder(uri).GET().timeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
    if (resp.statusCode() == 404) {
      return Optional.empty();
    }
    if (resp.statusCode() != 200) {
      throw new IOException("GET " + uri + " answered " + resp.statusCode() + ": " + resp.body());
    }
    return Optional.of(new JsonObject(resp.body()));
  }
}
