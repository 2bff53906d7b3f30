package dev.traininghealth.rules.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandSignerTest {
  private final CommandSigner signer = CommandSigner.withKey("0123456789abcdef-shared");
  private final CommandCodec codec = new CommandCodec();

  private Command kick() {
    return Command.builder().id("c-1").job("job-a").action("lr_kick")
        .params(Map.of("factor", 10, "iterations", 100L)).issued(1000).expires(61_000)
        .reason("plateau-rescue: loss flat for 200 iterations").build();
  }

  @Test
  void aSignedCommandSurvivesTheWireAndVerifies() throws Exception {
    Command signed = signer.sign(kick());
    Command back = codec.decode(codec.encode(signed));
    assertTrue(signer.verify(back));
    assertEquals(10.0, back.number("factor", 1), 0);
    assertEquals("lr_kick", back.action());
  }

  @Test
  void fieldOrderOnTheWireDoesNotMatter() throws Exception {
    Command signed = signer.sign(kick());
    String json = "{\"sig\":\"" + signed.sig() + "\",\"reason\":\"" + signed.reason()
        + "\",\"params\":{\"iterations\":100,\"factor\":10},\"expires\":61000,\"issued\":1000,"
        + "\"action\":\"lr_kick\",\"run\":\"\",\"job\":\"job-a\",\"id\":\"c-1\",\"v\":1}";
    assertTrue(signer.verify(codec.decode(json.getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void rejectsUnsignedTamperedAndWrongKeyCommands() throws Exception {
    Command signed = signer.sign(kick());
    assertFalse(signer.verify(kick()), "unsigned");
    Command tampered = codec.decode(codec.encode(signed).clone());
    String json = new String(codec.encode(signed), StandardCharsets.UTF_8)
        .replace("\"factor\":10", "\"factor\":1000");
    tampered = codec.decode(json.getBytes(StandardCharsets.UTF_8));
    assertFalse(signer.verify(tampered), "a changed parameter breaks the signature");
    assertFalse(CommandSigner.withKey("another-key-of-16-bytes").verify(signed), "wrong key");
    assertThrows(IllegalArgumentException.class, () -> CommandSigner.withKey("short"));
  }

  @Test
  void rejectsMalformedCommandsNamingTheProblem() {
    String ok = new String(codec.encode(signer.sign(kick())), StandardCharsets.UTF_8);
    assertTrue(reject(ok.replace("\"lr_kick\"", "\"format_disk\"")).contains("unknown action"));
    assertTrue(reject(ok.replace("\"v\":1", "\"v\":2")).contains("version"));
    assertTrue(reject(ok.replace("\"id\":\"c-1\",", "")).contains("'id'"));
    assertTrue(reject(ok.replace("\"expires\":61000", "\"expires\":500")).contains("expires"));
    assertTrue(reject(ok.replace("\"factor\":10", "\"factor\":{\"x\":1}")).contains("factor"));
    assertTrue(reject("[]").contains("JSON object"));
    assertTrue(reject("{\"v\":1,").contains("not valid JSON"));
  }

  private String reject(String json) {
    return assertThrows(MalformedCommandException.class,
        () -> codec.decode(json.getBytes(StandardCharsets.UTF_8))).getMessage();
  }

  @Test
  void knowsExpiry() {
    assertFalse(kick().expiredAt(60_999));
    assertTrue(kick().expiredAt(61_000));
  }
}
