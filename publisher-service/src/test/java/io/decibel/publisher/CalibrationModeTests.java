package io.decibel.publisher;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

import io.decibel.contract.Ack;
import io.decibel.contract.Reading;
import io.decibel.contract.Topics;
import io.decibel.publisher.acks.Completion;
import io.decibel.publisher.calibration.CalibrationMode;
import io.decibel.publisher.calibration.CalibrationStore;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The calibration mode on a device whose microphone hears a 94 dB calibrator (a WAV file of a 1 kHz tone): it stores
 * an offset in the device's state directory and publishes nothing; the device started again reads the tone at 94 dB.
 */
class CalibrationModeTests {

	static final double AMPLITUDE = 0.05;

	private final Topics topics = new Topics(TestInfrastructure.uniqueName("calibration"));

	private final String deviceId = TestInfrastructure.uniqueName("device");

	private final List<ConfigurableApplicationContext> publishers = new ArrayList<>();

	private AckResponder relay;

	@TempDir
	Path stateDir;

	@AfterEach
	void stop() throws Exception {
		this.publishers.forEach(ConfigurableApplicationContext::close);
		if (this.relay != null) {
			this.relay.close();
		}
	}

	@Test
	void storesTheOffsetThatMakesTheReferenceToneReadItsLevelAndTheDeviceUsesIt() throws Exception {
		// given: the calibrator's tone as the microphone would hand it over
		Path tone = this.stateDir.resolve("calibrator.wav");
		writeTone(tone);

		// when: the device calibrates on it
		ConfigurableApplicationContext calibrating = start("--decibel.publisher.calibrate-to=94",
				"--decibel.publisher.calibration-duration=2s", "--decibel.publisher.source=wav:" + tone);
		CalibrationMode mode = calibrating.getBean(CalibrationMode.class);
		boolean stored = CompletableFuture.supplyAsync(() -> {
			try {
				return mode.awaitDone();
			}
			catch (InterruptedException ex) {
				throw new IllegalStateException(ex);
			}
		}).get(60, TimeUnit.SECONDS);

		// then: the offset stored, nothing published
		assertThat(stored).isTrue();
		double expected = 94 - 20 * Math.log10(AMPLITUDE / Math.sqrt(2));
		assertThat(new CalibrationStore(this.stateDir, this.deviceId).offset())
			.hasValueSatisfying((offset) -> assertThat(offset).isCloseTo(expected, within(0.1)));
		assertThat(calibrating.getBean(PublisherMeters.class).publishedCount()).isZero();
		calibrating.close();

		// and when the device runs again, on the same tone, its readings are calibrated to it
		this.relay = AckResponder.start(this.topics, (delivery) -> Ack.stored(delivery.reading(), Instant.now()));
		Completion completion = start("--decibel.publisher.count=3", "--decibel.publisher.source=wav:" + tone)
			.getBean(Completion.class);
		await().atMost(Duration.ofSeconds(60)).until(completion::isComplete);
		assertThat(this.relay.deliveries()).hasSizeGreaterThanOrEqualTo(3).allSatisfy((delivery) -> {
			Reading reading = delivery.reading();
			assertThat(reading.levels()).isNotNull();
			assertThat(reading.levels().calibrated()).isTrue();
			assertThat(reading.levels().laeq()).isCloseTo(94.0, within(0.1));
			assertThat(reading.levels().laf90()).isCloseTo(94.0, within(0.1));
		});
	}

	private ConfigurableApplicationContext start(String... arguments) {
		List<String> args = new ArrayList<>(List.of("--server.port=0",
				"--decibel.mqtt.url=" + TestInfrastructure.mqttUrl(),
				"--decibel.mqtt.topic-root=" + this.topics.root(), "--decibel.publisher.device-id=" + this.deviceId,
				"--decibel.publisher.state-dir=" + this.stateDir, "--decibel.publisher.window=250ms"));
		args.addAll(List.of(arguments));
		ConfigurableApplicationContext publisher = new SpringApplicationBuilder(PublisherApplication.class)
			.run(args.toArray(String[]::new));
		this.publishers.add(publisher);
		return publisher;
	}

	/** 2 s of a 1 kHz tone at 48 kHz: whole cycles, so that it loops without a click. */
	private static void writeTone(Path file) throws Exception {
		int rate = 48_000;
		int samples = 2 * rate;
		ByteBuffer pcm = ByteBuffer.allocate(samples * 2).order(ByteOrder.LITTLE_ENDIAN);
		for (int i = 0; i < samples; i++) {
			pcm.putShort((short) Math.round(AMPLITUDE * 32768 * Math.sin(2 * Math.PI * 1000 * i / rate)));
		}
		AudioFormat format = new AudioFormat(rate, 16, 1, true, false);
		try (AudioInputStream stream = new AudioInputStream(new ByteArrayInputStream(pcm.array()), format, samples)) {
			AudioSystem.write(stream, AudioFileFormat.Type.WAVE, file.toFile());
		}
	}

}
