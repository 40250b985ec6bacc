package io.decibel.relay.delivery;

import java.util.ArrayList;
import java.util.List;

import io.decibel.relay.delivery.DeliveryRepository.SeqGap;
import io.decibel.relay.delivery.DeliveryRepository.StoredRange;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * Which readings of a device are stored and which are missing, straight from the table. A device numbers its
 * readings from 0 without gaps, so every missing seq up to the last stored one is a reading not (yet) delivered.
 */
@Component
class DeliveryAccounting {

	static final int MAX_GAPS = 1000;

	private final DeliveryRepository readings;

	DeliveryAccounting(DeliveryRepository readings) {
		this.readings = readings;
	}

	Delivery delivery(String deviceId) {
		StoredRange range = this.readings.findStoredRange(deviceId);
		List<Gap> gaps = new ArrayList<>();
		if (range.getFirstSeq() != null && range.getFirstSeq() > 0) {
			gaps.add(new Gap(0, range.getFirstSeq() - 1));
		}
		for (SeqGap gap : this.readings.findGaps(deviceId, MAX_GAPS)) {
			gaps.add(new Gap(gap.getFromSeq(), gap.getToSeq()));
		}
		long missing = (range.getLastSeq() != null) ? range.getLastSeq() + 1 - range.getStored() : 0;
		return new Delivery(deviceId, range.getStored(), range.getFirstSeq(), range.getLastSeq(), missing,
				List.copyOf(gaps.subList(0, Math.min(gaps.size(), MAX_GAPS))));
	}

	/**
	 * @param missing seqs from 0 to {@code lastSeq} that are not stored
	 * @param gaps the missing seqs as ranges, lowest first (at most {@value #MAX_GAPS})
	 */
	record Delivery(String deviceId, long stored, @Nullable Long firstSeq, @Nullable Long lastSeq,
			long missing, List<Gap> gaps) {
	}

	record Gap(long from, long to) {
	}

}
