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
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.decibel.stack.FreePorts;

/**
 * A Mosquitto broker that a test starts for itself, as a child process: no anonymous clients, the users and
 * passwords it is given (a password file made with {@code mosquitto_passwd}), an ACL file, a plain listener and,
 * with certificates, a TLS listener that requires a client certificate signed by the same CA. Everything lives in
 * the given folder; {@link #close()} stops the process.
 */
public final class SecuredMosquitto implements AutoCloseable {

	/**
	 * Decibel's access rules for topic root {@code decibel}, in Mosquitto's syntax — the same the compose broker
	 * enforces: a device (its user name is its device id) writes its own readings and reads its own ACKs and
	 * alerts; the relay reads readings and writes ACKs, dead letters and alerts; subscribers only read readings.
	 */
	public static final String DECIBEL_ACL = """
			pattern write decibel/%u/noise
			pattern read decibel/%u/ack
			pattern read decibel/%u/alert

			user relay
			topic read decibel/+/noise
			topic write decibel/+/ack
			topic write decibel/dead-letter
			topic write decibel/+/alert

			user subscriber
			topic read decibel/+/noise
			""";

	private static final Duration STARTUP = Duration.ofSeconds(20);

	private final Process process;

	private final Path log;

	private final int port;

	private final int tlsPort;

	private SecuredMosquitto(Process process, Path log, int port, int tlsPort) {
		this.process = process;
		this.log = log;
		this.port = port;
		this.tlsPort = tlsPort;
	}

	/** Whether {@code mosquitto} and {@code mosquitto_passwd} are installed here (CI installs them). */
	public static boolean isInstalled() {
		return Executables.find("mosquitto") != null && Executables.find("mosquitto_passwd") != null;
	}

	/**
	 * Starts the broker.
	 * @param dir a folder of its own for the configuration, password file, ACL file and log
	 * @param users user names and their passwords
	 * @param acl the ACL file's content, in Mosquitto's syntax ({@code user}, {@code topic}, {@code pattern} with
	 * {@code %u} and {@code %c})
	 * @param certificates the TLS listener's certificates, or {@code null} for none
	 */
	public static SecuredMosquitto start(Path dir, Map<String, String> users, String acl,
			TestCertificates certificates) {
		String mosquitto = Executables.find("mosquitto");
		String passwd = Executables.find("mosquitto_passwd");
		if (mosquitto == null || passwd == null) {
			throw new IllegalStateException("mosquitto is not installed");
		}
		try {
			Files.createDirectories(dir);
			Path passwordFile = dir.resolve("passwd");
			Files.deleteIfExists(passwordFile);
			Files.createFile(passwordFile);
			users.forEach((user, password) -> Executables.run(dir,
					List.of(passwd, "-b", passwordFile.toString(), user, password), 30, TimeUnit.SECONDS));
			Path aclFile = Files.writeString(dir.resolve("acl"), acl);
			int port = FreePorts.any();
			int tlsPort = (certificates != null) ? FreePorts.any() : -1;
			StringBuilder conf = new StringBuilder();
			if ("root".equals(System.getProperty("user.name"))) {
				// run as root, mosquitto would switch to the user "mosquitto", who cannot read this folder
				conf.append("user root\n");
			}
			conf.append("per_listener_settings false\n")
				.append("allow_anonymous false\n")
				.append("password_file ").append(passwordFile).append('\n')
				.append("acl_file ").append(aclFile).append('\n')
				.append("persistence false\n")
				.append("log_dest stdout\n")
				.append("log_type error\nlog_type warning\nlog_type notice\nlog_type information\n")
				.append("listener ").append(port).append(" 127.0.0.1\n");
			if (certificates != null) {
				conf.append("listener ").append(tlsPort).append(" 127.0.0.1\n")
					.append("cafile ").append(certificates.caCertificate()).append('\n')
					.append("certfile ").append(certificates.serverCertificate()).append('\n')
					.append("keyfile ").append(certificates.serverKey()).append('\n')
					.append("require_certificate true\n");
			}
			Path confFile = Files.writeString(dir.resolve("mosquitto.conf"), conf.toString());
			Path log = dir.resolve("mosquitto.log");
			Process process = new ProcessBuilder(mosquitto, "-c", confFile.toString()).redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			SecuredMosquitto broker = new SecuredMosquitto(process, log, port, tlsPort);
			broker.awaitListening(port);
			if (certificates != null) {
				broker.awaitListening(tlsPort);
			}
			return broker;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The plain listener, {@code tcp://127.0.0.1:<port>}. */
	public String url() {
		return "tcp://127.0.0.1:" + this.port;
	}

	/** The TLS listener, {@code ssl://127.0.0.1:<port>}. */
	public String tlsUrl() {
		if (this.tlsPort < 0) {
			throw new IllegalStateException("started without certificates: no TLS listener");
		}
		return "ssl://127.0.0.1:" + this.tlsPort;
	}

	/** What the broker logged so far. */
	public List<String> logLines() {
		try {
			return Files.readAllLines(this.log);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() {
		this.process.destroy();
		try {
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
		}
	}

	private void awaitListening(int port) {
		long deadline = System.nanoTime() + STARTUP.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("mosquitto ended with " + this.process.exitValue() + ": " + logLines());
			}
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
				return;
			}
			catch (IOException ex) {
				sleep();
			}
		}
		close();
		throw new IllegalStateException("mosquitto did not listen on " + port + " within " + STARTUP + ": "
				+ new ArrayList<>(logLines()));
	}

	private static void sleep() {
		try {
			Thread.sleep(100);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
