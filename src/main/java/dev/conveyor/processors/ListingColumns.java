package dev.conveyor.processors;

import java.util.List;
import java.util.Locale;

import dev.conveyor.validation.RuleSet;

/** Where a warehouse row's sku, title, price and quantity sit among a rule set's columns (-1: not there). */
final class ListingColumns {

    private static final List<String> COLUMNS = List.of("sku", "title", "price", "quantity");

    private final int[] at;

    private ListingColumns(int[] at) {
        this.at = at;
    }

    static ListingColumns of(RuleSet ruleSet) {
        List<String> names = ruleSet.columnNames().stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
        int[] at = new int[COLUMNS.size()];
        for (int i = 0; i < at.length; i++) {
            at[i] = names.indexOf(COLUMNS.get(i));
        }
        return new ListingColumns(at);
    }

    /** A row without a sku cannot be keyed in the warehouse. */
    boolean hasSku() {
        return at[0] >= 0;
    }

    String sku(String[] values) {
        return values[at[0]];
    }

    String title(String[] values) {
        return at[1] < 0 ? null : values[at[1]];
    }

    String price(String[] values) {
        return at[2] < 0 ? null : values[at[2]];
    }

    String quantity(String[] values) {
        return at[3] < 0 ? null : values[at[3]];
    }
}
