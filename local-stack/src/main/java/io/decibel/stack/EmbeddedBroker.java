package io.decibel.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.hivemq.embedded.EmbeddedHiveMQ;

/**
 * HiveMQ Community Edition running inside this JVM: a real MQTT 3 and 5 broker on a local port, with its data
 * (persistent sessions, queued messages) in a folder of its own, so that it can be stopped and started again with
 * what it held.
 */
public final class EmbeddedBroker implements AutoCloseable {

	private final int port;

	private final Path home;

	private final boolean persistent;

	private EmbeddedHiveMQ hivemq;

	private EmbeddedBroker(int port, Path home, boolean persistent) {
		this.port = port;
		this.home = home;
		this.persistent = persistent;
	}

	/**
	 * Starts a broker on the given port that keeps sessions and queued messages on disk under {@code home}, so that
	 * they outlive a restart. HiveMQ's file persistence takes about 1 GB there.
	 */
	public static EmbeddedBroker start(int port, Path home) {
		EmbeddedBroker broker = new EmbeddedBroker(port, home, true);
		broker.start();
		return broker;
	}

	/** Starts a broker that keeps sessions and queued messages in memory only: light, and gone when it stops. */
	public static EmbeddedBroker startInMemory(int port, Path home) {
		EmbeddedBroker broker = new EmbeddedBroker(port, home, false);
		broker.start();
		return broker;
	}

	public synchronized void start() {
		try {
			Path conf = Files.createDirectories(this.home.resolve("conf"));
			// HiveMQ refuses to start without these folders
			Path data = Files.createDirectories(this.home.resolve("data"));
			Path extensions = Files.createDirectories(this.home.resolve("extensions"));
			Files.writeString(conf.resolve("config.xml"), config(this.port, this.persistent));
			this.hivemq = EmbeddedHiveMQ.builder()
				.withConfigurationFolder(conf)
				.withDataFolder(data)
				.withExtensionsFolder(extensions)
				.withoutLoggingBootstrap()
				.build();
			this.hivemq.start().get(60, TimeUnit.SECONDS);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException("HiveMQ did not start on port " + this.port, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while starting HiveMQ", ex);
		}
	}

	/** Stops the broker; its data stays, so {@link #start()} brings back sessions and queued messages. */
	public synchronized void stop() {
		if (this.hivemq == null) {
			return;
		}
		try {
			this.hivemq.close();
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException("HiveMQ did not stop cleanly", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			this.hivemq = null;
		}
	}

	public int port() {
		return this.port;
	}

	public String url() {
		return "tcp://127.0.0.1:" + this.port;
	}

	@Override
	public void close() {
		stop();
	}

	private static String config(int port, boolean persistent) {
		return """
				<?xml version="1.0"?>
				<hivemq>
				    <listeners>
				        <tcp-listener>
				            <port>%d</port>
				            <bind-address>127.0.0.1</bind-address>
				        </tcp-listener>
				    </listeners>
				    <mqtt>
				        <session-expiry>
				            <max-interval>604800</max-interval>
				        </session-expiry>
				        <queued-messages>
				            <max-queue-size>1000000</max-queue-size>
				        </queued-messages>
				        <!-- HiveMQ allows 10 unacknowledged QoS 1 publishes per client by default; Paho refuses a publish
				             beyond that instead of queueing it, and a service then waits for its window: on loopback the
				             wait, not the work, would set the pace -->
				        <receive-maximum>
				            <server-receive-maximum>65535</server-receive-maximum>
				        </receive-maximum>
				    </mqtt>
				    <persistence>
				        <mode>%s</mode>
				    </persistence>
				    <anonymous-usage-statistics>
				        <enabled>false</enabled>
				    </anonymous-usage-statistics>
				</hivemq>
				""".formatted(port, persistent ? "file" : "in-memory");
	}

}
