package io.decibel.subscriber;

import io.decibel.contract.DecodedReading;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.dsl.MessageChannels;
import org.springframework.integration.mqtt.core.Mqttv5ClientManager;
import org.springframework.integration.mqtt.inbound.Mqttv5PahoMessageDrivenChannelAdapter;
import org.springframework.integration.mqtt.support.MqttHeaders;

/**
 * Readings in from the broker, decoded and shown: {@code readingsIn → decodeReading → showReading}. Failures that
 * escape the flow go to {@code readingsErrorFlow}.
 */
@Configuration(proxyBeanMethods = false)
class ReadingsInFlowConfiguration {

	@Bean
	Mqttv5PahoMessageDrivenChannelAdapter readingsIn(Mqttv5ClientManager clientManager, Topics topics,
			SubscriberProperties subscriber) {
		Mqttv5PahoMessageDrivenChannelAdapter adapter = new Mqttv5PahoMessageDrivenChannelAdapter(clientManager,
				subscriber.topicFilter(topics));
		adapter.setQos(1);
		adapter.setPayloadType(byte[].class);
		adapter.setErrorChannelName("readingsErrorFlow.input");
		return adapter;
	}

	@Bean
	ReadingLog readingLog(MeterRegistry meterRegistry) {
		return new ReadingLog(meterRegistry);
	}

	/** One series per device, up to a bound: past it, new devices are not tagged (they still count in total). */
	@Bean
	MeterFilter deviceReadingsCardinality() {
		return MeterFilter.maximumAllowableTags(ReadingLog.DEVICE_READINGS, "device", ReadingLog.MAX_DEVICES,
				MeterFilter.deny());
	}

	@Bean
	IntegrationFlow readingsInFlow(Mqttv5PahoMessageDrivenChannelAdapter readingsIn, TelemetryCodec codec,
			ReadingLog readingLog) {
		return IntegrationFlow.from(readingsIn)
			.transformWith((t) -> t.<byte[], DecodedReading>transformer(codec::decodeReading)
				.expectedType(byte[].class)
				.id("decodeReading"))
			// publish-subscribe: more than the log may watch decoded readings (the tests do)
			.channel(MessageChannels.publishSubscribe("decodedReadings"))
			.<DecodedReading>handle((decoded, headers) -> {
				readingLog.show(decoded, headers.get(MqttHeaders.RECEIVED_TOPIC, String.class));
				return null;
			}, (e) -> e.id("showReading"))
			.get();
	}

	/** What escapes the flow is logged once; the adapter keeps listening. */
	@Bean
	IntegrationFlow readingsErrorFlow(ReadingLog readingLog) {
		return (flow) -> flow.<Throwable>handle((failure, headers) -> {
			readingLog.failed(failure);
			return null;
		}, (e) -> e.id("logReadingFailure"));
	}

}
