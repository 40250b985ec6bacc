package io.decibel.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.decibel.stack.FreePorts;

/**
 * A Mosquitto broker of a test's own, as a child process on a fixed local port, that keeps sessions and queued
 * messages in a persistence file under its folder: {@link #stop()} saves them (Mosquitto writes the file on a clean
 * shutdown), {@link #start()} brings them back on the same port — a broker restart as an operator does it.
 */
public final class PersistentMosquitto implements AutoCloseable {

	private static final Duration STARTUP = Duration.ofSeconds(20);

	private static final Duration SHUTDOWN = Duration.ofSeconds(30);

	private final Path dir;

	private final int port;

	private final String extraConfig;

	private Process process;

	private PersistentMosquitto(Path dir, int port, String extraConfig) {
		this.dir = dir;
		this.port = port;
		this.extraConfig = extraConfig;
	}

	/** Whether {@code mosquitto} is installed here (CI installs it). */
	public static boolean isInstalled() {
		return Executables.find("mosquitto") != null;
	}

	/** Starts a broker on a free port, with its configuration, persistence file and log in {@code dir}. */
	public static PersistentMosquitto start(Path dir) {
		return start(dir, "");
	}

	/**
	 * Starts a broker as {@link #start(Path)} does, with lines of a test's own added to its listener's configuration
	 * ({@code max_qos 0}, …).
	 */
	public static PersistentMosquitto start(Path dir, String extraConfig) {
		PersistentMosquitto broker = new PersistentMosquitto(dir, FreePorts.any(), extraConfig);
		broker.start();
		return broker;
	}

	public synchronized void start() {
		if (this.process != null && this.process.isAlive()) {
			return;
		}
		String mosquitto = Executables.find("mosquitto");
		if (mosquitto == null) {
			throw new IllegalStateException("mosquitto is not installed");
		}
		try {
			Files.createDirectories(this.dir);
			Path conf = Files.writeString(this.dir.resolve("mosquitto.conf"), config());
			this.process = new ProcessBuilder(mosquitto, "-c", conf.toString()).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(this.dir.resolve("mosquitto.log").toFile()))
				.start();
			awaitListening();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Stops the broker cleanly (SIGTERM), which writes its persistence file; {@link #start()} reads it again. */
	public synchronized void stop() {
		if (this.process == null) {
			return;
		}
		this.process.destroy();
		try {
			if (!this.process.waitFor(SHUTDOWN.toMillis(), TimeUnit.MILLISECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
		}
		finally {
			this.process = null;
		}
	}

	public String url() {
		return "tcp://127.0.0.1:" + this.port;
	}

	/** What the broker logged so far, across its restarts. */
	public List<String> logLines() {
		try {
			Path log = this.dir.resolve("mosquitto.log");
			return Files.exists(log) ? Files.readAllLines(log) : List.of();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() {
		stop();
	}

	private String config() {
		StringBuilder conf = new StringBuilder();
		if ("root".equals(System.getProperty("user.name"))) {
			// run as root, mosquitto would switch to the user "mosquitto", who cannot write this folder
			conf.append("user root\n");
		}
		return conf.append("listener ").append(this.port).append(" 127.0.0.1\n")
			.append("allow_anonymous true\n")
			.append("persistence true\n")
			.append("persistence_location ").append(this.dir).append("/\n")
			// a session's queue is where readings wait while its relay cannot take them: the default limit (1000)
			// would drop readings beyond it, which devices then have to re-send; unlimited here, bounded by memory
			.append("max_queued_messages 0\n")
			.append("max_queued_bytes 0\n")
			// the relay writes a PUBACK then a small PUBLISH: without this the second waits for a delayed TCP ACK
			.append("set_tcp_nodelay true\n")
			.append("log_dest stdout\n")
			.append("log_type error\nlog_type warning\nlog_type notice\nlog_type information\n")
			.append("connection_messages true\n")
			.append(this.extraConfig.isEmpty() || this.extraConfig.endsWith("\n") ? this.extraConfig
					: this.extraConfig + "\n")
			.toString();
	}

	private void awaitListening() {
		long deadline = System.nanoTime() + STARTUP.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("mosquitto ended with " + this.process.exitValue() + ": " + logLines());
			}
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", this.port), 200);
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
		stop();
		throw new IllegalStateException("mosquitto did not listen on " + this.port + " within " + STARTUP);
	}

}
