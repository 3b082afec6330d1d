import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * W2's big file: N listing rows (sku,title,price,quantity), about 2% of them invalid, from a fixed seed, so
 * every run (and every machine) loads the same bytes. The mix follows the peer's generator: titles like
 * "Blue widget 1234", 5% of them with a comma (a quoted field), prices 0.50–999.99, quantities 0–1000; an
 * invalid row has one of five faults, each of which the default rule set refuses: an empty title, a negative
 * price, a price that is not a number, a negative quantity, a quantity that is not an integer.
 *
 *   java bench/GenerateCsv.java <out.csv> [rows=1000000] [seed=20240601]
 *
 * Prints "rows=<n> invalid=<k>" on stdout, so the harness knows exactly how many rows must be loaded.
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
        SplittableRandom random = new SplittableRandom(seed);
        long invalid = 0;
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
                String price = cents / 100 + "." + (cents % 100 < 10 ? "0" : "") + cents % 100;
                String quantity = Integer.toString(random.nextInt(1001));
                if (random.nextInt(100) < 2) {
                    invalid++;
                    switch (random.nextInt(5)) {
                        case 0 -> title = "";
                        case 1 -> price = "-" + price;
                        case 2 -> price = "abc";
                        case 3 -> quantity = "-" + (1 + random.nextInt(50));
                        default -> quantity = "3.5";
                    }
                }
                line.setLength(0);
                String number = Long.toString(i);
                line.append("SKU-").append("00000000", 0, Math.max(0, 8 - number.length())).append(number).append(',').append(title).append(',')
                        .append(price).append(',').append(quantity).append('\n');
                writer.append(line);
            }
        }
        System.out.println("rows=" + rows + " invalid=" + invalid);
    }
}
