package dev.conveyor.processors;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code Conveyor-Signature} header of a webhook delivery: {@code t=<unix seconds>,v1=<hex>}, where the hex is
 * the HMAC-SHA256, keyed with the shared secret, of the timestamp, a dot and the exact body bytes. Signing the time
 * with the body lets a receiver refuse an old delivery replayed by someone who recorded it (docs/batches.md shows how
 * a receiver checks it).
 */
public final class WebhookSignature {

    public static final String HEADER = "Conveyor-Signature";
    private static final String ALGORITHM = "HmacSHA256";

    private WebhookSignature() {
    }

    /** The header's value for {@code body} sent at {@code unixSeconds}. */
    public static String header(String secret, long unixSeconds, byte[] body) {
        return "t=" + unixSeconds + ",v1=" + hex(secret, unixSeconds, body);
    }

    /** The hex HMAC-SHA256 of {@code <unixSeconds>.<body>} under {@code secret}. */
    public static String hex(String secret, long unixSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every Java runtime", e);
        }
    }
}
