package dev.conveyor.warehouse;

import java.sql.SQLException;

/**
 * The one encoding of a listing row for the staging table: COPY text columns {@code seq, sku, title, price, quantity}.
 * Shared by a load that encodes rows as they stream in and by a {@link RowSpool} that encodes them ahead of the load,
 * so both send the server byte-for-byte the same thing and refuse the same values.
 */
final class StagingRows {

    private StagingRows() {
    }

    /**
     * Appends one row to {@code encoder}. {@code price} must be plain decimal text ({@code 12.50}, {@code -1},
     * {@code +3}), {@code quantity} plain integer text; a null or blank price or quantity and a null title become NULL.
     *
     * @throws SQLException naming the value, if the row cannot be stored; the encoder then holds a partial row, which
     *                      the caller must {@link CopyTextEncoder#rewind rewind} or discard
     */
    static void encode(CopyTextEncoder encoder, long seq, String sku, String title, String price, String quantity)
            throws SQLException {
        if (sku == null || sku.isBlank()) {
            throw new SQLException("sku is required", "23502");
        }
        encoder.writeLong(seq);
        encoder.tab();
        encodeListing(encoder, sku, title, price, quantity);
    }

    /**
     * Appends one row without its {@code seq}: COPY text columns {@code sku, title, price, quantity}, for a table a
     * validation builds as it goes ({@link WarehouseBuild}), whose rows keep file order by being appended in it.
     * Values as {@link #encode}; the same exceptions.
     */
    static void encodeListing(CopyTextEncoder encoder, String sku, String title, String price, String quantity)
            throws SQLException {
        if (sku == null || sku.isBlank()) {
            throw new SQLException("sku is required", "23502");
        }
        encoder.writeText(sku, "sku");
        encoder.tab();
        encoder.writeText(title, "title");
        encoder.tab();
        encoder.writeText(number(price, "price", true), "price");
        encoder.tab();
        encoder.writeText(number(quantity, "quantity", false), "quantity");
        encoder.endRow();
    }

    /**
     * The value to stage for a numeric column: null if blank, else the text if it is plain notation,
     * {@code [+-]?digits} with {@code ('.' digits)?} when {@code fraction} is allowed. PostgreSQL would also take
     * {@code NaN}, {@code Infinity}, {@code 1e3} (and, from 16, {@code 0x1F} and {@code 1_000}); the validator does
     * not, and neither does the warehouse. Checking here also fails a bad row when it is added rather than after
     * the rest of the file has been streamed, which is when the server's error would come back.
     */
    private static String number(String value, String field, boolean fraction) throws SQLException {
        if (value == null || value.isBlank()) {
            return null;
        }
        int n = value.length();
        int i = value.charAt(0) == '-' || value.charAt(0) == '+' ? 1 : 0;
        int digits = i;
        while (i < n && isDigit(value.charAt(i))) {
            i++;
        }
        boolean plain = i > digits;
        if (plain && i < n) {
            plain = fraction && value.charAt(i) == '.' && ++i < n;
            while (plain && i < n) {
                plain = isDigit(value.charAt(i++));
            }
        }
        if (!plain) {
            String shown = n > 40 ? value.substring(0, 40) + "..." : value;
            throw new SQLException(field + " \"" + shown + "\" is not plain " + (fraction ? "decimal" : "integer")
                    + " text", "22P02");
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
