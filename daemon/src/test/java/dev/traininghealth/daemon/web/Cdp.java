package dev.traininghealth.daemon.web;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A minimal Chrome DevTools Protocol client over {@code java.net.http}'s WebSocket: send a
 * method, wait for its result. Events are ignored; tests poll the page with {@link #eval}.
 */
final class Cdp implements AutoCloseable {
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
  private WebSocket socket;

  private Cdp() {}

  static Cdp connect(URI ws) throws Exception {
    Cdp c = new Cdp();
    c.socket = HttpClient.newHttpClient().newWebSocketBuilder()
        .connectTimeout(Duration.ofSeconds(10))
        .buildAsync(ws, c.new Listener())
        .get(10, TimeUnit.SECONDS);
    return c;
  }

  /** Calls {@code method} and returns its {@code result}; fails on a protocol error. */
  JsonObject call(String method, JsonObject params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonObject> f = new CompletableFuture<>();
    pending.put(id, f);
    socket.sendText(new JsonObject().put("id", id).put("method", method).put("params", params)
        .encode(), true).get(10, TimeUnit.SECONDS);
    JsonObject reply = f.get(30, TimeUnit.SECONDS);
    if (reply.containsKey("error")) {
      throw new IllegalStateException(method + ": " + reply.getJsonObject("error").encode());
    }
    return reply.getJsonObject("result");
  }

  /** The value of a JavaScript expression in the page (JSON-serialisable values only). */
  Object eval(String expression) throws Exception {
    JsonObject r = call("Runtime.evaluate", new JsonObject().put("expression", expression)
        .put("returnByValue", true).put("awaitPromise", true));
    if (r.containsKey("exceptionDetails")) {
      throw new IllegalStateException(expression + " threw " + r.getJsonObject("exceptionDetails")
          .encode());
    }
    return r.getJsonObject("result").getValue("value");
  }

  /** Evaluates {@code expression} every 100 ms until {@code done} holds; returns that value. */
  Object await(String expression, Predicate<Object> done, long timeoutMs) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    Object v = null;
    while (System.nanoTime() < deadline) {
      v = eval(expression);
      if (done.test(v)) {
        return v;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("after " + timeoutMs + " ms, " + expression + " is still " + v);
  }

  @Override
  public void close() {
    socket.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        JsonObject msg = new JsonObject(partial.toString());
        partial.setLength(0);
        Integer id = msg.getInteger("id");
        if (id != null) {
          CompletableFuture<JsonObject> f = pending.remove(id);
          if (f != null) {
            f.complete(msg);
          }
        }
      }
      ws.request(1);
      return null;
    }
  }
}
