package io.decibel.publisher;

import io.decibel.publisher.acks.Completion;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The device: samples the noise around it, publishes each reading over MQTT 5 and re-sends what the relay has
 * not acknowledged.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class PublisherApplication {

	/**
	 * The one place where the process decides its fate: without a count it runs until it is stopped; with one it
	 * exits, with the context's exit code, once every reading is acknowledged.
	 */
	public static void main(String[] args) throws InterruptedException {
		ConfigurableApplicationContext context = SpringApplication.run(PublisherApplication.class, args);
		if (context.getBean(PublisherProperties.class).count() == null) {
			return;
		}
		// false when the context was closed first (SIGTERM): the JVM is already on its way out
		if (context.getBean(Completion.class).awaitAllAcknowledged()) {
			System.exit(SpringApplication.exit(context));
		}
	}

}
