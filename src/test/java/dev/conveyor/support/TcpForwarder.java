package dev.conveyor.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Forwards a local port to another address, so a test can give a service an address before anything
 * answers there (connections are refused), then make it answer.
 */
public final class TcpForwarder implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> sockets = new ArrayList<>();

    private TcpForwarder(ServerSocket server, String host, int port) {
        this.server = server;
        Thread acceptor = new Thread(() -> accept(host, port), "tcp-forwarder-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Starts forwarding {@code localPort} to {@code host:port}. */
    public static TcpForwarder start(int localPort, String host, int port) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress("localhost", localPort));
        return new TcpForwarder(server, host, port);
    }

    private void accept(String host, int port) {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket target = new Socket(host, port);
                synchronized (sockets) {
                    sockets.add(client);
                    sockets.add(target);
                }
                pump(client, target);
                pump(target, client);
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException ignored) {
                // either side closed: the other is closed below
            } finally {
                try {
                    to.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        });
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (sockets) {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }
}
