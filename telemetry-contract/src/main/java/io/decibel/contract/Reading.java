package io.decibel.contract;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import org.jspecify.annotations.Nullable;

/**
 * One noise reading: the level of one sampling window of one device. {@code (deviceId, seq)} identifies it
 * for ever, across publisher restarts.
 *
 * @param deviceId the device, {@code [A-Za-z0-9_-]{1,64}}
 * @param seq the device's sequence number, from 0 upwards
 * @param sampledAt when the window ended on the device
 * @param windowMs the length of the window
 * @param rms root mean square of the 16-bit samples, 0..32768
 * @param dbfs the level in dB relative to full scale, {@link #DBFS_FLOOR}..0
 * @param peak the largest absolute sample, 0..32768
 * @param source the noise source that produced it ({@code microphone}, {@code wav}, {@code synthetic})
 * @param levels the A-weighted levels of the window (contract v1.1), on the wire as fields of the reading itself;
 * {@code null} for a v1 reading
 */
public record Reading(String deviceId, long seq, Instant sampledAt, long windowMs, double rms, double dbfs,
		double peak, String source, @JsonUnwrapped @Nullable SoundLevels levels) {

	/** The level reported for silence: dBFS of a zero RMS would be -Infinity, which JSON cannot carry. */
	public static final double DBFS_FLOOR = -120.0;

	/** Full scale of a 16-bit sample. */
	public static final double FULL_SCALE = 32768.0;

	/** A v1 reading: no A-weighted levels. */
	public Reading(String deviceId, long seq, Instant sampledAt, long windowMs, double rms, double dbfs, double peak,
			String source) {
		this(deviceId, seq, sampledAt, windowMs, rms, dbfs, peak, source, null);
	}

	/** The same reading under another seq. */
	public Reading withSeq(long seq) {
		return new Reading(this.deviceId, seq, this.sampledAt, this.windowMs, this.rms, this.dbfs, this.peak,
				this.source, this.levels);
	}

}
