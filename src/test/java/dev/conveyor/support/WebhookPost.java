package dev.conveyor.support;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** One POST a test's webhook receiver got: its headers and its body, as they came. */
public record WebhookPost(Map<String, List<String>> headers, byte[] body) {

    /** The first value of a header, by its name in any case; null if the POST had none. */
    public String header(String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                .map(e -> e.getValue().get(0)).orElse(null);
    }

    /**
     * Whether {@code body} carries the {@code Conveyor-Signature} of this POST under {@code secret}, checked the way
     * docs/batches.md tells a receiver to: HMAC-SHA256 of {@code "<t>.<body>"}, compared in constant time.
     */
    public boolean signed(String secret, byte[] body) throws GeneralSecurityException {
        String t = null;
        String v1 = null;
        for (String part : header("Conveyor-Signature").split(",")) {
            String[] kv = part.split("=", 2);
            if (kv[0].equals("t")) {
                t = kv[1];
            } else if (kv[0].equals("v1")) {
                v1 = kv[1];
            }
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
        return MessageDigest.isEqual(mac.doFinal(body), HexFormat.of().parseHex(v1));
    }

    /** Whether this POST's own body carries its signature under {@code secret}. */
    public boolean signed(String secret) throws GeneralSecurityException {
        return signed(secret, body);
    }
}
