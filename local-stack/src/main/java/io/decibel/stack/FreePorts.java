package io.decibel.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Local ports: the usual one when it is free, any free one otherwise.
 * <p>
 * A port is chosen now and bound later, by another process. One the kernel chose ({@code new ServerSocket(0)}) lies in
 * its ephemeral range, where every outgoing connection of every process (a JDBC or MQTT client) takes its local port:
 * one of them can take it in between, and the service fails to start ("Port … was already in use", seen in CI). So the
 * port is picked at random below that range, where only listeners bind, and never handed out twice by this process.
 */
public final class FreePorts {

	private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

	private static final int LOWEST = 20000;

	private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

	private FreePorts() {
	}

	public static int preferring(int port) {
		return isFree(port) ? port : any();
	}

	public static int any() {
		int below = ephemeralRangeStart();
		if (below - LOWEST >= 1000) {
			for (int attempt = 0; attempt < 100; attempt++) {
				int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
				if (isFree(port) && HANDED_OUT.add(port)) {
					return port;
				}
			}
		}
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			HANDED_OUT.add(socket.getLocalPort());
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("No free local port", ex);
		}
	}

	/** The first port of the kernel's ephemeral range; Linux's default (32768) where it cannot be read. */
	static int ephemeralRangeStart() {
		try {
			// procfs reports a size of 0: read it as a stream, not by its size
			return Integer.parseInt(Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+")[0]);
		}
		catch (IOException | RuntimeException ex) {
			return 32768;
		}
	}

	static boolean isFree(int port) {
		try (ServerSocket socket = new ServerSocket()) {
			socket.setReuseAddress(false);
			socket.bind(new InetSocketAddress("0.0.0.0", port), 1);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
