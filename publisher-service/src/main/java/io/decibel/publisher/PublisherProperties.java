package io.decibel.publisher;

import java.nio.file.Path;
import java.time.Duration;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the device samples and publishes.
 *
 * @param deviceId the device's identity on the wire, {@code [A-Za-z0-9_-]{1,64}} as the contract requires
 * @param source the noise source: {@code auto} (microphone when a capture line opens, synthetic otherwise),
 * {@code microphone}, {@code synthetic} or {@code wav:<path>} (looped)
 * @param window the length of one sampling window: one reading per window
 * @param count how many readings to publish before stopping and exiting with status 0 once all are acknowledged;
 * unset to run until stopped
 * @param stateDir where the device keeps its outbox ({@code <deviceId>.outbox}: the readings not acknowledged yet
 * and the seq counter, on disk before a reading is first sent) and a checkpoint of its counter
 * ({@code <deviceId>.seq}), so that no reading is lost in a crash and {@code (deviceId, seq)} never repeats across
 * restarts; {@code ${user.home}/.decibel} when unset
 * @param ackTimeout how long a reading may wait for its ACK before it is re-sent (then with back-off)
 * @param syntheticSeed the seed of the synthetic source: the same seed gives the same levels
 * @param outboxCapacity how many unacknowledged readings the device keeps for re-sending (in memory and on disk)
 * @param outboxFull what happens to a new reading when the outbox is full: the sampling waits for room
 * ({@code block}), or the oldest unacknowledged reading is given up ({@code drop-oldest})
 * @param calibrationOffset dB added to the A-weighted levels re full scale to make them dB SPL; when unset, the offset
 * the calibration mode stored in the state directory ({@code <deviceId>.calibration}) if there is one, else none: the
 * levels stay re full scale ({@code calibrated: false})
 * @param calibrateTo calibration mode: the level of the reference tone the device hears (94 or 114 dB from an
 * acoustic calibrator, or what a reference meter reads beside it); the device records it for
 * {@code calibrationDuration}, stores the offset in its state directory and exits, publishing nothing
 * @param calibrationDuration how long the calibration mode records the reference tone
 */
@Validated
@ConfigurationProperties("decibel.publisher")
public record PublisherProperties(
		@DefaultValue("device-1") @Pattern(regexp = "[A-Za-z0-9_-]{1,64}",
				message = "must match [A-Za-z0-9_-]{1,64}, as device ids of the wire contract do") String deviceId,
		@DefaultValue("auto") @Pattern(regexp = "auto|microphone|synthetic|wav:.+",
				message = "must be auto, microphone, synthetic or wav:<path>") String source,
		@DefaultValue("1s") @DurationMin(millis = 1) @DurationMax(hours = 1) Duration window,
		@Nullable @Positive Long count, @Nullable Path stateDir,
		@DefaultValue("5s") @DurationMin(millis = 1) @DurationMax(days = 1) Duration ackTimeout,
		@DefaultValue("42") long syntheticSeed, @DefaultValue("10000") @Positive int outboxCapacity,
		@DefaultValue("block") OutboxFull outboxFull,
		@Nullable @DecimalMin("-50") @DecimalMax("250") Double calibrationOffset,
		@Nullable @DecimalMin("0") @DecimalMax("200") Double calibrateTo,
		@DefaultValue("5s") @DurationMin(seconds = 1) @DurationMax(minutes = 10) Duration calibrationDuration) {

	public PublisherProperties {
		// not a @DefaultValue: those are converted, not resolved, so ${user.home} would stay literal
		if (stateDir == null) {
			stateDir = Path.of(System.getProperty("user.home"), ".decibel");
		}
	}

	/** Whether the device runs in calibration mode rather than as a device. */
	public boolean calibrating() {
		return this.calibrateTo != null;
	}

	/** What a full outbox does with a new reading; never silent, either way. */
	public enum OutboxFull {

		/** The sampling waits until an ACK makes room: no reading is lost, windows are skipped meanwhile. */
		BLOCK,

		/** The oldest unacknowledged reading is given up (logged with its seq, counted) to make room. */
		DROP_OLDEST

	}

}
