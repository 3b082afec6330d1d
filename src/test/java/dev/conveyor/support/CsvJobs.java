package dev.conveyor.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** JSON bodies for csv_validation jobs. */
public final class CsvJobs {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CsvJobs() {
    }

    public static String inline(String marketplace, String category, String csv) {
        ObjectNode body = JSON.createObjectNode().put("type", "csv_validation");
        body.putObject("payload").put("marketplace", marketplace).put("category", category).put("csv", csv);
        return body.toString();
    }

    public static String inline(String csv) {
        return inline("acme", "toys", csv);
    }

    public static final String CLEAN = """
            sku,title,price,quantity
            SKU-1,Red ball,9.90,10
            SKU-2,Blue ball,10.00,0
            SKU-3,Green ball,0.01,5
            """;

    /** Five rows: two of them invalid (a price that is not a decimal; a missing title and a negative quantity). */
    public static final String TWO_BAD_ROWS = """
            sku,title,price,quantity
            SKU-1,Red ball,9.90,10
            SKU-2,Blue ball,abc,1
            SKU-3,,1.00,-4
            SKU-4,Yellow ball,3.50,2
            SKU-5,Purple ball,4.00,7
            """;
}
