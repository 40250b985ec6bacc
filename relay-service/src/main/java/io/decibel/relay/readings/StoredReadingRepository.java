package io.decibel.relay.readings;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

import org.jspecify.annotations.Nullable;

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
			+ " r.windowMs, r.rms, r.dbfs, r.peak, r.source, r.laeq, r.lafmax, r.lafmin, r.laf10, r.laf50, r.laf90,"
			+ " r.calibrated) from StoredReading r"
			+ " where r.deviceId in :deviceIds and r.seq in :seqs")
	List<StoredContent> findStoredAmong(Collection<String> deviceIds, Collection<Long> seqs);

	/** The device's highest stored seq: asked only when a reading is in conflict with a stored one. */
	@Query("select max(r.seq) from StoredReading r where r.deviceId = :deviceId")
	@Nullable Long findHighestSeq(String deviceId);

	/**
	 * Up to {@code limit} stored readings, newest stored first, from the one after {@code after} (from the newest
	 * without it); optionally of one device and stored within a window of time. The database reads them in the order
	 * of an index, within the window, and stops at the limit.
	 */
	default List<StoredReading> findNewestStored(@Nullable String deviceId, @Nullable Instant storedFrom,
			@Nullable Instant storedTo, @Nullable ReadingPosition after, int limit) {
		Specification<StoredReading> matching = Specification.unrestricted();
		if (deviceId != null) {
			matching = matching.and((reading, query, cb) -> cb.equal(reading.get("deviceId"), deviceId));
		}
		if (storedFrom != null) {
			matching = matching
				.and((reading, query, cb) -> cb.greaterThanOrEqualTo(reading.get("storedAt"), storedFrom));
		}
		if (storedTo != null) {
			matching = matching.and((reading, query, cb) -> cb.lessThan(reading.get("storedAt"), storedTo));
		}
		if (after != null) {
			matching = matching.and(after.readingsAfter(deviceId));
		}
		return findBy(matching, (query) -> query.sortBy(ReadingPosition.NEWEST_STORED_FIRST).limit(limit).all());
	}

}
