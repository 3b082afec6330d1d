package dev.conveyor.validation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RuleSetRepositoryTest {

    @TempDir
    Path dir;

    private void write(String relative, String yaml) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
    }

    private static String oneColumn(String name, String column) {
        return "name: " + name + "\ncolumns:\n  - name: " + column + "\n";
    }

    @Test
    void shippedDefaultExpectsSkuTitlePriceQuantity() {
        RuleSet rules = RuleSetRepository.load(null).defaultRuleSet();
        assertThat(rules.name()).isEqualTo("default");
        assertThat(rules.source()).isEqualTo("classpath:rules/default.yaml");
        assertThat(rules.columnNames()).containsExactly("sku", "title", "price", "quantity");
        List<ColumnRule> c = rules.columns();
        assertThat(c).allMatch(ColumnRule::required).noneMatch(ColumnRule::optionalHeader);
        assertThat(c.get(1).warnMaxLength()).isEqualTo(60);
        assertThat(c.get(2).type()).isEqualTo(ColumnType.DECIMAL);
        assertThat(c.get(2).minExclusive()).isEqualByComparingTo(BigDecimal.ZERO);
        assertThat(c.get(3).type()).isEqualTo(ColumnType.INTEGER);
        assertThat(c.get(3).min()).isEqualByComparingTo(BigDecimal.ZERO);
    }

    @Test
    void shippedElectronicsAcceptsTypicalSkus() {
        RuleSetRepository repo = RuleSetRepository.load(null);
        RuleSet rules = repo.forListing("mercado_livre", "electronics");
        assertThat(rules.name()).isEqualTo("mercado_livre/electronics");
        assertThat(rules.columnNames()).containsExactly("sku", "title", "price", "quantity");
        Validation r = Validation.run(rules, "sku,title,price,quantity\nSKU-000123,Phone,10.00,3\nsku 1,Phone,10,3\n");
        assertThat(r.report.validRows()).isEqualTo(1);
        assertThat(r.messages()).containsExactly("sku: \"sku 1\" does not match the expected format "
                + "(3 to 40 upper-case letters, digits or dashes, like SKU-000123)");
    }

    @Test
    void everyShippedRuleFileIsListedInTheIndex() throws IOException {
        Path root = Path.of("src/main/resources/rules");
        assertThat(root).isDirectory();
        List<String> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .map(p -> root.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
        List<String> index = Files.readAllLines(root.resolve("index.txt")).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).sorted().toList();
        assertThat(index).isEqualTo(files);
        assertThat(RuleSetRepository.load(null).keys()).hasSize(files.size());
    }

    @Test
    void fallbackChainCategoryThenMarketplaceThenDefault() throws IOException {
        write("shopee/default.yaml", oneColumn("shopee-default", "a"));
        write("shopee/toys.yaml", oneColumn("shopee-toys", "b"));
        write("amazon/books.yaml", oneColumn("amazon-books", "c"));
        RuleSetRepository repo = RuleSetRepository.load(dir);

        assertThat(repo.forListing("shopee", "toys").name()).isEqualTo("shopee-toys");
        assertThat(repo.forListing("shopee", "garden").name()).isEqualTo("shopee-default");
        assertThat(repo.forListing("shopee", null).name()).isEqualTo("shopee-default");
        assertThat(repo.forListing("amazon", "books").name()).isEqualTo("amazon-books");
        assertThat(repo.forListing("amazon", "garden").name()).isEqualTo("default");   // no amazon/default
        assertThat(repo.forListing("unknown", "toys").name()).isEqualTo("default");
        assertThat(repo.forListing(null, null).name()).isEqualTo("default");
        assertThat(repo.forListing("", " ").name()).isEqualTo("default");
        // classpath ones are still there
        assertThat(repo.forListing("mercado_livre", "electronics").name()).isEqualTo("mercado_livre/electronics");
        assertThat(repo.forListing("mercado_livre", "toys").name()).isEqualTo("default");
        assertThat(repo.keys()).containsExactly("amazon/books", "default", "mercado_livre/electronics",
                "shopee/default", "shopee/toys");
    }

    @Test
    void lookupIsCaseInsensitiveBothWays() throws IOException {
        write("Shopee/Toys.yaml", oneColumn("toys", "b"));
        RuleSetRepository repo = RuleSetRepository.load(dir);
        assertThat(repo.forListing("SHOPEE", " toys ").name()).isEqualTo("toys");
        assertThat(repo.forListing("shopee", "TOYS").name()).isEqualTo("toys");
        assertThat(repo.forListing("Mercado_Livre", "ELECTRONICS").name()).isEqualTo("mercado_livre/electronics");
        assertThat(repo.find("SHOPEE/toys")).isPresent();
        assertThat(repo.find("shopee/garden")).isEmpty();
    }

    @Test
    void headerNamesMatchCaseInsensitively() {
        Validation r = Validation.run(Validation.defaultRules(), " SKU ,Title,PRICE, quantity\nA1,t,1,1\n");
        assertThat(r.report.validRows()).isEqualTo(1);
    }

    @Test
    void pathLikeInputsAreJustUnknownKeys() throws IOException {
        Path outside = dir.resolve("outside.yaml");
        Files.writeString(outside, oneColumn("outside", "x"));
        Path rules = dir.resolve("rules");
        Files.createDirectories(rules.resolve("shopee"));
        Files.writeString(rules.resolve("shopee/default.yaml"), oneColumn("shopee-default", "a"));
        RuleSetRepository repo = RuleSetRepository.load(rules);
        assertThat(repo.forListing("..", "outside").name()).isEqualTo("default");
        assertThat(repo.forListing("shopee", "../../outside").name()).isEqualTo("shopee-default");
        assertThat(repo.forListing("shopee/../..", "outside").name()).isEqualTo("default");
        assertThat(repo.forListing(outside.toString(), null).name()).isEqualTo("default");
        assertThat(repo.find("../outside")).isEmpty();
    }

    @Test
    void externalFileOverridesClasspathFile() throws IOException {
        write("default.yaml", oneColumn("my-default", "id"));
        write("mercado_livre/electronics.yml", oneColumn("my-electronics", "id"));
        RuleSetRepository repo = RuleSetRepository.load(dir);
        assertThat(repo.defaultRuleSet().name()).isEqualTo("my-default");
        assertThat(repo.defaultRuleSet().source()).isEqualTo(dir.resolve("default.yaml").toString());
        assertThat(repo.forListing("mercado_livre", "electronics").name()).isEqualTo("my-electronics");
    }

    @Test
    void nameDefaultsToTheKey() throws IOException {
        write("shopee/toys.yaml", "columns:\n  - name: a\n");
        assertThat(RuleSetRepository.load(dir).forListing("shopee", "toys").name()).isEqualTo("shopee/toys");
    }

    @Test
    void nonYamlFilesAreIgnored() throws IOException {
        write("README.md", "# notes");
        write("shopee/notes.txt", "x");
        assertThat(RuleSetRepository.load(dir).keys()).containsExactly("default", "mercado_livre/electronics");
    }

    @Test
    void fullFormatIsParsed() throws IOException {
        write("shopee/toys.yaml", """
                name: toys
                description: anything
                columns:
                  - name: sku
                    required: true
                    type: pattern
                    pattern: "[A-Z]+"
                    pattern-description: capitals
                  - name: condition
                    values: [new, used]
                  - name: weight
                    type: decimal
                    min: "0.5"
                    max-exclusive: 100
                  - name: ean
                    optional-header: true
                    max-length: 13
                    warn-max-length: 12
                    warn-pattern: "[0-9]*"
                    warn-pattern-description: digits only
                """);
        RuleSet rules = RuleSetRepository.load(dir).forListing("shopee", "toys");
        ColumnRule condition = rules.columns().get(1);
        assertThat(condition.type()).isEqualTo(ColumnType.ENUM);
        assertThat(condition.values()).containsExactly("new", "used");
        ColumnRule weight = rules.columns().get(2);
        assertThat(weight.min()).isEqualTo(new BigDecimal("0.5"));
        assertThat(weight.maxExclusive()).isEqualByComparingTo("100");
        ColumnRule ean = rules.columns().get(3);
        assertThat(ean.optionalHeader()).isTrue();
        assertThat(ean.maxLength()).isEqualTo(13);
        assertThat(ean.warnPattern().pattern()).isEqualTo("[0-9]*");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            unknown type          | columns:\\n  - name: a\\n    type: money\\n                 | unknown type 'money'
            bad regex             | columns:\\n  - name: a\\n    pattern: '[a-'\\n             | 'pattern' is not a valid regular expression
            bad warn regex        | columns:\\n  - name: a\\n    warn-pattern: '(x'\\n         | 'warn-pattern' is not a valid regular expression
            enum without values   | columns:\\n  - name: a\\n    type: enum\\n                  | type enum needs a non-empty 'values' list
            enum with empty list  | columns:\\n  - name: a\\n    type: enum\\n    values: []\\n | type enum needs a non-empty 'values' list
            unknown column key    | columns:\\n  - name: a\\n    max_length: 3\\n               | unknown key 'max_length' in column 'a'
            unknown top key       | colums:\\n  - name: a\\n                                 | unknown key 'colums' at the top level
            no columns            | name: x\\n                                                | 'columns' must be a non-empty list
            column without name   | columns:\\n  - required: true\\n                          | column #1: 'name' is missing
            duplicate column      | columns:\\n  - name: a\\n  - name: A\\n                   | column 'A' is listed twice
            duplicate key         | columns:\\n  - name: a\\n    required: true\\n    required: false\\n | invalid YAML
            bounds on string      | columns:\\n  - name: a\\n    min: 1\\n                      | bounds only apply to types decimal and integer
            min is not a number   | columns:\\n  - name: a\\n    type: decimal\\n    min: zero\\n | 'min' must be a number
            max-length not a number | columns:\\n  - name: a\\n    max-length: 1.5\\n           | 'max-length' must be a whole number
            required not boolean  | columns:\\n  - name: a\\n    required: maybe\\n             | 'required' must be true or false
            warn above max        | columns:\\n  - name: a\\n    max-length: 5\\n    warn-max-length: 9\\n | must be less than 'max-length'
            invalid yaml          | columns: [\\n                                             | invalid YAML
            empty file            | \"\"                                                       | file is empty
            not a mapping         | \"- a\\n- b\\n\"                                           | expected a mapping
            """)
    void malformedRuleSetFailsAtLoadNamingFileAndProblem(String label, String yaml, String problem) throws IOException {
        String text = yaml.replace("\\n", "\n");
        write("shopee/toys.yaml", text);
        assertThatThrownBy(() -> RuleSetRepository.load(dir))
                .as(label)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(dir.resolve("shopee/toys.yaml").toString())
                .hasMessageContaining(problem);
    }

    @Test
    void misplacedOrDuplicatedFilesFailAtLoad() throws IOException {
        write("toys.yaml", oneColumn("x", "a"));
        assertThatThrownBy(() -> RuleSetRepository.load(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("toys.yaml").hasMessageContaining("only default.yaml");
        Files.delete(dir.resolve("toys.yaml"));

        write("shopee/toys.yaml", oneColumn("x", "a"));
        write("shopee/TOYS.yml", oneColumn("y", "a"));
        assertThatThrownBy(() -> RuleSetRepository.load(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'shopee/toys' is defined twice");
        Files.delete(dir.resolve("shopee/TOYS.yml"));

        write("shopee/to ys.yaml", oneColumn("x", "a"));
        assertThatThrownBy(() -> RuleSetRepository.load(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("to ys.yaml");
    }

    @Test
    void missingDirectoryOrClasspathDefaultFailsAtLoad() {
        assertThatThrownBy(() -> RuleSetRepository.load(dir.resolve("nope")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> RuleSetRepository.load("no-such-rules-root", null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no-such-rules-root/index.txt");
    }

    @Test
    void ruleSetIsImmutable() {
        RuleSet rules = RuleSetRepository.load(null).defaultRuleSet();
        assertThatThrownBy(() -> rules.columns().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(rules.columnNames().get(0).toLowerCase(Locale.ROOT)).isEqualTo("sku");
    }
}
