package io.decibel.mqtt;

import java.time.Duration;

import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.common.MqttException;

import org.springframework.core.retry.RetryPolicy;
import org.springframework.integration.handler.advice.RequestHandlerRetryAdvice;

/**
 * Paho refuses a QoS 1 publish, instead of queueing it, while as many are in flight as the broker's Receive Maximum
 * allows (10 on HiveMQ's default, 20 on Mosquitto, 32 on EMQX). An outbound MQTT endpoint advised with
 * {@link #retryAdvice(Duration)} waits for the window to open and sends the message then.
 */
public final class InFlightWindow {

	private InFlightWindow() {
	}

	/** Tries again after 1 ms, doubling up to 100 ms, for as long as the window stays full, at most {@code patience}. */
	public static RequestHandlerRetryAdvice retryAdvice(Duration patience) {
		RequestHandlerRetryAdvice advice = new RequestHandlerRetryAdvice();
		advice.setRetryPolicy(RetryPolicy.builder()
			.predicate(InFlightWindow::isFull)
			.delay(Duration.ofMillis(1))
			.multiplier(2)
			.maxDelay(Duration.ofMillis(100))
			.maxRetries(Long.MAX_VALUE)
			.timeout(patience)
			.build());
		return advice;
	}

	/** Whether the failure (or one of its causes) is Paho's refusal of a publish while the window is full. */
	public static boolean isFull(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof MqttException mqtt
					&& mqtt.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT) {
				return true;
			}
		}
		return false;
	}

}
