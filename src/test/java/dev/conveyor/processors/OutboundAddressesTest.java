package dev.conveyor.processors;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpServer;
import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.worker.PermanentJobException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.conveyor.config.ConfigurationModel;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The address rules of bulk_import's fetches, and that the HTTP client connects to the address the rules checked.
 * DNS is the one thing replaced here (by a table of names): a name that resolves to an internal address, as a
 * rebinding attacker's would at connect time, cannot be set up with the machine's real resolver.
 */
class OutboundAddressesTest {

    @TempDir
    Path data;

    @Test
    void internalAddressClassesAreRecognised() throws UnknownHostException {
        for (String internal : List.of("127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.0.1", "172.31.255.255",
                "192.168.0.1", "169.254.169.254", "100.64.0.1", "100.127.255.255", "0.0.0.0", "224.0.0.1",
                "255.255.255.255", "::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1",
                "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1", "::127.0.0.1", "64:ff9b::a9fe:a9fe",
                "2002:a9fe:a9fe::1")) {
            assertThat(OutboundAddresses.isInternal(InetAddress.getByName(internal))).as(internal).isTrue();
        }
        for (String external : List.of("93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "169.255.0.1",
                "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:0808:0808::1")) {
            assertThat(OutboundAddresses.isInternal(InetAddress.getByName(external))).as(external).isFalse();
        }
    }

    @Test
    void hostsMustBeOnTheListAndWildcardsCoverSubdomainsOnly() {
        OutboundAddresses rules = new OutboundAddresses(List.of("files.example.com", " *.cdn.example.net "),
                List.of(), InetAddress::getAllByName);

        assertThat(rules.hostProblem("files.example.com")).isEmpty();
        assertThat(rules.hostProblem("FILES.example.com.")).isEmpty();
        assertThat(rules.hostProblem("eu.cdn.example.net")).isEmpty();
        assertThat(rules.hostProblem("cdn.example.net")).get().asString().contains("is not in");
        assertThat(rules.hostProblem("evilcdn.example.net")).get().asString().contains("is not in");
        assertThat(rules.hostProblem("files.example.com.evil.org")).get().asString().contains("is not in");
        assertThat(new OutboundAddresses(List.of(), List.of(), InetAddress::getAllByName).hostProblem("x.org"))
                .get().asString().contains("remote import is off").contains("BULK_IMPORT_ALLOWED_HOSTS");
    }

    @Test
    void aNameResolvingToAnInternalAddressIsRefusedUnlessItsCidrIsAllowed() throws UnknownHostException {
        OutboundAddresses.Lookup dns = table(Map.of(
                "rebind.example", "10.0.0.5",
                "mixed.example", "93.184.216.34,169.254.169.254",
                "ok.example", "93.184.216.34"));
        OutboundAddresses rules = new OutboundAddresses(List.of("*"), List.of(), dns);

        assertThat(rules.hostProblem("rebind.example")).isEmpty(); // a name alone says nothing at submit
        assertThatThrownBy(() -> rules.resolve("rebind.example"))
                .isInstanceOf(OutboundAddresses.RefusedAddressException.class)
                .hasMessageContaining("resolves to 10.0.0.5, an internal address");
        assertThatThrownBy(() -> rules.resolve("mixed.example"))
                .hasMessageContaining("resolves to 169.254.169.254");
        assertThat(rules.resolve("ok.example")).extracting(InetAddress::getHostAddress)
                .containsExactly("93.184.216.34");
        assertThat(new OutboundAddresses(List.of("*"), List.of("10.0.0.0/24"), dns).resolve("rebind.example"))
                .extracting(InetAddress::getHostAddress).containsExactly("10.0.0.5");
        assertThatThrownBy(() -> new OutboundAddresses(List.of("*"), List.of("intranet.example"), dns))
                .hasMessageContaining("host names are not accepted");
    }

    @Test
    void theConnectionGoesToTheAddressThatWasCheckedWithTheUrlsHostName() throws IOException {
        AtomicReference<String> hostHeader = new AtomicReference<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/f.csv", exchange -> {
            hostHeader.set(exchange.getRequestHeaders().getFirst("Host"));
            byte[] body = "sku\nA\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            BulkImportProcessor importer = importer(table(Map.of("stub.files.test", "127.0.0.1",
                    "rebound.files.test", "127.0.0.1")), "127.0.0.1/32");
            Path target = data.resolve("f.csv");
            importer.fetch(URI.create("http://stub.files.test:" + port + "/f.csv"), target);
            assertThat(Files.readString(target)).isEqualTo("sku\nA\n");
            assertThat(hostHeader.get()).isEqualTo("stub.files.test:" + port);

            // the same stub, but loopback is not allowed this time: refused before any connection is made
            hostHeader.set(null);
            BulkImportProcessor strict = importer(table(Map.of("stub.files.test", "127.0.0.1")), "");
            assertThatThrownBy(() -> strict.fetch(URI.create("http://stub.files.test:" + port + "/f.csv"),
                    data.resolve("g.csv")))
                    .isInstanceOf(PermanentJobException.class)
                    .hasMessageContaining("resolves to 127.0.0.1, an internal address");
            assertThat(hostHeader.get()).isNull();
            importer.destroy();
            strict.destroy();
        } finally {
            server.stop(0);
        }
    }

    /** A bulk_import processor on application.yaml's settings, with these hosts and addresses allowed. */
    private BulkImportProcessor importer(OutboundAddresses.Lookup dns, String allowedAddresses) {
        AtomicReference<ConveyorProperties> bound = new AtomicReference<>();
        new ApplicationContextRunner()
                .withInitializer(new ConfigDataApplicationContextInitializer())
                .withUserConfiguration(ConfigurationModel.class)
                .withPropertyValues("conveyor.data-dir=" + data, "conveyor.bulk-import.allowed-hosts=*.files.test",
                        "conveyor.bulk-import.allowed-addresses=" + allowedAddresses)
                .run(context -> bound.set(context.getBean(ConveyorProperties.class)));
        ConveyorProperties properties = bound.get();
        return new BulkImportProcessor(properties, new DataFiles(properties), dns);
    }

    /** A resolver answering from a table (comma-separated addresses per name), as literals: no real DNS. */
    private static OutboundAddresses.Lookup table(Map<String, String> names) {
        return host -> {
            String addresses = names.get(host);
            if (addresses == null) {
                throw new UnknownHostException(host);
            }
            String[] literals = addresses.split(",");
            InetAddress[] result = new InetAddress[literals.length];
            for (int i = 0; i < literals.length; i++) {
                result[i] = InetAddress.getByName(literals[i]);
            }
            return result;
        };
    }
}
