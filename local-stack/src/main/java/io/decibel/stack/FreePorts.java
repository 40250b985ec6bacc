package io.decibel.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Local ports: the usual one when it is free, any free one otherwise. */
public final class FreePorts {

	private FreePorts() {
	}

	public static int preferring(int port) {
		return isFree(port) ? port : any();
	}

	public static int any() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("No free local port", ex);
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
