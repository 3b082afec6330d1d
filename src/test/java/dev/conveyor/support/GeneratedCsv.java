package dev.conveyor.support;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A listings CSV produced row by row as it is read, so a test can send a file of any size without
 * holding it. Every {@code badEvery}-th row has a price that is not a decimal.
 */
public final class GeneratedCsv extends InputStream {

    private final long rows;
    private final long badEvery;
    private long row;
    private byte[] current = "sku,title,price,quantity\n".getBytes(StandardCharsets.US_ASCII);
    private int position;

    public GeneratedCsv(long rows, long badEvery) {
        this.rows = rows;
        this.badEvery = badEvery;
    }

    public static long badRows(long rows, long badEvery) {
        return badEvery <= 0 ? 0 : rows / badEvery;
    }

    @Override
    public int read() {
        if (!fill()) {
            return -1;
        }
        return current[position++];
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        if (length == 0) {
            return 0;
        }
        int written = 0;
        while (written < length && fill()) {
            int n = Math.min(length - written, current.length - position);
            System.arraycopy(current, position, buffer, offset + written, n);
            position += n;
            written += n;
        }
        return written == 0 ? -1 : written;
    }

    private boolean fill() {
        if (position < current.length) {
            return true;
        }
        if (row >= rows) {
            return false;
        }
        row++;
        boolean bad = badEvery > 0 && row % badEvery == 0;
        String line = "SKU-" + row + ",Listing number " + row + "," + (bad ? "n/a" : (row % 1000) + ".99") + ","
                + (row % 50) + "\n";
        current = line.getBytes(StandardCharsets.US_ASCII);
        position = 0;
        return true;
    }
}
