package io.decibel.relay.web;

import java.util.ArrayList;
import java.util.List;

import io.decibel.contract.ReadingValidator;
import io.decibel.relay.storage.StoredReadingRepository;
import io.decibel.relay.storage.StoredReadingRepository.SeqGap;
import io.decibel.relay.storage.StoredReadingRepository.StoredRange;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Which readings of a device are stored and which are missing, straight from the table. A device numbers its
 * readings from 0 without gaps, so every missing seq up to the last stored one is a reading not (yet) delivered.
 */
@RestController
class DeliveryController {

	static final int MAX_GAPS = 1000;

	private final StoredReadingRepository readings;

	DeliveryController(StoredReadingRepository readings) {
		this.readings = readings;
	}

	@GetMapping("/api/devices/{deviceId}/delivery")
	Delivery delivery(@PathVariable String deviceId) {
		if (!ReadingValidator.isValidDeviceId(deviceId)) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"deviceId must match " + ReadingValidator.DEVICE_ID.pattern());
		}
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
				gaps.subList(0, Math.min(gaps.size(), MAX_GAPS)));
	}

	/**
	 * @param missing seqs from 0 to {@code lastSeq} that are not stored
	 * @param gaps the missing seqs as ranges, lowest first (at most {@value #MAX_GAPS})
	 */
	record Delivery(String deviceId, long stored, @Nullable Long firstSeq, @Nullable Long lastSeq, long missing,
			List<Gap> gaps) {
	}

	record Gap(long from, long to) {
	}

}
