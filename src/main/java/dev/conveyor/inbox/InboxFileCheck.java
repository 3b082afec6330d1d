package dev.conveyor.inbox;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.io.Writer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;

import dev.conveyor.validation.CsvFormatException;
import dev.conveyor.validation.CsvValidator;
import dev.conveyor.validation.FileFormat;
import dev.conveyor.validation.FileKind;
import dev.conveyor.validation.RuleSet;
import dev.conveyor.validation.XlsxRows;
import dev.conveyor.validation.RowSink;
import dev.conveyor.validation.RuleSetRepository;

/**
 * Decides whether a file dropped in the inbox can become a job, and if not, why — in one line a person can
 * act on. Only the head of the file is read here (its header row and first 64 KiB); the rows are the job's.
 * The file is never reached through a symbolic link.
 */
final class InboxFileCheck {

    static final int HEAD_BYTES = 64 * 1024;
    private static final Pattern LISTING_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    /** Where a file sits in the inbox: the listing it belongs to. */
    record Listing(String marketplace, String category, String region) {
    }

    private final RuleSetRepository rules;
    private final long maxBytes;

    InboxFileCheck(RuleSetRepository rules, long maxBytes) {
        this.rules = rules;
        this.maxBytes = maxBytes;
    }

    /** The listing of a file at {@code relative} (to the inbox), or the reason it is in the wrong place. */
    static Listing listingOf(Path relative) {
        int depth = relative.getNameCount();
        if (depth < 3 || depth > 4) {
            throw new InboxRefusal("in the wrong folder: files go in <inbox>/<marketplace>/<category>/<name>.csv "
                    + "(or <inbox>/<marketplace>/<category>/<region>/<name>.csv)");
        }
        String marketplace = key(relative.getName(0).toString(), "marketplace");
        String category = key(relative.getName(1).toString(), "category");
        String region = depth == 4 ? key(relative.getName(2).toString(), "region") : null;
        return new Listing(marketplace, category, region);
    }

    /**
     * Checks the file's name, size, kind and head (for an .xlsx: its sheet's header row); throws {@link InboxRefusal}
     * with the reason.
     */
    void check(Path file, Listing listing) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".csv") && !name.endsWith(".xlsx")) {
            throw new InboxRefusal("not a .csv file: only <name>.csv and <name>.xlsx files are read from the inbox");
        }
        // never through a link: the size and head are the file's own (InboxIntake refuses links before this)
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isRegularFile()) {
            throw new InboxRefusal("not a regular file: only files themselves are read from the inbox");
        }
        long size = attributes.size();
        if (size == 0) {
            throw new InboxRefusal("empty file (0 bytes): a CSV needs at least a header row");
        }
        if (size > maxBytes) {
            throw new InboxRefusal("too large: " + size + " bytes, the limit is " + maxBytes
                    + " (conveyor.inbox.max-file-bytes)");
        }
        // what the bytes are, whatever the name says: an .xlsx (even named .csv) is read as one, anything that is
        // neither CSV text nor an .xlsx is refused with what to send instead
        FileKind kind = FileKind.of(file);
        if (kind == FileKind.BINARY) {
            throw new InboxRefusal("not a text file: it contains NUL bytes (binary content); send a CSV file or an "
                    + ".xlsx workbook");
        }
        if (kind.refusal() != null) {
            throw new InboxRefusal(kind.refusal());
        }
        RuleSet ruleSet = rules.forListing(listing.marketplace(), listing.category());
        if (kind == FileKind.XLSX) {
            checkSheetHeader(file, ruleSet);
            return;
        }
        byte[] head = readHead(file);
        if (ruleSet.format().encoding().equals(FileFormat.UTF_8) && !startsWithUtf8Bom(head)) {
            int validPrefix = size <= HEAD_BYTES ? head.length : trimIncompleteUtf8(head);
            ByteBuffer bytes = ByteBuffer.wrap(head, 0, validPrefix);
            CoderResult result = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes, CharBuffer.allocate(validPrefix), true);
            if (result.isError()) {
                int bad = head[bytes.position()] & 0xFF;
                boolean latin = bad >= 0xA0 || (bad >= 0x80 && bad != 0x81 && bad != 0x8D && bad != 0x8F
                        && bad != 0x90 && bad != 0x9D);
                throw new InboxRefusal("not UTF-8 text: invalid byte sequence at byte " + bytes.position()
                        + (latin ? "; if this file was exported by Excel in Windows-1252 (Latin-1), set encoding: "
                        + "windows-1252 in the rule set " + ruleSet.name() + " (" + ruleSet.source() + "), or save "
                        + "it as \"CSV UTF-8\"" : "; save the file as UTF-8 (\"CSV UTF-8\" in Excel)"));
            }
        }
        checkHeader(head, ruleSet);
    }

    /** The sheet's header row, read and checked; nothing after it is read (see {@link StopAfterHeader}). */
    private void checkSheetHeader(Path file, RuleSet ruleSet) throws IOException {
        try (XlsxRows sheet = XlsxRows.open(file, ruleSet.format().sheet())) {
            new CsvValidator(ruleSet).validate(sheet, RowSink.NONE, new StopAfterHeader(), null);
        } catch (StopAfterHeader.Stop headerAccepted) {
            // the header is right; the rows are the job's
        } catch (CsvFormatException e) {
            throw new InboxRefusal(e.getMessage());
        }
    }

    /**
     * The validator writes the error report's header as soon as the file's header is accepted: a report writer
     * that stops there ends the reading right after the header row.
     */
    private static final class StopAfterHeader extends Writer {
        static final class Stop extends RuntimeException {
            private static final long serialVersionUID = 1L;

            Stop() {
                super(null, null, false, false);
            }
        }

        @Override
        public void write(char[] cbuf, int off, int len) {
            throw new Stop();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    private static boolean startsWithUtf8Bom(byte[] head) {
        return head.length >= 3 && (head[0] & 0xFF) == 0xEF && (head[1] & 0xFF) == 0xBB && (head[2] & 0xFF) == 0xBF;
    }

    private void checkHeader(byte[] head, RuleSet ruleSet) throws IOException {
        int end = indexOf(head, (byte) '\n');
        byte[] headerOnly = end < 0 ? head : Arrays.copyOf(head, end + 1);
        try (InputStream in = new ByteArrayInputStream(headerOnly)) {
            new CsvValidator(ruleSet).validate(in, RowSink.NONE, null, null);
        } catch (CsvFormatException e) {
            throw new InboxRefusal(e.getMessage());
        }
    }

    private static byte[] readHead(Path file) throws IOException {
        // O_NOFOLLOW: a file swapped for a link after the checks fails to open instead of being followed
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return in.readNBytes(HEAD_BYTES);
        }
    }

    /** Drops a multi-byte character cut off at the end of the head, so only real errors are reported. */
    private static int trimIncompleteUtf8(byte[] head) {
        int end = head.length;
        for (int back = 1; back <= 3 && end - back >= 0; back++) {
            int b = head[end - back] & 0xff;
            if ((b & 0xc0) == 0xc0) {
                return end - back;
            }
            if ((b & 0x80) == 0) {
                return end;
            }
        }
        return end;
    }

    private static int indexOf(byte[] bytes, byte wanted) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static String key(String folder, String what) {
        if (!LISTING_KEY.matcher(folder).matches()) {
            throw new InboxRefusal("folder '" + folder + "' is not a valid " + what
                    + " name: use 1-64 letters, digits, '_', '.' or '-'");
        }
        return folder;
    }

}
