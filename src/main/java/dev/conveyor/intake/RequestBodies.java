package dev.conveyor.intake;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

/** A request body read into memory, never past its limit: a declared or actual size over it is a 413. */
final class RequestBodies {

    private RequestBodies() {
    }

    /** The body, at most {@code max} bytes; {@code limitKey} names the configuration key in the 413's detail. */
    static byte[] readBounded(Message in, long max, String limitKey) throws IOException {
        Long declared = in.getHeader(Exchange.CONTENT_LENGTH, Long.class);
        if (declared != null && declared > max) {
            throw tooLarge(max, limitKey);
        }
        InputStream body = in.getBody(InputStream.class);
        if (body == null) {
            return new byte[0];
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
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
