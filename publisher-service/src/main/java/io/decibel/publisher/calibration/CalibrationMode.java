package io.decibel.publisher.calibration;

import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

import io.decibel.contract.SoundLevels;
import io.decibel.publisher.PublisherProperties;
import io.decibel.publisher.sampling.NoiseSource;
import io.decibel.publisher.sampling.SoundLevelMeter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The calibration mode ({@code decibel.publisher.calibrate-to}): records the reference tone from the noise source for
 * {@code calibration-duration}, on a thread of its own, stores the offset that makes it read its reference level,
 * and says so. {@link io.decibel.publisher.PublisherApplication} waits for it and exits; nothing is published.
 */
@Component
public class CalibrationMode implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(CalibrationMode.class);

	/** Beyond this, the tone was not steady: the offset is stored all the same, with a warning. */
	static final double STEADY_SPREAD = 1.0;

	private final NoiseSource source;

	private final CalibrationStore store;

	private final PublisherProperties properties;

	private final CountDownLatch done = new CountDownLatch(1);

	private volatile boolean succeeded;

	private volatile boolean running;

	CalibrationMode(NoiseSource source, CalibrationStore store, PublisherProperties properties) {
		this.source = source;
		this.store = store;
		this.properties = properties;
	}

	@Override
	public void start() {
		if (!this.properties.calibrating() || this.running) {
			return;
		}
		this.running = true;
		Thread thread = new Thread(this::calibrate, "calibration");
		thread.setDaemon(true);
		thread.start();
	}

	@Override
	public void stop() {
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** @return whether the offset was stored */
	public boolean awaitDone() throws InterruptedException {
		this.done.await();
		return this.succeeded;
	}

	private void calibrate() {
		try {
			double reference = this.properties.calibrateTo();
			LOG.info("Calibration: recording the {} dB reference tone for {} s from the {} source",
					String.format(Locale.ROOT, "%.1f", reference), this.properties.calibrationDuration().toSeconds(),
					this.source.name());
			SoundLevelMeter meter = new SoundLevelMeter(this.source.sampleRate(), null);
			ReferenceTone tone = new ReferenceTone(reference);
			long wanted = (long) (this.properties.calibrationDuration().toNanos() / 1e9 * this.source.sampleRate());
			long heard = 0;
			while (heard < wanted && this.running) {
				short[] samples = this.source.read();
				SoundLevels levels = meter.measure(samples);
				tone.add(levels, samples.length);
				heard += samples.length;
			}
			if (!tone.heard()) {
				LOG.error("Calibration failed: too little of the tone was heard (make the duration longer than two"
						+ " windows)");
				return;
			}
			this.store.save(tone, Clock.systemUTC().instant());
			if (tone.spread() > STEADY_SPREAD) {
				LOG.warn("Calibration: the tone was not steady (its Fast level moved by {} dB): check the calibrator"
						+ " sits on the microphone, and calibrate again", format(tone.spread()));
			}
			LOG.info("Calibration: the tone measured {} dB(A)FS; offset {} dB stored in {}", format(tone.measuredLevel()),
					format(tone.offset()), this.store.file());
			this.succeeded = true;
		}
		catch (RuntimeException ex) {
			LOG.error("Calibration failed: {}", ex.getMessage());
		}
		finally {
			this.running = false;
			this.done.countDown();
		}
	}

	private static String format(double value) {
		return String.format(Locale.ROOT, "%.2f", value);
	}

}
