package dev.conveyor.processors;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which hosts and addresses bulk_import may fetch from, and a batch's webhook may be posted to (server-side request forgery: a job's URL must not make the
 * service read its own actuator, the cloud metadata service or anything else on the internal network).
 * <p>
 * Two independent gates. The host named in the URL must be on the allow list (exact names, or {@code *.example.com}
 * for any name under example.com, or {@code *} for any host); an empty list allows none, so remote import is off
 * until configured. And every address the host resolves to must be public: loopback, private, unique-local,
 * link-local (the metadata service at 169.254.169.254 among them), CGNAT, multicast, any-local and reserved
 * addresses, also when carried inside IPv6 (mapped, compatible, NAT64, 6to4), are refused unless an allowed CIDR
 * covers them. The address gate holds even for an allowed name, since a public name can point anywhere.
 */
public final class OutboundAddresses {

    /** IPv4 ranges that are not the public internet. */
    private static final List<Cidr> INTERNAL_V4 = Cidr.parseAll(List.of(
            "0.0.0.0/8",        // "this network", 0.0.0.0 reaches the local host
            "10.0.0.0/8",
            "100.64.0.0/10",    // carrier-grade NAT
            "127.0.0.0/8",
            "169.254.0.0/16",   // link-local, cloud metadata
            "172.16.0.0/12",
            "192.0.0.0/24",     // IETF protocol assignments
            "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", // documentation
            "192.168.0.0/16",
            "198.18.0.0/15",    // benchmarking
            "224.0.0.0/4",      // multicast
            "240.0.0.0/4"));    // reserved, broadcast

    /** IPv6 ranges that are not the public internet (the ones embedding IPv4 are handled apart). */
    private static final List<Cidr> INTERNAL_V6 = Cidr.parseAll(List.of(
            "::/128", "::1/128",
            "fc00::/7",         // unique local
            "fe80::/10",        // link-local
            "fec0::/10",        // site-local (deprecated, still routed by some)
            "ff00::/8",         // multicast
            "100::/64",         // discard
            "2001:db8::/32"));  // documentation

    /** Finds a host's addresses; {@link InetAddress#getAllByName} outside tests. */
    @FunctionalInterface
    public interface Lookup {
        InetAddress[] addressesOf(String host) throws UnknownHostException;
    }

    /**
     * A host whose addresses are refused. An {@link UnknownHostException} so that it can leave a DNS resolver of an
     * HTTP client unchanged; its message says why and names the setting.
     */
    public static final class RefusedAddressException extends UnknownHostException {
        private static final long serialVersionUID = 1L;

        RefusedAddressException(String message) {
            super(message);
        }
    }

    /**
     * The settings a refusal names, so that the operator knows which list to change: {@code hostsKey} and
     * {@code addressesKey} as "conveyor.x.allowed-hosts (X_ALLOWED_HOSTS)", {@code whenOff} the whole reason given
     * while the host list is empty.
     */
    public record Settings(String hostsKey, String addressesKey, String whenOff) {

        /** bulk_import's lists, conveyor.bulk-import.allowed-hosts and allowed-addresses. */
        public static final Settings BULK_IMPORT = new Settings(
                "conveyor.bulk-import.allowed-hosts (BULK_IMPORT_ALLOWED_HOSTS)",
                "conveyor.bulk-import.allowed-addresses (BULK_IMPORT_ALLOWED_ADDRESSES)",
                "remote import is off: set conveyor.bulk-import.allowed-hosts (BULK_IMPORT_ALLOWED_HOSTS) to the "
                        + "hosts bulk_import may fetch from");
    }

    private final List<String> allowedHosts;
    private final List<Cidr> allowedAddresses;
    private final Lookup lookup;
    private final Settings settings;

    public OutboundAddresses(List<String> allowedHosts, List<String> allowedAddresses, Lookup lookup) {
        this(allowedHosts, allowedAddresses, lookup, Settings.BULK_IMPORT);
    }

    public OutboundAddresses(List<String> allowedHosts, List<String> allowedAddresses, Lookup lookup,
                             Settings settings) {
        this.settings = settings;
        this.allowedHosts = allowedHosts.stream().map(String::trim).filter(h -> !h.isEmpty())
                .map(h -> h.toLowerCase(Locale.ROOT)).toList();
        this.allowedAddresses = Cidr.parseAll(allowedAddresses.stream().map(String::trim)
                .filter(a -> !a.isEmpty()).toList());
        this.lookup = lookup;
    }

    /** Why the URL's host may not be fetched from, judged without DNS; empty when it may be (so far). */
    public Optional<String> hostProblem(String uriHost) {
        String host = bare(uriHost);
        if (allowedHosts.isEmpty()) {
            return Optional.of(settings.whenOff());
        }
        if (!hostAllowed(host)) {
            return Optional.of("host '" + Messages.shorten(host) + "' is not in " + settings.hostsKey());
        }
        if (isLiteral(host)) {
            try {
                refuseIfInternal(host, InetAddress.getByName(host));
            } catch (RefusedAddressException e) {
                return Optional.of(e.getMessage());
            } catch (UnknownHostException e) {
                return Optional.of("host '" + Messages.shorten(host) + "' is not a valid address");
            }
        }
        return Optional.empty();
    }

