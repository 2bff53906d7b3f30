package dev.traininghealth.rules;

import dev.traininghealth.rules.command.Command;
import dev.traininghealth.rules.command.CommandCodec;
import dev.traininghealth.rules.command.CommandSigner;
import dev.traininghealth.rules.event.ActionResult;
import dev.traininghealth.rules.event.Activations;
import dev.traininghealth.rules.event.Curvature;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Heartbeat;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.event.JobFinished;
import dev.traininghealth.rules.event.JobStarted;
import dev.traininghealth.rules.event.LayerInfo;
import dev.traininghealth.rules.event.LayerStats;
import dev.traininghealth.rules.event.NonFinite;
import dev.traininghealth.rules.event.Plateau;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Valid records of every kind, the seeds the fuzzers mutate. */
public final class ValidRecords {
  /** The key {@link #commands()} are signed with. */
  public static final String COMMAND_KEY = "fuzz-key-0123456789abcdef";

  private ValidRecords() {}

  private static Header h(long seq, String worker) {
    return Header.of("job-1", "run-1", seq, 1_700_000_000_000L + seq, 40 + seq, 1, worker);
  }

  /** One event of each type, and a few variants (NaN loss, worker id, many layers). */
  public static List<Event> events() {
    List<LayerStats> layers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      layers.add(LayerStats.of(String.valueOf(i), i % 2 == 0 ? "W" : "b", 0.5 * i, 10 + i,
          i == 3 ? Double.NaN : 1e-3 * i));
    }
    return Arrays.asList(
        JobStarted.builder(h(0, null))
            .modelClass("MultiLayerNetwork")
            .layers(List.of(LayerInfo.of("0", "DenseLayer", "relu", 1344),
                LayerInfo.of("1", "OutputLayer", "softmax", 195)))
            .totalParams(1539).updater("Adam").learningRate(1e-3).batchSize(32).backend("CPU")
            .host("h").pid(7).agentVersion("0.1.0").config(Map.of("job", "job-1"))
            .build(),
        Iteration.builder(h(1, null)).loss(0.5).learningRate(1e-3).gradNorm(2.5).paramNorm(10)
            .updateNorm(0.01).stepMs(3.25).batchSize(32).dropped(3).layers(layers).build(),
        Iteration.builder(h(2, "w0")).loss(Double.NaN).gradNorm(Double.POSITIVE_INFINITY).build(),
        NonFinite.of(h(3, null), NonFinite.Where.INPUT, "", 4, 1, 7, List.of(5, 6),
            List.of(3, 7), "a1b2"),
        Plateau.of(h(4, null), 200, 1e-4, 17, -0.3),
        Curvature.builder(h(5, null)).lambdaMax(10.5).lambdaMin(-0.25).residualMax(1e-3)
            .residualMin(2e-3).iterations(20).gradientEvaluations(40).costMs(120).batchSize(128)
            .build(),
        Activations.of(h(6, null), List.of(Activations.LayerActivity.of("0", 0.25, Double.NaN),
            Activations.LayerActivity.of("1", 0, 0.5))),
        Heartbeat.of(h(7, "w1"), "degraded", 2, "probe 'norms' disabled"),
        ActionResult.of(h(8, null), "cmd-1", "lr_kick", ActionResult.Outcome.REJECTED,
            "bad signature"),
        JobFinished.of(h(9, null), "completed", "", 0));
  }

  public static List<byte[]> encodedEvents() {
    EventCodec codec = new EventCodec();
    List<byte[]> out = new ArrayList<>();
    for (Event e : events()) {
      out.add(codec.encode(e));
    }
    return out;
  }

  /** Signed commands with {@link #COMMAND_KEY}: every parameter type, with and without run. */
  public static List<Command> commands() {
    CommandSigner signer = CommandSigner.withKey(COMMAND_KEY);
    Map<String, Object> kick = new LinkedHashMap<>();
    kick.put("factor", 10L);
    kick.put("iterations", 100L);
    Map<String, Object> restart = new LinkedHashMap<>();
    restart.put("from", "best");
    restart.put("perturb", 0.01);
    restart.put("reset_updater", true);
    return Arrays.asList(
        signer.sign(Command.builder().id("c-1").job("job-a").action("lr_kick").params(kick)
            .issued(1_700_000_000_000L).expires(1_700_000_060_000L)
            .reason("plateau-rescue: loss flat for 200 iterations").build()),
        signer.sign(Command.builder().id("c-2").job("job-a").run("run-7").action("restart")
            .params(restart).issued(1_700_000_000_000L).expires(1_700_000_060_000L)
            .reason("nonfinite").build()),
        signer.sign(Command.builder().id("c-3").job("j").action("stop")
            .issued(1).expires(2).build()));
  }

  public static List<byte[]> encodedCommands() {
    CommandCodec codec = new CommandCodec();
    List<byte[]> out = new ArrayList<>();
    for (Command c : commands()) {
      out.add(codec.encode(c));
    }
    return out;
  }
}
