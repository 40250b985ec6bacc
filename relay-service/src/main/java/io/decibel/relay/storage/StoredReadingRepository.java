package io.decibel.relay.storage;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.domain.Specification;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;

public interface StoredReadingRepository
		extends JpaRepository<StoredReading, ReadingKey>, JpaSpecificationExecutor<StoredReading> {

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
