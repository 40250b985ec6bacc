package io.decibel.mqtt;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;

import javax.net.SocketFactory;

/**
 * Plain TCP sockets with Nagle's algorithm off. Paho leaves it on, and an MQTT client that writes a PUBACK and then
 * a small PUBLISH (the relay acknowledging a delivery, then answering the device) waits for the broker's delayed
 * TCP ACK — about 40 ms on Linux — before the PUBLISH leaves.
 */
public final class NoDelaySocketFactory extends SocketFactory {

	private final SocketFactory sockets = SocketFactory.getDefault();

	@Override
	public Socket createSocket() throws IOException {
		return noDelay(this.sockets.createSocket());
	}

	@Override
	public Socket createSocket(String host, int port) throws IOException {
		return noDelay(this.sockets.createSocket(host, port));
	}

	@Override
	public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
		return noDelay(this.sockets.createSocket(host, port, localHost, localPort));
	}

	@Override
	public Socket createSocket(InetAddress host, int port) throws IOException {
		return noDelay(this.sockets.createSocket(host, port));
	}

	@Override
	public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
			throws IOException {
		return noDelay(this.sockets.createSocket(address, port, localAddress, localPort));
	}

	private static Socket noDelay(Socket socket) throws IOException {
		socket.setTcpNoDelay(true);
		return socket;
	}

}
