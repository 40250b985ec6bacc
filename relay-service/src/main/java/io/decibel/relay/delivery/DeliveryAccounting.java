package io.decibel.relay.delivery;

import java.util.ArrayList;
import java.util.List;

import io.decibel.relay.delivery.DeliveryRepository.SeqGap;
import io.decibel.relay.delivery.DeliveryRepository.StoredRange;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Which readings of a device are stored and which are missing, straight from the table. A device numbers its
 * readings from 0 without gaps, so every missing seq up to the last stored one is a reading not (yet) delivered —
 * from the device's retention horizon on: the seqs below it are retention's, deleted, not missing. The report is read
 * in one snapshot, so that a chunk of retention committing meanwhile cannot show as a gap.
 */
@Component
class DeliveryAccounting {

	static final int MAX_GAPS = 1000;

	private final DeliveryRepository readings;

	private final TransactionTemplate snapshot;

	DeliveryAccounting(DeliveryRepository readings, PlatformTransactionManager transactions) {
		this.readings = readings;
		this.snapshot = new TransactionTemplate(transactions);
		this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
		this.snapshot.setReadOnly(true);
	}

	Delivery delivery(String deviceId) {
		return this.snapshot.execute((status) -> {
			long from = this.readings.findRetainedFrom(deviceId);
			StoredRange range = this.readings.findStoredRange(deviceId, from);
			List<Gap> gaps = new ArrayList<>();
			if (range.getFirstSeq() != null && range.getFirstSeq() > from) {
				gaps.add(new Gap(from, range.getFirstSeq() - 1));
			}
			for (SeqGap gap : this.readings.findGaps(deviceId, from, MAX_GAPS)) {
				gaps.add(new Gap(gap.getFromSeq(), gap.getToSeq()));
			}
			long missing = (range.getLastSeq() != null) ? range.getLastSeq() + 1 - from - range.getStoredCount() : 0;
			return new Delivery(deviceId, range.getStoredCount(), range.getFirstSeq(), range.getLastSeq(), missing,
					List.copyOf(gaps.subList(0, Math.min(gaps.size(), MAX_GAPS))), from);
		});
	}

	/**
	 * @param stored readings stored from {@code retainedFrom} on
	 * @param missing seqs from {@code retainedFrom} to {@code lastSeq} that are not stored
	 * @param gaps the missing seqs as ranges, lowest first (at most {@value #MAX_GAPS})
	 * @param retainedFrom the lowest seq the report covers: 0, or one above the highest seq retention deleted
	 */
	record Delivery(String deviceId, long stored, @Nullable Long firstSeq, @Nullable Long lastSeq,
			long missing, List<Gap> gaps, long retainedFrom) {
	}

	record Gap(long from, long to) {
	}

}
