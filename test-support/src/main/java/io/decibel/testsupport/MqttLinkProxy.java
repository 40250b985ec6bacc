package io.decibel.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy between an MQTT client and its broker that knows where each MQTT packet ends: it forwards both ways,
 * whole packets at a time, records every packet per connection and direction in order, and can cut the link — a
 * reset of both sockets, as a network fault would leave them — on demand, after the client's k-th PUBACK, or for as
 * long as it is told to refuse connections. It can also stall the link both ways — a partition: nothing goes through,
 * not even a connection's end, until it heals, and then what was held goes on as TCP would deliver it — and hold each
 * packet back for a delay (a slow link). Plain sockets, nothing mocked: the client and the broker see a real TCP
 * connection end.
 * <p>
 * Framing needs only the fixed header: the packet type in the first byte's high nibble and the remaining length as
 * a variable byte integer (MQTT 5 §2.1). The few packet contents a test asks about (a PUBLISH's packet id and
 * Correlation Data, a PUBACK's packet id) are read from the recorded bytes ({@link Packet}).
 */
public final class MqttLinkProxy implements AutoCloseable {

	public static final int PUBLISH = 3;

	public static final int PUBACK = 4;

	public static final int DISCONNECT = 14;

	/** Which way a packet went. */
	public enum Direction {

		/** From the client (the service under test) to the broker. */
		UPSTREAM,

		/** From the broker to the client. */
		DOWNSTREAM

	}

	private final String brokerHost;

	private final int brokerPort;

	private final ServerSocket server;

	private final List<Link> links = new CopyOnWriteArrayList<>();

	private final List<Packet> packets = new ArrayList<>();

	private final AtomicInteger connections = new AtomicInteger();

	private final AtomicLong cuts = new AtomicLong();

	/** PUBACKs from clients still to go before the link is cut; 0: no cut armed. */
	private final AtomicLong pubacksBeforeCut = new AtomicLong();

	private volatile boolean refusing;

	private volatile boolean stalled;

	private volatile long delayNanos;

	private volatile boolean closed;

	private MqttLinkProxy(String brokerUrl) throws IOException {
		URI uri = URI.create(brokerUrl);
		if (!"tcp".equals(uri.getScheme())) {
			throw new IllegalArgumentException("Only tcp:// brokers can be proxied: " + brokerUrl);
		}
		this.brokerHost = uri.getHost();
		this.brokerPort = (uri.getPort() > 0) ? uri.getPort() : 1883;
		this.server = new ServerSocket();
		// bound at once on a port the kernel picks: nothing can take it between choice and bind
		this.server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
		Thread acceptor = new Thread(this::accept, "mqtt-link-proxy-" + this.server.getLocalPort());
		acceptor.setDaemon(true);
		acceptor.start();
	}

	/** A proxy to the broker at {@code tcp://host:port}, listening on the loopback interface. */
	public static MqttLinkProxy start(String brokerUrl) {
		try {
			return new MqttLinkProxy(brokerUrl);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Where the client connects instead of the broker. */
	public String url() {
		return "tcp://127.0.0.1:" + this.server.getLocalPort();
	}

	/** Resets every open link now. */
	public void cut() {
		for (Link link : this.links) {
			link.reset();
		}
	}

	/** Resets the link right after the next {@code k}-th PUBACK a client sends has been forwarded to the broker. */
	public void cutAfterPubacks(int k) {
		if (k < 1) {
			throw new IllegalArgumentException("k must be at least 1");
		}
		this.pubacksBeforeCut.set(k);
	}

	/** While refusing, every open link is reset and every new connection is reset as soon as it is accepted. */
	public void refuse(boolean refusing) {
		this.refusing = refusing;
		if (refusing) {
			cut();
		}
	}

	/**
	 * While stalled, nothing goes through either way: packets, a connection's end and new connections' packets wait
	 * until the stall ends (a partition that heals), and then go on in order; a connection an end closed meanwhile
	 * ends then.
	 */
	public void stall(boolean stalled) {
		synchronized (this) {
			this.stalled = stalled;
			notifyAll();
		}
	}

	/**
	 * Holds back what arrives, either way, for {@code delay} before forwarding it (zero: at once). A packet read
	 * while the one before was held waits its own delay after that: under a steady flow it waits up to twice it.
	 */
	public void delay(Duration delay) {
		this.delayNanos = delay.toNanos();
	}

	/** How many connections clients have opened through the proxy. */
	public int connections() {
		return this.connections.get();
	}

	/** How many links the proxy has reset. */
	public long cuts() {
		return this.cuts.get();
	}

	/** Every packet forwarded so far, in the order each direction of each connection carried them. */
	public List<Packet> packets() {
		synchronized (this.packets) {
			return List.copyOf(this.packets);
		}
	}

	@Override
	public void close() {
		synchronized (this) {
			this.closed = true;
			notifyAll();
		}
		try {
			this.server.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
		cut();
	}

	private void accept() {
		while (!this.closed) {
			try {
				Socket client = this.server.accept();
				if (this.refusing) {
					reset(client);
					continue;
				}
				Socket broker;
				try {
					broker = new Socket(this.brokerHost, this.brokerPort);
				}
				catch (IOException ex) {
					reset(client);
					continue;
				}
				client.setTcpNoDelay(true);
				broker.setTcpNoDelay(true);
				Link link = new Link(this.connections.incrementAndGet(), client, broker);
				this.links.add(link);
				link.start();
			}
			catch (IOException ex) {
				if (!this.closed) {
					// an accept that failed on its own; the next one may not
					continue;
				}
			}
		}
	}

	private static void reset(Socket socket) {
		try {
			// an RST instead of a FIN: what a network fault or a crashed peer leaves
			socket.setSoLinger(true, 0);
			socket.close();
		}
		catch (IOException ex) {
			// gone already
		}
	}

	/** Until the packets read at {@code readNanos} may go on: their delay has passed and the link is not stalled. */
	private void holdBack(long readNanos) throws InterruptedException {
		long delay = this.delayNanos;
		long wait = readNanos + delay - System.nanoTime();
		if (delay > 0 && wait > 0) {
			Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
		}
		synchronized (this) {
			while (this.stalled && !this.closed) {
				wait();
			}
		}
	}

	private void record(Packet packet) {
		synchronized (this.packets) {
			this.packets.add(packet);
		}
	}

	/** One client connection and the proxy's connection to the broker for it. */
	private final class Link {

		private final int number;

		private final Socket client;

		private final Socket broker;

		private final AtomicInteger resets = new AtomicInteger();

		Link(int number, Socket client, Socket broker) {
			this.number = number;
			this.client = client;
			this.broker = broker;
		}

		void start() {
			pump(this.client, this.broker, Direction.UPSTREAM);
			pump(this.broker, this.client, Direction.DOWNSTREAM);
		}

		private void pump(Socket from, Socket to, Direction direction) {
			Thread thread = new Thread(() -> forward(from, to, direction),
					"mqtt-link-proxy-" + this.number + "-" + direction.name().toLowerCase());
			thread.setDaemon(true);
			thread.start();
		}

		/** Reads what arrives, and forwards (and records) each packet once it is whole. */
		private void forward(Socket from, Socket to, Direction direction) {
			byte[] buffer = new byte[64 * 1024];
			byte[] pending = new byte[0];
			try {
				InputStream in = from.getInputStream();
				OutputStream out = to.getOutputStream();
				int read;
				while ((read = in.read(buffer)) >= 0) {
					holdBack(System.nanoTime());
					byte[] bytes = new byte[pending.length + read];
					System.arraycopy(pending, 0, bytes, 0, pending.length);
					System.arraycopy(buffer, 0, bytes, pending.length, read);
					int at = 0;
					int end;
					boolean cutNow = false;
					while ((end = packetEnd(bytes, at)) > 0) {
						byte[] packet = new byte[end - at];
						System.arraycopy(bytes, at, packet, 0, packet.length);
						record(new Packet(this.number, direction, packet));
						out.write(packet);
						at = end;
						if (direction == Direction.UPSTREAM && Packet.typeOf(packet) == PUBACK
								&& pubacksBeforeCut.get() > 0 && pubacksBeforeCut.decrementAndGet() == 0) {
							cutNow = true;
							break;
						}
					}
					out.flush();
					if (cutNow) {
						reset();
						return;
					}
					pending = new byte[bytes.length - at];
					System.arraycopy(bytes, at, pending, 0, pending.length);
				}
				// the sender closed its side in order: so does the proxy, towards the other end
				holdBack(System.nanoTime());
				to.shutdownOutput();
			}
			catch (IOException ex) {
				// reset by either side or by the proxy: the other side is reset too (once a stall lets it through)
				try {
					holdBack(System.nanoTime());
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
				}
				reset();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				reset();
			}
		}

		void reset() {
			if (this.resets.getAndIncrement() == 0) {
				cuts.incrementAndGet();
				links.remove(this);
			}
			MqttLinkProxy.reset(this.client);
			MqttLinkProxy.reset(this.broker);
		}

	}

	/** The end of the packet that starts at {@code at}, or -1 when it has not arrived whole. */
	static int packetEnd(byte[] bytes, int at) {
		if (bytes.length - at < 2) {
			return -1;
		}
		int length = 0;
		int multiplier = 1;
		int i = at + 1;
		while (true) {
			if (i >= bytes.length) {
				return -1;
			}
			int digit = bytes[i++] & 0xFF;
			length += (digit & 0x7F) * multiplier;
			if ((digit & 0x80) == 0) {
				break;
			}
			multiplier *= 128;
			if (i - at > 4) {
				throw new IllegalStateException("Malformed remaining length at byte " + at);
			}
		}
		int end = i + length;
		return (end <= bytes.length) ? end : -1;
	}

	/**
	 * One MQTT packet as it went through the proxy, whole.
	 *
	 * @param connection the number of the client connection it went on (1 for the first)
	 * @param direction which way it went
	 * @param bytes the packet, fixed header included
	 */
	public record Packet(int connection, Direction direction, byte[] bytes) {

		static int typeOf(byte[] bytes) {
			return (bytes[0] & 0xF0) >> 4;
		}

		/** The MQTT control packet type: {@link #PUBLISH}, {@link #PUBACK}, … */
		public int type() {
			return typeOf(this.bytes);
		}

		/** A PUBLISH's QoS. */
		public int qos() {
			return (this.bytes[0] & 0x06) >> 1;
		}

		/** The packet id of a PUBLISH at QoS 1 or 2, or of a PUBACK; 0 for a PUBLISH at QoS 0. */
		public int packetId() {
			if (type() == PUBACK) {
				int at = variableHeader();
				return ((this.bytes[at] & 0xFF) << 8) | (this.bytes[at + 1] & 0xFF);
			}
			if (type() != PUBLISH || qos() == 0) {
				return 0;
			}
			int at = afterTopic();
			return ((this.bytes[at] & 0xFF) << 8) | (this.bytes[at + 1] & 0xFF);
		}

		/** A PUBLISH's Correlation Data as UTF-8 text (MQTT 5 property 0x09), or {@code null}. */
		public String correlation() {
			if (type() != PUBLISH) {
				return null;
			}
			int at = afterTopic() + ((qos() > 0) ? 2 : 0);
			int[] length = varInt(at);
			int end = length[1] + length[0];
			int i = length[1];
			while (i < end) {
				int id = this.bytes[i++] & 0xFF;
				switch (id) {
					case 0x01 -> i += 1;
					case 0x02 -> i += 4;
					case 0x23 -> i += 2;
					case 0x0B -> i = varInt(i)[1];
					case 0x03, 0x08 -> i += 2 + u16(i);
					case 0x26 -> {
						i += 2 + u16(i);
						i += 2 + u16(i);
					}
					case 0x09 -> {
						return new String(this.bytes, i + 2, u16(i), StandardCharsets.UTF_8);
					}
					default -> throw new IllegalStateException("Unknown PUBLISH property 0x" + Integer.toHexString(id));
				}
			}
			return null;
		}

		private int variableHeader() {
			return varInt(1)[1];
		}

		private int afterTopic() {
			int at = variableHeader();
			return at + 2 + u16(at);
		}

		private int u16(int at) {
			return ((this.bytes[at] & 0xFF) << 8) | (this.bytes[at + 1] & 0xFF);
		}

		/** {value, index after it} of the variable byte integer at {@code at}. */
		private int[] varInt(int at) {
			int value = 0;
			int multiplier = 1;
			int i = at;
			int digit;
			do {
				digit = this.bytes[i++] & 0xFF;
				value += (digit & 0x7F) * multiplier;
				multiplier *= 128;
			}
			while ((digit & 0x80) != 0);
			return new int[] { value, i };
		}

		@Override
		public String toString() {
			return "Packet[connection=" + this.connection + ", " + this.direction + ", type=" + type() + ", "
					+ this.bytes.length + " bytes]";
		}

	}

}
