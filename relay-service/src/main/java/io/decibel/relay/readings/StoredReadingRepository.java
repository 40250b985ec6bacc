package io.decibel.relay.readings;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.domain.Specification;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.data.jpa.repository.Query;

public interface StoredReadingRepository
		extends JpaRepository<StoredReading, ReadingKey>, JpaSpecificationExecutor<StoredReading> {

	/**
	 * The stored readings among the given devices and seqs (a superset of the pairs asked about: filter by key). One
	 * query for a whole batch, where {@code findAllById} would ask once per composite key.
	 */
	@Query("select new io.decibel.relay.readings.StoredContent(r.deviceId, r.seq, r.storedAt, r.sampledAt,"
			+ " r.windowMs, r.rms, r.dbfs, r.peak, r.source) from StoredReading r"
			+ " where r.deviceId in :deviceIds and r.seq in :seqs")
	List<StoredContent> findStoredAmong(Collection<String> deviceIds, Collection<Long> seqs);

	/** The device's highest stored seq: asked only when a reading is in conflict with a stored one. */
	@Query("select max(r.seq) from StoredReading r where r.deviceId = :deviceId")
	@Nullable Long findHighestSeq(String deviceId);

	/** Stored readings, optionally of one device and within a window of sampling time, as the pageable orders. */
	default Page<StoredReading> findReadings(@Nullable String deviceId, @Nullable Instant sampledFrom,
			@Nullable Instant sampledTo, Pageable pageable) {
		Specification<StoredReading> matching = Specification.unrestricted();
		if (deviceId != null) {
			matching = matching.and((reading, query, cb) -> cb.equal(reading.get("deviceId"), deviceId));
		}
		if (sampledFrom != null) {
			matching = matching
				.and((reading, query, cb) -> cb.greaterThanOrEqualTo(reading.get("sampledAt"), sampledFrom));
		}
		if (sampledTo != null) {
			matching = matching.and((reading, query, cb) -> cb.lessThan(reading.get("sampledAt"), sampledTo));
		}
		return findAll(matching, pageable);
	}

}
