package io.decibel.relay.readings;

import io.decibel.contract.Topics;
import io.decibel.mqtt.ConnectionEpoch;
import io.decibel.mqtt.MqttClientManagerCustomizer;
import io.decibel.mqtt.MqttProperties;
import io.decibel.relay.RelayProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.channel.DirectChannel;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.mqtt.core.Mqttv5ClientManager;
import org.springframework.integration.mqtt.inbound.Mqttv5PahoMessageDrivenChannelAdapter;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessagingException;

/**
 * The relay's two stories: readings come in on the shared subscription, gather into batches and are stored; ACKs
 * (and dead-letter entries) go out. Both ride the service's one MQTT connection.
 */
@Configuration(proxyBeanMethods = false)
class ReadingsFlowConfiguration {

	private static final Logger LOG = LoggerFactory.getLogger(ReadingsFlowConfiguration.class);

	/** Deliveries are acknowledged to the broker by {@link ReadingIngest}, after the commit, not on arrival. */
	@Bean
	MqttClientManagerCustomizer manualAcks() {
		return (clientManager) -> clientManager.setManualAcks(true);
	}

	/**
	 * Not a bean of its own: a flow bean that took it as a parameter would make the context start it as a
	 * dependency of the flow's consumers, before they subscribe, and a resumed session's queued readings would
	 * arrive with nobody to take them. Inside the flow it starts last, as an inbound adapter should.
	 */
	private static Mqttv5PahoMessageDrivenChannelAdapter readingsInbound(Mqttv5ClientManager clientManager,
			Topics topics, RelayProperties relay) {
		Mqttv5PahoMessageDrivenChannelAdapter adapter = new Mqttv5PahoMessageDrivenChannelAdapter(clientManager,
				topics.sharedReadings(relay.shareGroup()));
		adapter.setQos(1);
		adapter.setManualAcks(true);
		adapter.setPayloadType(byte[].class);
		adapter.setErrorChannelName("readingsErrorFlow.input");
		return adapter;
	}

	/**
	 * Holds what the connection's Receive Maximum lets the broker send, never more than
	 * decibel.relay.max-unacknowledged (a broker may not keep to the window); a delivery beyond it waits for room, up
	 * to decibel.relay.max-hold-wait and at most half the keep-alive.
	 */
	@Bean
	ReadingBatcher readingBatcher(RelayProperties relay, MqttProperties mqtt, ConnectionEpoch connectionEpoch,
			@Qualifier("batchesInFlow") IntegrationFlow batchesInFlow) {
		return new ReadingBatcher(relay, mqtt.effectiveReceiveMaximum(), mqtt.keepAlive(), connectionEpoch,
				batchesInFlow);
	}

	/** Where deliveries come in: from the inbound adapter, and from the sessions of gone relays that this one adopts. */
	@Bean
	MessageChannel readingDeliveries() {
		return new DirectChannel();
	}

	@Bean
	IntegrationFlow readingsInFlow(Mqttv5ClientManager clientManager, Topics topics, ReadingBatcher batcher,
			RelayProperties relay, RelayMeters meters) {
		return IntegrationFlow.from(readingsInbound(clientManager, topics, relay))
			.channel("readingDeliveries")
			.handle(Message.class, (delivery, headers) -> {
				meters.received();
				batcher.add(delivery);
				return null;
			}, (e) -> e.id("batchReadings"))
			.get();
	}

	/** One batch in, its replies out: the ACKs, and dead-letter entries for what was rejected. */
	@Bean
	IntegrationFlow batchesInFlow(ReadingIngest ingest) {
		return (flow) -> flow
			.splitWith((splitter) -> splitter.ref(ingest).method("ingest").applySequence(false).id("storeReadings"))
			.channel("repliesOutFlow.input");
	}

	/** Replies go out in the writer's thread, and the batch's PUBACKs wait until they are written (Replies). */
	@Bean
	IntegrationFlow repliesOutFlow(Mqttv5ClientManager clientManager) {
		return (flow) -> flow.handle(new ReplyPublisher(clientManager), (e) -> e.id("publishReplies"));
	}

	@Bean
	IntegrationFlow readingsErrorFlow() {
		return (flow) -> flow.handle(Throwable.class, (failure, headers) -> {
			Throwable cause = (failure instanceof MessagingException && failure.getCause() != null)
					? failure.getCause() : failure;
			LOG.error("Reading not stored; left unacknowledged for the broker to deliver again: {}",
					cause.toString());
			return null;
		}, (e) -> e.id("logIngestFailures"));
	}

}
