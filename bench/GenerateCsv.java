import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * W2's big file: N listing rows (sku,title,price,quantity), about 2% of them invalid, from a fixed seed, so
 * every run (and every machine) loads the same bytes. The skus are SKU-00000000 .. SKU-(N-1), each once, in a
 * random order (a keyed permutation of the row number): real marketplace exports are not sorted by sku, and a
 * sorted file would flatter every loader that maintains a b-tree on sku (its inserts would all land at the right
 * edge of the index). A re-load is the same file with {@code changed%} of its rows' prices moved by one cent: the
 * same skus, titles, quantities and invalid rows, so a load of it updates exactly those rows. The mix follows the peer's generator: titles like
 * "Blue widget 1234", 5% of them with a comma (a quoted field), prices 0.50–999.99, quantities 0–1000; an
 * invalid row has one of five faults, each of which the default rule set refuses: an empty title, a negative
 * price, a price that is not a number, a negative quantity, a quantity that is not an integer.
 *
 *   java bench/GenerateCsv.java <out.csv> [rows=1000000] [seed=20240601] [changed%=0]
 *
 * Prints "rows=<n> invalid=<k> changed=<c>" on stdout (c counts valid rows changed), so the harness knows exactly how many rows must be loaded.
 */
public final class GenerateCsv {

    private static final String[] ADJECTIVES = {"Blue", "Red", "Green", "Compact", "Deluxe", "Heavy-duty", "Mini",
            "Smart", "Classic", "Wireless", "Eco", "Pro"};
    private static final String[] NOUNS = {"widget", "gadget", "cable", "adapter", "charger", "lamp", "speaker",
            "keyboard", "mouse", "bottle", "backpack", "sensor"};

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        long rows = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000L;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 20240601L;
        double changedPercent = args.length > 3 ? Double.parseDouble(args[3]) : 0;
        SplittableRandom random = new SplittableRandom(seed);
        // its own stream, so choosing the changed rows does not move anything else in the file
        SplittableRandom changes = new SplittableRandom(seed ^ 0x5DEECE66DL);
        SkuOrder order = new SkuOrder(rows, seed);
        int width = Math.max(8, Long.toString(Math.max(0, rows - 1)).length());
        long invalid = 0;
        long changed = 0;
        StringBuilder line = new StringBuilder(96);
        try (Writer writer = new BufferedWriter(Files.newBufferedWriter(out, StandardCharsets.US_ASCII), 1 << 20)) {
            writer.write("sku,title,price,quantity\n");
            for (long i = 0; i < rows; i++) {
                String title = ADJECTIVES[random.nextInt(ADJECTIVES.length)] + " "
                        + NOUNS[random.nextInt(NOUNS.length)] + " " + (1 + random.nextInt(9999));
                if (random.nextInt(100) < 5) {
                    title = "\"" + title + ", large\"";
                }
                int cents = 50 + random.nextInt(99_999 - 50 + 1);
                boolean change = changedPercent > 0 && changes.nextDouble() * 100 < changedPercent;
                if (change) {
                    cents = cents == 99_999 ? cents - 1 : cents + 1;
                }
                String price = cents / 100 + "." + (cents % 100 < 10 ? "0" : "") + cents % 100;
                String quantity = Integer.toString(random.nextInt(1001));
                if (random.nextInt(100) < 2) {
                    invalid++;
                    change = false;
                    switch (random.nextInt(5)) {
                        case 0 -> title = "";
                        case 1 -> price = "-" + price;
                        case 2 -> price = "abc";
                        case 3 -> quantity = "-" + (1 + random.nextInt(50));
                        default -> quantity = "3.5";
                    }
                }
                if (change) {
                    changed++;
                }
                line.setLength(0);
                String number = Long.toString(order.skuOf(i));
                line.append("SKU-");
                for (int pad = number.length(); pad < width; pad++) {
                    line.append('0');
                }
                line.append(number).append(',').append(title).append(',')
                        .append(price).append(',').append(quantity).append('\n');
                writer.append(line);
            }
        }
        System.out.println("rows=" + rows + " invalid=" + invalid + " changed=" + changed);
    }

    /**
     * A permutation of 0..rows-1 from the seed: a four-round Feistel network on the smallest even number of bits
     * that holds rows-1, walked again while it lands outside the range (each walk stays in the permutation, so
     * every number comes out exactly once). No table of rows entries: 20M rows cost no memory.
     */
    static final class SkuOrder {
        private final long rows;
        private final int halfBits;
        private final long halfMask;
        private final long[] keys = new long[4];

        SkuOrder(long rows, long seed) {
            this.rows = rows;
            int bits = Math.max(2, 64 - Long.numberOfLeadingZeros(Math.max(1, rows - 1)));
            this.halfBits = (bits + 1) / 2;
            this.halfMask = (1L << halfBits) - 1;
            SplittableRandom keyed = new SplittableRandom(seed * 31 + 7);
            for (int i = 0; i < keys.length; i++) {
                keys[i] = keyed.nextLong();
            }
        }

        long skuOf(long row) {
            long x = row;
            do {
                x = round(x);
            } while (x >= rows);
            return x;
        }

        private long round(long x) {
            long left = x >>> halfBits;
            long right = x & halfMask;
            for (long key : keys) {
                long mixed = (mix(right ^ key)) & halfMask;
                long next = left ^ mixed;
                left = right;
                right = next;
            }
            return (left << halfBits) | right;
        }

        private static long mix(long z) {
            z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
            z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
            return z ^ (z >>> 33);
        }
    }
}
