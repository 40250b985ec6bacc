package io.decibel.mqtt;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * A Paho callback for a client that reads messages: the other events are ignored unless overridden (a plain
 * {@link MqttCallback} must implement all six).
 */
public interface MessageCallback extends MqttCallback {

	@Override
	default void disconnected(MqttDisconnectResponse response) {
	}

	@Override
	default void mqttErrorOccurred(MqttException exception) {
	}

	@Override
	default void deliveryComplete(IMqttToken token) {
	}

	@Override
	default void connectComplete(boolean reconnect, String serverURI) {
	}

	@Override
	default void authPacketArrived(int reasonCode, MqttProperties properties) {
	}

}
