package io.decibel.bench.naive;

import java.io.Serializable;
import java.time.Instant;

import io.decibel.contract.Reading;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.PostPersist;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;

import org.springframework.data.domain.Persistable;

/**
 * A row of the relay's {@code readings} table. New rows say they are new, so that {@code save} inserts without a
 * select first: the baseline pays for its commits, not for a mapping mistake.
 */
@Entity
@Table(name = "readings")
@IdClass(NaiveReading.Key.class)
class NaiveReading implements Persistable<NaiveReading.Key> {

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

	@Transient
	private boolean isNew = true;

	protected NaiveReading() {
	}

	NaiveReading(Reading reading, Instant receivedAt, Instant storedAt) {
		this.deviceId = reading.deviceId();
		this.seq = reading.seq();
		this.sampledAt = reading.sampledAt();
		this.receivedAt = receivedAt;
		this.storedAt = storedAt;
		this.windowMs = Math.toIntExact(reading.windowMs());
		this.rms = reading.rms();
		this.dbfs = reading.dbfs();
		this.peak = reading.peak();
		this.source = reading.source();
	}

	@Override
	public Key getId() {
		return new Key(this.deviceId, this.seq);
	}

	@Override
	public boolean isNew() {
		return this.isNew;
	}

	@PostPersist
	void markNotNew() {
		this.isNew = false;
	}

	record Key(String deviceId, long seq) implements Serializable {
	}

}
