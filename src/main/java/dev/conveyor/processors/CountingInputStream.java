package dev.conveyor.processors;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Counts the bytes read, so a job's progress can be told as the share of its file read so far. */
final class CountingInputStream extends FilterInputStream {

    private long count;

    CountingInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            count += n;
        }
        return n;
    }

    long count() {
        return count;
    }

    /** Progress in percent, capped at 99: 100 is for a finished job. */
    static int percent(long done, long total) {
        return total <= 0 ? 0 : (int) Math.min(99, done * 100 / total);
    }
}
