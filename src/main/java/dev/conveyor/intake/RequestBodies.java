package dev.conveyor.intake;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** A request body read into memory, never past its limit: a declared or actual size over it is a 413. */
final class RequestBodies {

    private RequestBodies() {
    }

    /**
     * The body, at most {@code max} bytes; {@code declared} is the Content-Length (null when none was sent),
     * {@code limitKey} names the configuration key in the 413's detail.
     */
    static byte[] readBounded(InputStream body, Long declared, long max, String limitKey) throws IOException {
        if (declared != null && declared > max) {
            throw tooLarge(max, limitKey);
        }
        if (body == null) {
            return new byte[0];
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(declared == null ? 8192 : (int) (long) declared);
        byte[] chunk = new byte[8192];
        int read;
        while ((read = body.read(chunk)) != -1) {
            if (buffer.size() + read > max) {
                throw tooLarge(max, limitKey);
            }
            buffer.write(chunk, 0, read);
        }
        return buffer.toByteArray();
    }

    private static ProblemException tooLarge(long max, String limitKey) {
        return ProblemException.tooLarge("the request body is larger than the limit of " + max + " bytes ("
                + limitKey + ")");
    }
}