    /**
     * The host's addresses, each checked: the only ones a connection may then be made to. Refuses the host when any
     * of them is internal and not allowed, rather than picking the good ones: a name mixing both is a warning sign.
     */
    public InetAddress[] resolve(String uriHost) throws UnknownHostException {
        String host = bare(uriHost);
        if (!hostAllowed(host)) {
            throw new RefusedAddressException("host '" + Messages.shorten(host) + "' is not in "
                    + settings.hostsKey());
        }
        InetAddress[] addresses = lookup.addressesOf(host);
        for (InetAddress address : addresses) {
            refuseIfInternal(host, address);
        }
        return Arrays.copyOf(addresses, addresses.length);
    }

    private void refuseIfInternal(String host, InetAddress address) throws RefusedAddressException {
        if (isInternal(address) && allowedAddresses.stream().noneMatch(c -> c.contains(address.getAddress()))) {
            throw new RefusedAddressException("host '" + Messages.shorten(host) + "' resolves to "
                    + address.getHostAddress() + ", an internal address (loopback, private, link-local or "
                    + "similar); only " + settings.addressesKey() + " can let one through");
        }
    }

    private boolean hostAllowed(String host) {
        for (String allowed : allowedHosts) {
            if (allowed.equals("*") || allowed.equals(host)
                    || (allowed.startsWith("*.") && host.endsWith(allowed.substring(1))
                    && host.length() > allowed.length() - 1)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the address is anything but a public unicast one. */
    public static boolean isInternal(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length == 4) {
            return INTERNAL_V4.stream().anyMatch(c -> c.contains(bytes));
        }
        byte[] embedded = embeddedV4(bytes);
        if (embedded != null) {
            return INTERNAL_V4.stream().anyMatch(c -> c.contains(embedded));
        }
        return INTERNAL_V6.stream().anyMatch(c -> c.contains(bytes));
    }

    /** The IPv4 address an IPv6 one carries (mapped, compatible, NAT64 64:ff9b::/96, 6to4 2002::/16), or null. */
    private static byte[] embeddedV4(byte[] v6) {
        boolean zeros80 = true;
        for (int i = 0; i < 10; i++) {
            zeros80 &= v6[i] == 0;
        }
        boolean mapped = zeros80 && v6[10] == (byte) 0xff && v6[11] == (byte) 0xff;
        boolean compatible = zeros80 && v6[10] == 0 && v6[11] == 0
                && !(v6[12] == 0 && v6[13] == 0 && v6[14] == 0 && (v6[15] == 0 || v6[15] == 1)); // not :: or ::1
        boolean nat64 = v6[0] == 0 && v6[1] == 0x64 && v6[2] == (byte) 0xff && v6[3] == (byte) 0x9b
                && Arrays.equals(v6, 4, 12, new byte[8], 0, 8);
        if (mapped || compatible || nat64) {
            return Arrays.copyOfRange(v6, 12, 16);
        }
        if (v6[0] == 0x20 && v6[1] == 0x02) {
            return Arrays.copyOfRange(v6, 2, 6);
        }
        return null;
    }

    /** The host as {@link java.net.URI#getHost()} gives it, without IPv6 brackets or a trailing dot, lower case. */
    private static String bare(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /** An IPv4 or IPv6 literal, which {@link InetAddress#getByName} parses without asking DNS. */
    static boolean isLiteral(String host) {
        if (host.contains(":")) {
            return host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        }
        return host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    /** An address range; a bare address is a range of one. */
    record Cidr(byte[] network, int prefix) {

        static List<Cidr> parseAll(List<String> cidrs) {
            return cidrs.stream().map(Cidr::parse).toList();
        }

        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            String address = slash < 0 ? text : text.substring(0, slash);
            if (!isLiteral(address)) {
                throw new IllegalArgumentException("not an address or CIDR: '" + text + "' (host names are not "
                        + "accepted in an allowed-addresses list)");
            }
            byte[] bytes;
            try {
                bytes = InetAddress.getByName(address).getAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an address or CIDR: '" + text + "'", e);
            }
            int prefix;
            try {
                prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a CIDR prefix length: '" + text + "'", e);
            }
            if (prefix < 0 || prefix > bytes.length * 8) {
                throw new IllegalArgumentException("CIDR prefix length out of range: '" + text + "'");
            }
            return new Cidr(bytes, prefix);
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int whole = prefix / 8;
            if (!Arrays.equals(address, 0, whole, network, 0, whole)) {
                return false;
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[whole] & mask) == (network[whole] & mask);
        }
    }

    /** Short, content-free wording for messages a job records. */
    static final class Messages {
        static final int MAX = 200;

        private Messages() {
        }

        /** A URL or name as echoed in a message: at most 200 characters. */
        static String shorten(String text) {
            return text.length() <= MAX ? text : text.substring(0, MAX) + "...";
        }
    }
}
