package io.decibel.bench;

import java.time.Duration;

import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.common.MqttException;

import org.springframework.core.retry.RetryPolicy;
import org.springframework.integration.handler.advice.RequestHandlerRetryAdvice;

/**
 * Paho refuses a publish, instead of queueing it, while as many are in flight as the broker's Receive Maximum
 * allows. The responders wait for the window exactly as the relay does, so that only their storage differs.
 */
public final class InFlightWindow {

	private InFlightWindow() {
	}

	public static RequestHandlerRetryAdvice retryAdvice() {
		RequestHandlerRetryAdvice advice = new RequestHandlerRetryAdvice();
		advice.setRetryPolicy(RetryPolicy.builder()
			.predicate(InFlightWindow::isFull)
			.delay(Duration.ofMillis(1))
			.multiplier(2)
			.maxDelay(Duration.ofMillis(100))
			.maxRetries(Long.MAX_VALUE)
			.timeout(Duration.ofSeconds(60))
			.build());
		return advice;
	}

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
