package dev.conveyor.validation;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Delimiter detection, decimal commas, encodings and the BOM, as rule sets configure them. */
class FileFormatTest {

    private static final Charset CP1252 = Charset.forName("windows-1252");

    private static RuleSet rules(String formatYaml) {
        String yaml = formatYaml + "\ncolumns:\n"
                + "  - {name: sku, required: true}\n"
                + "  - {name: title}\n"
                + "  - {name: price, type: decimal, min-exclusive: 0}\n"
                + "  - {name: quantity, type: integer, min: 0}\n";
        return RuleSetParser.parse("test:" + formatYaml.replace('\n', ' '), "t",
                new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    }

    private static Validation run(RuleSet rules, byte[] bytes) {
        return Validation.run(rules, ValidationOptions.defaults(), bytes);
    }

    private static Validation run(RuleSet rules, String text) {
        return run(rules, text.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ delimiter

    @Test
    void theDelimiterIsTheOneThatSplitsTheHeaderIntoTheColumns() {
        RuleSet auto = rules("name: t");
        Validation semicolon = run(auto, "sku;title;price;quantity\nA;Cabo, 2m;1.50;3\n");
        assertThat(semicolon.validRows).containsExactly(List.of("A", "Cabo, 2m", "1.50", "3"));
        assertThat(semicolon.report.fileFormat()).containsEntry("delimiter", ";")
                .containsEntry("delimiter_from", "header");

        Validation tab = run(auto, "sku\ttitle\tprice\tquantity\nA\tB; c, d\t1.50\t3\n");
        assertThat(tab.validRows).containsExactly(List.of("A", "B; c, d", "1.50", "3"));
        assertThat(tab.report.fileFormat()).containsEntry("delimiter", "\t");

        // the data rows have more semicolons than commas: only the header counts
        Validation comma = run(auto, "\n\nsku,title,price,quantity\nA,a;b;c;d;e;f,1.50,3\n");
        assertThat(comma.validRows).containsExactly(List.of("A", "a;b;c;d;e;f", "1.50", "3"));
        assertThat(comma.report.fileFormat()).containsEntry("delimiter", ",");
    }

    @Test
    void aQuotedHeaderNameWithAnotherDelimiterInsideDoesNotFoolDetection() {
        Validation r = run(rules("name: t"), "sku;\"title\";price;quantity;\"notes, free\"\nA;B;1;1;x\n");
        assertThat(r.report.validRows()).isEqualTo(1);
        assertThat(r.report.fileFormat()).containsEntry("delimiter", ";");
    }

    @Test
    void aDelimiterSetInTheRuleSetThatDoesNotFitSaysWhatTheFileLooksLike() {
        RuleSet comma = rules("delimiter: \",\"");
        assertThatThrownBy(() -> run(comma, "sku;title;price;quantity\nA;B;1;1\n"))
                .isInstanceOf(CsvHeaderException.class)
                .hasMessageContaining("missing column(s) sku,title,price,quantity")
                .hasMessageContaining("this looks like a semicolon-separated file")
                .hasMessageContaining("set delimiter: \";\"");
        Validation set = run(rules("delimiter: semicolon"), "sku;title;price;quantity\nA;B;1.5;1\n");
        assertThat(set.report.fileFormat()).containsEntry("delimiter", ";").containsEntry("delimiter_from", "rule_set");
        assertThat(set.report.validRows()).isEqualTo(1);
    }

    @Test
    void aHeaderNoDelimiterSplitsSaysDetectionFound() {
        assertThatThrownBy(() -> run(rules("name: t"), "sku|title|price|quantity\nA|B|1|1\n"))
                .isInstanceOf(CsvHeaderException.class)
                .hasMessageContaining("none of comma, semicolon or tab splits it");
    }

    // ------------------------------------------------------------------ decimal comma

    @Test
    void aDecimalCommaIsHandedOnAsAPlainDecimal() {
        RuleSet br = rules("decimal-separator: \",\"");
        Validation r = run(br, "sku;title;price;quantity\nA;B;199,90;3\nC;D;-0,5;1\nE;F;12;+4\n");
        assertThat(r.messages()).containsExactly("price: must be > 0 (was -0,5)");
        assertThat(r.validRows).containsExactly(List.of("A", "B", "199.90", "3"), List.of("E", "F", "12", "+4"));
    }

    @Test
    void withADecimalCommaAPointIsNeverGuessed() {
        RuleSet br = rules("decimal-separator: \",\"");
        Validation r = run(br, "sku;title;price;quantity\nA;B;1.299;1\nC;D;199.90;1\nE;F;1.299,90;1\nG;H;1,2,3;1\n");
        assertThat(r.report.validRows()).isZero();
        assertThat(r.messages()).containsExactly(
                "price: \"1.299\" is ambiguous: this file is read with a decimal comma, so it is either 1.299 written"
                        + " with a decimal point or 1299 written with a thousands separator; write it without the '.'"
                        + " (rule set t, test:decimal-separator: \",\")",
                "price: \"199.90\" has a decimal point, but this file is read with a decimal comma: write 199,90"
                        + " (rule set t, test:decimal-separator: \",\")",
                "price: \"1.299,90\" uses '.' as a thousands separator, which the rule set does not allow; write it"
                        + " without the '.', or set thousands-separator: \".\" (rule set t, test:decimal-separator:"
                        + " \",\")",
                "price: \"1,2,3\" is not a decimal");
    }

    @Test
    void thousandsSeparatorsWhenAllowedButOneGroupWithoutADecimalPartIsStillAmbiguous() {
        RuleSet br = rules("decimal-separator: \",\"\nthousands-separator: \".\"");
        Validation r = run(br, "sku;title;price;quantity\nA;B;1.299,90;1.000.000\nC;D;1.299;1\nE;F;12.34,5;1\n"
                + "G;H;1.299.000;1\nI;J;1299,9;1\n");
        assertThat(r.validRows).containsExactly(List.of("A", "B", "1299.90", "1000000"),
                List.of("G", "H", "1299000", "1"), List.of("I", "J", "1299.9", "1"));
        assertThat(r.messages()).hasSize(2);
        assertThat(r.messages().get(0)).startsWith("price: \"1.299\" is ambiguous").contains("1299 or 1.299");
        assertThat(r.messages().get(1)).startsWith("price: \"12.34,5\" has '.' where thousands groups of 3 digits");
    }

    @Test
    void decimalSeparatorAutoFollowsTheDelimiter() {
        RuleSet auto = rules("decimal-separator: auto");
        Validation semicolon = run(auto, "sku;title;price;quantity\nA;B;199,90;1\n");
        assertThat(semicolon.validRows).containsExactly(List.of("A", "B", "199.90", "1"));
        assertThat(semicolon.report.fileFormat()).containsEntry("decimal_separator", ",");
        Validation comma = run(auto, "sku,title,price,quantity\nA,B,199.90,1\nC,D,\"199,90\",1\n");
        assertThat(comma.validRows).containsExactly(List.of("A", "B", "199.90", "1"));
        assertThat(comma.report.fileFormat()).containsEntry("decimal_separator", ".");
    }

    @Test
    void aDecimalCommaInAFileReadWithAPointKeepsItsRowMessageAndGetsFileAdvice() {
        Validation r = run(rules("name: t"), "sku,title,price,quantity\nA,B,\"12,50\",1\nC,D,\"1,299.00\",1\n");
        assertThat(r.messages()).containsExactly("price: \"12,50\" is not a decimal",
                "price: \"1,299.00\" is not a decimal");
        assertThat(r.report.advice()).singleElement().asString().startsWith("2 number value(s) look like decimal "
                + "commas").contains("row 1: \"12,50\" has a decimal comma").contains("decimal-separator: \",\"");
    }

    @Test
    void aDecimalCommaInAnIntegerColumnIsNotWhole() {
        Validation r = run(rules("decimal-separator: \",\""), "sku;title;price;quantity\nA;B;1;2,5\n");
        assertThat(r.messages()).containsExactly("quantity: must be an integer (was \"2,5\")");
    }

    // ------------------------------------------------------------------ encodings and BOM

    private static final String BR = "sku;title;price;quantity\r\nML-1;Câmera ção;1,50;1\r\n";

    @Test
    void windows1252IsReadWhenTheRuleSetSaysSo() {
        Validation r = run(rules("encoding: windows-1252\ndecimal-separator: auto"), BR.getBytes(CP1252));
        assertThat(r.validRows).containsExactly(List.of("ML-1", "Câmera ção", "1.50", "1"));
        assertThat(r.report.fileFormat()).containsEntry("encoding", "windows-1252");
        Validation latin1 = run(rules("encoding: iso-8859-1\ndecimal-separator: auto"), BR.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(latin1.validRows.get(0).get(1)).isEqualTo("Câmera ção");
    }

    @Test
    void autoReadsUtf8AsUtf8AndAnExcelExportAsWindows1252() {
        RuleSet auto = rules("encoding: auto\ndecimal-separator: auto");
        Validation utf8 = run(auto, BR.getBytes(StandardCharsets.UTF_8));
        assertThat(utf8.validRows.get(0).get(1)).isEqualTo("Câmera ção");
        assertThat(utf8.report.fileFormat()).containsEntry("encoding", "utf-8");
        Validation cp = run(auto, BR.getBytes(CP1252));
        assertThat(cp.validRows.get(0).get(1)).isEqualTo("Câmera ção");
        assertThat(cp.report.fileFormat()).containsEntry("encoding", "windows-1252");
        // the euro sign and curly quotes are Windows-1252's own (0x80, 0x93, 0x94)
        Validation signs = run(auto, "sku;title;price;quantity\nA;\u201cPre\u00e7o\u201d 5\u20ac;1;1\n".getBytes(CP1252));
        assertThat(signs.validRows.get(0).get(1)).isEqualTo("\u201cPre\u00e7o\u201d 5\u20ac");
    }

    @Test
    void autoDecidesOnceAtTheFirstNonAsciiByteAndStaysStrict() {
        // a long ASCII prefix, then UTF-8; later a Windows-1252 byte: an error, not a silent switch
        StringBuilder csv = new StringBuilder("sku;title;price;quantity\n");
        for (int i = 0; i < 5000; i++) {
            csv.append("A").append(i).append(";plain;1;1\n");
        }
        csv.append("B;Câmera;1;1\n");
        byte[] head = csv.toString().getBytes(StandardCharsets.UTF_8);
        byte[] tail = "C;Ação;1;1\n".getBytes(CP1252);
        byte[] all = new byte[head.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        assertThatThrownBy(() -> run(rules("encoding: auto"), all)).isInstanceOf(CsvFormatException.class)
                .hasMessageContaining("not valid UTF-8 text (invalid byte sequence near row 5002");
    }

    @Test
    void latin1InAUtf8RuleSetSaysWhereAndWhatToSet() {
        assertThatThrownBy(() -> run(rules("name: t"), BR.getBytes(CP1252)))
                .isInstanceOf(CsvFormatException.class)
                .hasMessageStartingWith("file is not valid UTF-8 text (invalid byte sequence near row 1, byte offset 32)")
                .hasMessageContaining("if this file was exported by Excel in Windows-1252 (Latin-1), set encoding: "
                        + "windows-1252 in the rule set t (test:name: t)");
    }

    @Test
    void aUtf8ByteOrderMarkIsDroppedAndMeansUtf8WhateverTheRuleSetExpected() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = BR.getBytes(StandardCharsets.UTF_8);
        byte[] file = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, file, 0, 3);
        System.arraycopy(body, 0, file, 3, body.length);
        for (String encoding : List.of("utf-8", "auto", "windows-1252")) {
            Validation r = run(rules("encoding: " + encoding + "\ndecimal-separator: auto"), file);
            assertThat(r.validRows).as(encoding).containsExactly(List.of("ML-1", "Câmera ção", "1.50", "1"));
            assertThat(r.report.fileFormat()).as(encoding).containsEntry("encoding", "utf-8");
        }
    }

    @Test
    void aByteWindows1252DoesNotHaveIsAnErrorNamingTheEncoding() {
        byte[] bad = "sku;title;price;quantity\nA;B\u0081;1;1\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> run(rules("encoding: windows-1252"), bad)).isInstanceOf(CsvFormatException.class)
                .hasMessageContaining("not valid windows-1252 text (byte 0x81 near row 1");
    }

    // ------------------------------------------------------------------ rule-set keys

    @Test
    void ruleSetKeysAreCheckedAtLoad() {
        RuleSet all = rules("delimiter: tab\nencoding: cp1252\ndecimal-separator: \",\"\nthousands-separator: \".\"\n"
                + "sheet: Anúncios");
        assertThat(all.format()).isEqualTo(new FileFormat('\t', "windows-1252", ',', '.', "Anúncios"));
        assertThat(rules("name: t").format()).isEqualTo(FileFormat.DEFAULT);
        assertThatThrownBy(() -> rules("delimiter: \"|\"")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("delimiter must be");
        assertThatThrownBy(() -> rules("encoding: utf-16")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("encoding must be one of utf-8, windows-1252");
        assertThatThrownBy(() -> rules("decimal-separator: \",\"\nthousands-separator: \",\""))
                .hasMessageContaining("thousands-separator must differ");
        assertThatThrownBy(() -> rules("decimal-separator: auto\nthousands-separator: \".\""))
                .hasMessageContaining("needs an explicit");
        assertThatThrownBy(() -> rules("locale: pt-BR")).hasMessageContaining("unknown key 'locale'");
    }

    @Test
    void theMercadoLivreRuleSetReadsBothExportsOfTheSameRows() throws IOException {
        RuleSet ml = RuleSetRepository.load(null).forListing("mercado_livre", "electronics");
        assertThat(ml.format()).isEqualTo(new FileFormat(FileFormat.AUTO, "auto", FileFormat.AUTO, FileFormat.NONE,
                null));
        Validation br = run(ml, "sku;title;price;quantity\r\nML-1;Câmera;1299,90;1\r\n".getBytes(CP1252));
        Validation us = run(ml, "sku,title,price,quantity\nML-1,Câmera,1299.90,1\n");
        assertThat(br.validRows).isEqualTo(us.validRows).containsExactly(List.of("ML-1", "Câmera", "1299.90", "1"));
    }
}
