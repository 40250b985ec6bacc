package io.decibel.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The machine's Mosquitto in a network namespace of its own, reached from the host over two links on two private
 * subnets — one for the devices, one for the relay — so that the relay's path can be partitioned while the devices
 * keep theirs: {@link #partitionRelay()} drops every packet on the relay's link, both ways, inside the namespace
 * ({@code iptables -j DROP}: no RST, no ICMP, nothing either side can see but silence), {@link #healRelay()} lets
 * them through again. Connections live through a short partition by TCP's retransmissions; a long one ends them by
 * the keep-alive of whichever side counts first.
 * <p>
 * Needs root, {@code ip}, {@code iptables} and {@code mosquitto} ({@link #unavailable()} says what is missing; CI
 * installs them). Each broker has its own namespace, links and addresses (10.213.0.0/16, two /30 subnets), named
 * after the test JVM's pid; {@link #close()} removes them, and a start removes what a JVM that is gone left behind.
 * Traffic goes only to the namespace's own addresses.
 */
public final class NamespacedMosquitto implements AutoCloseable {

	private static final String NAMESPACE_PREFIX = "decibel-part-";

	private static final String LINK_PREFIX = "dcbpart";

	private static final Pattern NAMESPACE = Pattern.compile(Pattern.quote(NAMESPACE_PREFIX) + "(\\d+)-\\w+");

	private static final Pattern LINK = Pattern.compile(LINK_PREFIX + "([0-9a-z]+)[0-9a-z][dr]");

	private static final int PORT = 1883;

	private static final Duration STARTUP = Duration.ofSeconds(20);

	private static final AtomicInteger BROKERS = new AtomicInteger();

	private final Path dir;

	private final String namespace;

	private final String devicesLink;

	private final String relayLink;

	/** The first address of the two /30 subnets: host .1, namespace .2 (devices); host .5, namespace .6 (relay). */
	private final int base;

	private final String brokerConfig;

	private Process process;

	private boolean partitioned;

	private NamespacedMosquitto(Path dir, int base, String brokerConfig) {
		long pid = ProcessHandle.current().pid();
		String run = Long.toString(pid, 36) + Character.forDigit(BROKERS.getAndIncrement() % 36, 36);
		this.dir = dir;
		this.namespace = NAMESPACE_PREFIX + pid + "-" + run;
		this.devicesLink = LINK_PREFIX + run + "d";
		this.relayLink = LINK_PREFIX + run + "r";
		this.base = base;
		this.brokerConfig = brokerConfig;
	}

	/**
	 * Why this machine cannot run one, or {@code null} when it can: for a JUnit assumption, so that a test skips with
	 * the reason where it cannot run (not root, a program missing), never in CI.
	 */
	public static String unavailable() {
		List<String> missing = new ArrayList<>();
		for (String program : List.of("ip", "iptables", "mosquitto")) {
			if (Executables.find(program) == null) {
				missing.add(program);
			}
		}
		if (!missing.isEmpty()) {
			return "not installed: " + String.join(", ", missing);
		}
		String uid = Executables.run(Path.of("/"), List.of("id", "-u"), 10, TimeUnit.SECONDS).trim();
		return "0".equals(uid) ? null : "network namespaces need root (uid " + uid + ")";
	}

	/**
	 * Starts a broker in a new namespace, with its configuration and log in {@code dir}; {@code brokerConfig} is added
	 * to the listeners (e.g. queue limits, persistence), one setting a line.
	 */
	public static NamespacedMosquitto start(Path dir, String brokerConfig) {
		removeLeftovers();
		NamespacedMosquitto broker = new NamespacedMosquitto(dir, freeBase(), brokerConfig);
		try {
			broker.createNetwork();
			broker.startBroker();
			return broker;
		}
		catch (RuntimeException ex) {
			broker.close();
			throw ex;
		}
	}

	/** Where the devices reach the broker: the namespace's address on the devices' link. */
	public String devicesUrl() {
		return "tcp://" + address(2) + ":" + PORT;
	}

	/** Where the relay reaches the broker: the namespace's address on the relay's link, the one that partitions. */
	public String relayUrl() {
		return "tcp://" + address(6) + ":" + PORT;
	}

	/** Drops every packet on the relay's link from now on, both ways, silently. */
	public synchronized void partitionRelay() {
		if (!this.partitioned) {
			inNamespace("iptables", "-w", "-I", "INPUT", "-i", "relay", "-j", "DROP");
			inNamespace("iptables", "-w", "-I", "OUTPUT", "-o", "relay", "-j", "DROP");
			this.partitioned = true;
		}
	}

	/** Lets the relay's packets through again. */
	public synchronized void healRelay() {
		if (this.partitioned) {
			inNamespace("iptables", "-w", "-D", "INPUT", "-i", "relay", "-j", "DROP");
			inNamespace("iptables", "-w", "-D", "OUTPUT", "-o", "relay", "-j", "DROP");
			this.partitioned = false;
		}
	}

	/** The network namespace's name. */
	String namespace() {
		return this.namespace;
	}

	/** What the broker logged so far. */
	public List<String> logLines() {
		try {
			Path log = this.dir.resolve("mosquitto.log");
			return Files.exists(log) ? Files.readAllLines(log) : List.of();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Stops the broker and removes its namespace (its links and rules with it). */
	@Override
	public synchronized void close() {
		if (this.process != null) {
			this.process.destroy();
			try {
				if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
					this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				this.process.destroyForcibly();
			}
			this.process = null;
		}
		remove(this.namespace, List.of(this.devicesLink, this.relayLink));
	}

	private void createNetwork() {
		ip("netns", "add", this.namespace);
		inNamespace("ip", "link", "set", "lo", "up");
		link(this.devicesLink, "devices", 0);
		link(this.relayLink, "relay", 4);
	}

	/** A veth pair: {@code hostSide} on the host with the subnet's .1, {@code inside} in the namespace with .2. */
	private void link(String hostSide, String inside, int offset) {
		ip("link", "add", hostSide, "type", "veth", "peer", "name", inside, "netns", this.namespace);
		ip("addr", "add", address(offset + 1) + "/30", "dev", hostSide);
		ip("link", "set", hostSide, "up");
		inNamespace("ip", "addr", "add", address(offset + 2) + "/30", "dev", inside);
		inNamespace("ip", "link", "set", inside, "up");
	}

	private void startBroker() {
		try {
			Files.createDirectories(this.dir);
			String conf = "# as root, mosquitto would switch to the user \"mosquitto\"\nuser root\n"
					+ "listener " + PORT + " " + address(2) + "\n"
					+ "listener " + PORT + " " + address(6) + "\n"
					+ "allow_anonymous true\n"
					+ "log_dest stdout\n"
					+ "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
					+ "connection_messages true\n"
					+ this.brokerConfig + "\n";
			Path file = Files.writeString(this.dir.resolve("mosquitto.conf"), conf);
			this.process = new ProcessBuilder(Executables.find("ip"), "netns", "exec", this.namespace,
					Executables.find("mosquitto"), "-c", file.toString())
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(this.dir.resolve("mosquitto.log").toFile()))
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		awaitListening(address(2));
		awaitListening(address(6));
	}

	private void awaitListening(String host) {
		long deadline = System.nanoTime() + STARTUP.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("mosquitto ended with " + this.process.exitValue() + ": " + logLines());
			}
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress(host, PORT), 200);
				return;
			}
			catch (IOException ex) {
				sleep(100);
			}
		}
		throw new IllegalStateException("mosquitto did not listen on " + host + ":" + PORT + " within " + STARTUP);
	}

	private String address(int offset) {
		int address = this.base + offset;
		return "10.213." + ((address >> 8) & 0xFF) + "." + (address & 0xFF);
	}

	private void inNamespace(String... command) {
		List<String> line = new ArrayList<>(List.of(Executables.find("ip"), "netns", "exec", this.namespace));
		line.add(Executables.find(command[0]));
		line.addAll(List.of(command).subList(1, command.length));
		Executables.run(Path.of("/"), line, 30, TimeUnit.SECONDS);
	}

	private static String ip(String... arguments) {
		List<String> line = new ArrayList<>(List.of(Executables.find("ip")));
		line.addAll(List.of(arguments));
		return Executables.run(Path.of("/"), line, 30, TimeUnit.SECONDS);
	}

	/** The first of 8 addresses of 10.213.0.0/16 that no interface of the host has: this JVM's, if free. */
	private static int freeBase() {
		String taken = ip("-4", "-o", "addr", "show");
		int start = (int) Math.floorMod(ProcessHandle.current().pid() * 31 + BROKERS.get(), 8192L);
		for (int i = 0; i < 8192; i++) {
			int base = ((start + i) % 8192) * 8;
			String host = "10.213." + (base >> 8) + "." + ((base & 0xFF) + 1) + "/";
			String relayHost = "10.213." + (base >> 8) + "." + ((base & 0xFF) + 5) + "/";
			if (!taken.contains(" " + host) && !taken.contains(" " + relayHost)) {
				return base;
			}
		}
		throw new IllegalStateException("No free subnet in 10.213.0.0/16");
	}

	/** Namespaces and links of test JVMs that are gone (killed before they could close their broker). */
	private static void removeLeftovers() {
		for (String line : ip("netns", "list").split("\n")) {
			Matcher name = NAMESPACE.matcher(line.trim().split("\\s+")[0]);
			if (name.matches() && !alive(Long.parseLong(name.group(1)))) {
				remove(name.group(), List.of());
			}
		}
		for (String line : ip("-o", "link", "show").split("\n")) {
			Matcher name = Pattern.compile("^\\d+: (" + LINK_PREFIX + "\\w+)@").matcher(line);
			if (name.find()) {
				Matcher link = LINK.matcher(name.group(1));
				if (link.matches() && !alive(Long.parseLong(link.group(1), 36))) {
					quietly(() -> ip("link", "del", name.group(1)));
				}
			}
		}
	}

	/** The namespace's processes ended (a broker whose JVM is gone), the namespace and the host's links removed. */
	private static void remove(String namespace, List<String> links) {
		quietly(() -> {
			for (String pid : ip("netns", "pids", namespace).split("\\s+")) {
				if (!pid.isBlank()) {
					ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
				}
			}
			return null;
		});
		quietly(() -> ip("netns", "del", namespace));
		// deleting the namespace deletes the pairs once nothing holds it; a link left over from a failed start is not
		for (String link : links) {
			quietly(() -> ip("link", "del", link));
		}
	}

	private static boolean alive(long pid) {
		return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
	}

	private static void quietly(Callable<?> command) {
		try {
			command.call();
		}
		catch (Exception ex) {
			// gone already, or never made
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
