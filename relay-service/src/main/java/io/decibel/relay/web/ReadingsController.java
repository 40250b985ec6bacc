package io.decibel.relay.web;

import java.time.Instant;
import java.util.List;

import io.decibel.contract.Reading;
import io.decibel.contract.ReadingValidator;
import io.decibel.relay.storage.StoredReading;
import io.decibel.relay.storage.StoredReadingRepository;
import org.jspecify.annotations.Nullable;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** The stored readings, newest first, a page at a time, and live as they are stored. */
@RestController
class ReadingsController {

	static final int MAX_PAGE_SIZE = 500;

	private static final Sort NEWEST_FIRST = Sort.by(Sort.Order.desc("storedAt"), Sort.Order.asc("deviceId"),
			Sort.Order.desc("seq"));

	private final StoredReadingRepository readings;

	private final LiveReadings live;

	ReadingsController(StoredReadingRepository readings, LiveReadings live) {
		this.readings = readings;
		this.live = live;
	}

	@GetMapping("/api/readings")
	ReadingsPage readings(@RequestParam(required = false) @Nullable String device,
			@RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) @Nullable Instant from,
			@RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) @Nullable Instant to,
			@RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
		PageRequest request = PageRequest.of(Math.max(page, 0), Math.min(Math.max(size, 1), MAX_PAGE_SIZE),
				NEWEST_FIRST);
		// the column's collation ignores trailing spaces: an id the contract would refuse must not find another's
		if (device != null && !ReadingValidator.isValidDeviceId(device)) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"device must match " + ReadingValidator.DEVICE_ID.pattern());
		}
		Page<StoredReading> found = this.readings.findReadings(device, from, to, request);
		return new ReadingsPage(found.getContent().stream().map(ReadingView::of).toList(), found.getNumber(),
				found.getSize(), found.getTotalElements(), found.getTotalPages());
	}

	/** Server-Sent Events: {@code readings} (the rows of each committed batch), {@code counts} (the ACK counts). */
	@GetMapping("/api/readings/stream")
	ResponseEntity<SseEmitter> stream() {
		return this.live.connect();
	}

	record ReadingsPage(List<ReadingView> items, int page, int size, long totalElements, int totalPages) {
	}

	record ReadingView(String deviceId, long seq, Instant sampledAt, Instant receivedAt, Instant storedAt,
			int windowMs, double rms, double dbfs, double peak, String source) {

		/** A reading just stored, as the live page receives it: the same fields as a row of the table. */
		static ReadingView of(Reading reading, Instant receivedAt, Instant storedAt) {
			return new ReadingView(reading.deviceId(), reading.seq(), reading.sampledAt(), receivedAt, storedAt,
					Math.toIntExact(reading.windowMs()), reading.rms(), reading.dbfs(), reading.peak(),
					reading.source());
		}

		static ReadingView of(StoredReading reading) {
			return new ReadingView(reading.getDeviceId(), reading.getSeq(), reading.getSampledAt(),
					reading.getReceivedAt(), reading.getStoredAt(), reading.getWindowMs(), reading.getRms(),
					reading.getDbfs(), reading.getPeak(), reading.getSource());
		}

	}

}
