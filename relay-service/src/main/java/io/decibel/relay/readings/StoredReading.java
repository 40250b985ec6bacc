package io.decibel.relay.readings;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import io.decibel.contract.Reading;
import io.decibel.contract.SoundLevels;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;

import org.jspecify.annotations.Nullable;

import org.springframework.data.domain.Persistable;

/**
 * A reading as stored, with its three timestamps: sampled on the device, received by the relay, stored (committed),
 * and its A-weighted levels when it carries them (contract v1.1; null for a v1 reading).
 */
@Entity
@Table(name = "readings")
@IdClass(ReadingKey.class)
public class StoredReading implements Persistable<ReadingKey> {

	@Id
	private String deviceId;

	@Id
	private long seq;

	private Instant sampledAt;

	private Instant receivedAt;

	private Instant storedAt;

	@Column(name = "window_ms")
	private int windowMs;

	private double rms;

	private double dbfs;

	private double peak;

	private String source;

	private @Nullable Double laeq;

	private @Nullable Double lafmax;

	private @Nullable Double lafmin;

	private @Nullable Double laf10;

	private @Nullable Double laf50;

	private @Nullable Double laf90;

	private @Nullable Boolean calibrated;

	// the key is assigned, not generated: tell Spring Data a new row is new, so save() inserts without a select
	@Transient
	private boolean isNew = true;

	protected StoredReading() {
	}

	StoredReading(Reading reading, Instant receivedAt, Instant storedAt) {
		this.deviceId = reading.deviceId();
		this.seq = reading.seq();
		this.sampledAt = sampledAt(reading);
		this.receivedAt = receivedAt;
		this.storedAt = storedAt;
		this.windowMs = Math.toIntExact(reading.windowMs());
		this.rms = reading.rms();
		this.dbfs = reading.dbfs();
		this.peak = reading.peak();
		this.source = reading.source();
		SoundLevels levels = reading.levels();
		if (levels != null) {
			this.laeq = levels.laeq();
			this.lafmax = levels.lafmax();
			this.lafmin = levels.lafmin();
			this.laf10 = levels.laf10();
			this.laf50 = levels.laf50();
			this.laf90 = levels.laf90();
			this.calibrated = levels.calibrated();
		}
	}

	/** The column keeps microseconds: store them truncated, not rounded by the server, to compare them later. */
	static Instant sampledAt(Reading reading) {
		return reading.sampledAt().truncatedTo(ChronoUnit.MICROS);
	}

	@Override
	public ReadingKey getId() {
		return new ReadingKey(this.deviceId, this.seq);
	}

	@Override
	public boolean isNew() {
		return this.isNew;
	}

	@PostLoad
	@PostPersist
	void markNotNew() {
		this.isNew = false;
	}

	public String getDeviceId() {
		return this.deviceId;
	}

	public long getSeq() {
		return this.seq;
	}

	public Instant getSampledAt() {
		return this.sampledAt;
	}

	public Instant getReceivedAt() {
		return this.receivedAt;
	}

	public Instant getStoredAt() {
		return this.storedAt;
	}

	public int getWindowMs() {
		return this.windowMs;
	}

	public double getRms() {
		return this.rms;
	}

	public double getDbfs() {
		return this.dbfs;
	}

	public double getPeak() {
		return this.peak;
	}

	public String getSource() {
		return this.source;
	}

	/** The levels as the reading carried them; {@code null} for a v1 reading. */
	public @Nullable SoundLevels getLevels() {
		return StoredContent.levels(this.laeq, this.lafmax, this.lafmin, this.laf10, this.laf50, this.laf90,
				this.calibrated);
	}

}
