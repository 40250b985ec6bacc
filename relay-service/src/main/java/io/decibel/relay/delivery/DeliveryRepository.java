package io.decibel.relay.delivery;

import java.util.Collection;
import java.util.List;

import io.decibel.relay.readings.ReadingKey;
import io.decibel.relay.readings.StoredReading;
import org.jspecify.annotations.Nullable;

import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.Repository;

/** The questions delivery accounting asks of the readings table. */
interface DeliveryRepository extends Repository<StoredReading, ReadingKey> {

	/**
	 * From which seq on the device's readings are kept: one above the highest seq retention deleted, 0 before it
	 * deleted any.
	 */
	@Query(value = "select coalesce(max(retained_from), 0) from reading_horizons where device_id = :deviceId",
			nativeQuery = true)
	long findRetainedFrom(String deviceId);

	/**
	 * How many readings of a device are stored from seq {@code from} on, and the lowest and highest seq among them
	 * (not {@code as stored}: MySQL reserves the word, MariaDB does not).
	 */
	@Query(value = "select count(*) as storedCount, min(seq) as firstSeq, max(seq) as lastSeq from readings"
			+ " where device_id = :deviceId and seq >= :from", nativeQuery = true)
	StoredRange findStoredRange(String deviceId, long from);

	/** Which of these seqs the device has stored: a look-up by the primary key. */
	@Query("select r.seq from StoredReading r where r.deviceId = :deviceId and r.seq in :seqs")
	List<Long> findSeqsAmong(String deviceId, Collection<Long> seqs);

	/** The runs of seqs missing between stored readings of a device from seq {@code from} on, lowest first. */
	@Query(value = "select seq + 1 as fromSeq, next_seq - 1 as toSeq from (select seq, lead(seq) over (order by seq)"
			+ " as next_seq from readings where device_id = :deviceId and seq >= :from) s where next_seq > seq + 1"
			+ " order by seq limit :limit", nativeQuery = true)
	List<SeqGap> findGaps(String deviceId, long from, int limit);

	interface StoredRange {

		long getStoredCount();

		@Nullable Long getFirstSeq();

		@Nullable Long getLastSeq();

	}

	interface SeqGap {

		long getFromSeq();

		long getToSeq();

	}

}
