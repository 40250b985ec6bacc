package io.decibel.mqtt;

import java.util.concurrent.ScheduledExecutorService;

import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttSecurityException;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Paho client that logs each failed connection attempt — the first one and every automatic retry, which all go
 * through {@link #connect(MqttConnectionOptions, Object, MqttActionListener)} — with the broker's reason. Never the
 * password: only the URL, the client id and the user name.
 * <p>
 * It also tells {@link Subscriptions} what the broker answered each subscription (the inbound adapters' go through
 * {@link #subscribe(MqttSubscription[], Object, MqttActionListener, IMqttMessageListener, MqttProperties)}): a SUBACK
 * may refuse a topic filter, and Paho completes the subscription all the same.
 */
class ConnectFailureLoggingClient extends MqttAsyncClient {

	private static final Logger LOG = LoggerFactory.getLogger(ConnectFailureLoggingClient.class);

	/** MQTT 5 CONNACK reason codes that mean "who you are": bad user name or password, not authorized, banned. */
	private static final int BAD_CREDENTIALS = 0x86;

	private static final int NOT_AUTHORIZED = 0x87;

	private static final int BANNED = 0x8A;

	private final @Nullable String username;

	private final Subscriptions subscriptions;

	ConnectFailureLoggingClient(String serverUri, String clientId, MqttClientPersistence persistence,
			@Nullable String username, ScheduledExecutorService threads, Subscriptions subscriptions)
			throws MqttException {
		super(serverUri, clientId, persistence, null, threads);
		this.username = username;
		this.subscriptions = subscriptions;
	}

	@Override
	public IMqttToken subscribe(MqttSubscription[] subscriptions, Object userContext, MqttActionListener callback,
			IMqttMessageListener messageListener, MqttProperties subscriptionProperties) throws MqttException {
		return super.subscribe(subscriptions, userContext, answered(subscriptions, callback), messageListener,
				subscriptionProperties);
	}

	@Override
	public IMqttToken subscribe(MqttSubscription[] subscriptions, Object userContext, MqttActionListener callback,
			IMqttMessageListener[] messageListeners, MqttProperties subscriptionProperties) throws MqttException {
		return super.subscribe(subscriptions, userContext, answered(subscriptions, callback), messageListeners,
				subscriptionProperties);
	}

	/** The caller's listener, after the broker's answer is noted for the connection the subscription goes on. */
	private MqttActionListener answered(MqttSubscription[] subscriptions, @Nullable MqttActionListener callback) {
		long epoch = this.subscriptions.current();
		return new MqttActionListener() {

			@Override
			public void onSuccess(IMqttToken token) {
				ConnectFailureLoggingClient.this.subscriptions.answered(epoch, subscriptions, token.getReasonCodes());
				if (callback != null) {
					callback.onSuccess(token);
				}
			}

			@Override
			public void onFailure(IMqttToken token, Throwable failure) {
				ConnectFailureLoggingClient.this.subscriptions.failed(epoch, subscriptions, failure);
				if (callback != null) {
					callback.onFailure(token, failure);
				}
			}

		};
	}

	@Override
	public IMqttToken connect(MqttConnectionOptions options, Object userContext, MqttActionListener callback)
			throws MqttException {
		return super.connect(options, userContext, new MqttActionListener() {

			@Override
			public void onSuccess(IMqttToken token) {
				if (callback != null) {
					callback.onSuccess(token);
				}
			}

			@Override
			public void onFailure(IMqttToken token, Throwable failure) {
				logFailure(failure);
				if (callback != null) {
					callback.onFailure(token, failure);
				}
			}

		});
	}

	private void logFailure(Throwable failure) {
		int reasonCode = (failure instanceof MqttException mqtt) ? mqtt.getReasonCode() : -1;
		String user = (this.username != null) ? "'" + this.username + "'" : "(anonymous)";
		if (failure instanceof MqttSecurityException || reasonCode == BAD_CREDENTIALS
				|| reasonCode == NOT_AUTHORIZED || reasonCode == BANNED) {
			LOG.warn("MQTT broker {} refused client {} as user {}: {} (reason code {}); check decibel.mqtt.username"
					+ " and decibel.mqtt.password; retrying with back-off", getServerURI(), getClientId(), user,
					failure.getMessage(), reasonCode);
		}
		else {
			LOG.warn("MQTT connection to {} failed: {}; retrying with back-off", getServerURI(), describe(failure));
		}
	}

	/** The failure and its root cause (a TLS handshake error is usually two levels down). */
	private static String describe(Throwable failure) {
		Throwable root = failure;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return (root == failure) ? String.valueOf(failure.getMessage())
				: failure.getMessage() + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
	}

}
