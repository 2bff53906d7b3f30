package dev.traininghealth.bench;

import dev.traininghealth.rules.event.Activations;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.event.LayerStats;
import dev.traininghealth.rules.event.MalformedEventException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * What {@link EventCodec#decode} costs per event, on one thread: an iteration as
 * {@code DaemonBench} sends it (two layer entries), one with four entries (a two-layer net's W
 * and b; about 750 bytes with full-precision norms), and an activations sample. Each is decoded from 256
 * distinct records in turn for {@code seconds} after as long a warm-up; the median of five
 * rounds of this thread's CPU time is printed.
 *
 * <p>To compare decoders, run this twice with each decoder's classes first on the class path:
 * the harness is the same, only {@code EventCodec} differs.
 *
 * <pre>
 * java ... dev.traininghealth.bench.CodecBench [seconds per round, default 1]
 * </pre>
 */
public final class CodecBench {
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
  private static long sink;

  private CodecBench() {}

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1;
    EventCodec codec = new EventCodec();
    Random r = new Random(3);
    System.out.println("| record | bytes | decode us/event | allocated bytes/event |");
    System.out.println("|---|---|---|---|");
    measure(codec, "iteration, 2 layer entries", records(codec, r, 2), seconds);
    measure(codec, "iteration, 4 layer entries", records(codec, r, 4), seconds);
    List<byte[]> act = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      act.add(codec.encode(Activations.of(header(i),
          List.of(Activations.LayerActivity.of("0", r.nextDouble(), r.nextDouble()),
              Activations.LayerActivity.of("1", r.nextDouble(), Double.NaN)))));
    }
    measure(codec, "activations, 2 layers", act, seconds);
    System.out.println("(sink " + sink + ")");
  }

  private static Header header(long seq) {
    return Header.of("job-" + seq % 7, "3f2a9c1e-6b1d-4f0e-9a57-1c2d3e4f5a6b", seq,
        1_700_000_000_000L + seq, seq + 1, 0, null);
  }

  private static List<byte[]> records(EventCodec codec, Random r, int entries) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      List<LayerStats> layers = new ArrayList<>();
      for (int k = 0; k < entries; k++) {
        layers.add(LayerStats.of(String.valueOf(k / 2), k % 2 == 0 ? "W" : "b",
            r.nextDouble(), 10 * r.nextDouble(), 1e-3 * r.nextDouble()));
      }
      Iteration it = Iteration.builder(header(i)).loss(2.3 * r.nextDouble())
          .learningRate(0.01).gradNorm(1 + 0.1 * r.nextGaussian()).paramNorm(30 * r.nextDouble())
          .updateNorm(0.03 * r.nextDouble()).stepMs(8.25).batchSize(32).layers(layers).build();
      out.add(codec.encode(it));
    }
    return out;
  }

  private static void measure(EventCodec codec, String what, List<byte[]> records,
      double seconds) throws MalformedEventException {
    byte[][] rs = records.toArray(new byte[0][]);
    round(codec, rs, seconds); // warm-up
    double[] us = new double[5];
    for (int k = 0; k < us.length; k++) {
      us[k] = round(codec, rs, seconds);
    }
    java.util.Arrays.sort(us);
    int bytes = 0;
    for (byte[] b : rs) {
      bytes += b.length;
    }
    com.sun.management.ThreadMXBean alloc = (com.sun.management.ThreadMXBean) CPU;
    long a0 = alloc.getCurrentThreadAllocatedBytes();
    for (byte[] b : rs) {
      sink += codec.decode(b).iter();
    }
    double perEvent = (double) (alloc.getCurrentThreadAllocatedBytes() - a0) / rs.length;
    System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.0f |%n", what, bytes / rs.length, us[2],
        perEvent);
  }

  /**
   * Decodes for about {@code seconds} of this thread's CPU time; returns CPU microseconds per
   * event. CPU time, not wall time, because the bench machine is shared: other processes take
   * turns on the cores, which stretches wall time but not the work done.
   */
  private static double round(EventCodec codec, byte[][] rs, double seconds)
      throws MalformedEventException {
    long n = 0;
    long t0 = CPU.getCurrentThreadCpuTime();
    long end = t0 + (long) (seconds * 1e9);
    long now;
    do {
      for (byte[] b : rs) {
        Event e = codec.decode(b);
        sink += e.iter();
      }
      n += rs.length;
      now = CPU.getCurrentThreadCpuTime();
    } while (now < end);
    return (now - t0) / 1e3 / n;
  }
}
