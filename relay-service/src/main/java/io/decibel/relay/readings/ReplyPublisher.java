package io.decibel.relay.readings;

import java.util.concurrent.TimeUnit;

import io.decibel.mqtt.InFlightWindow;
import org.eclipse.paho.mqttv5.client.IMqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.integration.mqtt.core.Mqttv5ClientManager;
import org.springframework.integration.mqtt.support.MqttHeaderMapper;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHandler;
import org.springframework.messaging.MessageHandlingException;

/**
 * Hands a batch's replies (ACKs, dead letters) to the MQTT client and keeps each one's token with the batch
 * ({@link Replies}), whose PUBACKs wait for them. A reply that cannot be handed over while the batch's connection is
 * up fails the batch, which is tried again and not acknowledged meanwhile; one whose connection is gone is counted as
 * undelivered: the broker sends its delivery again, and the relay answers it then.
 */
class ReplyPublisher implements MessageHandler {

	private static final Logger LOG = LoggerFactory.getLogger(ReplyPublisher.class);

	private final Mqttv5ClientManager clientManager;

	private final MqttHeaderMapper headerMapper = new MqttHeaderMapper();

	ReplyPublisher(Mqttv5ClientManager clientManager) {
		this.clientManager = clientManager;
	}

	@Override
	public void handleMessage(Message<?> reply) {
		Replies replies = reply.getHeaders().get(Replies.HEADER, Replies.class);
		if (replies == null) {
			throw new MessageHandlingException(reply, "A reply without its batch's " + Replies.HEADER);
		}
		if (!replies.isCurrent()) {
			replies.undelivered();
			return;
		}
		String topic = reply.getHeaders().get(MqttHeaders.TOPIC, String.class);
		MqttMessage message = new MqttMessage((byte[]) reply.getPayload());
		Integer qos = reply.getHeaders().get(MqttHeaders.QOS, Integer.class);
		message.setQos((qos != null) ? qos : ReadingIngest.REPLY_QOS);
		MqttProperties properties = new MqttProperties();
		this.headerMapper.fromHeaders(reply.getHeaders(), properties);
		message.setProperties(properties);
		while (true) {
			try {
				IMqttAsyncClient client = this.clientManager.getClient();
				if (client == null) {
					throw new MqttException(MqttException.REASON_CODE_CLIENT_EXCEPTION);
				}
				replies.published(client, client.publish(topic, message));
				return;
			}
			catch (MqttException ex) {
				if (!replies.isCurrent()) {
					replies.undelivered();
					return;
				}
				if (!InFlightWindow.isFull(ex)) {
					throw new MessageHandlingException(reply, "Could not publish a reply on " + topic, ex);
				}
				LOG.debug("Paho's in-flight window is full; the reply waits for room");
				try {
					TimeUnit.MILLISECONDS.sleep(1);
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					throw new MessageHandlingException(reply, "Interrupted while publishing a reply", interrupted);
				}
			}
		}
	}

}
