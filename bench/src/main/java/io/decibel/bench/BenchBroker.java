package io.decibel.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.decibel.stack.FreePorts;
import io.decibel.testsupport.TestInfrastructure;

/**
 * The broker of a run ({@code --broker}): embedded HiveMQ CE (or {@code --mqtt-url}), or a Mosquitto of the run's own
 * started from {@code compose/mosquitto/mosquitto.conf} — as shipped, or with {@code max_inflight_messages 0}, which
 * Mosquitto 2.0 reads as no limit of its own: it then sends a subscriber beyond the Receive Maximum the subscriber
 * announced (a broker that overruns the window). The shipped file is run as is but for what a local broker of the
 * benchmark's needs: a free port on 127.0.0.1, a persistence folder of its own, anonymous clients.
 */
final class BenchBroker implements AutoCloseable {

	static final String HIVEMQ = "hivemq";

	static final String MOSQUITTO_SHIPPED = "mosquitto-shipped";

	static final String MOSQUITTO_OVERRUN = "mosquitto-overrun";

	static final List<String> KINDS = List.of(HIVEMQ, MOSQUITTO_SHIPPED, MOSQUITTO_OVERRUN);

	private static final Duration STARTUP = Duration.ofSeconds(20);

	private final String url;

	private final String description;

	private final Process process;

	private BenchBroker(String url, String description, Process process) {
		this.url = url;
		this.description = description;
		this.process = process;
	}

	static BenchBroker start(BenchOptions options, Path scratch) {
		if (HIVEMQ.equals(options.broker())) {
			if (options.mqttUrl() != null) {
				return new BenchBroker(options.mqttUrl(), options.mqttUrl(), null);
			}
			String url = TestInfrastructure.mqttUrl();
			return new BenchBroker(url, TestInfrastructure.usesExternalBroker() ? url : "embedded HiveMQ CE", null);
		}
		try {
			String shipped = Files.readString(options.projectHome().resolve("compose/mosquitto/mosquitto.conf"));
			int port = FreePorts.any();
			Path dir = Files.createDirectories(scratch.resolve("mosquitto-" + port));
			String conf = forTheBenchmark(shipped, port, dir,
					"root".equals(System.getProperty("user.name")));
			if (MOSQUITTO_OVERRUN.equals(options.broker())) {
				conf = replace(conf, "max_inflight_messages", "0");
			}
			Path file = Files.writeString(dir.resolve("mosquitto.conf"), conf);
			String binary = mosquitto();
			Process process = new ProcessBuilder(binary, "-c", file.toString()).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.log").toFile()))
				.start();
			BenchBroker broker = new BenchBroker("tcp://127.0.0.1:" + port,
					String.format("%s (%s, compose/mosquitto/mosquitto.conf: max_inflight_messages %s,"
							+ " max_queued_messages %s)", version(binary), options.broker(),
							setting(conf, "max_inflight_messages"), setting(conf, "max_queued_messages")),
					process);
			// a run that ends on an exception or Ctrl-C leaves no broker behind
			Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "bench-broker-stop"));
			broker.awaitListening(port, dir);
			return broker;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The shipped file for a broker of the benchmark's own: its port on the loopback, its folder, anonymous clients
	 * (the file's accounts are the operator's), and no switch to the user {@code mosquitto} when run as root.
	 */
	static String forTheBenchmark(String shipped, int port, Path dir, boolean root) {
		String conf = replace(shipped, "listener", port + " 127.0.0.1");
		conf = replace(conf, "persistence_location", dir + "/");
		conf = replace(conf, "allow_anonymous", "true");
		conf = conf.replaceAll("(?m)^(password_file|acl_file) .*$", "");
		return root ? conf + "\nuser root\n" : conf;
	}

	/** The file with one setting's value replaced; the setting must be there once. */
	static String replace(String conf, String setting, String value) {
		Matcher line = Pattern.compile("(?m)^" + Pattern.quote(setting) + " .*$").matcher(conf);
		if (line.results().count() != 1) {
			throw new IllegalStateException("Expected one '" + setting + "' line in the Mosquitto configuration");
		}
		return line.reset().replaceFirst(Matcher.quoteReplacement(setting + " " + value));
	}

	static String setting(String conf, String setting) {
		Matcher line = Pattern.compile("(?m)^" + Pattern.quote(setting) + " (.*)$").matcher(conf);
		return line.find() ? line.group(1).trim() : "(default)";
	}

	String url() {
		return this.url;
	}

	/** What the results say the broker was. */
	String description() {
		return this.description;
	}

	@Override
	public synchronized void close() {
		if (this.process == null || !this.process.isAlive()) {
			return;
		}
		this.process.destroy();
		try {
			if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
		}
	}

	private void awaitListening(int port, Path dir) throws IOException {
		long deadline = System.nanoTime() + STARTUP.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("mosquitto ended with " + this.process.exitValue() + ": "
						+ Files.readString(dir.resolve("mosquitto.log")));
			}
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
				return;
			}
			catch (IOException ex) {
				try {
					Thread.sleep(100);
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					throw new IllegalStateException(interrupted);
				}
			}
		}
		close();
		throw new IllegalStateException("mosquitto did not listen on " + port + " within " + STARTUP);
	}

	private static String mosquitto() {
		return Stream
			.concat(Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)),
					Stream.of("/usr/sbin", "/usr/local/sbin"))
			.map((dir) -> Path.of(dir, "mosquitto"))
			.filter(Files::isExecutable)
			.map(Path::toString)
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("--broker=mosquitto-…: no mosquitto binary on the PATH"
					+ " nor in /usr/sbin"));
	}

	/** {@code Mosquitto 2.0.11}, from the first line of {@code mosquitto -h}. */
	private static String version(String binary) {
		try {
			Process help = new ProcessBuilder(binary, "-h").redirectErrorStream(true).start();
			String first = new String(help.getInputStream().readAllBytes()).lines().findFirst().orElse("");
			help.waitFor(5, TimeUnit.SECONDS);
			Matcher version = Pattern.compile("version (\\S+)").matcher(first);
			return version.find() ? "Mosquitto " + version.group(1) : "Mosquitto";
		}
		catch (IOException ex) {
			return "Mosquitto";
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return "Mosquitto";
		}
	}

}
