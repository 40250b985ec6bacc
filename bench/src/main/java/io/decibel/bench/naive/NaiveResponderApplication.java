package io.decibel.bench.naive;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.Executors;

import io.decibel.contract.Ack;
import io.decibel.contract.DecodedReading;
import io.decibel.contract.Reading;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.mqtt.InFlightWindow;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.dsl.MessageChannels;
import org.springframework.integration.mqtt.core.Mqttv5ClientManager;
import org.springframework.integration.mqtt.inbound.Mqttv5PahoMessageDrivenChannelAdapter;
import org.springframework.integration.mqtt.outbound.Mqttv5PahoMessageHandler;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.Message;

/**
 * The baseline, as a newcomer writes it: each reading is one {@code repository.save} in a transaction of its own,
 * then its ACK. Same client stack and same table as the relay (the benchmark creates it with the relay's DDL); the
 * MQTT delivery is acknowledged when the handler returns, after the commit, so the guarantee is the same.
 */
@SpringBootApplication
public class NaiveResponderApplication {

	public static void main(String[] args) {
		SpringApplication application = new SpringApplication(NaiveResponderApplication.class);
		application.setDefaultProperties(Map.of("spring.application.name", "naive-responder",
				"spring.jpa.open-in-view", "false", "spring.jpa.hibernate.ddl-auto", "validate",
				"spring.jpa.properties.hibernate.jdbc.time_zone", "UTC"));
		application.run(args);
	}

	@Bean
	IntegrationFlow readingsInFlow(Mqttv5ClientManager clientManager, Topics topics, TelemetryCodec codec,
			NaiveReadingRepository readings) {
		Mqttv5PahoMessageDrivenChannelAdapter inbound = new Mqttv5PahoMessageDrivenChannelAdapter(clientManager,
				topics.sharedReadings("naive"));
		inbound.setQos(1);
		inbound.setPayloadType(byte[].class);
		Mqttv5PahoMessageHandler outbound = new Mqttv5PahoMessageHandler(clientManager);
		outbound.setAsync(true);
		return IntegrationFlow.from(inbound)
			.handle(Message.class, (delivery, headers) -> store(codec, readings, delivery), (e) -> e.id("saveReading"))
			// not on Paho's callback thread: it is the thread that frees the in-flight window, so a publish that
			// waited for the window there would wait for ever
			.channel(MessageChannels.executor("acksOut", Executors.newSingleThreadExecutor()))
			.handle(outbound, (e) -> e.id("publishAcks").advice(InFlightWindow.retryAdvice(Duration.ofSeconds(60))))
			.get();
	}

	private static Message<byte[]> store(TelemetryCodec codec, NaiveReadingRepository readings, Message<?> delivery) {
		DecodedReading decoded = codec.decodeReading((byte[]) delivery.getPayload());
		Reading reading = decoded.reading();
		Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
		Ack ack;
		try {
			readings.save(new NaiveReading(reading, now, now));
			ack = Ack.stored(reading, now);
		}
		catch (DataIntegrityViolationException ex) {
			ack = Ack.duplicate(reading, now);
		}
		return MessageBuilder.withPayload(codec.encode(ack))
			.setHeader(MqttHeaders.TOPIC, delivery.getHeaders().get(MqttHeaders.RESPONSE_TOPIC))
			.setHeader(MqttHeaders.CORRELATION_DATA, delivery.getHeaders().get(MqttHeaders.CORRELATION_DATA))
			// QoS 0, as the relay answers: the three differ in what they do before the answer, not in the answer
			.setHeader(MqttHeaders.QOS, 0)
			.build();
	}

}
