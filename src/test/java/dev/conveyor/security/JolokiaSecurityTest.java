package dev.conveyor.security;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.test.spring.junit5.DisableJmx;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Jolokia behind Hawtio on a default start (Hawtio's login on), replayed as the attacks of the security review:
 * no login, a reader key, and then an operator who tries everything beyond reading and starting or stopping a
 * route: the CamelContext's send/request operations (a file anywhere, configuration secrets), DiagnosticCommand,
 * HotSpotDiagnostic, attribute writes, a GET that stops a route, the JMX proxy, a page of another origin. And what an
 * operator may do besides routes: pause and resume a lane on the Conveyor MBean, in the name of the Hawtio user.
 */
@Tag("slow") // a Spring context of its own (JMX on, console users)
@ConveyorIntegrationTest
@DisableJmx(false)
@TestPropertySource(properties = {
        // a console user kept in configuration: the SHA-256 of "correct horse battery staple", never the password
        "conveyor.security.console-users[0].name=alice",
        "conveyor.security.console-users[0].password-sha256=c4bbcb1fbec99d65bf59d85c8cb62ee2db963f0fe106f483d9afa73bd4e39a8a",
        "conveyor.security.console-users[0].role=operator",
        "conveyor.security.console-users[1].name=bob",
        "conveyor.security.console-users[1].password-sha256=c4bbcb1fbec99d65bf59d85c8cb62ee2db963f0fe106f483d9afa73bd4e39a8a",
        "conveyor.security.console-users[1].role=reader"})
class JolokiaSecurityTest {

    /** This service's MBeans: other services of the test JVM register theirs under other management names. */
    String route;
    String context;

    @LocalServerPort
    int port;

    @Autowired
    CamelContext camel;

    @Autowired
    dev.conveyor.queue.ConveyorOperations operations;

    @TempDir
    Path outside;

    Api admin;
    Api anonymous;
    String operatorBasic;

    @BeforeEach
    void setUp() {
        admin = new Api(port);
        anonymous = new Api(port, null);
        operatorBasic = basic("ops", key("operator"));
        String managed = camel.getManagementName();
        route = "org.apache.camel:context=" + managed + ",type=routes,name=\\\"metrics-sampler\\\"";
        context = "org.apache.camel:context=" + managed + ",type=context,name=\\\"" + camel.getName() + "\\\"";
    }

    String key(String role) {
        return admin.newKey("default", role);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> jolokia(String body, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "Authorization";
        all[1] = operatorBasic;
        System.arraycopy(headers, 0, all, 2, headers.length);
        return anonymous.postJson("/actuator/jolokia", body, all);
    }

    /** Jolokia answers 200 with the outcome inside; a refused request says so in its error. */
    static void assertForbidden(HttpResponse<String> response) {
        JsonNode answer = Api.json(response);
        assertThat(answer.path("status").asInt()).as(response.body()).isEqualTo(403);
        assertThat(answer.path("error").asText()).contains("forbidden");
        assertThat(answer.has("value")).isFalse();
    }

    @Test
    void strangersAndReaderKeysGetNothing() {
        String version = "{\"type\":\"version\"}";
        assertThat(anonymous.postJson("/actuator/jolokia", version).statusCode()).isEqualTo(403);
        assertThat(anonymous.get("/actuator/jolokia/version").statusCode()).isEqualTo(403);
        // failed logins are throttled per user name: these are another user's, so the operator's stay unhindered
        assertThat(anonymous.postJson("/actuator/jolokia", version, "Authorization", basic("intruder", key("reader")))
                .statusCode()).isEqualTo(403);
        assertThat(anonymous.postJson("/actuator/jolokia", version, "Authorization", basic("intruder", "wrong-key"))
                .statusCode()).isEqualTo(403);
        HttpResponse<String> console = anonymous.get("/actuator/hawtio/");
        assertThat(console.statusCode()).isEqualTo(302);
        assertThat(console.headers().firstValue("Location")).hasValueSatisfying(location ->
                assertThat(location).contains("/actuator/hawtio/login"));
    }

    @Test
    void hawtiosLoginTakesOperatorKeysOnly() {
        assertThat(anonymous.postJson("/actuator/hawtio/auth/login",
                "{\"username\":\"reader\",\"password\":\"" + key("reader") + "\"}").statusCode()).isNotEqualTo(200);
        assertThat(anonymous.postJson("/actuator/hawtio/auth/login",
                "{\"username\":\"ops\",\"password\":\"" + key("operator") + "\"}").statusCode()).isEqualTo(200);
    }

    @Test
    void aConsoleUserOfTheConfigurationLogsInWithItsPasswordAndAReaderRoleDoesNot() {
        String version = "{\"type\":\"version\"}";
        assertThat(Api.json(anonymous.postJson("/actuator/jolokia", version, "Authorization",
                basic("alice", "correct horse battery staple"))).path("status").asInt()).isEqualTo(200);
        assertThat(anonymous.postJson("/actuator/jolokia", version, "Authorization",
                basic("alice", "wrong horse")).statusCode()).isEqualTo(403);
        assertThat(anonymous.postJson("/actuator/jolokia", version, "Authorization",
                basic("bob", "correct horse battery staple")).statusCode()).isEqualTo(403);
    }

    @Test
    void anOperatorReadsAndStartsOrStopsRoutes() {
        HttpResponse<String> read = jolokia("{\"type\":\"read\",\"mbean\":\"" + route + "\",\"attribute\":\"State\"}");
        assertThat(Api.json(read).get("value").asText()).as(read.body()).isEqualTo("Started");

        assertThat(Api.json(jolokia("{\"type\":\"exec\",\"mbean\":\"" + route + "\",\"operation\":\"stop()\"}"))
                .get("status").asInt()).isEqualTo(200);
        assertThat(camel.getRouteController().getRouteStatus("metrics-sampler")).isEqualTo(ServiceStatus.Stopped);
        assertThat(Api.json(jolokia("{\"type\":\"exec\",\"mbean\":\"" + route + "\",\"operation\":\"start\"}"))
                .get("status").asInt()).isEqualTo(200);
        assertThat(camel.getRouteController().getRouteStatus("metrics-sampler")).isEqualTo(ServiceStatus.Started);
    }

    @Test
    void anOperatorPausesAndResumesALaneOnTheConveyorMBeanInTheNameOfTheHawtioUser() {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        String mbean = operations.objectName().getCanonicalName();
        java.util.function.Function<String, String> exec = operation -> json.createObjectNode().put("type", "exec")
                .put("mbean", mbean).put("operation", operation + "(java.lang.String)")
                .set("arguments", json.createArrayNode().add("low")).toString();
        try {
            HttpResponse<String> paused = jolokia(exec.apply("pauseLane"));
            assertThat(Api.json(paused).path("status").asInt()).as(paused.body()).isEqualTo(200);
            assertThat(Api.json(paused).get("value").asText()).contains("'low' is paused");
            JsonNode low = null;
            for (JsonNode lane : Api.json(admin.get("/lanes")).get("lanes")) {
                if (lane.get("name").asText().equals("low")) {
                    low = lane;
                }
            }
            assertThat(low).isNotNull();
            assertThat(low.get("paused").asBoolean()).isTrue();
            // Hawtio's login names the user by the key it logged in with (ApiKeyLoginModule)
            assertThat(low.get("paused_by").asText()).startsWith("JMX user 'operator of default (key_");
            HttpResponse<String> read = jolokia(json.createObjectNode().put("type", "read").put("mbean", mbean)
                    .put("attribute", "PausedLanes").toString());
            assertThat(Api.json(read).get("value").toString()).contains("low");
        } finally {
            HttpResponse<String> resumed = jolokia(exec.apply("resumeLane"));
            assertThat(Api.json(resumed).path("status").asInt()).as(resumed.body()).isEqualTo(200);
        }
    }

    @Test
    void everythingBeyondThatIsRefused() throws IOException {
        Path planted = outside.resolve("planted");
        assertForbidden(jolokia("{\"type\":\"exec\",\"mbean\":\"" + context + "\",\"operation\":"
                + "\"sendStringBody(java.lang.String,java.lang.String)\",\"arguments\":[\"file:" + outside
                + "?fileName=planted\",\"owned\"]}"));
        assertThat(Files.exists(planted)).isFalse();

        HttpResponse<String> secret = jolokia("{\"type\":\"exec\",\"mbean\":\"" + context + "\",\"operation\":"
                + "\"requestStringBody(java.lang.String,java.lang.String)\",\"arguments\":"
                + "[\"bean:environment?method=getProperty('conveyor.security.admin-key')\",\"x\"]}");
        assertForbidden(secret);
        assertThat(secret.body()).doesNotContain(dev.conveyor.support.TestKeys.ADMIN);

        assertForbidden(jolokia("{\"type\":\"exec\",\"mbean\":\"com.sun.management:type=DiagnosticCommand\","
                + "\"operation\":\"jvmtiAgentLoad\",\"arguments\":[[\"/tmp/agent.so\"]]}"));
        assertForbidden(jolokia("{\"type\":\"exec\",\"mbean\":\"com.sun.management:type=DiagnosticCommand\","
                + "\"operation\":\"vmFlags\",\"arguments\":[[]]}"));
        assertForbidden(jolokia("{\"type\":\"read\",\"mbean\":\"com.sun.management:type=HotSpotDiagnostic\","
                + "\"attribute\":\"DiagnosticOptions\"}"));
        assertForbidden(jolokia("{\"type\":\"exec\",\"mbean\":\"com.sun.management:type=HotSpotDiagnostic\","
                + "\"operation\":\"setVMOption\",\"arguments\":[\"PrintConcurrentLocks\",\"true\"]}"));
        assertForbidden(jolokia("{\"type\":\"write\",\"mbean\":\"java.lang:type=Memory\",\"attribute\":\"Verbose\","
                + "\"value\":true}"));
        assertForbidden(jolokia("{\"type\":\"exec\",\"mbean\":\"java.lang:type=Memory\",\"operation\":\"gc()\"}"));
        assertForbidden(jolokia("{\"type\":\"exec\",\"mbean\":\"" + context + "\",\"operation\":\"stop()\"}"));
        // the routes as XML for Hawtio's diagram, but never with their placeholders resolved to values
        HttpResponse<String> source = jolokia("{\"type\":\"exec\",\"mbean\":\"" + context + "\","
                + "\"operation\":\"dumpRoutesAsXml()\"}");
        assertThat(Api.json(source).path("value").asText()).as(source.body()).contains("metrics-sampler");
        assertForbidden(jolokia("{\"type\":\"exec\",\"mbean\":\"" + context + "\","
                + "\"operation\":\"dumpRoutesAsXml(boolean)\",\"arguments\":[true]}"));
        assertThat(camel.getStatus()).isEqualTo(ServiceStatus.Started);
    }

    @Test
    void aGetCannotStopARoute() {
        HttpResponse<String> get = anonymous.get("/actuator/jolokia/exec/" + route.replace("\\\"", "%22")
                + "/stop()", "Authorization", operatorBasic);
        assertThat(Api.json(get).path("status").asInt()).as(get.body()).isNotEqualTo(200);
        assertThat(camel.getRouteController().getRouteStatus("metrics-sampler")).isEqualTo(ServiceStatus.Started);
    }

    @Test
    void theJmxProxyIsNotThere() throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(2000);
            HttpResponse<String> proxied = jolokia("{\"type\":\"read\",\"mbean\":\"java.lang:type=Runtime\","
                    + "\"attribute\":\"Name\",\"target\":{\"url\":\"service:jmx:rmi:///jndi/rmi://127.0.0.1:"
                    + listener.getLocalPort() + "/jmxrmi\"}}");
            // no proxy: the request is answered from this JVM, and nothing connects to the address it named
            assertThat(Api.json(proxied).path("value").asText()).contains(String.valueOf(ProcessHandle.current().pid()));
            assertThatThrownBy(listener::accept).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void aPageOfAnotherOriginIsRefused() {
        String version = "{\"type\":\"version\"}";
        HttpResponse<String> foreign = jolokia(version, "Origin", "http://evil.example");
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(foreign.body()).doesNotContain("agent");

        HttpResponse<String> own = jolokia(version, "Origin", "http://localhost:" + port);
        assertThat(Api.json(own).path("status").asInt()).as(own.body()).isEqualTo(200);

        HttpResponse<String> apiFromElsewhere = admin.get("/jobs", "Origin", "http://evil.example");
        assertThat(apiFromElsewhere.statusCode()).isEqualTo(403);
        assertThat(apiFromElsewhere.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }
}
