package io.decibel.publisher;

import io.decibel.publisher.acks.Completion;
import io.decibel.publisher.calibration.CalibrationMode;

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

	/** The exit status of a counted run that gave up readings (outbox full under {@code drop-oldest}). */
	public static final int READINGS_GIVEN_UP = 3;

	/** The exit status of a calibration that stored no offset. */
	public static final int CALIBRATION_FAILED = 4;

	/**
	 * The one place where the process decides its fate: without a count it runs until it is stopped; with one it
	 * exits once every reading is done: with the context's exit code (0) when each was acknowledged, with
	 * {@value #READINGS_GIVEN_UP} when some were given up. In calibration mode it exits once the offset is stored (0),
	 * or could not be ({@value #CALIBRATION_FAILED}).
	 */
	public static void main(String[] args) throws InterruptedException {
		ConfigurableApplicationContext context = SpringApplication.run(PublisherApplication.class, args);
		if (context.getBean(PublisherProperties.class).calibrating()) {
			boolean stored = context.getBean(CalibrationMode.class).awaitDone();
			System.exit(SpringApplication.exit(context, () -> stored ? 0 : CALIBRATION_FAILED));
		}
		if (context.getBean(PublisherProperties.class).count() == null) {
			return;
		}
		Completion completion = context.getBean(Completion.class);
		// false when the context was closed first (SIGTERM): the JVM is already on its way out
		if (completion.awaitAllAcknowledged()) {
			boolean lost = !completion.givenUpSeqs().isEmpty();
			System.exit(SpringApplication.exit(context, () -> lost ? READINGS_GIVEN_UP : 0));
		}
	}

}
