package io.decibel.relay.readings;

import java.time.Instant;
import java.util.List;

import io.decibel.contract.ReadingValidator;
import org.jspecify.annotations.Nullable;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** The stored readings, newest first, a page at a time. */
@RestController
class ReadingsController {

	static final int MAX_PAGE_SIZE = 500;

	private static final Sort NEWEST_FIRST = Sort.by(Sort.Order.desc("storedAt"), Sort.Order.asc("deviceId"),
			Sort.Order.desc("seq"));

	private final StoredReadingRepository readings;

	ReadingsController(StoredReadingRepository readings) {
		this.readings = readings;
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

	record ReadingsPage(List<ReadingView> items, int page, int size, long totalElements, int totalPages) {
	}

}
