package io.decibel.relay.ingest;

import io.decibel.contract.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.mqtt.core.Mqttv5ClientManager;
import org.springframework.integration.mqtt.inbound.Mqttv5PahoMessageDrivenChannelAdapter;
import org.springframework.integration.mqtt.outbound.Mqttv5PahoMessageHandler;
import org.springframework.messaging.MessagingException;

/**
 * The relay's two stories: readings come in on the shared subscription and are stored; ACKs (and dead-letter
 * entries) go out. Both ride the service's one MQTT connection.
 */
@Configuration(proxyBeanMethods = false)
class ReadingsFlowConfiguration {

	private static final Logger LOG = LoggerFactory.getLogger(ReadingsFlowConfiguration.class);

	@Bean
	Mqttv5PahoMessageDrivenChannelAdapter readingsInbound(Mqttv5ClientManager clientManager, Topics topics,
			RelayProperties relay) {
		Mqttv5PahoMessageDrivenChannelAdapter adapter = new Mqttv5PahoMessageDrivenChannelAdapter(clientManager,
				topics.sharedReadings(relay.shareGroup()));
		adapter.setQos(1);
		adapter.setPayloadType(byte[].class);
		adapter.setErrorChannelName("readingsErrorFlow.input");
		return adapter;
	}

	@Bean
	IntegrationFlow readingsInFlow(Mqttv5PahoMessageDrivenChannelAdapter readingsInbound, ReadingIngest ingest) {
		return IntegrationFlow.from(readingsInbound)
			// one reading in, its replies out: the ACK, and a dead-letter entry when it was rejected
			.splitWith((splitter) -> splitter.ref(ingest).method("ingest").applySequence(false).id("storeReadings"))
			.channel("repliesOutFlow.input")
			.get();
	}

	@Bean
	IntegrationFlow repliesOutFlow(Mqttv5ClientManager clientManager) {
		Mqttv5PahoMessageHandler handler = new Mqttv5PahoMessageHandler(clientManager);
		handler.setAsync(true);
		return (flow) -> flow.handle(handler, (e) -> e.id("publishReplies"));
	}

	@Bean
	IntegrationFlow readingsErrorFlow() {
		return (flow) -> flow.handle(Throwable.class, (failure, headers) -> {
			Throwable cause = (failure instanceof MessagingException && failure.getCause() != null)
					? failure.getCause() : failure;
			LOG.error("Reading not stored, the device will re-send it: {}", cause.toString());
			return null;
		}, (e) -> e.id("logIngestFailures"));
	}

}
