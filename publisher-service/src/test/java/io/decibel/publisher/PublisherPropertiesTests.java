package io.decibel.publisher;

import java.nio.file.Path;
import java.time.Duration;

import io.decibel.publisher.PublisherProperties.OutboxFull;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

class PublisherPropertiesTests {

	private final ApplicationContextRunner context = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Settings.class);

	@Test
	void defaultsDescribeAnEndlessDeviceOnASecondWindow() {
		this.context.run((context) -> {
			PublisherProperties properties = context.getBean(PublisherProperties.class);
			assertThat(properties.deviceId()).isEqualTo("device-1");
			assertThat(properties.source()).isEqualTo("auto");
			assertThat(properties.window()).isEqualTo(Duration.ofSeconds(1));
			assertThat(properties.count()).isNull();
			assertThat(properties.stateDir()).isEqualTo(Path.of(System.getProperty("user.home"), ".decibel"));
			assertThat(properties.ackTimeout()).isEqualTo(Duration.ofSeconds(5));
			assertThat(properties.syntheticSeed()).isEqualTo(42);
			assertThat(properties.outboxCapacity()).isEqualTo(10_000);
			assertThat(properties.outboxFull()).isEqualTo(OutboxFull.BLOCK);
			assertThat(properties.calibrationOffset()).isNull();
			assertThat(properties.calibrating()).isFalse();
			assertThat(properties.calibrationDuration()).isEqualTo(Duration.ofSeconds(5));
		});
	}

	@Test
	void calibrationIsAnOffsetOrAReferenceLevel() {
		this.context
			.withPropertyValues("decibel.publisher.calibration-offset=125.5", "decibel.publisher.calibrate-to=94")
			.run((context) -> {
				PublisherProperties properties = context.getBean(PublisherProperties.class);
				assertThat(properties.calibrationOffset()).isEqualTo(125.5);
				assertThat(properties.calibrateTo()).isEqualTo(94.0);
				assertThat(properties.calibrating()).isTrue();
			});
		this.context.withPropertyValues("decibel.publisher.calibration-offset=-60")
			.run((context) -> assertThat(context).hasFailed());
		this.context.withPropertyValues("decibel.publisher.calibrate-to=300")
			.run((context) -> assertThat(context).hasFailed());
	}

	@Test
	void outboxPolicyIsWrittenAsInTheReadme() {
		this.context
			.withPropertyValues("decibel.publisher.outbox-full=drop-oldest", "decibel.publisher.outbox-capacity=5")
			.run((context) -> {
				PublisherProperties properties = context.getBean(PublisherProperties.class);
				assertThat(properties.outboxFull()).isEqualTo(OutboxFull.DROP_OLDEST);
				assertThat(properties.outboxCapacity()).isEqualTo(5);
			});
	}

	@Test
	void emptyOutboxFailsStartup() {
		this.context.withPropertyValues("decibel.publisher.outbox-capacity=0")
			.run((context) -> assertThat(context).hasFailed());
	}

	@Test
	void deviceIdOutsideTheContractFailsStartup() {
		this.context.withPropertyValues("decibel.publisher.device-id=kitchen/1")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("deviceId"));
	}

	@Test
	void unknownSourceFailsStartup() {
		this.context.withPropertyValues("decibel.publisher.source=radio")
			.run((context) -> assertThat(context).hasFailed());
	}

	@Test
	void wavSourceNamesItsFile() {
		this.context.withPropertyValues("decibel.publisher.source=wav:/tmp/room.wav", "decibel.publisher.count=10")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(PublisherProperties.class).count()).isEqualTo(10);
			});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(PublisherProperties.class)
	static class Settings {

	}

}
