package io.decibel.mqtt;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The MQTT connection every Decibel service shares.
 *
 * @param url the broker, {@code tcp://host:1883} (or {@code ssl://host:8883})
 * @param username user name, none by default
 * @param password password, none by default
 * @param clientId the client id; {@code {host}} and {@code {pid}} in it stand for this machine's host name and this
 * process's id (unique on a machine); when unset, one is made unique per instance from the prefix
 * @param clientIdPrefix the prefix of generated client ids; the application name when unset
 * @param topicRoot the first level of every topic of the contract
 * @param cleanStart whether the broker forgets the session on connect
 * @param sessionExpiry how long the broker keeps the session (and queues messages) after a disconnect
 * @param keepAlive the MQTT keep-alive interval
 * @param connectionTimeout how long a connection attempt may take
 * @param sslBundle the name of a Spring Boot SSL bundle ({@code spring.ssl.bundle.pem.<name>} or
 * {@code spring.ssl.bundle.jks.<name>}) holding the certificates that an {@code ssl://} URL trusts and, for client
 * authentication, the client's certificate and key; unset: the JVM's default trust store
 * @param receiveMaximum the most QoS 1 and 2 deliveries the broker may have sent this client and not yet had
 * acknowledged (MQTT 5 Receive Maximum); the broker holds the rest. Unset: the protocol's 65,535
 * @param maximumPacketSize the largest packet this client accepts (MQTT 5 Maximum Packet Size); the broker does not
 * send it a larger one. Unset: no limit
 */
@ConfigurationProperties("decibel.mqtt")
public record MqttProperties(@DefaultValue("tcp://localhost:1883") String url, @Nullable String username,
		@Nullable String password, @Nullable String clientId, @Nullable String clientIdPrefix,
		@DefaultValue("decibel") String topicRoot, @DefaultValue("true") boolean cleanStart,
		@DefaultValue("0s") Duration sessionExpiry, @DefaultValue("30s") Duration keepAlive,
		@DefaultValue("10s") Duration connectionTimeout, @Nullable String sslBundle, @Nullable Integer receiveMaximum,
		@Nullable DataSize maximumPacketSize) {

	/** MQTT 5: the Receive Maximum of a client that does not say one. */
	public static final int PROTOCOL_RECEIVE_MAXIMUM = 65_535;

	/** The Receive Maximum this client announces: the configured one, or the protocol's default. */
	public int effectiveReceiveMaximum() {
		return (this.receiveMaximum != null) ? this.receiveMaximum : PROTOCOL_RECEIVE_MAXIMUM;
	}

	/** In a configured client id: this machine's host name. */
	public static final String HOST = "{host}";

	/** In a configured client id: this process's id, which no other process on the machine has while it runs. */
	public static final String PID = "{pid}";

	/**
	 * The client id of this instance: the configured one ({@link #HOST} and {@link #PID} in it replaced), or
	 * {@code prefix-host-random} so that replicas started with the same configuration never take each other's
	 * connection.
	 */
	public String resolveClientId(String applicationName) {
		if (this.clientId != null && !this.clientId.isBlank()) {
			return this.clientId.replace(HOST, hostName()).replace(PID, Long.toString(ProcessHandle.current().pid()));
		}
		String prefix = (this.clientIdPrefix != null && !this.clientIdPrefix.isBlank()) ? this.clientIdPrefix
				: applicationName;
		return prefix + "-" + hostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	/** Whether the URL asks for TLS ({@code ssl://}, or {@code wss://} for MQTT over secure WebSocket). */
	public boolean usesTls() {
		return this.url.startsWith("ssl://") || this.url.startsWith("wss://");
	}

	public MqttConnectionOptions toConnectionOptions() {
		MqttConnectionOptions options = new MqttConnectionOptions();
		options.setServerURIs(new String[] { this.url });
		options.setAutomaticReconnect(true);
		options.setAutomaticReconnectDelay(1, 30);
		options.setCleanStart(this.cleanStart);
		options.setSessionExpiryInterval(this.sessionExpiry.toSeconds());
		options.setKeepAliveInterval((int) this.keepAlive.toSeconds());
		options.setConnectionTimeout((int) this.connectionTimeout.toSeconds());
		// Paho sends both in the CONNECT; null leaves them out
		options.setReceiveMaximum(this.receiveMaximum);
		options.setMaximumPacketSize((this.maximumPacketSize != null) ? this.maximumPacketSize.toBytes() : null);
		if (this.username != null && !this.username.isBlank()) {
			options.setUserName(this.username);
		}
		if (this.password != null && !this.password.isEmpty()) {
			options.setPassword(this.password.getBytes(StandardCharsets.UTF_8));
		}
		return options;
	}

	@Override
	public String toString() {
		// never let the password reach a log line
		return "MqttProperties[url=" + this.url + ", username=" + this.username + ", clientId=" + this.clientId
				+ ", topicRoot=" + this.topicRoot + ", cleanStart=" + this.cleanStart + ", sslBundle=" + this.sslBundle
				+ ", receiveMaximum=" + this.receiveMaximum + ", maximumPacketSize=" + this.maximumPacketSize + "]";
	}

	private static String hostName() {
		String host = System.getenv("HOSTNAME");
		if (host == null || host.isBlank()) {
			try {
				host = InetAddress.getLocalHost().getHostName();
			}
			catch (UnknownHostException ex) {
				host = "localhost";
			}
		}
		return host.replaceAll("[^A-Za-z0-9_-]", "");
	}

}
