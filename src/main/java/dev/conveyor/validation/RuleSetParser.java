package dev.conveyor.validation;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads one rule-set YAML file (format: see {@code rules/default.yaml}) strictly. */
final class RuleSetParser {

    private static final Set<String> TOP_KEYS = Set.of("name", "description", "columns", "delimiter", "encoding",
            "decimal-separator", "thousands-separator", "sheet");
    private static final List<String> COLUMN_KEYS = List.of("name", "description", "required", "optional-header",
            "type", "values", "pattern", "pattern-description", "min", "min-exclusive", "max", "max-exclusive",
            "max-length", "warn-max-length", "warn-pattern", "warn-pattern-description");

    private static final ObjectMapper YAML = new ObjectMapper(
            YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

    private RuleSetParser() {
    }

    /**
     * @param source      for messages, e.g. {@code classpath:rules/default.yaml}
     * @param defaultName used when the file has no {@code name:}
     * @throws IllegalStateException naming {@code source} and what is wrong
     */
    static RuleSet parse(String source, String defaultName, InputStream in) {
        JsonNode root;
        try {
            root = YAML.readTree(in);
        } catch (JsonProcessingException e) {
            throw fail(source, "invalid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""), e);
        } catch (IOException e) {
            throw fail(source, "cannot read: " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw fail(source, "file is empty", null);
        }
        if (!root.isObject()) {
            throw fail(source, "expected a mapping with 'name' and 'columns' at the top level", null);
        }
        checkKeys(source, root, TOP_KEYS, "at the top level");
        String name = defaultName;
        JsonNode nameNode = root.get("name");
        if (nameNode != null) {
            name = text(source, "name", nameNode).trim();
            if (name.isEmpty()) {
                throw fail(source, "'name' is blank", null);
            }
        }
        JsonNode columnsNode = root.get("columns");
        if (columnsNode == null || !columnsNode.isArray() || columnsNode.isEmpty()) {
            throw fail(source, "'columns' must be a non-empty list", null);
        }
        List<ColumnRule> columns = new ArrayList<>();
        int position = 0;
        for (JsonNode columnNode : columnsNode) {
            position++;
            columns.add(column(source, position, columnNode));
        }
        FileFormat format;
        try {
            format = format(source, root);
        } catch (IllegalArgumentException e) {
            throw fail(source, e.getMessage(), e);
        }
        try {
            return new RuleSet(name, source, columns, format);
        } catch (IllegalArgumentException e) {
            throw fail(source, e.getMessage(), e);
        }
    }

    /** The top-level file format keys; all optional. */
    private static FileFormat format(String source, JsonNode root) {
        FileFormat d = FileFormat.DEFAULT;
        char delimiter = d.delimiter();
        String encoding = d.encoding();
        char decimal = d.decimalSeparator();
        char thousands = d.thousandsSeparator();
        String sheet = d.sheet();
        if (root.has("delimiter")) {
            String v = text(source, "'delimiter'", root.get("delimiter"));
            delimiter = switch (v.toLowerCase(java.util.Locale.ROOT)) {
                case "auto" -> FileFormat.AUTO;
                case ",", "comma" -> ',';
                case ";", "semicolon" -> ';';
                case "\t", "\\t", "tab" -> '\t';
                default -> throw new IllegalArgumentException("delimiter must be \",\", \";\", \"\\t\" (tab) "
                        + "or auto (was '" + v + "')");
            };
        }
        if (root.has("encoding")) {
            encoding = text(source, "'encoding'", root.get("encoding"));
        }
        if (root.has("decimal-separator")) {
            String v = text(source, "'decimal-separator'", root.get("decimal-separator"));
            decimal = switch (v) {
                case "auto" -> FileFormat.AUTO;
                case ".", "," -> v.charAt(0);
                default -> throw new IllegalArgumentException("decimal-separator must be \".\", \",\" or auto "
                        + "(was '" + v + "')");
            };
        }
        if (root.has("thousands-separator")) {
            String v = text(source, "'thousands-separator'", root.get("thousands-separator"));
            thousands = switch (v) {
                case "none" -> FileFormat.NONE;
                case ".", ",", " " -> v.charAt(0);
                default -> throw new IllegalArgumentException("thousands-separator must be \".\", \",\", \" \" "
                        + "or none (was '" + v + "')");
            };
        }
        if (root.has("sheet")) {
            sheet = text(source, "'sheet'", root.get("sheet")).trim();
        }
        return new FileFormat(delimiter, encoding, decimal, thousands, sheet);
    }

    private static ColumnRule column(String source, int position, JsonNode node) {
        String where = "column #" + position;
        if (!node.isObject()) {
            throw fail(source, where + ": expected a mapping with at least 'name'", null);
        }
        JsonNode nameNode = node.get("name");
        if (nameNode == null) {
            throw fail(source, where + ": 'name' is missing", null);
        }
        String name = text(source, where + " 'name'", nameNode);
        if (name.isBlank()) {
            throw fail(source, where + ": 'name' is blank", null);
        }
        where = "column '" + name.trim() + "'";
        checkKeys(source, node, COLUMN_KEYS, "in " + where);
        try {
            ColumnRule.Builder b = ColumnRule.builder(name);
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                String key = e.getKey();
                JsonNode v = e.getValue();
                String label = where + " '" + key + "'";
                switch (key) {
                    case "name", "description" -> { }
                    case "required" -> b.required(bool(source, label, v));
                    case "optional-header" -> b.optionalHeader(bool(source, label, v));
                    case "type" -> b.type(ColumnType.fromYaml(text(source, label, v)));
                    case "values" -> b.values(list(source, label, v));
                    case "pattern" -> b.pattern(text(source, label, v));
                    case "pattern-description" -> b.patternDescription(text(source, label, v));
                    case "min" -> b.min(number(source, label, v));
                    case "min-exclusive" -> b.minExclusive(number(source, label, v));
                    case "max" -> b.max(number(source, label, v));
                    case "max-exclusive" -> b.maxExclusive(number(source, label, v));
                    case "max-length" -> b.maxLength(integer(source, label, v));
                    case "warn-max-length" -> b.warnMaxLength(integer(source, label, v));
                    case "warn-pattern" -> b.warnPattern(text(source, label, v));
                    case "warn-pattern-description" -> b.warnPatternDescription(text(source, label, v));
                    default -> throw new IllegalStateException("unreachable: " + key);
                }
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw fail(source, where + ": " + e.getMessage(), e);
        }
    }

    private static void checkKeys(String source, JsonNode node, java.util.Collection<String> known, String where) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                throw fail(source, "unknown key '" + key + "' " + where + " (known keys: "
                        + String.join(", ", known.stream().sorted().toList()) + ")", null);
            }
        }
    }

