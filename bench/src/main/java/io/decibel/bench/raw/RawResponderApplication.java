package io.decibel.bench.raw;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;

import io.decibel.contract.Ack;
import io.decibel.contract.DecodedReading;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.mqtt.InFlightWindow;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.dsl.MessageChannels;
import org.springframework.integration.mqtt.core.Mqttv5ClientManager;
import org.springframework.integration.mqtt.inbound.Mqttv5PahoMessageDrivenChannelAdapter;
import org.springframework.integration.mqtt.outbound.Mqttv5PahoMessageHandler;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.Message;

/**
 * The ceiling: the relay's client stack (Spring Integration MQTT v5 on Paho, the contract's connection, async
 * publishes that wait for the in-flight window) answering every reading {@code STORED} without a database.
 */
@SpringBootApplication
public class RawResponderApplication {

	public static void main(String[] args) {
		SpringApplication application = new SpringApplication(RawResponderApplication.class);
		// the bench jar carries JPA for the naive responder; this one has no database
		application.setDefaultProperties(Map.of("spring.application.name", "raw-responder",
				"spring.autoconfigure.exclude",
				"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration,"
						+ "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration"));
		application.run(args);
	}

	@Bean
	IntegrationFlow readingsInFlow(Mqttv5ClientManager clientManager, Topics topics, TelemetryCodec codec) {
		Mqttv5PahoMessageDrivenChannelAdapter inbound = new Mqttv5PahoMessageDrivenChannelAdapter(clientManager,
				topics.sharedReadings("bench"));
		inbound.setQos(1);
		inbound.setPayloadType(byte[].class);
		return IntegrationFlow.from(inbound)
			.handle(Message.class, (delivery, headers) -> echo(codec, delivery), (e) -> e.id("echoReadings"))
			// not on Paho's callback thread: it is the thread that frees the in-flight window, so a publish that
			// waited for the window there would wait for ever
			.channel(MessageChannels.executor("acksOut", Executors.newSingleThreadExecutor()))
			.handle(outbound(clientManager), (e) -> e.id("publishAcks").advice(InFlightWindow.retryAdvice(Duration.ofSeconds(60))))
			.get();
	}

	private static Message<byte[]> echo(TelemetryCodec codec, Message<?> delivery) {
		DecodedReading decoded = codec.decodeReading((byte[]) delivery.getPayload());
		Ack ack = Ack.stored(decoded.reading(), Instant.now());
		return MessageBuilder.withPayload(codec.encode(ack))
			.setHeader(MqttHeaders.TOPIC, delivery.getHeaders().get(MqttHeaders.RESPONSE_TOPIC))
			.setHeader(MqttHeaders.CORRELATION_DATA, delivery.getHeaders().get(MqttHeaders.CORRELATION_DATA))
			// QoS 0, as the relay answers: the three differ in what they do before the answer, not in the answer
			.setHeader(MqttHeaders.QOS, 0)
			.build();
	}

	static Mqttv5PahoMessageHandler outbound(Mqttv5ClientManager clientManager) {
		Mqttv5PahoMessageHandler handler = new Mqttv5PahoMessageHandler(clientManager);
		handler.setAsync(true);
		return handler;
	}

}