    private static String text(String source, String label, JsonNode v) {
        if (!v.isValueNode() || v.isNull()) {
            throw fail(source, label + " must be a single value", null);
        }
        return v.asText();
    }

    private static boolean bool(String source, String label, JsonNode v) {
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isTextual() && (v.asText().equalsIgnoreCase("true") || v.asText().equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(v.asText());
        }
        throw fail(source, label + " must be true or false, was " + v, null);
    }

    private static BigDecimal number(String source, String label, JsonNode v) {
        if (v.isNumber() || v.isTextual()) {
            try {
                return new BigDecimal(v.asText().trim());
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw fail(source, label + " must be a number, was " + v, null);
    }

    private static Integer integer(String source, String label, JsonNode v) {
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            return v.intValue();
        }
        if (v.isTextual()) {
            try {
                return Integer.valueOf(v.asText().trim());
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw fail(source, label + " must be a whole number, was " + v, null);
    }

    private static List<String> list(String source, String label, JsonNode v) {
        if (!v.isArray()) {
            throw fail(source, label + " must be a list, e.g. [new, used]", null);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : v) {
            out.add(text(source, label + " item", item));
        }
        return out;
    }

    private static IllegalStateException fail(String source, String what, Throwable cause) {
        return new IllegalStateException("invalid rule set file " + source + ": " + what, cause);
    }
}
